"""Keeping a knowledge base's Milvus collection current with its SQLite catalogue.

The catalogue (kb.sqlite) is the truth: documents, chunks, their embeddings and lexical
rows. The collection mirrors chunk ids, vectors and lexical rows, as the FAISS file does
for the embedded backend (retrieval/store_dense.py), and this object stands where the
FAISS mirror stands in `KnowledgeBase`:

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
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Protocol

import numpy as np

from retrieval import milvus_conn
from retrieval.milvus_conn import TEXT_MAX, MilvusUnavailable

log = logging.getLogger(__name__)

_BATCH = 1000
_WINDOW = 16_384  # the most rows one Milvus query returns
GENERATION_KEY = "milvus_generation"


class MilvusBackedStore(Protocol):
    """What the mirror needs of its knowledge base (retrieval.milvus_store.MilvusKnowledgeBase)."""

    name: str

    @property
    def dim(self) -> int | None: ...

    @property
    def generation(self) -> int: ...

    def chunk_ids(self) -> np.ndarray: ...

    def id_limit(self) -> int: ...

    def embeddings(self, ids: Sequence[int]) -> dict[int, np.ndarray]: ...

    def lexical_texts(self, ids: Sequence[int]) -> dict[int, str]: ...

    def meta_value(self, key: str) -> str | None: ...

    def set_meta_value(self, key: str, value: str) -> None: ...

    def saving_lock(self) -> AbstractContextManager[bool]: ...


class MilvusIndex:
    """The collection seen as a dense index (what `KnowledgeBase` asks of one), plus BM25."""

    def __init__(self, client, collection: str, where: str, id_limit: Callable[[], int]) -> None:
        self.client, self.collection, self.where = client, collection, where
        self.id_limit = id_limit  # every id held is below it (ids come from the catalogue)

    def _call(self, what: str, fn, *args, **kwargs):
        from pymilvus.exceptions import MilvusException

        try:
            return fn(self.collection, *args, **kwargs)
        except MilvusException as exc:
            raise MilvusUnavailable(f"{what} failed on {self.where}: {exc}") from exc

    def search(self, query: np.ndarray, n: int) -> list[tuple[int, float]]:
        if n <= 0:
            return []
        hits = self._call("a vector search", self.client.search, data=[np.asarray(query, np.float32).tolist()],
                          anns_field="dense", limit=n, output_fields=["id"],
                          search_params={"metric_type": "IP", "params": {"ef": max(2 * n, 128)}})
        return [(int(h["id"]), float(h["distance"])) for h in hits[0]]

    def lexical_search(self, text: str, n: int) -> list[tuple[int, float]]:
        """BM25 over the lexical rows, best first (Milvus Lite reports the score negated)."""
        if not text.strip() or n <= 0:
            return []
        hits = self._call("a BM25 search", self.client.search, data=[text], anns_field="sparse", limit=n,
                          output_fields=["id"], search_params={"metric_type": "BM25"})
        return [(int(h["id"]), abs(float(h["distance"]))) for h in hits[0]]

    def ids(self) -> np.ndarray:
        """Every id held, read by windows of ids."""
        found = []
        for start in range(0, max(self.id_limit(), 0), _WINDOW):
            rows = self._call("listing ids", self.client.query, filter=f"id >= {start} and id < {start + _WINDOW}",
                              output_fields=["id"], limit=_WINDOW)
            if rows:
                found.append(np.fromiter((r["id"] for r in rows), dtype=np.int64, count=len(rows)))
        return np.concatenate(found) if found else np.zeros(0, np.int64)

    def __len__(self) -> int:
        rows = self._call("counting rows", self.client.query, filter="", output_fields=["count(*)"])
        return int(rows[0]["count(*)"])

    def insert(self, ids: Sequence[int], vectors: np.ndarray, texts: dict[int, str]) -> None:
        rows = [{"id": int(i), "dense": np.asarray(v, np.float32).tolist(), "text": _clip(texts.get(int(i), ""))}
                for i, v in zip(ids, vectors)]
        for start in range(0, len(rows), _BATCH):
            self._call("an insert", self.client.insert, data=rows[start:start + _BATCH])

    def delete(self, ids: Sequence[int]) -> None:
        ids = [int(i) for i in ids]
        for start in range(0, len(ids), _BATCH):
            self._call("a delete", self.client.delete, ids=ids[start:start + _BATCH])


def _clip(text: str) -> str:
    """At most TEXT_MAX bytes of UTF-8 (a VARCHAR's limit counts bytes), cut between characters."""
    data = text.encode("utf-8")
    return text if len(data) <= TEXT_MAX else data[:TEXT_MAX].decode("utf-8", errors="ignore")


class MilvusMirror:
    """The Milvus collection of one knowledge base, with the generation it reflects."""

    def __init__(self, kb: MilvusBackedStore, uri: str, token: str, collection: str) -> None:
        self.kb, self.uri, self.token, self.collection = kb, uri, token, collection
        self.where = milvus_conn.describe(uri)
        self.client = milvus_conn.acquire(uri, token)
        self._ready = False  # the collection exists (and is loaded)

    def close(self) -> None:
        if self.client is not None:
            self.client = None
            milvus_conn.release(self.uri, self.token)

    # --- what KnowledgeBase asks of its dense mirror -------------------------------------
    def reset(self) -> None:
        self.kb.set_meta_value(GENERATION_KEY, "-1")  # repair: bring the collection level on next use

    def check_on_open(self) -> None:
        if self.kb.dim is None:
            return
        if self._synced_generation() != self.kb.generation or not self._exists():
            with self.kb.saving_lock() as mine:
                if mine:
                    log.info("knowledge base '%s': its Milvus collection is behind the catalogue, "
                             "bringing it level", self.kb.name)
                    self.sync()
                else:
                    log.info("knowledge base '%s': its Milvus collection is behind the catalogue and "
                             "another writer holds the write lock: that writer brings it level", self.kb.name)
        else:
            self._ensure(self.kb.dim)

    def current(self, dim: int | None = None) -> MilvusIndex | None:
        dim = self.kb.dim or dim
        if dim is None:
            return None
        self._ensure(dim)
        if self._synced_generation() == -1:
            self.sync()
        return MilvusIndex(self.client, self.collection, self.where, self.kb.id_limit)

    def apply(self, removed: Sequence[int], ids: Sequence[int], vectors: np.ndarray | None,
              commit: tuple[int, int]) -> None:
        """Write one of our commits (generation `commit[0]` -> `commit[1]`) to Milvus."""
        if self.kb.dim is None:
            return
        if self._synced_generation() != commit[0]:  # behind already (a failed write): level by ids
            self.sync()
            return
        index = self.current()
        index.delete(removed)
        if len(ids) and vectors is not None:
            index.insert(ids, vectors, self.kb.lexical_texts(ids))
        self.kb.set_meta_value(GENERATION_KEY, str(commit[1]))

    def save(self) -> None:
        """End of a batch: every commit went to Milvus as it happened; flush them into sealed,
        indexed segments (Milvus Lite searches unflushed rows by brute force: 1,500 rows took
        14 ms a search unflushed, 3 ms flushed)."""
        if self._ready:
            self._call_flush()

    def _call_flush(self) -> None:
        from pymilvus.exceptions import MilvusException

        try:
            self.client.flush(self.collection)
        except MilvusException as exc:
            raise MilvusUnavailable(f"flushing failed on {self.where}: {exc}") from exc

    # --- bringing the collection level ----------------------------------------------------
    def sync(self) -> tuple[int, int]:
        """Make the collection hold exactly the catalogue's chunks. Returns (removed, added)."""
        generation = self.kb.generation
        index = MilvusIndex(self.client, self.collection, self.where, self.kb.id_limit)
        if self.kb.dim is None:
            return 0, 0
        self._ensure(self.kb.dim)
        stored, held = self.kb.chunk_ids(), index.ids()
        gone, new = np.setdiff1d(held, stored), np.setdiff1d(stored, held)
        index.delete(gone)
        for start in range(0, len(new), _BATCH):
            batch = [int(i) for i in new[start:start + _BATCH]]
            vectors = self.kb.embeddings(batch)
            batch = [i for i in batch if i in vectors]
            if batch:
                index.insert(batch, np.stack([vectors[i] for i in batch]), self.kb.lexical_texts(batch))
        self.kb.set_meta_value(GENERATION_KEY, str(generation))
        if len(new):
            self._call_flush()
        if len(gone) or len(new):
            log.info("Milvus collection of '%s' brought level with the catalogue: %d removed, %d added",
                     self.kb.name, len(gone), len(new))
        return len(gone), len(new)

    def drop(self) -> None:
        """Delete the collection (the knowledge base is being deleted or moved to FAISS)."""
        if self.client.has_collection(self.collection):
            self.client.drop_collection(self.collection)
        self._ready = False

    def _synced_generation(self) -> int:
        return int(self.kb.meta_value(GENERATION_KEY) or -2)

    def _exists(self) -> bool:
        from pymilvus.exceptions import MilvusException

        try:
            return self.client.has_collection(self.collection)
        except MilvusException as exc:
            raise MilvusUnavailable(f"cannot reach {self.where}: {exc}") from exc

    def _ensure(self, dim: int) -> None:
        if self._ready:
            return
        if not self._exists():
            milvus_conn.create_collection(self.client, self.collection, dim)
            self.kb.set_meta_value(GENERATION_KEY, "-2")  # empty: whatever the catalogue holds is missing
        else:
            self.client.load_collection(self.collection)
        self._ready = True
