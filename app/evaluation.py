"""Retrieval evaluation on QA sets in the shared format (see ../shared/evaldata/README.md).

Each corpus line is indexed as one document whose source is its `doc_id`, into a
throwaway knowledge base under `$YIZHI_DATA_DIR/eval/` that is reused while the corpus
and the settings that shape the index are unchanged. A retrieved chunk is a hit when
its document is in the question's `gold_doc_ids`; a question with none is unanswerable
and the right behaviour is to refuse.
"""
from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from app.errors import ConfigError
from app.settings import Settings
from ingest.pipeline import IngestPipeline
from ingest.types import Document
from retrieval.embedders import Embedder
from retrieval.search import HybridSearcher
from retrieval.store import KnowledgeBase

log = logging.getLogger(__name__)

RANK_DEPTH = 10


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
    if not path.is_file():
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
    items = []
    for path in paths:
        for row in read_jsonl(path):
            try:
                items.append(QAItem(str(row["qid"]), row["question"], list(row.get("answers") or []),
                                    frozenset(map(str, row.get("gold_doc_ids") or []))))
            except KeyError as exc:
                raise ConfigError(f"{path}: a line lacks the field {exc}; expected qid, question, gold_doc_ids") from exc
    return items


# --- metrics: pure functions over ranked document ids ---------------------------------
def first_hit_rank(ranked_doc_ids: Sequence[str], gold: frozenset[str], depth: int = RANK_DEPTH) -> int | None:
    """1-based rank of the first retrieved chunk whose document is gold, within `depth`."""
    return next((i for i, d in enumerate(ranked_doc_ids[:depth], 1) if d in gold), None)


def retrieval_metrics(first_ranks: Sequence[int | None]) -> dict[str, float]:
    """hit@1, hit@5 and MRR@10 from the first-hit ranks of answerable questions."""
    n = len(first_ranks)
    if n == 0:
        return {"hit@1": 0.0, "hit@5": 0.0, "mrr@10": 0.0}
    return {
        "hit@1": sum(1 for r in first_ranks if r is not None and r <= 1) / n,
        "hit@5": sum(1 for r in first_ranks if r is not None and r <= 5) / n,
        "mrr@10": sum(1.0 / r for r in first_ranks if r is not None and r <= RANK_DEPTH) / n,
    }


def refusal_metrics(refused_answerable: Sequence[bool], refused_unanswerable: Sequence[bool]) -> dict[str, float]:
    """Refusal recall on unanswerable questions and false refusals on answerable ones."""
    out = {"false_refusal_rate": sum(refused_answerable) / len(refused_answerable) if refused_answerable else 0.0}
    if refused_unanswerable:
        out["refusal_recall"] = sum(refused_unanswerable) / len(refused_unanswerable)
    return out


# --- the evaluator --------------------------------------------------------------------
def eval_kb_name(corpus: Path, settings: Settings, embedder_name: str) -> str:
    """A name that changes whenever the corpus or an index-shaping setting does."""
    digest = hashlib.sha256(corpus.read_bytes())
    digest.update(json.dumps([embedder_name, settings.chunk_size, settings.chunk_overlap,
                              settings.title_enhance]).encode())
    return f"{corpus.parent.name}-{corpus.stem}-{digest.hexdigest()[:12]}"


def build_eval_kb(corpus: Path, settings: Settings, embedder: Embedder, *, progress: bool = True) -> KnowledgeBase:
    """Index the corpus (resuming or reusing an earlier build) and return its knowledge base."""
    rows = read_jsonl(corpus)
    root = settings.data_dir / "eval"
    kb = KnowledgeBase(root, eval_kb_name(corpus, settings, embedder.name), create=True)
    pipeline = IngestPipeline(kb, embedder, settings, progress=False)
    todo = []
    for row in rows:
        text = row.get("text", "")
        content_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
        known = kb.document(str(row["doc_id"]))
        if known is None or known.content_hash != content_hash:
            todo.append((row, content_hash))
    for row, content_hash in tqdm(todo, desc="indexing corpus", unit="doc", disable=not progress or None):
        doc = Document(text=row["text"], source=str(row["doc_id"]), title=row.get("title", ""),
                       content_hash=content_hash)
        pipeline.index_documents(doc.source, content_hash, [doc])
    kb.save()
    return kb


def evaluate(corpus: Path, qa_files: Sequence[Path], settings: Settings, embedder: Embedder, *,
             mode: str = "hybrid", progress: bool = True, details: list[dict] | None = None) -> dict:
    """Index `corpus`, ask every question, return one object of metrics."""
    items = load_qa(qa_files)
    if not items:
        raise ConfigError("the QA files hold no questions")
    t0 = time.perf_counter()
    kb = build_eval_kb(corpus, settings, embedder, progress=progress)
    index_seconds = time.perf_counter() - t0
    # Rank without the threshold (so hit@k measures ranking), then apply it for refusals.
    searcher = HybridSearcher(kb, embedder, settings.model_copy(update={"score_threshold": -1.0}))
    ranks, refused_ok, refused_unanswerable = [], [], []
    t1 = time.perf_counter()
    for item in tqdm(items, desc=f"asking ({mode})", unit="q", disable=not progress or None):
        results = searcher.search(item.question, RANK_DEPTH, mode=mode)
        refused = not any(r.relevance >= settings.score_threshold for r in results)
        ranked = [r.chunk.source for r in results]
        if item.answerable:
            ranks.append(first_hit_rank(ranked, item.gold_doc_ids))
            refused_ok.append(refused)
        else:
            refused_unanswerable.append(refused)
        if details is not None:
            details.append({"qid": item.qid, "question": item.question, "gold": sorted(item.gold_doc_ids),
                            "first_hit_rank": ranks[-1] if item.answerable else None, "refused": refused,
                            "top": [{"source": r.chunk.source, "score": round(r.score, 5),
                                     "relevance": round(r.relevance, 4)} for r in results[:5]]})
    query_seconds = time.perf_counter() - t1
    metrics = {"mode": mode, **retrieval_metrics(ranks), **refusal_metrics(refused_ok, refused_unanswerable),
               "questions": len(items), "answerable": len(ranks), "unanswerable": len(refused_unanswerable),
               "corpus_docs": len(kb.documents()), "chunks": kb.chunk_count(),
               "score_threshold": settings.score_threshold,
               "index_seconds": round(index_seconds, 2), "query_seconds": round(query_seconds, 2),
               "ms_per_query": round(1000 * query_seconds / len(items), 1)}
    kb.close()
    return metrics
