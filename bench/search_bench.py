"""Search latency on a large knowledge base: p50/p95 over 200 queries.

    python -m bench.search_bench [--chunks 20000] [--queries 200]

Builds (once; kept under $YIZHI_DATA_DIR/bench/ and reused) a knowledge base of at
least `--chunks` chunks of Chinese text with the configured embedder, then times
`HybridSearcher.search` end to end: query embedding, FAISS, BM25 (FTS5), fusion and
fetching the chunks. Prints each stage's share too (target: p50 ≤ 50 ms), and as the
baseline a plain vector search (the query's embedding and FAISS alone) on the same queries.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import time

from tqdm import tqdm

from app.settings import Settings
from bench.corpus_text import SHARED, paragraphs, sentence_stream
from core.types import Document
from ingest.pipeline import IngestPipeline
from retrieval.embedders import make_embedder
from retrieval.kb.opening import open_knowledge_base
from retrieval.kb.protocols import KnowledgeBase
from retrieval.lexical import query_tokens
from retrieval.search import HybridSearcher


def build_kb(settings: Settings, embedder, target_chunks: int) -> KnowledgeBase:
    kb = open_knowledge_base(settings.data_dir / "bench",
                             f"search-{target_chunks}-{embedder.name.replace('/', '_')[-40:]}", create=True)
    pipeline = IngestPipeline(kb, embedder, settings.ingest_config(), progress=False)
    stream = sentence_stream(seed=11)
    bar = tqdm(total=target_chunks, initial=kb.chunk_count(), desc="building the benchmark KB", unit="chunk")
    i = len(kb.documents())
    while kb.chunk_count() < target_chunks:
        text = "\n\n".join(paragraphs(4000, stream))
        source = f"bench/doc{i:05d}.md"
        pipeline.index_documents(source, hashlib.sha256(text.encode()).hexdigest(),
                                 [Document(text=text, source=source, title=f"文档{i}")])
        bar.update(kb.chunk_count() - bar.n)
        i += 1
    bar.close()
    kb.save()
    return kb


def load_queries(n: int) -> list[str]:
    queries: list[str] = []
    for qa in ("cmrc2018/qa_sample300.jsonl", "dureader/qa.jsonl"):
        path = SHARED / qa
        if path.exists():
            queries += [json.loads(line)["question"] for line in open(path, encoding="utf-8") if line.strip()]
    if not queries:
        stream = sentence_stream(seed=3)
        queries = [next(stream)[:20] + "是什么？" for _ in range(n)]
    return queries[:n]


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chunks", type=int, default=20000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    settings = Settings()
    embedder = make_embedder(settings.embed_config())
    kb = build_kb(settings, embedder, args.chunks)
    searcher = HybridSearcher(kb, embedder, settings.search_config())
    queries = load_queries(args.queries)
    searcher.search(queries[0])  # load the FAISS file and warm caches before timing

    total, embed, dense, lexical = [], [], [], []
    for q in queries:
        t0 = time.perf_counter()
        searcher.search(q)
        total.append(1000 * (time.perf_counter() - t0))
        t1 = time.perf_counter()
        vec = embedder.embed_query(q)
        t2 = time.perf_counter()
        kb.dense_search(vec, settings.dense_candidates)
        t3 = time.perf_counter()
        kb.lexical_search(query_tokens(q), settings.lexical_candidates)
        t4 = time.perf_counter()
        embed.append(1000 * (t2 - t1))
        dense.append(1000 * (t3 - t2))
        lexical.append(1000 * (t4 - t3))

    print(f"knowledge base: {kb.chunk_count()} chunks, embedder {embedder.name}; {len(queries)} queries")
    for name, values in (("search (end to end)", total), ("  query embedding", embed),
                         ("  dense (FAISS)", dense), ("  lexical (FTS5 BM25)", lexical)):
        print(f"{name:<22} p50 {statistics.median(values):7.2f} ms   p95 {pct(values, 95):7.2f} ms")
    vector = [e + d for e, d in zip(embed, dense)]  # the baseline: a plain vector search, same queries, same run
    print(f"{'baseline: vector only':<22} p50 {statistics.median(vector):7.2f} ms   p95 {pct(vector, 95):7.2f} ms"
          f"   (query embedding + FAISS; hybrid × {statistics.median(total) / statistics.median(vector):.2f} at p50)")
    print(f"target: p50 ≤ 50 ms → {'met' if statistics.median(total) <= 50 else 'missed'}")
    kb.close()


if __name__ == "__main__":
    main()
