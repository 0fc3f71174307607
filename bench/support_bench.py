"""Support checking on real QA sets: how often true claims pass and invented ones fail.

    python -m bench.support_bench [--sets cmrc squad dureader] [--limit 300]

For each answerable question whose gold passage is among the top 5 (retrieved as in
bench/evidence_bench.py), claims are checked with `supported_by(claim, top-5 passages,
question=…)` at several thresholds:

    quote      the passage sentence that holds the gold answer, as written       (should pass)
    answer     the question with its question word replaced by the gold answer
               ("小灰头稚冠雉生活在热带及亚热带地带"; Chinese sets only)             (should pass)
    short      the gold answer alone, when it is short                          (should pass)
    swapped    the quote with its gold answer replaced by another question's    (should fail)
    wrong      the answer claim with another question's gold answer             (should fail)
    offtopic   the quote of another question (its passages not retrieved here)  (should fail)
    echo       the question itself, question mark dropped                       (should fail)
"""
from __future__ import annotations

import argparse
import random
import re

from app.answering.evidence.support import SHORT_CLAIM_CHARS, SUPPORT_THRESHOLD, supported_by
from bench.evidence_bench import SETS, prepare
from evaluation.metrics import answer_contains

THRESHOLDS = (0.4, 0.5, 0.6, 0.7, 0.8)
_WH = re.compile(r"什么时候|哪一年|哪年|什么地方|哪里|哪儿|多少|多久|多长|多大|什么|哪个|哪些|哪位|哪一|谁|几|哪")


def _first_gold(answers) -> str:
    first = answers[0]
    return str(first[0] if isinstance(first, (list, tuple)) else first)


def claims(questions, rng: random.Random) -> list[tuple[str, str, list[str], str]]:
    """(kind, claim, passages, question) for every probe."""
    usable = []
    for q in questions:
        if not q.gold_in_top:
            continue
        quote = next((c for c in q.candidates if answer_contains(c.sentence.text, q.answers)), None)
        if quote is not None:
            usable.append((q, quote))
    out = []
    for i, (q, quote) in enumerate(usable):
        passages = list(dict.fromkeys(c.result.chunk.text for c in q.candidates))
        gold = _first_gold(q.answers)
        other_q, other_quote = usable[(i + 1 + rng.randrange(len(usable) - 1)) % len(usable)]
        other = _first_gold(other_q.answers)
        out.append(("quote", quote.sentence.text, passages, q.question))
        out.append(("echo", q.question.rstrip("？? "), passages, q.question))
        if len(gold) < SHORT_CLAIM_CHARS * 2:
            out.append(("short", gold, passages, q.question))
        if gold in quote.sentence.text and other not in quote.sentence.text and other != gold:
            out.append(("swapped", quote.sentence.text.replace(gold, other), passages, q.question))
        if other_quote.sentence.text not in passages[0] and all(other_quote.sentence.text not in p for p in passages):
            out.append(("offtopic", other_quote.sentence.text, passages, q.question))
        if re.search(r"[\u4e00-\u9fff]", q.question) and _WH.search(q.question):
            stem = q.question.rstrip("？? ")
            out.append(("answer", _WH.sub(gold, stem, count=1), passages, q.question))
            if other != gold:
                out.append(("wrong", _WH.sub(other, stem, count=1), passages, q.question))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", nargs="+", choices=sorted(SETS), default=["cmrc", "squad", "dureader"])
    parser.add_argument("--limit", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(7)
    print(f"share of claims judged supported (default threshold {SUPPORT_THRESHOLD})")
    print(f"{'set':>9} {'claim':>9} {'n':>5}  " + "  ".join(f"t={t:.1f}" for t in THRESHOLDS))
    for name in args.sets:
        probes = claims(prepare(name, args.limit, False, None), rng)
        for kind in ("quote", "answer", "short", "swapped", "wrong", "offtopic", "echo"):
            scores = [supported_by(c, passages, question=q)[1] for k, c, passages, q in probes if k == kind]
            if scores:
                shares = [sum(s >= t for s in scores) / len(scores) for t in THRESHOLDS]
                print(f"{name:>9} {kind:>9} {len(scores):>5}  " + "  ".join(f"{x:5.3f}" for x in shares))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
