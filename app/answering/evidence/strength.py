"""When the best evidence sentence answers by itself, judged by its score alone.

Its score (scoring.py) reaches `strong`, or `fair` in a passage whose relevance reaches
`fair_relevance`. Chinese: on CMRC (400 questions, no LLM) this quotes 97% of answerable
questions (82% contain the gold answer) and 2% of unanswerable ones. English scores sit
lower (long sentences share a smaller part of their word pairs with the question), so its
thresholds are set where they quote the same share of answerable questions: 99% of SQuAD's
answerable ones, where 0.9/0.7/0.65 quoted 81% (its 270 answerable questions that pass the
threshold, no LLM; 74% of the quotations then hold the gold answer).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.answering.types import Evidence


@dataclass(frozen=True, slots=True)
class Strength:
    strong: float
    fair: float
    fair_relevance: float


STRENGTH = {"zh": Strength(0.9, 0.7, 0.65), "en": Strength(0.7, 0.5, 0.55)}


def strong_sentence(evidence: Evidence, relevances: Sequence[float], language: str = "zh") -> bool:
    """Whether this evidence sentence can answer by itself, by its score (see the module docs)."""
    bar = STRENGTH.get(language, STRENGTH["zh"])
    relevance = relevances[evidence.passage - 1] if 0 < evidence.passage <= len(relevances) else 0.0
    return evidence.score >= bar.strong or (evidence.score >= bar.fair and relevance >= bar.fair_relevance)


def is_strong(evidence: Sequence[Evidence], relevances: Sequence[float], language: str = "zh") -> bool:
    """Whether the best evidence sentence can answer by itself."""
    return bool(evidence) and strong_sentence(evidence[0], relevances, language)


__all__ = ["STRENGTH", "Strength", "is_strong", "strong_sentence"]
