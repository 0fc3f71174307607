"""The catalogue of a knowledge base: `kb.sqlite`, the truth its vector index mirrors.

It holds the documents (path, content hash, status, error), their chunks with text and
metadata, each chunk's embedding (so the vector index can always be rebuilt without
re-embedding), the vocabulary and the FTS5 lexical rows. A document's chunks, embeddings
and lexical rows change in one transaction, so the database never disagrees with itself,
and every transaction that changes chunks bumps a generation number, which the vector
index records as the one it reflects (retrieval/kb/faiss/index.py, retrieval/kb/milvus/index.py).
Chunk ids are never reused, so an index that fell behind is brought level by ids alone.

SQLite runs in WAL mode: readers in other processes see committed data only, and writers
are kept apart by the knowledge base's write lock (retrieval/kb/lock.py). One process's
threads share one connection under `mutex`, which the knowledge base also holds from a
transaction to the end of its index write, so no thread sees a commit half mirrored.
"""
from __future__ import annotations

import logging
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.enums import DocStatus
from core.errors import DiskFull, KnowledgeBaseNotFound, is_disk_full
from core.text import to_simplified
from core.types import Chunk, DocumentRecord
from retrieval.embedders import EMBED_TEXT_VERSION, check_same_embedder
from retrieval.kb import child_vectors, lexical_table
from retrieval.kb.lock import connect
from retrieval.kb.protocols import Commit
from retrieval.kb.schema import SCHEMA, upgrade_schema, validate_kb_name
from retrieval.lexical import Vocabulary

log = logging.getLogger(__name__)

CATALOGUE_FILE = "kb.sqlite"
BACKEND_KEY = "vector_store"  # meta: the backend the knowledge base uses (none recorded: FAISS)

_DOCUMENT_COLUMNS = "doc_id, path, content_hash, status, error, pages, chunks, ocr_pages, updated_at"


@dataclass(frozen=True, slots=True)
class DocumentRows:
    """One document as the catalogue stores it: its chunks, their vectors (float32, one row
    each), their FTS rows, and their child pieces' vectors as stored (`child_vectors.pack`)."""

    path: str
    content_hash: str
    chunks: Sequence[Chunk]
    vectors: np.ndarray
    tokens: Sequence[str]
    children: Sequence[bytes | None]
    model_name: str
    pages: int = 0
    ocr_pages: int = 0


def catalogue_exists(folder: Path) -> bool:
    return (folder / CATALOGUE_FILE).exists()


