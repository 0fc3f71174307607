"""Dataclasses at the retrieval boundary."""
from __future__ import annotations

from dataclasses import dataclass

from ingest.types import Chunk


@dataclass(frozen=True, slots=True)
class ScoredChunk:
    """A retrieved chunk with the evidence for it.

    `score` orders results: the fused RRF score, or the cross-encoder's score when a
    reranker is configured. `relevance` is the calibrated score (0..1) that thresholds
    compare against, because rank scores cannot say "nothing is relevant": the weighted
    share of the question's content words the chunk contains, mixed with the embedding
    similarity on the model's own scale (retrieval/relevance.py explains what 0.5 means).
    `dense_rank` / `lexical_rank` are 1-based ranks in each list, None when absent.
    """

    chunk: Chunk
    score: float
    relevance: float
    dense_rank: int | None = None
    lexical_rank: int | None = None
