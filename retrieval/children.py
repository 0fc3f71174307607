"""Child pieces: small pieces to find a chunk by, the chunk to read (pure functions).

At ingestion each chunk is also cut into sentence-sized child pieces (ingest/child_pieces.py
`child_texts`) whose vectors are stored with the chunk (a matrix, one row per piece;
none when the chunk is a single piece; stored as retrieval/kb/child_vectors.py says). At
search time the candidates of both lists (the chunk vectors' top n and BM25's top n) are
ordered by their best piece's cosine, and that order is the dense list that fusion sees:
a question about one sentence of a 400-character chunk is close to that sentence even when
the whole chunk's vector is diluted by the others. What is returned, scored for relevance and shown stays the chunk.
Measured in docs/TUNING.md ("Child pieces").
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

__all__ = ["split_rows", "best_child_ranking"]


def split_rows(matrix: np.ndarray, counts: Sequence[int]) -> list[np.ndarray | None]:
    """Consecutive row blocks of `matrix`, `counts[i]` rows for item i (None for 0 rows)."""
    if sum(counts) != len(matrix):
        raise ValueError(f"{sum(counts)} rows expected, got {len(matrix)}")
    out: list[np.ndarray | None] = []
    at = 0
    for n in counts:
        out.append(np.asarray(matrix[at:at + n], dtype=np.float32) if n else None)
        at += n
    return out


def best_child_ranking(query: np.ndarray, candidates: Sequence[int], children: Mapping[int, np.ndarray],
                       own_cosine: Mapping[int, float]) -> list[tuple[int, float]]:
    """The candidates ordered by their best child piece's cosine to the query, best first.

    A candidate without child pieces counts with its own cosine (`own_cosine`), one that
    has neither is left out; equal scores keep the order of `candidates`.
    """
    scored: list[tuple[int, float]] = []
    for cid in dict.fromkeys(candidates):
        vectors = children.get(cid)
        if vectors is not None and len(vectors):
            scored.append((cid, float(np.max(vectors @ query))))
        elif cid in own_cosine:
            scored.append((cid, float(own_cosine[cid])))
    order = {cid: i for i, (cid, _) in enumerate(scored)}
    return sorted(scored, key=lambda pair: (-pair[1], order[pair[0]]))
