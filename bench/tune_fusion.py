"""Grid over retrieval settings on evaluation sets (each index is built once and reused).

    python -m bench.tune_fusion --corpus ../shared/evaldata/cmrc2018/corpus.jsonl \
        --qa ../shared/evaldata/cmrc2018/qa_sample300.jsonl \
        --dense-weight 0.5 0.7 1.0 --rrf-k 1 2 5 60 --candidates 20 50 --diversity on off

`--chunk-size`, `--chunk-overlap` and `--title-enhance` each build (or reuse) another
evaluation index; everything else only re-ranks. Prints one line per combination.
"""
from __future__ import annotations

import argparse
import itertools
from pathlib import Path

from app.settings import load_settings
from evaluation.corpus_kb import build_eval_kb, embed_questions
from evaluation.qa import load_qa
from evaluation.runs import evaluate_run
from retrieval.embedders import make_embedder


def main() -> None:
    base = load_settings()
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--qa", type=Path, action="append", required=True)
    parser.add_argument("--chunk-size", type=int, nargs="+", default=[base.chunk_size])
    parser.add_argument("--chunk-overlap", type=int, nargs="+", default=[base.chunk_overlap])
    parser.add_argument("--title-enhance", choices=["on", "off"], nargs="+", default=["on"])
    parser.add_argument("--dense-weight", type=float, nargs="+", default=[0.5, 0.7, 1.0])
    parser.add_argument("--rrf-k", type=int, nargs="+", default=[2, 10, 60])
    parser.add_argument("--candidates", type=int, nargs="+", default=[20, 50])
    parser.add_argument("--diversity", choices=["on", "off"], nargs="+", default=["on", "off"])
    parser.add_argument("--mode", default="hybrid", choices=["hybrid", "dense", "lexical"])
    args = parser.parse_args()
    embedder = make_embedder(base.embed_config())
    items = load_qa(args.qa)
    qvecs = embed_questions(items, embedder)
    print(f"{'chunk':>6}{'overlap':>8}{'title':>6}{'dense_w':>8}{'rrf_k':>6}{'cand':>6}{'div':>5}"
          f"{'hit@1':>8}{'hit@5':>8}{'mrr@10':>8}{'refusal':>9}{'false_ref':>10}", flush=True)
    for size, overlap, title in itertools.product(args.chunk_size, args.chunk_overlap, args.title_enhance):
        index_settings = base.with_overrides(chunk_size=size, chunk_overlap=overlap, title_enhance=title == "on")
        kb = build_eval_kb(args.corpus, index_settings, embedder, progress=False)
        for w, k, n, div in itertools.product(args.dense_weight, args.rrf_k, args.candidates, args.diversity):
            s = index_settings.with_overrides(dense_weight=w, rrf_k=k, dense_candidates=n, lexical_candidates=n,
                                              doc_diversity=div == "on")
            m = evaluate_run(args.mode, kb, items, qvecs, s, embedder, progress=False)
            print(f"{size:>6}{overlap:>8}{title:>6}{w:>8.2f}{k:>6}{n:>6}{div:>5}{m['hit@1']:>8.3f}{m['hit@5']:>8.3f}"
                  f"{m['mrr@10']:>8.3f}{m.get('refusal_recall', 0):>9.3f}{m['false_refusal_rate']:>10.3f}", flush=True)
        kb.close()


if __name__ == "__main__":
    main()
