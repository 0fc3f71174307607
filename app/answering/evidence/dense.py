"""Embedding similarity for the best few evidence sentences of an English question.

The lexical score (app/answering/evidence/scoring.py) ranks every sentence; the top
`DENSE_TOP` distinct sentences are then embedded and `weight · cosine(question, sentence)`
is added to their scores before they are re-sorted. Only these few are embedded, so it
costs one query and five short texts (about 15 ms with USE on two cores), not every
sentence of five passages.

Measured (python -m bench.evidence_bench with the sentence vectors, USE multilingual,
top 5 rescored; the same top-1 whether 5, 10 or every sentence is rescored):

    set        weight 0    0.3     0.5     0.8     (top-1: the best sentence holds the gold answer)
    squad      0.669       0.686   0.696   0.693   both halves gain: 0.644→0.671, 0.694→0.721
    cmrc       0.753       0.747   0.750   0.753
    dureader   rouge 0.241 0.228   0.212   0.210   (USE prefers short Chinese sentences)

So English questions get 0.5 and Chinese ones none: USE's English sentence similarity
carries paraphrases ("Who ruled the duchy" / "the duchy was ruled by") that shared words
miss, and its Chinese one does not beat the words and bigrams already counted.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol, TypeVar

import numpy as np

from app.answering.evidence.sentences import Sentence
from core.text import fold

if TYPE_CHECKING:
    from retrieval.embedders import Embedder


class Scored(Protocol):
    """What is rescored: a scored sentence with its features (scoring.Candidate, a dataclass)."""

    sentence: Sentence
    features: dict[str, float]
    score: float


Candidate = TypeVar("Candidate", bound=Scored)

DENSE_TOP = 5
DENSE_WEIGHT = {"en": 0.5, "zh": 0.0}


def dense_weight(language: str) -> float:
    """The weight of embedding similarity in the evidence score for a question in `language`."""
    return DENSE_WEIGHT.get(language, 0.0)


def rescore_top(ranked: Sequence[Candidate], question_vector: np.ndarray, vectors: np.ndarray,
                weight: float) -> list[Candidate]:
    """`ranked` (best first) with its first len(vectors) candidates given `weight · cosine`
    and re-sorted among themselves; the rest follow unchanged (they only lose ground)."""
    head, rest = list(ranked[:len(vectors)]), list(ranked[len(vectors):])
    if len(vectors) != len(head):
        raise ValueError(f"{len(head)} candidates but {len(vectors)} sentence vectors")
    cosines = np.asarray(vectors, dtype=np.float32) @ np.asarray(question_vector, dtype=np.float32)
    rescored = [replace(c, score=c.score + weight * max(0.0, float(cos)),
                        features={**c.features, "dense": max(0.0, float(cos))})
                for c, cos in zip(head, cosines, strict=True)]
    return sorted(rescored, key=lambda c: -c.score) + rest


def with_dense(question: str, ranked: Sequence[Candidate], embedder: Embedder, weight: float,
               top: int = DENSE_TOP) -> list[Candidate]:
    """`ranked` with its `top` best distinct sentences rescored by embedding similarity."""
    if weight <= 0 or not ranked:
        return list(ranked)
    head: list[Candidate] = []
    rest: list[Candidate] = []
    seen: set[str] = set()
    for c in ranked:
        key = fold(c.sentence.text)
        if len(head) < top and key not in seen:
            seen.add(key)
            head.append(c)
        else:
            rest.append(c)
    vectors = embedder.embed_documents([c.sentence.text for c in head])
    return rescore_top(head + rest, embedder.embed_query(question), vectors, weight)
