"""One knowledge base's Milvus collection, as the Milvus index reads and writes it.

The collection's layout (retrieval/kb/milvus/connection.py): `id` (the chunk id), `text`
(the chunk's lexical row, analysed by Milvus's `jieba` tokenizer into the BM25 field
`sparse`) and `dense` (the vector, HNSW over inner product). Every request that fails
raises `MilvusUnavailable`, saying which request and where.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from retrieval.kb.milvus.connection import TEXT_MAX, MilvusUnavailable

if TYPE_CHECKING:  # pymilvus loads only when a Milvus knowledge base is opened
    from pymilvus import MilvusClient

T = TypeVar("T")
_BATCH = 1000
_WINDOW = 16_384  # the most rows one Milvus query returns


class MilvusCollection:
    """One knowledge base's collection: its rows, searched by vector and by BM25."""

    def __init__(self, client: MilvusClient, collection: str, where: str, id_limit: Callable[[], int]) -> None:
        self.client, self.collection, self.where = client, collection, where
        self.id_limit = id_limit  # every id held is below it (ids come from the catalogue)

    def _call(self, what: str, fn: Callable[..., T], *args: object, **kwargs: object) -> T:
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
