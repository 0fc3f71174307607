"""Retrieval evaluation on QA sets in the shared format (see ../shared/evaldata/README.md).

The corpus is indexed into a throwaway knowledge base (evaluation/corpus_kb.py). A
retrieved chunk is a hit when its document is in the question's `gold_doc_ids`; a
question with none is unanswerable and the right behaviour is to refuse. Refusal is
decided exactly as the answering service decides it: by `retrieval.search.passing`,
nothing passes `score_threshold`, nothing to answer from.

Runs ("configurations") measured side by side by the one loop of evaluation/loop.py:
`dense`, `lexical`, `hybrid` (the default, reranked when a reranker is configured),
`hybrid+rerank`, and `langchain`, the plain LangChain recipe (evaluation/baseline.py).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from app.settings import Settings
from core.enums import SearchMode
from core.errors import ConfigError
from evaluation.baseline import build_baseline_store, langchain_retriever
from evaluation.corpus_kb import build_eval_kb, embed_questions
from evaluation.loop import Retrieve, Retrieved, measure
from evaluation.metrics import RANK_DEPTH
from evaluation.qa import QAItem, load_qa
from retrieval.embedders import Embedder
from retrieval.kb.protocols import KnowledgeBase
from retrieval.relevance import closeness_for, query_terms
from retrieval.search import HybridSearcher, passing

log = logging.getLogger(__name__)

__all__ = ["RUNS", "yizhi_retriever", "evaluate_run", "evaluate_langchain", "evaluate", "evaluate_many"]

# run name -> (search mode, rerank?)
RUNS = {"dense": (SearchMode.DENSE, False), "lexical": (SearchMode.LEXICAL, False),
        "hybrid": (SearchMode.HYBRID, False), "hybrid+rerank": (SearchMode.HYBRID, True)}


def yizhi_retriever(run: str, kb: KnowledgeBase, settings: Settings, embedder: Embedder) -> Retrieve:
    """Yizhi's candidate pool for one configuration, refused when nothing passes the threshold."""
    if run not in RUNS:
        raise ConfigError(f"unknown run {run!r}: use one of {', '.join(RUNS)} or langchain")
    mode, rerank = RUNS[run]
    config = settings.search_config()
    if rerank and not config.reranker_model.strip():
        raise ConfigError("the run 'hybrid+rerank' needs a reranker: pass --reranker MODEL or set "
                          "YIZHI_RERANKER_MODEL (a cross-encoder folder, e.g. bge-reranker-base)")
    searcher = HybridSearcher(kb, embedder, config, rerank=rerank)

    def retrieve(item: QAItem, qvec: np.ndarray) -> Retrieved:
        pool = searcher.candidates(item.question, mode=mode, query_vector=qvec, pool=RANK_DEPTH)
        return Retrieved([c.chunk.source for c in pool], refused=not passing(pool, config.score_threshold),
                         best_relevance=max((c.relevance for c in pool), default=0.0),
                         top=[{"source": c.chunk.source, "score": round(c.score, 5),
                               "relevance": round(c.relevance, 4)} for c in pool[:5]])

    return retrieve


def evaluate_run(run: str, kb: KnowledgeBase, items: Sequence[QAItem], qvecs: Sequence[np.ndarray],
                 settings: Settings, embedder: Embedder, *, progress: bool = True,
                 details: list[dict] | None = None) -> dict:
    """Ask every question of one Yizhi configuration; metrics plus timings."""
    return measure(run, items, qvecs, yizhi_retriever(run, kb, settings, embedder),
                   progress=progress, details=details)


def evaluate_langchain(corpus: Path, items: Sequence[QAItem], qvecs: Sequence[np.ndarray], settings: Settings,
                       embedder: Embedder, *, progress: bool = True, details: list[dict] | None = None) -> dict:
    """The plain recipe through the same loop, on its own index; it never refuses."""
    t0 = time.perf_counter()
    store, chunks = build_baseline_store(corpus, settings, embedder, progress=progress)
    index_seconds = time.perf_counter() - t0
    metrics = measure("langchain", items, qvecs, langchain_retriever(store), progress=progress, details=details)
    return {**metrics, "chunks": chunks, "index_seconds": round(index_seconds, 2)}


def evaluate(corpus: Path, qa_files: Sequence[Path], settings: Settings, embedder: Embedder, *,
             mode: str = "hybrid", progress: bool = True, details: list[dict] | None = None) -> dict:
    """Index `corpus`, ask every question with one configuration, return its metrics."""
    return evaluate_many(corpus, qa_files, settings, embedder, runs=[mode], progress=progress,
                         details=details)["runs"][0]


def evaluate_many(corpus: Path, qa_files: Sequence[Path], settings: Settings, embedder: Embedder, *,
                  runs: Sequence[str] = ("hybrid",), progress: bool = True,
                  details: list[dict] | None = None) -> dict:
    """Index once, embed the questions once, then measure each run.

    Returns {"corpus": …, "kb": …, "runs": [metrics per run], "total_seconds": …}; each
    run's metrics carry the shared counts and timings so any one of them stands alone
    (the `--json` object).
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
