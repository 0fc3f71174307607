"""The dense vector index: FAISS inner product over normalised vectors, ids = chunk ids.

On disk it is one file: a short header (magic, then JSON with the database generation
it reflects, the vector count, the dimension and the index kind) followed by the
serialised FAISS index, written and read as a stream (no second copy in memory).
Up to `EXACT_MAX` vectors the index is exact (flat); above, an IVF index (below).
The file is only ever replaced whole (write a temporary file, fsync, rename, fsync the
folder), so a kill at any moment leaves either the old file or the new one, and the
header always describes the vectors that follow it. A reader compares the generation
with the database's and rebuilds or syncs from the stored embeddings when it is behind.
"""
from __future__ import annotations

import json
import logging
import os
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

log = logging.getLogger(__name__)

_MAGIC = b"YZDENSE1"
_LENGTH = struct.Struct("<I")


@dataclass(frozen=True, slots=True)
class Stamp:
    """What a dense index file says about itself."""

    generation: int
    count: int
    dim: int
    kind: str = "flat"
    trained_at: int = 0


# Above this many vectors the index is approximate (IVF), at or below it exact (flat).
# Exact search over n 512-d vectors costs ~0.17 ms per 1,000 on one core (20k: 3.5 ms;
# 200k: ~35 ms; 1M: ~170 ms and 2 GB), so past 200k an inverted file scans only the
# lists nearest the query. IVF rather than HNSW because a knowledge base removes
# vectors whenever a document changes, and FAISS's HNSW cannot remove.
EXACT_MAX = 200_000
# The IVF layout, measured by bench/dense_tune.py on the scale benchmark's vectors
# (docs/SCALE.md): lists ~ 4·sqrt(n), and the `nprobe` nearest lists scanned per query,
# which gave recall@10 against exact search >= 0.98 at 250k and 1M vectors.
IVF_NPROBE = 48
_RETRAIN_GROWTH = 4  # retrain the lists when the index has grown this much since training
_TRAIN_SAMPLE_PER_LIST = 32
_TRAIN_ITERATIONS = 10


def ivf_lists(count: int) -> int:
    return int(min(max(4 * np.sqrt(count), 64), 8192))


