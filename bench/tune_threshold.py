"""Choose the relevance mix and the refusal threshold from data, and check them elsewhere.

Each `--set NAME=CORPUS:QA[,QA…][:unanswerable]` is asked against its corpus's
evaluation index; questions with no gold documents (or every question of a set marked
`unanswerable`, e.g. CMRC questions against the DuReader corpus) should be refused.
For each relevance weight the best candidate's coverage and closeness are recorded per
question; the table shows false refusals (F, answerable) and refusal recall (R,
unanswerable) per set and threshold, and the threshold `choose_threshold` picks on the
`--dev` set.

    python -m bench.tune_threshold --dev cmrc \
      --set cmrc=$E/cmrc2018/corpus.jsonl:$E/cmrc2018/qa_sample300.jsonl,$E/cmrc2018/qa_unanswerable100.jsonl \
      --set dureader=$E/dureader/corpus.jsonl:$E/dureader/qa.jsonl \
      --set cmrc-on-dureader=$E/dureader/corpus.jsonl:$E/cmrc2018/qa_sample300.jsonl:unanswerable
"""
from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import numpy as np

from app.settings import Settings, load_settings
from evaluation.corpus_kb import build_eval_kb, embed_questions
from evaluation.metrics import choose_threshold, refusal_at
from evaluation.qa import load_qa
from retrieval.embedders import make_embedder
from retrieval.relevance import combine
from retrieval.search import HybridSearcher


def collect(spec: str, settings: Settings, embedder) -> tuple[str, list[tuple[bool, np.ndarray]]]:
    """(name, [(answerable, array of (coverage, closeness) per candidate)])."""
    name, rest = spec.split("=", 1)
    parts = rest.split(":")
    corpus, qa_files = Path(parts[0]), [Path(p) for p in parts[1].split(",")]
    all_unanswerable = len(parts) > 2 and parts[2] == "unanswerable"
    items = load_qa(qa_files)
    kb = build_eval_kb(corpus, settings, embedder, progress=False)
    qvecs = embed_questions(items, embedder)
    searchers = [HybridSearcher(kb, embedder, replace(settings.search_config(), relevance_dense_weight=w))
                 for w in (0.0, 1.0)]
    rows = []
    for item, qvec in zip(items, qvecs, strict=True):
        cov, close = ([c.relevance for c in s.candidates(item.question, query_vector=qvec)] for s in searchers)
        rows.append((item.answerable and not all_unanswerable, np.array(list(zip(cov, close, strict=True))).reshape(-1, 2)))
    kb.close()
    return name, rows


def best(rows, weight: float) -> tuple[list[float], list[float]]:
    ok, no = [], []
    for answerable, cands in rows:
        value = max((combine(c, d, weight) for c, d in cands), default=0.0)
        (ok if answerable else no).append(value)
    return ok, no


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", action="append", required=True, dest="sets")
    parser.add_argument("--dev", required=True, help="the set the threshold is chosen on")
    parser.add_argument("--weights", type=float, nargs="+", default=[0.0, 0.2, 0.3, 0.4, 0.5])
    parser.add_argument("--thresholds", type=float, nargs="+",
                        default=[0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7])
    parser.add_argument("--max-false-refusal", type=float, default=0.02)
    args = parser.parse_args()
    settings = load_settings()
    embedder = make_embedder(settings.embed_config())
    data = dict(collect(spec, settings, embedder) for spec in args.sets)
    for weight in args.weights:
        print(f"\nrelevance_dense_weight {weight}")
        print(f"{'threshold':>9}  " + "  ".join(f"{name:>22}" for name in data))
        for t in args.thresholds:
            cells = []
            for rows in data.values():
                ok, no = best(rows, weight)
                false_rate, recall = refusal_at(t, ok, no)
                cells.append((f"F {false_rate:6.1%}" if ok else "") + (f" R {recall:6.1%}" if no else ""))
            print(f"{t:>9.3f}  " + "  ".join(f"{c:>22}" for c in cells))
        ok, no = best(data[args.dev], weight)
        chosen = choose_threshold(ok, no, max_false_refusal=args.max_false_refusal)
        false_rate, recall = refusal_at(chosen, ok, no)
        print(f"chosen on {args.dev} (false refusals ≤ {args.max_false_refusal:.0%}): {chosen:.3f} "
              f"→ F {false_rate:.1%}, R {recall:.1%}")


if __name__ == "__main__":
    main()
