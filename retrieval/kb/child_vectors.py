"""How a chunk's child pieces' vectors are stored in the catalogue (the `child_embeddings`
column): float16 rows, row after row. What they are for: retrieval/children.py.
"""
from __future__ import annotations

import numpy as np

__all__ = ["pack", "unpack"]


def pack(vectors: np.ndarray | None) -> bytes | None:
    """A chunk's child vectors as stored: float16 rows, row after row; None for none.

    Half precision halves the space the pieces add (they only order candidates: a cosine
    is off by about 1e-3 at most); the chunk's own vector stays float32.
    """
    if vectors is None or len(vectors) == 0:
        return None
    return np.ascontiguousarray(vectors, dtype=np.float16).tobytes()


def unpack(blob: bytes, dim: int) -> np.ndarray:
    """The stored child vectors back as an (n, dim) float32 matrix."""
    if dim <= 0 or len(blob) % (2 * dim):
        raise ValueError(f"{len(blob)} bytes are not rows of {dim} float16 values")
    return np.frombuffer(blob, dtype=np.float16).reshape(-1, dim).astype(np.float32)
