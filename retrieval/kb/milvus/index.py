"""Keeping a knowledge base's Milvus collection current with its SQLite catalogue.

The catalogue (kb.sqlite) is the truth: documents, chunks, their embeddings and lexical
rows. The collection mirrors chunk ids, vectors and lexical rows, as the FAISS file does
for the embedded backend (retrieval/kb/faiss/index.py); both are a `VectorIndex`
(retrieval/kb/protocols.py) that the knowledge base is composed with:

- every commit is applied to Milvus right after it (delete the removed ids, insert the
  new rows), then `milvus_generation` in the catalogue's meta records the generation the
  collection reflects;
- on open, a collection behind the catalogue (a kill between a commit and its Milvus
  write, a missing collection, another Milvus URI) is brought level by chunk ids — ids
  are never reused, so the ids Milvus lacks are inserted (vectors from the stored
  embeddings: nothing is re-embedded) and the ids the catalogue lacks are deleted — if no
  other process is writing (that writer brings it level itself).
"""
from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from core.config import StoreConfig
from core.enums import VectorStore
from retrieval.kb.catalogue import BACKEND_KEY, Catalogue
from retrieval.kb.lock import WriteLock
from retrieval.kb.milvus import connection
from retrieval.kb.milvus.calls import SLOW_TIMEOUT, MilvusUnavailable, call, describe
from retrieval.kb.milvus.collection import MilvusCollection
from retrieval.kb.protocols import Commit, Ranked

log = logging.getLogger(__name__)

_BATCH = 1000
GENERATION_KEY = "milvus_generation"  # meta: the catalogue generation the collection reflects
COLLECTION_KEY = "milvus_collection"  # meta: the collection's name, made once
LITE_FILE = "milvus.db"  # the Milvus Lite file in the knowledge base's folder when no URI is set


