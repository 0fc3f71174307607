"""Retrieval evaluation on QA sets in the shared format (see ../shared/evaldata/README.md).

Each corpus line is indexed as one document whose source is its `doc_id`, into a
throwaway knowledge base under `$YIZHI_DATA_DIR/eval/kb/` that is reused while the corpus
and the settings that shape the index are unchanged. A retrieved chunk is a hit when
its document is in the question's `gold_doc_ids`; a question with none is unanswerable
and the right behaviour is to refuse. Refusal is decided exactly as the answering
service decides it: no candidate's relevance reaches `score_threshold`.

Runs ("configurations") measured side by side: `dense`, `lexical`, `hybrid` (the
default, reranked when a reranker is configured), `hybrid+rerank`, and `langchain`, the
plain LangChain recipe (app/eval_baseline.py).
"""
from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from app.errors import ConfigError
from app.eval_metrics import RANK_DEPTH, first_hit_rank, refusal_metrics, retrieval_metrics
from app.settings import Settings
from ingest.pipeline import IngestPipeline
from ingest.types import Document
from retrieval.embedders import Embedder, SentenceTransformerEmbedder, UseEmbedder
from retrieval.relevance import closeness_for, query_terms
from retrieval.search import HybridSearcher
from retrieval.store import KnowledgeBase

log = logging.getLogger(__name__)

__all__ = ["QAItem", "read_jsonl", "load_qa", "first_hit_rank", "retrieval_metrics", "refusal_metrics",
           "eval_root", "eval_kb_name", "build_eval_kb", "embed_questions", "evaluate_run", "evaluate", "RUNS"]

# run name -> (search mode, rerank?)
RUNS = {"dense": ("dense", False), "lexical": ("lexical", False), "hybrid": ("hybrid", False),
        "hybrid+rerank": ("hybrid", True)}


@dataclass(frozen=True, slots=True)
class QAItem:
    qid: str
    question: str
    answers: list
    gold_doc_ids: frozenset[str]

    @property
    def answerable(self) -> bool:
        return bool(self.gold_doc_ids)


def read_jsonl(path: Path) -> list[dict]:
    if not Path(path).is_file():
        raise ConfigError(f"file not found: {path}")
    rows = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ConfigError(f"{path}:{lineno} is not valid JSON: {exc.msg}") from exc
    return rows


def load_qa(paths: Sequence[Path]) -> list[QAItem]:
    """Questions of every file, in order; a qid that repeats across files is kept once."""
    items, seen = [], set()
    for path in paths:
        for row in read_jsonl(path):
            try:
                item = QAItem(str(row["qid"]), row["question"], list(row.get("answers") or []),
                              frozenset(map(str, row.get("gold_doc_ids") or [])))
            except KeyError as exc:
                raise ConfigError(f"{path}: a line lacks the field {exc}; expected qid, question, gold_doc_ids") from exc
            if item.qid not in seen:
                seen.add(item.qid)
                items.append(item)
    return items


# --- the evaluation knowledge base ------------------------------------------------------
def eval_root(settings: Settings) -> Path:
    """Where evaluation knowledge bases live (a `kb_root` for a service on data_dir/eval)."""
    return settings.data_dir / "eval" / "kb"


def eval_kb_name(corpus: Path, settings: Settings, embedder_name: str) -> str:
    """A name that changes whenever the corpus or an index-shaping setting does."""
    digest = hashlib.sha256(Path(corpus).read_bytes())
    digest.update(json.dumps([embedder_name, settings.chunk_size, settings.chunk_overlap,
                              settings.title_enhance]).encode())
    return f"{Path(corpus).parent.name}-{Path(corpus).stem}-{digest.hexdigest()[:12]}"


def build_eval_kb(corpus: Path, settings: Settings, embedder: Embedder, *, progress: bool = True) -> KnowledgeBase:
    """Index the corpus (resuming or reusing an earlier build) and return its knowledge base."""
    rows = read_jsonl(corpus)
    kb = KnowledgeBase(eval_root(settings), eval_kb_name(corpus, settings, embedder.name), create=True)
    pipeline = IngestPipeline(kb, embedder, settings, progress=False)
    todo = []
    for row in rows:
        if "doc_id" not in row or not str(row.get("text", "")).strip():
            raise ConfigError(f"{corpus}: every line needs a doc_id and a non-empty text")
        content_hash = hashlib.sha256(row["text"].encode("utf-8")).hexdigest()
        known = kb.document(str(row["doc_id"]))
        if known is None or known.content_hash != content_hash:
            todo.append((row, content_hash))
    for row, content_hash in tqdm(todo, desc="indexing corpus", unit="doc", disable=not progress or None):
        doc = Document(text=row["text"], source=str(row["doc_id"]), title=row.get("title", ""),
                       content_hash=content_hash)
        pipeline.index_documents(doc.source, content_hash, [doc])
    kb.save()
    return kb


