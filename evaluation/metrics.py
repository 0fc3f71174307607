"""Evaluation metrics: pure functions over rankings, refusal decisions, scores and answers."""
from __future__ import annotations

import re
from collections.abc import Sequence

RANK_DEPTH = 10


def first_hit_rank(ranked_doc_ids: Sequence[str], gold: frozenset[str], depth: int = RANK_DEPTH) -> int | None:
    """1-based rank of the first retrieved chunk whose document is gold, within `depth`."""
    return next((i for i, d in enumerate(ranked_doc_ids[:depth], 1) if d in gold), None)


def retrieval_metrics(first_ranks: Sequence[int | None]) -> dict[str, float]:
    """hit@1, hit@5 and MRR@10 from the first-hit ranks of answerable questions."""
    n = len(first_ranks)
    if n == 0:
        return {"hit@1": 0.0, "hit@5": 0.0, "mrr@10": 0.0}
    return {
        "hit@1": sum(1 for r in first_ranks if r is not None and r <= 1) / n,
        "hit@5": sum(1 for r in first_ranks if r is not None and r <= 5) / n,
        "mrr@10": sum(1.0 / r for r in first_ranks if r is not None and r <= RANK_DEPTH) / n,
    }


def refusal_metrics(refused_answerable: Sequence[bool], refused_unanswerable: Sequence[bool]) -> dict[str, float]:
    """Refusal recall on unanswerable questions and false refusals on answerable ones."""
    out = {"false_refusal_rate": sum(refused_answerable) / len(refused_answerable) if refused_answerable else 0.0}
    if refused_unanswerable:
        out["refusal_recall"] = sum(refused_unanswerable) / len(refused_unanswerable)
    return out


# --- thresholds ------------------------------------------------------------------------
def refusal_at(threshold: float, answerable_best: Sequence[float],
               unanswerable_best: Sequence[float]) -> tuple[float, float]:
    """(false refusal rate, refusal recall) when questions whose best relevance is below
    `threshold` are refused. Inputs: each question's best candidate relevance.

    For trying thresholds on recorded scores; it agrees with `retrieval.search.passing`,
    the rule the service and the runs use (a chunk passes when relevance >= threshold),
    which tests/evaluation checks."""
    false_rate = sum(1 for s in answerable_best if s < threshold) / len(answerable_best) if answerable_best else 0.0
    recall = sum(1 for s in unanswerable_best if s < threshold) / len(unanswerable_best) if unanswerable_best else 0.0
    return false_rate, recall


def choose_threshold(answerable_best: Sequence[float], unanswerable_best: Sequence[float], *,
                     max_false_refusal: float = 0.05, margin: float = 0.0) -> float:
    """The threshold that refuses the most unanswerable questions while refusing at most
    `max_false_refusal` of answerable ones, then lowered by `margin` (towards answering).

    Candidates are the observed scores themselves (a question is refused when its best
    relevance is strictly below the threshold); among equally good ones the midpoint
    between neighbouring scores is returned so the choice does not sit on a data point.
    """
    if not answerable_best:
        raise ValueError("need at least one answerable question to choose a threshold")
    if not 0.0 <= max_false_refusal < 1.0:
        raise ValueError(f"max_false_refusal must be in [0, 1), got {max_false_refusal}")
    points = sorted(set(answerable_best) | set(unanswerable_best) | {0.0})
    best_t, best_key = 0.0, (-1.0, 0.0)
    for lo, hi in zip(points, points[1:] + [points[-1] + 1e-3], strict=True):
        t = (lo + hi) / 2
        false_rate, recall = refusal_at(t, answerable_best, unanswerable_best)
        if false_rate <= max_false_refusal and (recall, -false_rate) > best_key:
            best_t, best_key = t, (recall, -false_rate)
    return max(0.0, best_t - margin)


# --- answers -----------------------------------------------------------------------------
_SPACE_PUNCT = re.compile(r"[\s\u3000，。、；：！？“”‘’（）《》「」,.;:!?\"'()\[\]-]+")


def normalise_answer(text: str) -> str:
    """Lower case without spaces and punctuation, for containment tests."""
    return _SPACE_PUNCT.sub("", text.lower())


def answer_contains(answer: str, gold: Sequence) -> bool:
    """True when every gold element appears in the answer; a list element is a set of
    alternatives (one of them must appear). The rule of ../shared/evaldata/README.md."""
    text = normalise_answer(answer)
    if not gold:
        return False

    def found(element) -> bool:
        if isinstance(element, (list, tuple)):
            return any(found(e) for e in element)
        norm = normalise_answer(str(element))
        return bool(norm) and norm in text

    return all(found(e) for e in gold)


def answer_contains_any(answer: str, gold: Sequence) -> bool:
    """True when any gold element (or alternative) appears: the lenient reading."""
    return any(answer_contains(answer, [e]) for e in gold)


def rouge_l(candidate: str, reference: str) -> float:
    """Character-level ROUGE-L F1 on normalised text (suits Chinese free-text answers)."""
    a, b = normalise_answer(candidate), normalise_answer(reference)
    if not a or not b:
        return 0.0
    prev = [0] * (len(b) + 1)
    for ch in a:
        cur = [0]
        for j, other in enumerate(b, 1):
            cur.append(prev[j - 1] + 1 if ch == other else max(prev[j], cur[j - 1]))
        prev = cur
    lcs = prev[-1]
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(a), lcs / len(b)
    return 2 * precision * recall / (precision + recall)


def best_rouge_l(candidate: str, gold: Sequence) -> float:
    """ROUGE-L against the best-matching gold answer (flattening alternatives)."""
    refs: list[str] = []
    for element in gold:
        refs.extend(map(str, element) if isinstance(element, (list, tuple)) else [str(element)])
    return max((rouge_l(candidate, r) for r in refs), default=0.0)
