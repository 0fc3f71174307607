"""Weight search for bench/evidence_bench.py: features are computed once per question, then
each trial weighting only takes a matrix product (coordinate ascent over `GRID`)."""
from __future__ import annotations

import statistics
from dataclasses import asdict, replace

import numpy as np

from app.answering.evidence.scoring import DEFAULT_WEIGHTS, Weights
from core.text import fold
from evaluation.metrics import answer_contains, best_rouge_l

ROUGE_SETS = frozenset({"dureader"})  # free-text answers: tuned on ROUGE-L, not containment
ANCHOR = "context"  # scores are invariant to scale: this weight stays 1
GRID = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 1.5)
_SIGN = {"echo": -1.0, "short": -1.0}


def feature_arrays(questions: list, rouge: bool = False) -> list[tuple[np.ndarray, np.ndarray, list[str]]]:
    """Per question: the feature matrix (columns in Weights order, penalties negated), each
    candidate's gain (contains the gold answer: 1, or its ROUGE-L) and dedupe keys."""
    names = list(asdict(DEFAULT_WEIGHTS))
    out = []
    for q in questions:
        if not q.candidates:
            out.append((np.zeros((0, len(names))), np.zeros(0, bool), []))
            continue
        matrix = np.array([[_SIGN.get(n, 1.0) * c.features[n] for n in names] for c in q.candidates])
        gain = best_rouge_l if rouge else answer_contains
        contains = np.array([float(gain(c.sentence.text, q.answers)) for c in q.candidates])
        out.append((matrix, contains, [fold(c.sentence.text) for c in q.candidates]))
    return out


def _fast(arrays, weights: Weights) -> tuple[float, float]:
    """(top-1, best-of-top-3) gain from precomputed arrays."""
    w = np.array(list(asdict(weights).values()))
    top1 = top3 = 0
    for matrix, contains, keys in arrays:
        if not len(keys):
            continue
        order = np.argsort(-(matrix @ w), kind="stable")
        top1 += contains[order[0]]
        seen, hit = set(), 0.0
        for i in order:
            if keys[i] in seen:
                continue
            seen.add(keys[i])
            hit = max(hit, contains[i])
            if len(seen) == 3:
                break
        top3 += hit
    n = max(1, len(arrays))
    return top1 / n, top3 / n


def tune(sets: dict[str, list], start: Weights, *, dense: bool = False, rounds: int = 3) -> Weights:
    """Coordinate ascent on the mean top-1 (ties: top-3) over the given sets (from `_arrays`)."""
    def objective(w: Weights) -> tuple[float, float]:
        figures = [_fast(arrays, w) for arrays in sets.values()]
        return statistics.mean(f[0] for f in figures), statistics.mean(f[1] for f in figures)

    best, best_value = start, objective(start)
    for _ in range(rounds):
        improved = False
        for field in asdict(start):
            if field == ANCHOR or (field == "dense" and not dense):
                continue  # the anchor fixes the scale; without sentence vectors "dense" means nothing
            for value in GRID:
                trial = replace(best, **{field: value})
                trial_value = objective(trial)
                if trial_value > best_value:
                    best, best_value, improved = trial, trial_value, True
        if not improved:
            break
    return best


__all__ = ["ANCHOR", "GRID", "ROUGE_SETS", "feature_arrays", "tune"]