class MilvusIndex:
    """The Milvus collection of one knowledge base, with the generation it reflects."""

    def __init__(self, catalogue: Catalogue, lock: WriteLock, uri: str, token: str, collection: str) -> None:
        self._catalogue, self._lock = catalogue, lock
        self.uri, self.token, self.collection = uri, token, collection
        self.where = describe(uri)
        self.client = connection.acquire(uri, token)
        self._ready = False  # the collection exists (and is loaded)
        self._index_type = "HNSW"  # of its dense field, read when it is made ready

    @property
    def backend(self) -> VectorStore:
        return VectorStore.MILVUS

    @property
    def location(self) -> str:
        return f"collection {self.collection} in {self.where}"

    def close(self) -> None:
        if self.client is not None:
            self.client = None
            connection.release(self.uri, self.token)

    # --- what the knowledge base asks of its vector index ---------------------------------
    def reset(self) -> None:
        self._catalogue.set_meta(GENERATION_KEY, "-1")  # repair: bring the collection level on next use

    def check_on_open(self) -> None:
        dim = self._catalogue.dim
        if dim is None:
            return
        if self._synced_generation() != self._catalogue.generation or not self._exists():
            with self._lock.held_if_free() as mine:
                if mine:
                    log.info("knowledge base '%s': its Milvus collection is behind the catalogue, "
                             "bringing it level", self._catalogue.name)
                    self.sync()
                else:
                    log.info("knowledge base '%s': its Milvus collection is behind the catalogue and "
                             "another writer holds the write lock: that writer brings it level",
                             self._catalogue.name)
        else:
            self._ensure(dim)

    def load(self, dim: int | None = None) -> None:
        with self._requests():
            self._current(dim)

    @contextmanager
    def _requests(self) -> Iterator[None]:
        """Requests to Milvus. When one fails, the server may be gone or restarted (a restarted
        server holds the collection unloaded): the next use looks the collection up and loads
        it again instead of trusting what was true before."""
        try:
            yield
        except MilvusUnavailable:
            self._ready = False
            raise

    def _current(self, dim: int | None = None) -> MilvusCollection | None:
        dim = self._catalogue.dim or dim
        if dim is None:
            return None
        self._ensure(dim)
        if self._synced_generation() == -1:
            self.sync()
        return self._collection()

    def _collection(self) -> MilvusCollection:
        return MilvusCollection(self.client, self.collection, self.uri, self._catalogue.next_chunk_id,
                                self._index_type)

    # Under the catalogue's mutex, as the knowledge base's dense search is: a commit holds it
    # from the catalogue's transaction to the end of its Milvus delete and insert, so another
    # thread's search never sees a replaced document half done (neither version, or ids the
    # catalogue no longer has).
    def lexical_search(self, tokens: Sequence[str], n: int) -> Ranked:
        """(chunk_id, BM25) best first, by Milvus full-text search over the lexical rows."""
        if not tokens:
            return []
        with self._catalogue.mutex, self._requests():
            collection = self._current()
            return collection.lexical_search(" ".join(tokens), n) if collection is not None else []

    def dense_search(self, query: np.ndarray, n: int) -> Ranked:
        with self._requests():
            collection = self._current()
            return collection.search(query, n) if collection is not None else []

    def ids(self) -> np.ndarray:
        with self._requests():
            collection = self._current()
            return collection.ids() if collection is not None else np.zeros(0, np.int64)

    def apply(self, commit: Commit) -> None:
        """Write one of our commits to Milvus."""
        if self._catalogue.dim is None:
            return
        with self._requests():
            if self._synced_generation() != commit.before:  # behind already (a failed write): level by ids
                self.sync()
                return
            collection = self._current()
            collection.delete(commit.removed)
            if len(commit.added) and commit.vectors is not None:
                collection.insert(commit.added, commit.vectors, self._catalogue.lexical_texts(commit.added))
            self._catalogue.set_meta(GENERATION_KEY, str(commit.after))

    def save(self) -> None:
        """End of a batch: every commit went to Milvus as it happened; flush them into sealed,
        indexed segments (Milvus Lite searches unflushed rows by brute force: 1,500 rows took
        14 ms a search unflushed, 3 ms flushed)."""
        if self._ready:
            with self._requests():
                self._flush()

    def bring_level(self) -> None:
        with self._requests():
            self.sync()

    def lexical_rows_rebuilt(self) -> None:
        """The collection made again from the catalogue's new rows (its BM25 index follows its rows)."""
        if self._catalogue.dim is not None:
            self.drop()
            self.sync()

    def _flush(self) -> None:
        call(self.uri, "flushing", self.client.flush, self.collection, timeout=SLOW_TIMEOUT)

    # --- bringing the collection level ----------------------------------------------------
    def sync(self) -> tuple[int, int]:
        """Make the collection hold exactly the catalogue's chunks. Returns (removed, added)."""
        generation = self._catalogue.generation
        collection = self._collection()
        dim = self._catalogue.dim
        if dim is None:
            return 0, 0
        self._ensure(dim)
        stored, held = self._catalogue.chunk_ids(), collection.ids()
        gone, new = np.setdiff1d(held, stored), np.setdiff1d(stored, held)
        collection.delete(gone)
        for start in range(0, len(new), _BATCH):
            batch = [int(i) for i in new[start:start + _BATCH]]
            vectors = self._catalogue.embeddings(batch)
            batch = [i for i in batch if i in vectors]
            if batch:
                collection.insert(batch, np.stack([vectors[i] for i in batch]), self._catalogue.lexical_texts(batch))
        self._catalogue.set_meta(GENERATION_KEY, str(generation))
        if len(new):
            self._flush()
        if len(gone) or len(new):
            log.info("Milvus collection of '%s' brought level with the catalogue: %d removed, %d added",
                     self._catalogue.name, len(gone), len(new))
        return len(gone), len(new)

    def drop(self) -> None:
        """Delete the collection (the knowledge base is being deleted or moved to FAISS)."""
        if self._exists():
            call(self.uri, "dropping a collection", self.client.drop_collection, self.collection)
        self._ready = False

    def _synced_generation(self) -> int:
        return int(self._catalogue.meta(GENERATION_KEY) or -2)

    def _exists(self) -> bool:
        return call(self.uri, "looking up the collection", self.client.has_collection, self.collection)

    def _ensure(self, dim: int) -> None:
        if self._ready:
            return
        if not self._exists() and self._create(dim):
            self._catalogue.set_meta(GENERATION_KEY, "-2")  # empty: whatever the catalogue holds is missing
        else:
            call(self.uri, "loading the collection", self.client.load_collection, self.collection,
                 timeout=SLOW_TIMEOUT)
            self._index_type = self._dense_index_type()
        self._ready = True

    def _create(self, dim: int) -> bool:
        """Make the collection; False when another process (on a server) made it first."""
        try:
            connection.create_collection(self.client, self.uri, self.collection, dim)
        except MilvusUnavailable:
            if not self._exists():
                raise
            log.info("the Milvus collection %s was made by another process at the same time", self.collection)
            return False
        return True

    def _dense_index_type(self) -> str:
        """The dense field's index type: HNSW as Yizhi makes it, or what a team rebuilt it as."""
        described = call(self.uri, "describing the index", self.client.describe_index, self.collection, "dense")
        return str((described or {}).get("index_type", "")).upper()


def open_milvus_index(catalogue: Catalogue, lock: WriteLock, config: StoreConfig) -> MilvusIndex:
    """The Milvus index of a knowledge base, recording in its catalogue that it uses Milvus
    and under which collection name (made on first open)."""
    with catalogue.mutex:
        if catalogue.meta(BACKEND_KEY) != VectorStore.MILVUS:
            catalogue.set_meta(BACKEND_KEY, VectorStore.MILVUS.value)
        collection = catalogue.meta(COLLECTION_KEY)
        if collection is None:
            collection = connection.new_collection_name(catalogue.name)
            catalogue.set_meta(COLLECTION_KEY, collection)
    uri = config.milvus_uri or str(catalogue.folder / LITE_FILE)
    return MilvusIndex(catalogue, lock, uri, config.milvus_token, collection)


def lite_file_in_use(folder: Path) -> Path | None:
    """The Milvus Lite file in a knowledge base's folder when a process has it open (so the
    folder must not move), else None."""
    lite = folder / LITE_FILE
    return lite if lite.exists() and connection.lite_in_use(str(lite)) else None
