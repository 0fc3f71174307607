"""A knowledge base of N synthetic chunks: build, size, open, memory, recall and latency.

    python -m bench.scale_bench --chunks 100000 [--backend faiss|milvus] [--json]
                                [--queries 200] [--rebuild] [--milvus-uri URI | --milvus-server]
                                [--dense-only]

Chunks and vectors come from bench/scale_data.py (Chinese words of the evaluation
corpora, vectors by a fixed random projection: no model time is counted). The knowledge
base is written through the knowledge base's `replace_document` in documents of 200 chunks with
their lexical rows given, and kept under $YIZHI_DATA_DIR/bench/ (reused while complete;
`--rebuild` makes it again). A fresh process (bench/scale_measure.py) then opens it and
measures: open_s (opening and the first search, which loads the index), rss_mb (resident
memory after the searches), recall_at_10 (dense top 10 against exact numpy search over
every stored vector), dense_p50/p95_ms (`dense_search`, 50 candidates as the default
search takes), lexical_p50/p95_ms (BM25 alone; not in the JSON) and hybrid_p50/p95_ms (the whole `HybridSearcher.search` with a fake
embedder returning precomputed vectors: BM25, fusion, chunks, relevance, threshold).
The questions are those of the CMRC 2018 and DuReader sets. `--json` prints one object.

Milvus also gets `ef_sweep`: recall@10 and p50 of the same questions with HNSW's `ef` set
by hand, to see what the search breadth buys at this size. `--milvus-server` starts a
`milvus-lite server` on a free port (bench/milvus_server.py, its folder beside the
knowledge base's) and points the bench at it, restarted between build and measure so
open_s includes its loading the collection.

`--dense-only` stores every chunk with an empty lexical row: no FTS5 row, nothing for
Milvus's BM25 analyzer (Milvus Lite runs jieba in Python over each row as it is inserted:
about 3 ms a chunk, most of a Milvus build). Only build, disk, open, memory and the dense
figures are then measured; BM25 and hybrid are left out (null in the JSON).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import psutil
from tqdm import tqdm

from app.settings import Settings
from bench.milvus_server import MilvusLiteServer
from bench.scale_data import FakeEmbedder, SyntheticCorpus, folder_mb, project_texts
from bench.search_bench import load_queries
from core.config import StoreConfig
from core.types import Chunk
from retrieval.kb.catalogue import Catalogue
from retrieval.kb.opening import open_knowledge_base
from retrieval.relevance import CALIBRATION_PAIRS

DOC_CHUNKS = 200
BATCH = 10_000
RECORD = "scale_bench.json"
BUILT_TIMEOUT = 3600.0  # seconds a stopping Milvus Lite server may take to finish its segments' indexes
KEYS = ("chunks", "backend", "build_s", "disk_mb", "open_s", "rss_mb", "recall_at_10",
        "dense_p50_ms", "dense_p95_ms", "hybrid_p50_ms", "hybrid_p95_ms", "ef_sweep",
        "server_disk_mb", "server_rss_mb")


def store_config(backend: str, milvus_uri: str) -> StoreConfig:
    return StoreConfig(vector_store=backend, milvus_uri=milvus_uri, dense_exact_max=Settings().dense_exact_max)


def build(folder: Path, name: str, chunks: int, config: StoreConfig, corpus: SyntheticCorpus, progress: bool,
          dense_only: bool = False) -> float:
    """Write the knowledge base; returns the seconds it took (generation of the data excluded)."""
    kb = open_knowledge_base(folder, name, config, create=True)
    spent = 0.0
    with kb.write_lock(600):
        bar = tqdm(total=chunks, desc=f"building {name}", unit="chunk", disable=not progress, file=sys.stderr)
        for start in range(0, chunks, BATCH):
            batch = corpus.chunks(start, min(BATCH, chunks - start))
            rows = [""] * len(batch.texts) if dense_only else batch.rows
            t0 = time.perf_counter()
            for first in range(0, len(batch.texts), DOC_CHUNKS):
                doc = (start + first) // DOC_CHUNKS
                source = f"scale/doc{doc:07d}.md"
                texts = batch.texts[first:first + DOC_CHUNKS]
                parts = [Chunk(text=t, source=source, retrieval_text=t, position=i, page=1) for i, t in enumerate(texts)]
                kb.replace_document(source, hashlib.sha256(f"{corpus.seed}-{doc}".encode()).hexdigest(), parts,
                                    batch.vectors[first:first + DOC_CHUNKS], model_name=FakeEmbedder.name,
                                    lexical_tokens=rows[first:first + DOC_CHUNKS])
            spent += time.perf_counter() - t0
            bar.update(len(batch.texts))
        bar.close()
        t0 = time.perf_counter()
        kb.save()
        spent += time.perf_counter() - t0
    t0 = time.perf_counter()
    kb.close()  # Milvus Lite: waits for the segments' HNSW indexes its background thread builds
    return spent + time.perf_counter() - t0


def exact_truth(folder: Path, name: str, queries: np.ndarray, k: int = 10) -> np.ndarray:
    """The chunk ids of each query's exact top k, by numpy over every embedding of the catalogue
    (read alone: the vector index is not opened, so a Milvus collection is not loaded twice)."""
    catalogue = Catalogue(folder / name, name)
    try:
        ids = np.sort(catalogue.chunk_ids())
        best_ids = np.zeros((len(queries), 0), np.int64)
        best = np.zeros((len(queries), 0), np.float32)
        for start in range(0, len(ids), 20_000):
            part = [int(i) for i in ids[start:start + 20_000]]
            stored = catalogue.embeddings(part)
            scores = queries @ np.stack([stored[i] for i in part]).T
            best = np.concatenate([best, scores], axis=1)
            best_ids = np.concatenate([best_ids, np.broadcast_to(np.array(part), scores.shape)], axis=1)
            keep = np.argsort(-best, axis=1)[:, :k]
            best, best_ids = np.take_along_axis(best, keep, 1), np.take_along_axis(best_ids, keep, 1)
    finally:
        catalogue.close()
    return best_ids


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--backend", choices=("faiss", "milvus"), default="faiss")
    parser.add_argument("--milvus-uri", default="", help="default: a Milvus Lite file in the knowledge base's folder")
    parser.add_argument("--milvus-server", action="store_true",
                        help="start a milvus-lite server on a free port and use it (implies --backend milvus)")
    parser.add_argument("--dense-only", action="store_true",
                        help="empty lexical rows: measure build, memory and dense search only")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.milvus_server:
        args.backend = "milvus"

    folder = Settings().data_dir / "bench"
    name = f"scale-{args.backend}{'-server' if args.milvus_server else ''}-{args.chunks}" \
           f"{'-dense' if args.dense_only else ''}"
    server = MilvusLiteServer(folder / f"{name}.milvus-server") if args.milvus_server else None
    try:
        return _run(args, folder, name, server)
    finally:
        if server is not None:
            server.stop(BUILT_TIMEOUT)


def _run(args: argparse.Namespace, folder: Path, name: str, server: MilvusLiteServer | None) -> int:
    uri = server.start().uri if server is not None else args.milvus_uri
    config = store_config(args.backend, uri)
    corpus = SyntheticCorpus()
    record_path = folder / name / RECORD
    record = json.loads(record_path.read_text()) if record_path.exists() and not args.rebuild else {}
    if record.get("chunks") != args.chunks:
        if (folder / name).exists():
            from retrieval.kb.manage import remove_knowledge_base

            remove_knowledge_base(open_knowledge_base(folder, name, config))
        build_s = build(folder, name, args.chunks, config, corpus, progress=not args.json, dense_only=args.dense_only)
        if server is not None:  # the server builds the last segments' indexes as it closes
            t0 = time.perf_counter()
            server.stop(BUILT_TIMEOUT)
            build_s += time.perf_counter() - t0
        record = {"chunks": args.chunks, "build_s": round(build_s, 1)}
        record_path.write_text(json.dumps(record))

    questions = load_queries(args.queries)
    vectors = project_texts(corpus, questions)
    calibration = [t for pair in CALIBRATION_PAIRS for t in pair]
    truth = exact_truth(folder, name, vectors)
    work = folder / name / "scale_queries.npz"
    np.savez(work, vectors=vectors, truth=truth, calibration=project_texts(corpus, calibration))
    (folder / name / "scale_queries.json").write_text(json.dumps({"questions": questions, "calibration": calibration},
                                                                 ensure_ascii=False))
    del corpus
    if server is not None:  # opened afresh, as after a restart: open_s includes its loading the collection
        server.stop(BUILT_TIMEOUT)
        server.start()
    child = subprocess.run([sys.executable, "-m", "bench.scale_measure", str(folder), name, args.backend, uri]
                           + (["--dense-only"] if args.dense_only else []), capture_output=True, text=True)
    if child.returncode != 0:
        sys.stderr.write(child.stderr)
        return child.returncode
    measured = json.loads(child.stdout.strip().splitlines()[-1])
    result = {"chunks": args.chunks, "backend": args.backend, "build_s": record["build_s"],
              "disk_mb": round(folder_mb(folder / name), 1), **measured}
    if server is not None:  # the server's own folder and memory, beside the client's
        result["server_disk_mb"] = round(folder_mb(server.data_dir), 1)
        result["server_rss_mb"] = round(psutil.Process(server.process.pid).memory_info().rss / 1e6, 1)
    if args.json:
        print(json.dumps({k: result.get(k) for k in KEYS}))
    else:
        for key, value in result.items():  # the JSON keys, then the lexical (BM25) share
            print(f"{key:<15} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
