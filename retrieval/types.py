"""Dataclasses at the retrieval boundary."""
from __future__ import annotations

from dataclasses import dataclass

from ingest.types import Chunk


@dataclass(frozen=True, slots=True)
class ScoredChunk:
    """A retrieved chunk with the evidence for it.

    `score` is the fused score used for ranking; `relevance` is the calibrated
    query-chunk similarity (cosine of normalised embeddings, -1..1) that thresholds
    compare against, because fused rank scores cannot say "nothing is relevant".
    `dense_rank` / `lexical_rank` are 1-based ranks in each list, None when absent.
    """

    chunk: Chunk
    score: float
    relevance: float
    dense_rank: int | None = None
    lexical_rank: int | None = None
