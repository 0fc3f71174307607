"""Reading a knowledge base: its documents, chunks, embeddings, and both searches.

A mixin of `retrieval.store.KnowledgeBase` (kept apart so each file stays readable); it
uses the store's database handle (`_db`, `_mutex`), its FTS pruning (`_common_tokens`,
retrieval/fts_prune.py), its `generation` and its dense index (`_dense_index()`).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.enums import DocStatus
from core.types import Chunk, DocumentRecord
from retrieval.children import unpack
from retrieval.lexical import fts_match_expression


class StoreReads:
    def _rows(self, sql: str, params: Sequence = ()) -> list[tuple]:
        with self._mutex:
            return self._db.execute(sql, params).fetchall()

    _DOCUMENT_COLUMNS = "doc_id, path, content_hash, status, error, pages, chunks, ocr_pages, updated_at"

    @staticmethod
    def _record(row: tuple) -> DocumentRecord:
        return DocumentRecord(row[0], row[1], row[2], DocStatus(row[3]), *row[4:])

    def document(self, path: str) -> DocumentRecord | None:
        rows = self._rows(f"SELECT {self._DOCUMENT_COLUMNS} FROM documents WHERE path = ?", (path,))
        return self._record(rows[0]) if rows else None

    def documents(self) -> list[DocumentRecord]:
        rows = self._rows(f"SELECT {self._DOCUMENT_COLUMNS} FROM documents ORDER BY path")
        return [self._record(r) for r in rows]

    def chunk_ids(self) -> np.ndarray:
        return np.fromiter((r[0] for r in self._rows("SELECT chunk_id FROM chunks")), dtype=np.int64)

    def chunk_count(self) -> int:
        return self._rows("SELECT COUNT(*) FROM chunks")[0][0]

    def chunks(self, ids: Sequence[int]) -> dict[int, Chunk]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self._rows(
            "SELECT c.chunk_id, c.text, d.path, c.retrieval_text, c.position, c.page, c.heading, c.ocr"
            f" FROM chunks c JOIN documents d USING(doc_id) WHERE c.chunk_id IN ({marks})", list(ids))
        return {
            r[0]: Chunk(text=r[1], source=r[2], retrieval_text=r[3], position=r[4], page=r[5],
                        heading=r[6], ocr=bool(r[7]), chunk_id=r[0])
            for r in rows
        }

    def embeddings(self, ids: Sequence[int]) -> dict[int, np.ndarray]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self._rows(f"SELECT chunk_id, embedding FROM chunks WHERE chunk_id IN ({marks})", list(ids))
        return {r[0]: np.frombuffer(r[1], dtype=np.float32) for r in rows}

    def child_embeddings(self, ids: Sequence[int]) -> dict[int, np.ndarray]:
        """Each chunk's child pieces' vectors, (n, dim), for the chunks that have them."""
        if not ids or self.dim is None:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self._rows(f"SELECT chunk_id, child_embeddings FROM chunks WHERE chunk_id IN ({marks})"
                          " AND child_embeddings IS NOT NULL", list(ids))
        return {r[0]: unpack(r[1], self.dim) for r in rows}

    def lexical_search(self, tokens: Sequence[str], n: int) -> list[tuple[int, float]]:
        """(chunk_id, bm25) best first; bm25 here is FTS5's, negated so higher is better."""
        if not tokens:
            return []
        tokens = self._common_tokens.kept(tokens, self._rows, self.generation)  # large KBs: retrieval/fts_prune.py
        rows = self._rows(
            "SELECT rowid, bm25(chunks_fts) AS s FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY s LIMIT ?",
            (fts_match_expression(list(tokens)), n),
        )
        return [(r[0], -r[1]) for r in rows]

    def dense_search(self, query: np.ndarray, n: int) -> list[tuple[int, float]]:
        with self._mutex:
            dense = self._dense_index()
            return dense.search(query, n) if dense is not None else []
