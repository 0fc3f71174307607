"""One knowledge base's Milvus collection, as the Milvus index reads and writes it.

The collection's layout (retrieval/kb/milvus/connection.py): `id` (the chunk id), `text`
(the chunk's lexical row, analysed by Milvus's `jieba` tokenizer into the BM25 field
`sparse`) and `dense` (the vector, HNSW over inner product). Every request that fails
raises `MilvusUnavailable`, saying which request and where (retrieval/kb/milvus/calls.py).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from retrieval.kb.milvus.calls import SLOW_TIMEOUT, call
from retrieval.kb.milvus.connection import TEXT_MAX

if TYPE_CHECKING:  # pymilvus loads only when a Milvus knowledge base is opened
    from pymilvus import MilvusClient

T = TypeVar("T")
_BATCH = 1000
_WINDOW = 16_384  # the most rows one Milvus query returns
_EF_MIN, _EF_MAX = 64, 32_768  # Milvus accepts ef in [limit, 32768]
_EF_ROWS = 100_000  # up to this many rows, ef = 2n (see hnsw_ef)
# A write may carry a flush: Milvus Lite (file or `milvus-lite server`) writes its 128 MB
# memtable to a segment inside the insert or delete that fills it, which took over 30 s on a
# busy 2-core machine building a million chunks; searches keep the 30 s limit.


def hnsw_ef(n: int, rows: int = 0) -> int:
    """HNSW's search breadth `ef` (candidates kept while walking the graph) for the best `n`
    of a collection of about `rows` rows.

    Milvus refuses ef < n, and at ef = n the last places of the list are the least certain:
    the walk ends once its n best stop improving, so a near neighbour reached late is lost
    from the tail. Twice n gives the tail the same margin the head has. The floor of 64 is
    Milvus Lite's own default ef: for a small n (a direct call with k = 5) a narrower walk
    would save microseconds and lose recall.

    Beyond 100,000 rows ef grows by that much again for each tenfold growth (max(2n, 64) ·
    (1 + log10(rows / 100,000))): a walk through a bigger graph takes more hops, and a Milvus server
    keeps segments of up to about a gigabyte (half a million 512-dimensional vectors) in one
    graph. Measured (docs/SCALE.md, Milvus Lite, 50 candidates, recall@10 against exact search):
    at a million chunks ef 64 / 100 / 200 / 400 gave 0.961 / 0.983 / 0.995 / 1.000, at the same
    latency (Milvus Lite's search time is its per-row bookkeeping, not the graph walk), so the
    default 50 candidates get ef 200 there and 100 up to 100,000 rows.
    """
    ef = max(2 * n, _EF_MIN)
    if rows > _EF_ROWS:
        ef = math.ceil(ef * (1 + math.log10(rows / _EF_ROWS)))
    return min(ef, _EF_MAX)


class MilvusCollection:
    """One knowledge base's collection: its rows, searched by vector and by BM25."""

    def __init__(self, client: MilvusClient, collection: str, uri: str, id_limit: Callable[[], int],
                 index_type: str = "HNSW") -> None:
        self.client, self.collection, self.uri = client, collection, uri
        self.id_limit = id_limit  # every id held is below it (ids come from the catalogue)
        self.index_type = index_type  # of the `dense` field: HNSW as Yizhi makes it, or what a team built

    def _call(self, what: str, fn: Callable[..., T], *args: object, **kwargs: object) -> T:
        return call(self.uri, what, fn, self.collection, *args, **kwargs)

    def search(self, query: np.ndarray, n: int) -> list[tuple[int, float]]:
        if n <= 0:
            return []
        # the id limit bounds the rows from above (ids are never reused), and costs one indexed MAX
        params = {"ef": hnsw_ef(n, self.id_limit())} if self.index_type == "HNSW" else {}
        hits = self._call("a vector search", self.client.search, data=[np.asarray(query, np.float32).tolist()],
                          anns_field="dense", limit=n, output_fields=["id"],
                          search_params={"metric_type": "IP", "params": params})
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
            self._call("an insert", self.client.insert, data=rows[start:start + _BATCH], timeout=SLOW_TIMEOUT)

    def delete(self, ids: Sequence[int]) -> None:
        ids = [int(i) for i in ids]
        for start in range(0, len(ids), _BATCH):
            self._call("a delete", self.client.delete, ids=ids[start:start + _BATCH], timeout=SLOW_TIMEOUT)


def _clip(text: str) -> str:
    """At most TEXT_MAX bytes of UTF-8 (a VARCHAR's limit counts bytes), cut between characters."""
    data = text.encode("utf-8")
    return text if len(data) <= TEXT_MAX else data[:TEXT_MAX].decode("utf-8", errors="ignore")
