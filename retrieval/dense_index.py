"""The dense vector index: FAISS inner product over normalised vectors, ids = chunk ids.

The file on disk is only ever replaced whole (write to a temporary name, fsync,
rename), and carries the database generation it reflects, so a reader can tell when it
is behind the database and rebuild it from the stored embeddings.
"""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import faiss
import numpy as np

log = logging.getLogger(__name__)


class DenseIndex:
    def __init__(self, dim: int) -> None:
        if dim <= 0:
            raise ValueError(f"dimension must be positive, got {dim}")
        self.dim = dim
        self._index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids) == 0:
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.shape != (len(ids), self.dim):
            raise ValueError(f"expected {len(ids)} vectors of dimension {self.dim}, got {vectors.shape}")
        self._index.add_with_ids(vectors, np.asarray(ids, dtype=np.int64))

    def remove(self, ids: list[int]) -> None:
        if ids:
            self._index.remove_ids(np.asarray(ids, dtype=np.int64))

    def search(self, query: np.ndarray, n: int) -> list[tuple[int, float]]:
        if len(self) == 0 or n <= 0:
            return []
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        scores, ids = self._index.search(q, min(n, len(self)))
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i != -1]

    def save(self, path: Path, generation: int) -> None:
        tmp = path.with_name(path.name + ".tmp")
        faiss.write_index(self._index, str(tmp))
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        _write_json_atomically(_stamp_path(path), {"generation": generation, "count": len(self), "dim": self.dim})

    @classmethod
    def load(cls, path: Path, generation: int, dim: int) -> "DenseIndex | None":
        """The saved index if it matches `generation` and `dim`, else None (rebuild it)."""
        stamp_path = _stamp_path(path)
        if not path.exists() or not stamp_path.exists():
            return None
        stamp = json.loads(stamp_path.read_text(encoding="utf-8"))
        if stamp.get("generation") != generation or stamp.get("dim") != dim:
            log.info("dense index %s is at generation %s, database at %s: rebuilding", path, stamp.get("generation"), generation)
            return None
        index = cls(dim)
        index._index = faiss.read_index(str(path))
        return index


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _write_json_atomically(path: Path, payload: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(payload, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
