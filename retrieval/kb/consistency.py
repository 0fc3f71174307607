"""Whether a knowledge base agrees with itself, and putting it right.

The chunks table is the truth. The lexical index (FTS5 rows, keyed by chunk id) and the
vector index (FAISS or Milvus ids) must hold exactly its ids; every chunk must belong to a
document and every document's chunk count must be right. Transactions keep all of this
true; `check` proves it (the crash tests use it), `repair_database` restores it.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True, slots=True)
class Report:
    chunks: int
    lexical_rows: int
    dense_vectors: int
    missing_lexical: list[int] = field(default_factory=list)
    orphan_lexical: list[int] = field(default_factory=list)
    missing_dense: list[int] = field(default_factory=list)
    orphan_dense: list[int] = field(default_factory=list)
    orphan_chunks: list[int] = field(default_factory=list)  # chunks of no document
    wrong_counts: list[str] = field(default_factory=list)  # documents whose chunk count is wrong

    @property
    def ok(self) -> bool:
        return not (self.missing_lexical or self.orphan_lexical or self.missing_dense or self.orphan_dense
                    or self.orphan_chunks or self.wrong_counts)

    def summary(self) -> str:
        if self.ok:
            return f"consistent: {self.chunks} chunks, lexical and dense indexes agree"
        parts = [f"{name.replace('_', ' ')}: {len(value)}" for name, value in (
            ("missing_lexical", self.missing_lexical), ("orphan_lexical", self.orphan_lexical),
            ("missing_dense", self.missing_dense), ("orphan_dense", self.orphan_dense),
            ("orphan_chunks", self.orphan_chunks), ("wrong_counts", self.wrong_counts)) if value]
        return f"inconsistent ({self.chunks} chunks): " + ", ".join(parts)


def _ids(db: sqlite3.Connection, sql: str) -> np.ndarray:
    return np.fromiter((r[0] for r in db.execute(sql)), dtype=np.int64)


def check(db: sqlite3.Connection, dense_ids: np.ndarray) -> Report:
    """Compare chunks, FTS rows and the vector index's ids. Call it in one read snapshot
    of the catalogue (`Catalogue.snapshot()`), so that every query below sees the same rows."""
    chunks = _ids(db, "SELECT chunk_id FROM chunks")
    lexical = _ids(db, "SELECT rowid FROM chunks_fts")
    orphans = _ids(db, "SELECT chunk_id FROM chunks WHERE doc_id NOT IN (SELECT doc_id FROM documents)")
    wrong = [r[0] for r in db.execute(
        "SELECT d.path FROM documents d LEFT JOIN chunks c USING(doc_id)"
        " GROUP BY d.doc_id HAVING COUNT(c.chunk_id) != d.chunks")]
    dense_ids = np.asarray(dense_ids, dtype=np.int64)

    def diff(a: np.ndarray, b: np.ndarray) -> list[int]:
        return [int(i) for i in np.setdiff1d(a, b)]

    return Report(
        chunks=len(chunks), lexical_rows=len(lexical), dense_vectors=len(dense_ids),
        missing_lexical=diff(chunks, lexical), orphan_lexical=diff(lexical, chunks),
        missing_dense=diff(chunks, dense_ids), orphan_dense=diff(dense_ids, chunks),
        orphan_chunks=[int(i) for i in orphans], wrong_counts=wrong,
    )


def repair_database(db: sqlite3.Connection, tokenize: Callable[[str], list[str]]) -> None:
    """Inside a transaction: drop orphan chunks and FTS rows, index chunks the FTS lacks,
    and set every document's chunk count. (The vector index is brought level by the caller.)"""
    orphans = [(int(i),) for i in _ids(db, "SELECT chunk_id FROM chunks WHERE doc_id NOT IN (SELECT doc_id FROM documents)")]
    db.executemany("DELETE FROM chunks WHERE chunk_id = ?", orphans)
    chunks = _ids(db, "SELECT chunk_id FROM chunks")
    lexical = _ids(db, "SELECT rowid FROM chunks_fts")
    db.executemany("DELETE FROM chunks_fts WHERE rowid = ?", [(int(i),) for i in np.setdiff1d(lexical, chunks)])
    for chunk_id in np.setdiff1d(chunks, lexical):
        text = db.execute("SELECT retrieval_text FROM chunks WHERE chunk_id = ?", (int(chunk_id),)).fetchone()[0]
        db.execute("INSERT INTO chunks_fts(rowid, tokens) VALUES (?, ?)", (int(chunk_id), " ".join(tokenize(text))))
    db.execute("UPDATE documents SET chunks = (SELECT COUNT(*) FROM chunks c WHERE c.doc_id = documents.doc_id)")
