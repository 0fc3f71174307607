"""The FAISS backend's vector index: `dense.faiss` beside the catalogue, kept current with it.

The file mirrors the catalogue's embeddings and is stamped with the generation it reflects
(retrieval/kb/faiss/dense_index.py). The index in memory reflects one catalogue
generation. It is brought up to date
- on open, when the file on disk is behind the catalogue (a writer was killed between
  its commit and its save): rebuilt from the stored embeddings, and saved if no other
  process is writing;
- before each use, when another process has committed since it was loaded: synced by
  chunk ids (ids are never reused, and chunk rows never change, so the ids that
  appeared are added and those that went are removed);
- after each of our own commits, by applying the same change in memory.
The file is written at the end of a batch (`save`), under the write lock.

BM25 is not FAISS's: this index is given the catalogue's FTS5 search
(retrieval/kb/fts_search.py) and answers lexical searches with it.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from core.enums import VectorStore
from retrieval.kb.catalogue import Catalogue
from retrieval.kb.faiss.dense_index import EXACT_MAX, IVF_NPROBE, DenseIndex
from retrieval.kb.lock import WriteLock
from retrieval.kb.protocols import Commit, LexicalSearch, Ranked

log = logging.getLogger(__name__)

DENSE_FILE = "dense.faiss"
_BATCH = 500


class FaissIndex:
    """The dense index of one knowledge base and the generation it reflects."""

    def __init__(self, catalogue: Catalogue, lock: WriteLock, lexical: LexicalSearch, *,
                 exact_max: int = EXACT_MAX, nprobe: int = IVF_NPROBE) -> None:
        self._catalogue = catalogue
        self._lock = lock
        self._lexical = lexical
        self.file = catalogue.folder / DENSE_FILE
        self.exact_max, self.nprobe = exact_max, nprobe
        self._index: DenseIndex | None = None
        self._generation: int | None = None

    @property
    def backend(self) -> VectorStore:
        return VectorStore.FAISS

    @property
    def location(self) -> str:
        return str(self.file)

    def reset(self) -> None:
        self._index, self._generation = None, None

    def check_on_open(self) -> None:
        """Rebuild the index now if the file is missing, damaged or behind the catalogue."""
        dim = self._catalogue.dim
        if dim is None:
            return
        stamp = DenseIndex.read_stamp(self.file)
        if stamp is None or stamp.generation != self._catalogue.generation or stamp.dim != dim:
            log.info("knowledge base '%s': the dense index is behind the database, rebuilding it",
                     self._catalogue.name)
            self._current()

    def load(self, dim: int | None = None) -> None:
        self._current(dim)

    def bring_level(self) -> None:
        """Current in memory; `save` writes it."""
        self._current()

    def dense_search(self, query: np.ndarray, n: int) -> Ranked:
        index = self._current()
        return index.search(query, n) if index is not None else []

    def lexical_search(self, tokens: Sequence[str], n: int) -> Ranked:
        return self._lexical(tokens, n)

    def ids(self) -> np.ndarray:
        index = self._current()
        return index.ids() if index is not None else np.zeros(0, np.int64)

    def _current(self, dim: int | None = None) -> DenseIndex | None:
        """The index, current with the catalogue; None while the knowledge base has no vectors."""
        generation = self._catalogue.generation
        if self._index is not None and self._generation == generation:
            return self._index
        dim = self._catalogue.dim or dim
        if dim is None:
            return None
        if self._index is not None and self._index.dim == dim:
            self._sync(self._index)
        else:
            index = DenseIndex.load(self.file, generation, dim, exact_max=self.exact_max, nprobe=self.nprobe)
            if index is not None and len(index) != self._catalogue.chunk_count():
                log.warning("dense index of '%s' disagrees with the database: rebuilding it", self._catalogue.name)
                index = None
            self._index = index if index is not None else self._rebuild(dim, generation)
        self._generation = generation
        return self._index

    def apply(self, commit: Commit) -> None:
        """Mirror one of our commits in memory."""
        if self._index is None:
            return
        self._index.remove(list(commit.removed))
        if len(commit.added) and commit.vectors is not None:
            self._index.add(np.asarray(commit.added, dtype=np.int64), commit.vectors)
        if self._generation == commit.before:
            self._generation = commit.after
        # else another process committed in between: the next `_current()` syncs

    def save(self) -> None:
        """Write the index to its file if it is loaded (brought up to date first)."""
        if self._index is None:
            return
        index = self._current()
        if index is not None and self._generation is not None:
            index.save(self.file, self._generation)

    def lexical_rows_rebuilt(self) -> None:
        """Nothing to follow: the lexical search reads the catalogue's rows themselves."""

    def drop(self) -> None:
        self.reset()
        self.file.unlink(missing_ok=True)

    def close(self) -> None:
        self.reset()

    def _sync(self, index: DenseIndex) -> None:
        stored = self._catalogue.chunk_ids()
        held = index.ids()
        gone = np.setdiff1d(held, stored)
        new = np.setdiff1d(stored, held)
        index.remove(gone)
        for start in range(0, len(new), _BATCH):
            batch = [int(i) for i in new[start:start + _BATCH]]
            vectors = self._catalogue.embeddings(batch)
            batch = [i for i in batch if i in vectors]  # deleted meanwhile: the next sync sees it
            if batch:
                index.add(np.asarray(batch, dtype=np.int64), np.stack([vectors[i] for i in batch]))
        if len(gone) or len(new):
            log.info("dense index of '%s' synced with the database: %d removed, %d added",
                     self._catalogue.name, len(gone), len(new))

    def _rebuild(self, dim: int, generation: int) -> DenseIndex:
        index = DenseIndex(dim, exact_max=self.exact_max, nprobe=self.nprobe)
        stored = self._catalogue.chunk_ids()
        if len(stored) > self.exact_max:  # train the IVF lists once, on a sample, before adding
            sample = np.random.default_rng(0).choice(stored, min(len(stored), 100_000), replace=False)
            vectors = [v for start in range(0, len(sample), _BATCH)
                       for v in self._catalogue.embeddings([int(i) for i in sample[start:start + _BATCH]]).values()]
            if vectors:
                index.prepare(len(stored), np.stack(vectors))
        self._sync(index)
        log.info("rebuilt the dense index of '%s' from %d stored embeddings", self._catalogue.name, len(index))
        with self._lock.held_if_free() as mine:  # a writer in another process saves its own, newer index
            if mine and self._catalogue.generation == generation:
                index.save(self.file, generation)
        return index