class DenseIndex:
    """Chunk id -> vector, searched by inner product: exact up to `exact_max` vectors, IVF above.

    The kind follows the size: adding past `exact_max` moves the vectors into an IVF
    index trained on them (retrained when it has grown fourfold since), removing below
    half of it moves them back to exact search.
    """

    def __init__(self, dim: int, *, exact_max: int = EXACT_MAX, nprobe: int = IVF_NPROBE) -> None:
        if dim <= 0:
            raise ValueError(f"dimension must be positive, got {dim}")
        self.dim = dim
        self.exact_max = max(int(exact_max), 1)
        self.nprobe = nprobe
        self._index = _flat(dim)
        self._trained_at = 0  # vectors the IVF lists were trained on (0: exact)

    @property
    def kind(self) -> str:
        return "ivf" if isinstance(self._index, faiss.IndexIVF) else "flat"

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def ids(self) -> np.ndarray:
        """The chunk ids held, in no particular order."""
        if self.kind == "flat":
            return faiss.vector_to_array(self._index.id_map).astype(np.int64)
        parts = [ids for ids, _ in self._batches(vectors=False)]
        return np.concatenate(parts) if parts else np.zeros(0, np.int64)

    def _batches(self, vectors: bool = True) -> Iterator[tuple[np.ndarray, np.ndarray | None]]:
        """(ids, vectors) of everything held: all at once (exact), or one IVF list at a time."""
        if self.kind == "flat":
            ids = faiss.vector_to_array(self._index.id_map).astype(np.int64)
            flat = faiss.downcast_index(self._index.index)
            held = faiss.rev_swig_ptr(flat.get_xb(), len(ids) * self.dim).copy().reshape(-1, self.dim) if vectors else None
            yield ids, held
            return
        lists = self._index.invlists
        for n in range(self._index.nlist):
            size = lists.list_size(n)
            if size:
                ids = faiss.rev_swig_ptr(lists.get_ids(n), size).astype(np.int64)
                codes = faiss.rev_swig_ptr(lists.get_codes(n), size * lists.code_size) if vectors else None
                yield ids, codes.copy().view(np.float32).reshape(-1, self.dim) if vectors else None

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids) == 0:
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.shape != (len(ids), self.dim):
            raise ValueError(f"expected {len(ids)} vectors of dimension {self.dim}, got {vectors.shape}")
        ids = np.asarray(ids, dtype=np.int64)
        total = len(self) + len(ids)
        if total > self.exact_max and (self.kind == "flat" or total >= _RETRAIN_GROWTH * self._trained_at):
            self._relayout(ids, vectors)
        else:
            self._index.add_with_ids(vectors, ids)

    def remove(self, ids) -> None:
        if len(ids):
            self._index.remove_ids(np.asarray(ids, dtype=np.int64))
            if self.kind == "ivf" and len(self) <= self.exact_max // 2:
                self._relayout()

    def prepare(self, count: int, sample: np.ndarray) -> None:
        """Before adding `count` vectors to an empty index: train IVF lists on `sample`
        (vectors like them) if `count` is above `exact_max`, so that adding never relays out."""
        if len(self) == 0 and count > self.exact_max:
            self._index, self._trained_at = self._trained_ivf(count, sample), count

    def _relayout(self, ids: np.ndarray | None = None, vectors: np.ndarray | None = None) -> None:
        """Move everything held (and `ids`/`vectors`) into the index the count calls for:
        exact, or IVF lists trained on a sample of it. Peak memory: old index + new one."""
        extra = [(ids, vectors)] if ids is not None and len(ids) else []
        total = len(self) + (len(ids) if extra else 0)
        started = time.perf_counter()
        if total <= self.exact_max:
            index = _flat(self.dim)
            trained_at = 0
        else:
            share = min(1.0, ivf_lists(total) * _TRAIN_SAMPLE_PER_LIST / total)
            rng = np.random.default_rng(1234)
            sample = np.concatenate([v[rng.random(len(v)) < share] for _, v in [*self._batches(), *extra]])
            index, trained_at = self._trained_ivf(total, sample), total
        faiss.omp_set_num_threads(os.cpu_count() or 1)  # assignment to lists uses every core
        try:
            for batch_ids, batch in [*self._batches(), *extra]:
                index.add_with_ids(batch, batch_ids)
        finally:
            faiss.omp_set_num_threads(1)
        self._index, self._trained_at = index, trained_at
        log.info("dense index: %d vectors laid out %s (%.1f s)", total,
                 f"in {index.nlist} IVF lists" if trained_at else "for exact search", time.perf_counter() - started)

    def _trained_ivf(self, count: int, sample: np.ndarray) -> faiss.Index:
        nlist = min(ivf_lists(count), max(len(sample), 1))
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(self.dim), self.dim, nlist, faiss.METRIC_INNER_PRODUCT)
        index.cp.seed = 1234  # reproducible lists
        index.cp.niter = _TRAIN_ITERATIONS
        index.cp.min_points_per_centroid = min(_TRAIN_SAMPLE_PER_LIST, 39)  # (FAISS warns below its 39)
        limit = nlist * _TRAIN_SAMPLE_PER_LIST
        if len(sample) > limit:
            sample = sample[np.random.default_rng(1234).choice(len(sample), limit, replace=False)]
        faiss.omp_set_num_threads(os.cpu_count() or 1)
        try:
            index.train(np.ascontiguousarray(sample, dtype=np.float32))
        finally:
            faiss.omp_set_num_threads(1)
        index.nprobe = self.nprobe
        return index

    def search(self, query: np.ndarray, n: int) -> list[tuple[int, float]]:
        # One query: FAISS's OpenMP threads cost more than they save (measured at
        # 20k x 512: 14.7 ms with 2 threads, 3.5 ms with 1, on 2 cores).
        faiss.omp_set_num_threads(1)
        if len(self) == 0 or n <= 0:
            return []
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        if self.kind == "ivf":
            self._index.nprobe = self.nprobe
        scores, ids = self._index.search(q, min(n, len(self)))
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i != -1]

    def save(self, path: Path, generation: int) -> None:
        """Replace the file at `path` atomically with this index, stamped with `generation`.

        Call it holding the knowledge base's write lock: temporary files of other savers
        are then leftovers of killed processes, and are removed.
        """
        for stale in path.parent.glob(f"{path.name}.*.tmp"):
            stale.unlink(missing_ok=True)
        header = json.dumps({"generation": generation, "count": len(self), "dim": self.dim,
                             "kind": self.kind, "trained_at": self._trained_at}).encode("utf-8")
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            with open(tmp, "wb") as fh:
                fh.write(_MAGIC + _LENGTH.pack(len(header)) + header)
                # streamed: no second copy of a 2 GB index in memory
                faiss.write_index(self._index, faiss.PyCallbackIOWriter(fh.write))
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        finally:
            if tmp.exists():
                tmp.unlink()
        _fsync_folder(path.parent)
        legacy = path.with_name(path.name + ".json")  # the stamp of the earlier two-file format
        if legacy.exists():
            legacy.unlink()

    @staticmethod
    def read_stamp(path: Path) -> Stamp | None:
        """The header of the file at `path`; None if it is missing, old-format or damaged."""
        try:
            with open(path, "rb") as fh:
                return _read_header(fh)[0]
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.warning("dense index %s is unreadable (%s): it will be rebuilt", path, exc)
            return None

    @classmethod
    def load(cls, path: Path, generation: int, dim: int, *, exact_max: int = EXACT_MAX,
             nprobe: int = IVF_NPROBE) -> DenseIndex | None:
        """The saved index if it is at `generation` with `dim`, else None (rebuild it)."""
        try:
            with open(path, "rb") as fh:
                stamp, _ = _read_header(fh)
                if stamp.generation != generation or stamp.dim != dim:
                    log.info("dense index %s is at generation %s, database at %s: rebuilding",
                             path, stamp.generation, generation)
                    return None
                index = cls(dim, exact_max=exact_max, nprobe=nprobe)
                # read straight into FAISS's structures (no intermediate copy of the file)
                index._index = faiss.read_index(faiss.PyCallbackIOReader(fh.read))
            index._trained_at = stamp.trained_at if index.kind == "ivf" else 0
        except FileNotFoundError:
            return None
        except (OSError, ValueError, RuntimeError) as exc:  # faiss raises RuntimeError on bad bytes
            log.warning("dense index %s is unreadable (%s): rebuilding it", path, exc)
            return None
        if len(index) != stamp.count or index._index.d != dim:
            log.warning("dense index %s holds %d vectors, its header says %d: rebuilding", path, len(index), stamp.count)
            return None
        return index


def _flat(dim: int) -> faiss.Index:
    return faiss.IndexIDMap2(faiss.IndexFlatIP(dim))


def _read_header(fh) -> tuple[Stamp, int]:
    magic = fh.read(len(_MAGIC))
    if magic != _MAGIC:
        raise ValueError("not a Yizhi dense index file (or an older format)")
    raw_length = fh.read(_LENGTH.size)
    if len(raw_length) != _LENGTH.size:
        raise ValueError("truncated header")
    (length,) = _LENGTH.unpack(raw_length)
    if length > 1 << 16:
        raise ValueError("header too long")
    try:
        header = json.loads(fh.read(length).decode("utf-8"))
        stamp = Stamp(int(header["generation"]), int(header["count"]), int(header["dim"]),
                      str(header.get("kind", "flat")), int(header.get("trained_at", 0)))
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ValueError(f"damaged header ({type(exc).__name__})") from exc
    return stamp, len(_MAGIC) + _LENGTH.size + length


def _fsync_folder(folder: Path) -> None:
    """Make a rename durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems do not support fsync on folders
    finally:
        os.close(fd)