def embed_questions(items: Sequence[QAItem], embedder: Embedder) -> list[np.ndarray]:
    """Query vectors, computed once and shared by every run.

    Batched for the two embedders whose `embed_query` is `embed_documents` of the
    (prefixed) question; any other embedder is asked one question at a time.
    """
    if isinstance(embedder, (UseEmbedder, SentenceTransformerEmbedder)):
        prefix = getattr(embedder, "query_prefix", "")
        return list(embedder.embed_documents([prefix + item.question for item in items]))
    return [embedder.embed_query(item.question) for item in items]


# --- one run ------------------------------------------------------------------------------
def evaluate_run(run: str, kb: KnowledgeBase, items: Sequence[QAItem], qvecs: Sequence[np.ndarray],
                 settings: Settings, embedder: Embedder, *, progress: bool = True,
                 details: list[dict] | None = None) -> dict:
    """Ask every question of one configuration; metrics plus timings."""
    if run not in RUNS:
        raise ConfigError(f"unknown run {run!r}: use one of {', '.join(RUNS)} or langchain")
    mode, rerank = RUNS[run]
    if rerank and not settings.reranker_model.strip():
        raise ConfigError("the run 'hybrid+rerank' needs a reranker: pass --reranker MODEL or set "
                          "YIZHI_RERANKER_MODEL (a cross-encoder folder, e.g. bge-reranker-base)")
    searcher = HybridSearcher(kb, embedder, settings, rerank=rerank)
    ranks, refused_ok, refused_no = [], [], []
    t0 = time.perf_counter()
    for item, qvec in tqdm(list(zip(items, qvecs)), desc=f"asking ({run})", unit="q",
                           disable=not progress or None):
        pool = searcher.candidates(item.question, mode=mode, query_vector=qvec, pool=RANK_DEPTH)
        best = max((c.relevance for c in pool), default=0.0)
        refused = best < settings.score_threshold
        if item.answerable:
            ranks.append(first_hit_rank([c.chunk.source for c in pool], item.gold_doc_ids))
            refused_ok.append(refused)
        else:
            refused_no.append(refused)
        if details is not None:
            details.append({"run": run, "qid": item.qid, "question": item.question,
                            "gold": sorted(item.gold_doc_ids), "first_hit_rank": ranks[-1] if item.answerable else None,
                            "refused": refused, "best_relevance": round(best, 4),
                            "top": [{"source": c.chunk.source, "score": round(c.score, 5),
                                     "relevance": round(c.relevance, 4)} for c in pool[:5]]})
    seconds = time.perf_counter() - t0
    return {"run": run, **retrieval_metrics(ranks), **refusal_metrics(refused_ok, refused_no),
            "answerable": len(ranks), "unanswerable": len(refused_no),
            "query_seconds": round(seconds, 2), "ms_per_query": round(1000 * seconds / max(1, len(items)), 1)}


def evaluate(corpus: Path, qa_files: Sequence[Path], settings: Settings, embedder: Embedder, *,
             mode: str = "hybrid", progress: bool = True, details: list[dict] | None = None) -> dict:
    """Index `corpus`, ask every question with one configuration, return its metrics."""
    return evaluate_many(corpus, qa_files, settings, embedder, runs=[mode], progress=progress,
                         details=details)["runs"][0]


def evaluate_many(corpus: Path, qa_files: Sequence[Path], settings: Settings, embedder: Embedder, *,
                  runs: Sequence[str] = ("hybrid",), progress: bool = True,
                  details: list[dict] | None = None) -> dict:
    """Index once, embed the questions once, then measure each run.

    Returns {"corpus": …, "runs": [metrics per run]}; each run's metrics carry the
    shared counts and timings so any one of them stands alone (the `--json` object).
    """
    items = load_qa(qa_files)
    if not items:
        raise ConfigError("the QA files hold no questions")
    t0 = time.perf_counter()
    kb = build_eval_kb(corpus, settings, embedder, progress=progress)
    index_seconds = time.perf_counter() - t0
    try:
        t1 = time.perf_counter()
        qvecs = embed_questions(items, embedder)
        embed_seconds = time.perf_counter() - t1
        closeness_for(embedder), query_terms("预热 warm-up")  # load once, outside the per-query timings
        shared = {"questions": len(items), "corpus_docs": len(kb.documents()), "chunks": kb.chunk_count(),
                  "embedder": embedder.name, "score_threshold": settings.score_threshold,
                  "index_seconds": round(index_seconds, 2), "question_embed_seconds": round(embed_seconds, 2)}
        results = []
        for run in runs:
            if run == "langchain":
                from app.eval_baseline import evaluate_langchain

                metrics = evaluate_langchain(corpus, items, qvecs, settings, embedder, progress=progress,
                                             details=details)
            else:
                metrics = evaluate_run(run, kb, items, qvecs, settings, embedder, progress=progress,
                                       details=details)
            metrics["mode"] = run
            results.append({**metrics, **{k: v for k, v in shared.items() if k not in metrics}})
    finally:
        kb.close()
    return {"corpus": str(corpus), "kb": kb.name, "runs": results,
            "total_seconds": round(time.perf_counter() - t0, 2)}
