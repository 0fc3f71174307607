"""Choosing the IVF layout of the dense index: recall@10 against exact search, and
latency, for several `nprobe` at a given size, on the scale benchmark's vectors.

    python -m bench.dense_tune --vectors 250000 [--vectors 1000000] [--nprobe 16,32,48,64,96]

Prints one line per (size, nprobe): recall@10, p50 and p95 ms (one thread, one query).
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from bench.scale_data import SyntheticCorpus
from retrieval.kb.faiss.dense_index import DenseIndex, ivf_lists

BATCH = 50_000


def exact_top(vectors: np.ndarray, queries: np.ndarray, k: int = 10) -> np.ndarray:
    scores = queries @ vectors.T
    return np.argsort(-scores, axis=1)[:, :k]


def recall(found: list[list[int]], truth: np.ndarray) -> float:
    return float(np.mean([len(set(f[:truth.shape[1]]) & set(t.tolist())) / truth.shape[1]
                          for f, t in zip(found, truth)]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vectors", type=int, action="append", required=True)
    parser.add_argument("--nprobe", default="8,16,32,48,64,96")
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    corpus = SyntheticCorpus()
    _, queries = corpus.queries(args.queries)
    for size in args.vectors:
        vectors = np.concatenate([corpus.vectors(s, min(BATCH, size - s)) for s in range(0, size, BATCH)])
        truth = exact_top(vectors, queries)
        started = time.perf_counter()
        index = DenseIndex(vectors.shape[1], exact_max=1)
        index.add(np.arange(size), vectors)
        print(f"{size} vectors: {ivf_lists(size)} lists, built in {time.perf_counter() - started:.1f} s")
        for nprobe in (int(p) for p in args.nprobe.split(",")):
            index.nprobe = nprobe
            found, times = [], []
            for q in queries:
                t0 = time.perf_counter()
                found.append([i for i, _ in index.search(q, 50)])
                times.append((time.perf_counter() - t0) * 1000)
            print(f"  nprobe {nprobe:3d}: recall@10 {recall(found, truth):.4f}  "
                  f"p50 {np.percentile(times, 50):.2f} ms  p95 {np.percentile(times, 95):.2f} ms")


if __name__ == "__main__":
    main()
