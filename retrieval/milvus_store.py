"""A knowledge base whose vectors and BM25 live in Milvus (Milvus Lite or a server).

The SQLite catalogue of `KnowledgeBase` stays as it is: documents, content hashes and
statuses (so incremental re-ingest still skips unchanged files), chunks with their text,
metadata and embeddings, the vocabulary and the lexical rows. Milvus holds, per chunk,
the vector and the lexical row, which its `jieba` analyzer and BM25 function index
(retrieval/milvus_conn.py); dense and BM25 search run there. Fusion, relevance, evidence
and refusal are Yizhi's own and unchanged (retrieval/search.py).

Every commit goes to the catalogue first, then to Milvus; a crash in between is
reconciled on the next open (retrieval/milvus_mirror.py), as the FAISS file is. Because
the catalogue keeps the embeddings, the collection can always be rebuilt from it, and a
knowledge base moves between the backends without re-embedding (`backend.migrate`).

A chunk's row goes to Milvus as the catalogue made it when the chunk was stored; when a
later document's heading term is given to the catalogue rows of earlier documents
(retrieval/store_lexical.py `apply_pending`), their Milvus rows keep the tokens they had
until the rows are made again (`rebuild_lexical`, `python -m ingest --relex`).

Where the collection lives: `StoreConfig.milvus_uri` — a server (http(s)://host:19530),
a Milvus Lite file shared by the knowledge bases of this data folder, or, when empty, a
Milvus Lite file `milvus.db` in the knowledge base's own folder. The collection's name is
made once and recorded in the catalogue, so knowledge bases of equal names in different
data folders never meet on one server.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from core.config import StoreConfig
from retrieval import milvus_conn
from retrieval.milvus_mirror import MilvusIndex, MilvusMirror
from retrieval.store import KnowledgeBase

log = logging.getLogger(__name__)

BACKEND_KEY = "vector_store"
COLLECTION_KEY = "milvus_collection"


class MilvusKnowledgeBase(KnowledgeBase):
    """A knowledge base with the SQLite catalogue and a Milvus collection."""

    BACKEND = "milvus"
    LITE_NAME = "milvus.db"

    def __init__(self, kb_root: Path, name: str, *, create: bool = False, config: StoreConfig | None = None) -> None:
        self._mirror = None
        try:
            super().__init__(kb_root, name, create=create, config=config or StoreConfig(vector_store="milvus"))
        except BaseException:  # a Milvus that cannot be reached: leave nothing open
            if self._mirror is not None:
                self._mirror.close()
            if getattr(self, "_db", None) is not None:
                self._db.close()
            raise

    def _make_mirror(self) -> MilvusMirror:
        """Called by `KnowledgeBase.__init__` once the catalogue is open."""
        with self._mutex:
            if self._meta(BACKEND_KEY) != self.BACKEND:
                self.set_meta_value(BACKEND_KEY, self.BACKEND)
            collection = self._meta(COLLECTION_KEY)
            if collection is None:
                collection = milvus_conn.new_collection_name(self.name)
                self.set_meta_value(COLLECTION_KEY, collection)
        uri = self.store_config.milvus_uri or str(self.path / self.LITE_NAME)
        return MilvusMirror(self, uri, self.store_config.milvus_token, collection)

    # --- what the mirror reads from the catalogue ------------------------------------------
    def meta_value(self, key: str) -> str | None:
        return self._meta(key)

    def set_meta_value(self, key: str, value: str) -> None:
        with self._mutex:
            self._set_meta(key, value)

    def id_limit(self) -> int:
        """Every chunk id ever given is below this (ids are never reused)."""
        with self._mutex:
            return self._next_chunk_id()

    def lexical_texts(self, ids: Sequence[int]) -> dict[int, str]:
        """The lexical rows (space-joined tokens) of these chunks, as Milvus indexes them."""
        out: dict[int, str] = {}
        ids = [int(i) for i in ids]
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            marks = ",".join("?" * len(part))
            out.update(self._rows(f"SELECT rowid, tokens FROM chunks_fts WHERE rowid IN ({marks})", part))
        return out

    # --- search ------------------------------------------------------------------------------
    # Under the mutex, as `KnowledgeBase.dense_search` is: a commit holds it from the
    # catalogue's transaction to the end of its Milvus delete and insert, so another thread's
    # search never sees a replaced document half done (neither version, or ids the catalogue
    # no longer has).
    def lexical_search(self, tokens: Sequence[str], n: int) -> list[tuple[int, float]]:
        """(chunk_id, BM25) best first, by Milvus full-text search over the lexical rows."""
        if not tokens:
            return []
        with self._mutex:
            index = self._dense_index()
            return index.lexical_search(" ".join(tokens), n) if isinstance(index, MilvusIndex) else []

    def dense_search(self, query, n: int) -> list[tuple[int, float]]:
        with self._mutex:
            index = self._dense_index()
            return index.search(query, n) if index is not None else []

    # --- upkeep ------------------------------------------------------------------------------
    def rebuild_lexical(self, user=None) -> int:
        """The catalogue's rows made again (`KnowledgeBase.rebuild_lexical`), then the
        collection made again from them (its BM25 index follows its rows)."""
        count = super().rebuild_lexical(user)
        if self._mirror is not None and self.dim is not None:
            with self._mutex:
                self._mirror.drop()
                self._mirror.sync()
        return count

    def bring_level(self) -> tuple[int, int]:
        """Make the collection hold exactly the catalogue's chunks (call under the write
        lock). Returns (removed, added)."""
        with self._mutex:
            return self._mirror.sync()

    def drop_collection(self) -> None:
        """Delete the Milvus collection (before deleting the knowledge base, or moving it to FAISS)."""
        with self._mutex:
            self._mirror.drop()

    @property
    def milvus_location(self) -> str:
        return f"collection {self._mirror.collection} in {self._mirror.where}"

    def close(self) -> None:
        with self._mutex:
            if self._mirror is not None:
                self._mirror.close()
        super().close()
