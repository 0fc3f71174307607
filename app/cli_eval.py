"""`python -m app eval --corpus FILE --qa FILE [--qa FILE…] [--json]`: measure retrieval."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from app.evaluation import evaluate
from app.settings import Settings
from retrieval.embedders import make_embedder

MODES = ("hybrid", "dense", "lexical")


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("eval", help="measure retrieval on a QA set (hit@1, hit@5, MRR@10, refusals)")
    p.add_argument("--corpus", type=Path, required=True, help="corpus*.jsonl: one passage per line")
    p.add_argument("--qa", type=Path, action="append", required=True, help="qa*.jsonl (repeatable)")
    p.add_argument("--mode", choices=MODES + ("all",), default="hybrid",
                   help="retriever to measure; 'all' prints the three side by side")
    p.add_argument("--details", type=Path, help="write per-question results to this JSONL file")
    p.add_argument("--json", action="store_true", help="print one JSON object of metrics")


def run(args: argparse.Namespace, settings: Settings) -> int:
    embedder = make_embedder(settings.embed_model, settings.embed_batch_size)
    modes = MODES if args.mode == "all" else (args.mode,)
    details: list[dict] | None = [] if args.details else None
    results = [evaluate(args.corpus, args.qa, settings, embedder, mode=m, progress=not args.json, details=details)
               for m in modes]
    if args.details:
        with open(args.details, "w", encoding="utf-8") as fh:
            for row in details or []:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    if args.json:
        print(json.dumps(results[0] if len(results) == 1 else {"runs": results}, ensure_ascii=False, indent=2))
        return 0
    print(f"corpus {args.corpus} ({results[0]['corpus_docs']} docs, {results[0]['chunks']} chunks), "
          f"{results[0]['answerable']} answerable + {results[0]['unanswerable']} unanswerable questions, "
          f"embedder {embedder.name}")
    keys = ["hit@1", "hit@5", "mrr@10", "false_refusal_rate", "refusal_recall", "ms_per_query"]
    print(f"{'mode':<10}" + "".join(f"{k:>20}" for k in keys))
    for r in results:
        print(f"{r['mode']:<10}" + "".join(f"{r[k]:>20.3f}" if k in r else f"{'-':>20}" for k in keys))
    return 0
