"""Grid over fusion settings on an evaluation set (the index is built once and reused).

    python -m bench.tune_fusion --corpus ../shared/evaldata/cmrc2018/corpus.jsonl \
        --qa ../shared/evaldata/cmrc2018/qa_sample300.jsonl
"""
from __future__ import annotations

import argparse
import itertools
from pathlib import Path

from app.evaluation import evaluate
from app.settings import Settings
from retrieval.embedders import make_embedder


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--qa", type=Path, action="append", required=True)
    parser.add_argument("--dense-weight", type=float, nargs="+", default=[0.3, 0.5, 0.7, 1.0])
    parser.add_argument("--rrf-k", type=int, nargs="+", default=[10, 30, 60])
    parser.add_argument("--candidates", type=int, nargs="+", default=[20])
    args = parser.parse_args()
    base = Settings()
    embedder = make_embedder(base.embed_model, base.embed_batch_size)
    print(f"{'dense_w':>8}{'rrf_k':>7}{'cand':>6}{'hit@1':>8}{'hit@5':>8}{'mrr@10':>8}")
    for w, k, n in itertools.product(args.dense_weight, args.rrf_k, args.candidates):
        s = base.model_copy(update={"dense_weight": w, "rrf_k": k, "dense_candidates": n, "lexical_candidates": n})
        m = evaluate(args.corpus, args.qa, s, embedder, progress=False)
        print(f"{w:>8.2f}{k:>7}{n:>6}{m['hit@1']:>8.3f}{m['hit@5']:>8.3f}{m['mrr@10']:>8.3f}", flush=True)


if __name__ == "__main__":
    main()
