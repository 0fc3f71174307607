"""A knowledge base of N synthetic chunks: build, size, open, memory, recall and latency.

    python -m bench.scale_bench --chunks 100000 [--backend faiss|milvus] [--json]
                                [--queries 200] [--rebuild] [--milvus-uri URI]

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
from tqdm import tqdm

from app.settings import Settings
from bench.scale_data import FakeEmbedder, SyntheticCorpus, folder_mb, project_texts
from bench.search_bench import load_queries
from core.config import StoreConfig
from core.types import Chunk
from retrieval.kb.opening import open_knowledge_base
from retrieval.relevance import CALIBRATION_PAIRS

DOC_CHUNKS = 200
BATCH = 10_000
RECORD = "scale_bench.json"
KEYS = ("chunks", "backend", "build_s", "disk_mb", "open_s", "rss_mb", "recall_at_10",
        "dense_p50_ms", "dense_p95_ms", "hybrid_p50_ms", "hybrid_p95_ms")


def store_config(backend: str, milvus_uri: str) -> StoreConfig:
    return StoreConfig(vector_store=backend, milvus_uri=milvus_uri, dense_exact_max=Settings().dense_exact_max)


def build(folder: Path, name: str, chunks: int, config: StoreConfig, corpus: SyntheticCorpus, progress: bool) -> float:
    """Write the knowledge base; returns the seconds it took (generation of the data excluded)."""
    kb = open_knowledge_base(folder, name, config, create=True)
    spent = 0.0
    with kb.write_lock(600):
        bar = tqdm(total=chunks, desc=f"building {name}", unit="chunk", disable=not progress, file=sys.stderr)
        for start in range(0, chunks, BATCH):
            batch = corpus.chunks(start, min(BATCH, chunks - start))
            t0 = time.perf_counter()
            for first in range(0, len(batch.texts), DOC_CHUNKS):
                doc = (start + first) // DOC_CHUNKS
                source = f"scale/doc{doc:07d}.md"
                texts = batch.texts[first:first + DOC_CHUNKS]
                parts = [Chunk(text=t, source=source, retrieval_text=t, position=i, page=1) for i, t in enumerate(texts)]
                kb.replace_document(source, hashlib.sha256(f"{corpus.seed}-{doc}".encode()).hexdigest(), parts,
                                    batch.vectors[first:first + DOC_CHUNKS], model_name=FakeEmbedder.name,
                                    lexical_tokens=batch.rows[first:first + DOC_CHUNKS])
            spent += time.perf_counter() - t0
            bar.update(len(batch.texts))
        bar.close()
        t0 = time.perf_counter()
        kb.save()
        spent += time.perf_counter() - t0
    kb.close()
    return spent


def exact_truth(folder: Path, name: str, config: StoreConfig, queries: np.ndarray, k: int = 10) -> np.ndarray:
    """The chunk ids of each query's exact top k, by numpy over every stored embedding."""
    kb = open_knowledge_base(folder, name, config)
    ids = np.sort(kb.chunk_ids())
    best_ids = np.zeros((len(queries), 0), np.int64)
    best = np.zeros((len(queries), 0), np.float32)
    for start in range(0, len(ids), 20_000):
        part = [int(i) for i in ids[start:start + 20_000]]
        stored = kb.embeddings(part)
        scores = queries @ np.stack([stored[i] for i in part]).T
        best = np.concatenate([best, scores], axis=1)
        best_ids = np.concatenate([best_ids, np.broadcast_to(np.array(part), scores.shape)], axis=1)
        keep = np.argsort(-best, axis=1)[:, :k]
        best, best_ids = np.take_along_axis(best, keep, 1), np.take_along_axis(best_ids, keep, 1)
    kb.close()
    return best_ids


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--backend", choices=("faiss", "milvus"), default="faiss")
    parser.add_argument("--milvus-uri", default="", help="default: a Milvus Lite file in the knowledge base's folder")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    folder = Settings().data_dir / "bench"
    name = f"scale-{args.backend}-{args.chunks}"
    config = store_config(args.backend, args.milvus_uri)
    corpus = SyntheticCorpus()
    record_path = folder / name / RECORD
    record = json.loads(record_path.read_text()) if record_path.exists() and not args.rebuild else {}
    if record.get("chunks") != args.chunks:
        if (folder / name).exists():
            from retrieval.kb.manage import remove_knowledge_base

            remove_knowledge_base(open_knowledge_base(folder, name, config))
        build_s = build(folder, name, args.chunks, config, corpus, progress=not args.json)
        record = {"chunks": args.chunks, "build_s": round(build_s, 1)}
        record_path.write_text(json.dumps(record))

    questions = load_queries(args.queries)
    vectors = project_texts(corpus, questions)
    calibration = [t for pair in CALIBRATION_PAIRS for t in pair]
    truth = exact_truth(folder, name, config, vectors)
    work = folder / name / "scale_queries.npz"
    np.savez(work, vectors=vectors, truth=truth, calibration=project_texts(corpus, calibration))
    (folder / name / "scale_queries.json").write_text(json.dumps({"questions": questions, "calibration": calibration},
                                                                 ensure_ascii=False))
    del corpus
    child = subprocess.run([sys.executable, "-m", "bench.scale_measure", str(folder), name, args.backend,
                            args.milvus_uri], capture_output=True, text=True)
    if child.returncode != 0:
        sys.stderr.write(child.stderr)
        return child.returncode
    measured = json.loads(child.stdout.strip().splitlines()[-1])
    result = {"chunks": args.chunks, "backend": args.backend, "build_s": record["build_s"],
              "disk_mb": round(folder_mb(folder / name), 1), **measured}
    if args.json:
        print(json.dumps({k: result[k] for k in KEYS}))
    else:
        for key, value in result.items():  # the JSON keys, then the lexical (BM25) share
            print(f"{key:<15} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