class Catalogue:
    """The SQLite database of the knowledge base in `folder`, opened (created if `create`)."""

    def __init__(self, folder: Path, name: str, *, create: bool = False) -> None:
        self.name = validate_kb_name(name)
        self.folder = folder
        made = not folder.exists()
        if not catalogue_exists(folder):
            if not create:
                raise KnowledgeBaseNotFound(name)
            folder.mkdir(parents=True, exist_ok=True)
        # check_same_thread=False: Streamlit serves sessions from several threads; they
        # share this object under `mutex`, and other processes are kept out by the
        # write lock (writers) and WAL (readers see committed data only).
        try:
            self._db = connect(folder / CATALOGUE_FILE, SCHEMA, self.name)
            upgrade_schema(self._db)
        except (OSError, sqlite3.Error) as exc:
            if not is_disk_full(exc):
                raise
            if made:  # a knowledge base begun on a full disk is not left half made
                shutil.rmtree(folder, ignore_errors=True)
            raise DiskFull(f"the disk is full: knowledge base '{name}' could not be created") from exc
        self.mutex = threading.RLock()

    def close(self) -> None:
        with self.mutex:
            self._db.close()

    # --- meta ------------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        with self.mutex:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        """Inside a transaction, part of it; outside, committed at once."""
        with self.mutex:
            self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    @property
    def embed_model(self) -> str | None:
        return self.meta("embed_model")

    @property
    def dim(self) -> int | None:
        value = self.meta("dim")
        return int(value) if value else None

    @property
    def generation(self) -> int:
        return int(self.meta("generation") or 0)

    def check_embedder(self, model_name: str) -> None:
        """Refuse to mix vectors from two models, or two backends of one, in one knowledge base."""
        check_same_embedder(self.name, self.embed_model, model_name)

    def next_chunk_id(self) -> int:
        """Chunk ids are never reused, so a reader can sync its index by ids alone: every id
        ever given is below this one."""
        with self.mutex:
            stored = int(self.meta("next_chunk_id") or 0)
            highest = self._db.execute("SELECT COALESCE(MAX(chunk_id), 0) FROM chunks").fetchone()[0]
        return max(stored, highest + 1)

    # --- transactions ----------------------------------------------------------------------
    @contextmanager
    def transaction(self, *, dense: bool = True) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT, bumping the generation the vector index is checked against
        (`dense=False`: a change that leaves chunks and embeddings alone, which bumps nothing).
        The row-level modules (lexical_table, consistency) work on the connection it yields."""
        with self.mutex:
            try:
                # Earlier commits into the database file first: if this transaction fills the disk,
                # the log then holds nothing but its pages, and `shrink_journal` needs no room.
                self._db.execute("PRAGMA wal_checkpoint(PASSIVE)")
                self._db.execute("BEGIN IMMEDIATE")
                before = self.generation
                yield self._db
                if dense:
                    self.set_meta("generation", str(before + 1))
                self._db.execute("COMMIT")
            except BaseException as exc:
                if self._db.in_transaction:  # SQLite rolls back by itself after some errors (a full disk)
                    self._db.execute("ROLLBACK")
                if is_disk_full(exc):
                    self.shrink_journal()
                    raise DiskFull(f"the disk is full: knowledge base '{self.name}' was left as it was") from exc
                raise

    def shrink_journal(self) -> None:
        """Empty the write-ahead log after a failed write: the rolled-back transaction's pages
        would otherwise keep the disk full (SQLite reuses the file, it does not shrink it)."""
        try:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error:
            log.warning("the write-ahead log of '%s' could not be emptied", self.name, exc_info=True)

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """One read snapshot for several queries (inside a transaction: that one)."""
        with self.mutex:
            started = self._db.in_transaction
            if not started:
                self._db.execute("BEGIN")
            try:
                yield self._db
            finally:
                if not started:
                    self._db.execute("COMMIT")

    # --- writes ----------------------------------------------------------------------------
    def replace_document(self, rows: DocumentRows, terms: Iterable[str], known: Vocabulary) -> Commit:
        """Store a document's rows, replacing whatever its path had, and its heading `terms`
        that the vocabulary `known` lacks (pending: lexical_table.record_terms)."""
        match = [lexical_table.match_text(c.retrieval_text) for c in rows.chunks]
        vectors = rows.vectors
        with self.mutex:
            with self.transaction() as db:
                before = self.generation
                if self.embed_model is None and len(vectors):
                    self.set_meta("embed_model", rows.model_name)
                    self.set_meta("dim", str(vectors.shape[1]))
                    self.set_meta("embed_text_version", str(EMBED_TEXT_VERSION))
                old_ids = self._delete_chunks_of(rows.path)
                db.execute(
                    "INSERT INTO documents(path, content_hash, status, error, pages, chunks, ocr_pages, updated_at)"
                    " VALUES (?, ?, 'ok', '', ?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET"
                    " content_hash=excluded.content_hash, status='ok', error='', pages=excluded.pages,"
                    " chunks=excluded.chunks, ocr_pages=excluded.ocr_pages, updated_at=excluded.updated_at",
                    (rows.path, rows.content_hash, rows.pages, len(rows.chunks), rows.ocr_pages, time.time()),
                )
                doc_id = db.execute("SELECT doc_id FROM documents WHERE path = ?", (rows.path,)).fetchone()[0]
                first = self.next_chunk_id()
                new_ids = list(range(first, first + len(rows.chunks)))
                db.executemany(
                    "INSERT INTO chunks(chunk_id, doc_id, position, page, heading, ocr, text, retrieval_text, embedding,"
                    " match_text, child_embeddings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(cid, doc_id, c.position, c.page, c.heading, int(c.ocr), c.text, c.retrieval_text, v.tobytes(),
                      m, k) for cid, c, v, m, k in zip(new_ids, rows.chunks, vectors, match, rows.children)],
                )
                db.executemany("INSERT INTO chunks_fts(rowid, tokens) VALUES (?, ?)", list(zip(new_ids, rows.tokens)))
                lexical_table.record_terms(db, terms, known)
                self.set_meta("next_chunk_id", str(first + len(rows.chunks)))
        return Commit(before, before + 1, old_ids, new_ids, vectors)

    def mark_failed(self, path: str, content_hash: str, error: str) -> Commit:
        """Record a file that could not be indexed (its old chunks, if any, are removed)."""
        with self.mutex:
            with self.transaction() as db:
                before = self.generation
                old_ids = self._delete_chunks_of(path)
                db.execute(
                    "INSERT INTO documents(path, content_hash, status, error, updated_at) VALUES (?, ?, 'failed', ?, ?)"
                    " ON CONFLICT(path) DO UPDATE SET content_hash=excluded.content_hash, status='failed',"
                    " error=excluded.error, pages=0, chunks=0, ocr_pages=0, updated_at=excluded.updated_at",
                    (path, content_hash, error, time.time()),
                )
        return Commit(before, before + 1, old_ids)

    def remove_document(self, path: str) -> tuple[Commit, bool]:
        """Delete a document and its chunks; whether there was one."""
        with self.mutex:
            with self.transaction() as db:
                before = self.generation
                old_ids = self._delete_chunks_of(path)
                removed = db.execute("DELETE FROM documents WHERE path = ?", (path,)).rowcount > 0
        return Commit(before, before + 1, old_ids), removed

    def move_document(self, path: str, new_path: str) -> bool:
        """Record a document under another path (its file was renamed or moved): chunks,
        vectors and lexical rows stay as they are, so the vector index has nothing to mirror.
        False when there is no document at `path` or there is one at `new_path` already."""
        with self.mutex:
            with self.transaction(dense=False) as db:
                if db.execute("SELECT 1 FROM documents WHERE path = ?", (new_path,)).fetchone() is not None:
                    return False
                return db.execute("UPDATE documents SET path = ?, updated_at = ? WHERE path = ?",
                                  (new_path, time.time(), path)).rowcount > 0

    def _delete_chunks_of(self, path: str) -> list[int]:
        ids = [r[0] for r in self._db.execute(
            "SELECT c.chunk_id FROM chunks c JOIN documents d USING(doc_id) WHERE d.path = ?", (path,))]
        if ids:
            self._db.executemany("DELETE FROM chunks_fts WHERE rowid = ?", [(i,) for i in ids])
            self._db.executemany("DELETE FROM chunks WHERE chunk_id = ?", [(i,) for i in ids])
        return ids

    # --- reads -----------------------------------------------------------------------------
    def rows(self, sql: str, params: Sequence = ()) -> list[tuple]:
        with self.mutex:
            return self._db.execute(sql, params).fetchall()

    @staticmethod
    def _record(row: tuple) -> DocumentRecord:
        return DocumentRecord(row[0], row[1], row[2], DocStatus(row[3]), *row[4:])

    def document(self, path: str) -> DocumentRecord | None:
        rows = self.rows(f"SELECT {_DOCUMENT_COLUMNS} FROM documents WHERE path = ?", (path,))
        return self._record(rows[0]) if rows else None

    def documents(self) -> list[DocumentRecord]:
        return [self._record(r) for r in self.rows(f"SELECT {_DOCUMENT_COLUMNS} FROM documents ORDER BY path")]

    def chunk_ids(self) -> np.ndarray:
        return np.fromiter((r[0] for r in self.rows("SELECT chunk_id FROM chunks")), dtype=np.int64)

    def chunk_count(self) -> int:
        return self.rows("SELECT COUNT(*) FROM chunks")[0][0]

    def chunks(self, ids: Sequence[int]) -> dict[int, Chunk]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.rows(
            "SELECT c.chunk_id, c.text, d.path, c.retrieval_text, c.position, c.page, c.heading, c.ocr"
            f" FROM chunks c JOIN documents d USING(doc_id) WHERE c.chunk_id IN ({marks})", list(ids))
        return {
            r[0]: Chunk(text=r[1], source=r[2], retrieval_text=r[3], position=r[4], page=r[5],
                        heading=r[6], ocr=bool(r[7]), chunk_id=r[0])
            for r in rows
        }

    def document_text(self, path: str) -> str:
        """A document's chunks in matching form (core.text.fold, headings included), in order."""
        rows = self.rows("SELECT c.match_text FROM chunks c JOIN documents d USING(doc_id) WHERE d.path = ?"
                         " ORDER BY c.position", (path,))
        return "\n".join(r[0] or "" for r in rows)

    def embeddings(self, ids: Sequence[int]) -> dict[int, np.ndarray]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.rows(f"SELECT chunk_id, embedding FROM chunks WHERE chunk_id IN ({marks})", list(ids))
        return {r[0]: np.frombuffer(r[1], dtype=np.float32) for r in rows}

    def child_embeddings(self, ids: Sequence[int]) -> dict[int, np.ndarray]:
        """Each chunk's child pieces' vectors, (n, dim), for the chunks that have them."""
        dim = self.dim
        if not ids or dim is None:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.rows(f"SELECT chunk_id, child_embeddings FROM chunks WHERE chunk_id IN ({marks})"
                         " AND child_embeddings IS NOT NULL", list(ids))
        return {r[0]: child_vectors.unpack(r[1], dim) for r in rows}

    def lexical_texts(self, ids: Sequence[int]) -> dict[int, str]:
        """The lexical rows (space-joined tokens) of these chunks, as Milvus indexes them."""
        out: dict[int, str] = {}
        ids = [int(i) for i in ids]
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            marks = ",".join("?" * len(part))
            out.update(self.rows(f"SELECT rowid, tokens FROM chunks_fts WHERE rowid IN ({marks})", part))
        return out

    def warn_if_embedded_as_written(self) -> None:
        """Say so when Traditional text was embedded as written (before EMBED_TEXT_VERSION 2)."""
        if self.meta("embed_text_version") is not None or self.embed_model is None:
            return
        sample = [r[0] for r in self.rows("SELECT text FROM chunks ORDER BY chunk_id LIMIT 200")]
        changed = sum(1 for text in sample if to_simplified(text) != text)
        if changed > len(sample) // 10:
            log.warning("knowledge base '%s' holds Traditional Chinese that was embedded as written, "
                        "while questions are now embedded in Simplified script: keyword search is "
                        "unaffected, but re-index it (the Re-index button of its page) for the best "
                        "dense matches", self.name)
