"""Keeping a knowledge base's dense index current with its database.

The index in memory reflects one database generation. It is brought up to date
- on open, when the file on disk is behind the database (a writer was killed between
  its commit and its save): rebuilt from the stored embeddings, and saved if no other
  process is writing;
- before each use, when another process has committed since it was loaded: synced by
  chunk ids (ids are never reused, and chunk rows never change, so the ids that
  appeared are added and those that went are removed);
- after each of our own commits, by applying the same change in memory.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

import numpy as np

from retrieval.dense_index import EXACT_MAX, IVF_NPROBE, DenseIndex

log = logging.getLogger(__name__)

_BATCH = 500


class MirroredStore(Protocol):
    """What the mirror needs of its knowledge base (retrieval.store.KnowledgeBase)."""

    name: str

    @property
    def dim(self) -> int | None: ...

    @property
    def generation(self) -> int: ...

    def chunk_count(self) -> int: ...

    def chunk_ids(self) -> np.ndarray: ...

    def embeddings(self, ids: Sequence[int]) -> dict[int, np.ndarray]: ...

    def saving_lock(self) -> AbstractContextManager[bool]: ...


class DenseMirror:
    """The dense index of one knowledge base and the generation it reflects."""

    def __init__(self, kb: MirroredStore, file: Path, *, exact_max: int = EXACT_MAX, nprobe: int = IVF_NPROBE) -> None:
        self.kb = kb
        self.file = file
        self.exact_max, self.nprobe = exact_max, nprobe
        self.index: DenseIndex | None = None
        self.generation: int | None = None

    def reset(self) -> None:
        self.index, self.generation = None, None

    def check_on_open(self) -> None:
        """Rebuild the index now if the file is missing, damaged or behind the database."""
        dim = self.kb.dim
        if dim is None:
            return
        stamp = DenseIndex.read_stamp(self.file)
        if stamp is None or stamp.generation != self.kb.generation or stamp.dim != dim:
            log.info("knowledge base '%s': the dense index is behind the database, rebuilding it", self.kb.name)
            self.current()

    def current(self, dim: int | None = None) -> DenseIndex | None:
        """The index, current with the database; None while the knowledge base has no vectors."""
        generation = self.kb.generation
        if self.index is not None and self.generation == generation:
            return self.index
        dim = self.kb.dim or dim
        if dim is None:
            return None
        if self.index is not None and self.index.dim == dim:
            self._sync(self.index)
        else:
            index = DenseIndex.load(self.file, generation, dim, exact_max=self.exact_max, nprobe=self.nprobe)
            if index is not None and len(index) != self.kb.chunk_count():
                log.warning("dense index of '%s' disagrees with the database: rebuilding it", self.kb.name)
                index = None
            self.index = index if index is not None else self._rebuild(dim, generation)
        self.generation = generation
        return self.index

    def apply(self, removed: Sequence[int], ids: Sequence[int], vectors: np.ndarray | None,
              commit: tuple[int, int]) -> None:
        """Mirror one of our commits (generation `commit[0]` -> `commit[1]`) in memory."""
        if self.index is None:
            return
        self.index.remove(list(removed))
        if len(ids) and vectors is not None:
            self.index.add(np.asarray(ids, dtype=np.int64), vectors)
        if self.generation == commit[0]:
            self.generation = commit[1]
        # else another process committed in between: the next `current()` syncs

    def save(self) -> None:
        """Write the index to its file if it is loaded (brought up to date first)."""
        if self.index is None:
            return
        index = self.current()
        if index is not None and self.generation is not None:
            index.save(self.file, self.generation)

    def _sync(self, index: DenseIndex) -> None:
        stored = self.kb.chunk_ids()
        held = index.ids()
        gone = np.setdiff1d(held, stored)
        new = np.setdiff1d(stored, held)
        index.remove(gone)
        for start in range(0, len(new), _BATCH):
            batch = [int(i) for i in new[start:start + _BATCH]]
            vectors = self.kb.embeddings(batch)
            batch = [i for i in batch if i in vectors]  # deleted meanwhile: the next sync sees it
            if batch:
                index.add(np.asarray(batch, dtype=np.int64), np.stack([vectors[i] for i in batch]))
        if len(gone) or len(new):
            log.info("dense index of '%s' synced with the database: %d removed, %d added",
                     self.kb.name, len(gone), len(new))

    def _rebuild(self, dim: int, generation: int) -> DenseIndex:
        index = DenseIndex(dim, exact_max=self.exact_max, nprobe=self.nprobe)
        stored = self.kb.chunk_ids()
        if len(stored) > self.exact_max:  # train the IVF lists once, on a sample, before adding
            sample = np.random.default_rng(0).choice(stored, min(len(stored), 100_000), replace=False)
            vectors = [v for start in range(0, len(sample), _BATCH)
                       for v in self.kb.embeddings([int(i) for i in sample[start:start + _BATCH]]).values()]
            if vectors:
                index.prepare(len(stored), np.stack(vectors))
        self._sync(index)
        log.info("rebuilt the dense index of '%s' from %d stored embeddings", self.kb.name, len(index))
        with self.kb.saving_lock() as mine:  # a writer in another process saves its own, newer index
            if mine and self.kb.generation == generation:
                index.save(self.file, generation)
        return index
