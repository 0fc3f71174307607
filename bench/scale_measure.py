"""The measuring half of bench/scale_bench.py, run in a fresh process so that open time
and resident memory are those of a process that only opens and searches.

    python -m bench.scale_measure FOLDER NAME BACKEND [MILVUS_URI] [--dense-only]

Reads the queries, their exact top 10 and the calibration vectors that scale_bench wrote
beside the knowledge base; prints one JSON object.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import psutil

from bench.scale_bench import store_config
from bench.scale_data import FakeEmbedder
from core.config import SearchConfig
from core.enums import VectorStore
from retrieval.kb.knowledge_base import CatalogueKnowledgeBase
from retrieval.kb.opening import open_knowledge_base
from retrieval.lexical import query_tokens
from retrieval.search import HybridSearcher


def _ms(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 2) if values else None


EF_SWEEP = (64, 100, 200, 400)
SWEEP_QUERIES = 100  # of the questions (Milvus Lite searches a million rows in about a second)


def ef_sweep(kb: CatalogueKnowledgeBase, vectors: np.ndarray, truth: np.ndarray, n: int) -> dict[str, list[float]]:
    """Milvus only: {ef: [recall@10, p50 ms]} of a search of `n` candidates with HNSW's ef set by hand."""
    if kb.backend != VectorStore.MILVUS:
        return {}
    index = kb.index  # its pymilvus client and collection name (retrieval/kb/milvus/index.py)
    sweep = {}
    for ef in EF_SWEEP:
        if ef < n:
            continue
        spent, hits = [], []
        for vector, expected in zip(vectors[:SWEEP_QUERIES], truth[:SWEEP_QUERIES]):
            t0 = time.perf_counter()
            found = index.client.search(index.collection, data=[vector.tolist()], anns_field="dense", limit=n,
                                        output_fields=["id"], search_params={"metric_type": "IP", "params": {"ef": ef}})
            spent.append(1000 * (time.perf_counter() - t0))
            hits.append(len({int(h["id"]) for h in found[0][:10]} & set(expected.tolist())) / len(expected))
        sweep[str(ef)] = [round(float(np.mean(hits)), 4), _ms(spent, 50)]
    return sweep


def main(argv: list[str]) -> None:
    dense_only = "--dense-only" in argv
    argv = [a for a in argv if a != "--dense-only"]
    folder, name, backend = Path(argv[0]), argv[1], argv[2]
    uri = argv[3] if len(argv) > 3 else ""
    saved = np.load(folder / name / "scale_queries.npz")
    texts = json.loads((folder / name / "scale_queries.json").read_text())
    questions, vectors, truth = texts["questions"], saved["vectors"], saved["truth"]
    embedder = FakeEmbedder({**dict(zip(texts["calibration"], saved["calibration"])),
                             **dict(zip(questions, vectors))})
    config = SearchConfig()
    import jieba

    jieba.initialize()  # the dictionary loads once per process, before any timing

    started = time.perf_counter()
    kb = open_knowledge_base(folder, name, store_config(backend, uri))
    kb.dense_search(vectors[0], config.dense_candidates)  # loads the index
    open_s = time.perf_counter() - started

    searcher = HybridSearcher(kb, embedder, config, rerank=False)
    if not dense_only:
        searcher.search(questions[0])  # the relevance calibration of the embedder, once
    dense_ms, hits = [], []
    for vector, expected in zip(vectors, truth):
        t0 = time.perf_counter()
        found = kb.dense_search(vector, config.dense_candidates)
        dense_ms.append(1000 * (time.perf_counter() - t0))
        hits.append(len({i for i, _ in found[:10]} & set(expected.tolist())) / len(expected))
    sweep = ef_sweep(kb, vectors, truth, config.dense_candidates)
    lexical_ms, hybrid_ms = [], []
    for question in [] if dense_only else questions:  # BM25 alone (FTS5, or Milvus), as the hybrid search asks it
        t0 = time.perf_counter()
        kb.lexical_search(query_tokens(question, kb.vocabulary()), config.lexical_candidates)
        lexical_ms.append(1000 * (time.perf_counter() - t0))
    for question in [] if dense_only else questions:
        t0 = time.perf_counter()
        searcher.search(question)
        hybrid_ms.append(1000 * (time.perf_counter() - t0))
    rss_mb = psutil.Process().memory_info().rss / 1e6
    kb.close()
    print(json.dumps({"open_s": round(open_s, 2), "rss_mb": round(rss_mb, 1),
                      "recall_at_10": round(float(np.mean(hits)), 4),
                      "dense_p50_ms": _ms(dense_ms, 50), "dense_p95_ms": _ms(dense_ms, 95),
                      "hybrid_p50_ms": _ms(hybrid_ms, 50), "hybrid_p95_ms": _ms(hybrid_ms, 95),
                      "lexical_p50_ms": _ms(lexical_ms, 50), "lexical_p95_ms": _ms(lexical_ms, 95),
                      "ef_sweep": sweep}))


if __name__ == "__main__":
    main(sys.argv[1:])
