"""A knowledge base on disk: one folder with a SQLite database and a FAISS file.

`kb.sqlite` holds the documents (path, content hash, status, error), their chunks with
text and metadata, each chunk's embedding (so the vector index can always be rebuilt
without re-embedding) and the FTS5 lexical index. A document's chunks, embeddings and
lexical rows change in one transaction, so the database never disagrees with itself.
`dense.faiss` mirrors the embeddings and is stamped with the database generation it
reflects; when it is behind (a crash between commit and save) it is rebuilt on open.
"""
from __future__ import annotations

import logging
import re
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.errors import ConfigError, EmbedderMismatch, KnowledgeBaseNotFound
from ingest.types import Chunk
from retrieval.dense_index import DenseIndex
from retrieval.lexical import fts_match_expression, tokenize

log = logging.getLogger(__name__)

# Letters (any script), digits, '_', '-', '.'; no path separators; not starting with '.'.
_KB_NAME = re.compile(r"^[^\W][\w.-]{0,63}$", re.UNICODE)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    content_hash TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
    error TEXT NOT NULL DEFAULT '',
    pages INTEGER NOT NULL DEFAULT 0,
    chunks INTEGER NOT NULL DEFAULT 0,
    ocr_pages INTEGER NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id INTEGER PRIMARY KEY,
    doc_id INTEGER NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    page INTEGER,
    heading TEXT NOT NULL DEFAULT '',
    ocr INTEGER NOT NULL DEFAULT 0,
    text TEXT NOT NULL,
    retrieval_text TEXT NOT NULL,
    embedding BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id, position);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(tokens, tokenize = 'unicode61 remove_diacritics 0');
"""


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    doc_id: int
    path: str
    content_hash: str
    status: str
    error: str
    pages: int
    chunks: int
    ocr_pages: int


def validate_kb_name(name: str) -> str:
    if not _KB_NAME.match(name or ""):
        raise ConfigError(
            f"'{name}' is not a valid knowledge-base name: use letters, digits, '_', '-' or '.', "
            "at most 64 characters, not starting with a dot"
        )
    return name


class KnowledgeBase:
    """One knowledge base folder. Opening is cheap; FAISS is loaded on first dense use."""

    DB_NAME = "kb.sqlite"
    DENSE_NAME = "dense.faiss"

    def __init__(self, kb_root: Path, name: str, *, create: bool = False) -> None:
        self.name = validate_kb_name(name)
        self.path = Path(kb_root) / name
        db_path = self.path / self.DB_NAME
        if not db_path.exists():
            if not create:
                raise KnowledgeBaseNotFound(name)
            self.path.mkdir(parents=True, exist_ok=True)
        # check_same_thread=False: Streamlit serves sessions from several threads; every
        # write goes through one `transaction()` and SQLite serialises the rest.
        self._db = sqlite3.connect(db_path, timeout=30, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._dense: DenseIndex | None = None

    # --- lifecycle -------------------------------------------------------------------
    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "KnowledgeBase":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @staticmethod
    def exists(kb_root: Path, name: str) -> bool:
        return (Path(kb_root) / name / KnowledgeBase.DB_NAME).exists()

    @staticmethod
    def list_names(kb_root: Path) -> list[str]:
        root = Path(kb_root)
        if not root.is_dir():
            return []
        return sorted(p.name for p in root.iterdir() if (p / KnowledgeBase.DB_NAME).exists())

    # --- metadata --------------------------------------------------------------------
    def _meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    @property
    def embed_model(self) -> str | None:
        return self._meta("embed_model")

    @property
    def dim(self) -> int | None:
        value = self._meta("dim")
        return int(value) if value else None

    @property
    def generation(self) -> int:
        return int(self._meta("generation") or 0)

    def check_embedder(self, model_name: str) -> None:
        """Refuse to mix vectors from two models in one knowledge base."""
        recorded = self.embed_model
        if recorded is not None and recorded != model_name:
            raise EmbedderMismatch(
                f"knowledge base '{self.name}' was built with the embedding model '{recorded}', "
                f"but '{model_name}' is configured: set YIZHI_EMBED_MODEL={recorded}, "
                f"or index into a new knowledge base (--kb NEW_NAME) to use '{model_name}'"
            )

    # --- writes ----------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT, bumping the generation the dense file is checked against."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
            self._set_meta("generation", str(self.generation + 1))
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def replace_document(
        self,
        path: str,
        content_hash: str,
        chunks: Sequence[Chunk],
        embeddings: np.ndarray,
        *,
        model_name: str,
        pages: int = 0,
        ocr_pages: int = 0,
    ) -> list[int]:
        """Store a document's chunks, replacing whatever that path had. Returns chunk ids."""
        if len(chunks) != len(embeddings):
            raise ValueError(f"{len(chunks)} chunks but {len(embeddings)} embeddings")
        self.check_embedder(model_name)
        vectors = np.ascontiguousarray(embeddings, dtype=np.float32)
        dense = self._dense_index(dim=vectors.shape[1] if len(vectors) else None)
        with self.transaction() as db:
            if self.embed_model is None and len(vectors):
                self._set_meta("embed_model", model_name)
                self._set_meta("dim", str(vectors.shape[1]))
            old_ids = self._delete_chunks_of(path)
            db.execute(
                "INSERT INTO documents(path, content_hash, status, error, pages, chunks, ocr_pages, updated_at)"
                " VALUES (?, ?, 'ok', '', ?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET"
                " content_hash=excluded.content_hash, status='ok', error='', pages=excluded.pages,"
                " chunks=excluded.chunks, ocr_pages=excluded.ocr_pages, updated_at=excluded.updated_at",
                (path, content_hash, pages, len(chunks), ocr_pages, time.time()),
            )
            doc_id = db.execute("SELECT doc_id FROM documents WHERE path = ?", (path,)).fetchone()[0]
            new_ids = []
            for chunk, vector in zip(chunks, vectors):
                cur = db.execute(
                    "INSERT INTO chunks(doc_id, position, page, heading, ocr, text, retrieval_text, embedding)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (doc_id, chunk.position, chunk.page, chunk.heading, int(chunk.ocr), chunk.text,
                     chunk.retrieval_text, vector.tobytes()),
                )
                new_ids.append(cur.lastrowid)
                db.execute("INSERT INTO chunks_fts(rowid, tokens) VALUES (?, ?)",
                           (cur.lastrowid, " ".join(tokenize(chunk.retrieval_text))))
        if dense is not None:
            dense.remove(old_ids)
            dense.add(np.asarray(new_ids, dtype=np.int64), vectors)
        return new_ids

    def mark_failed(self, path: str, content_hash: str, error: str) -> None:
        """Record a file that could not be indexed (its old chunks, if any, are removed)."""
        with self.transaction() as db:
            old_ids = self._delete_chunks_of(path)
            db.execute(
                "INSERT INTO documents(path, content_hash, status, error, updated_at) VALUES (?, ?, 'failed', ?, ?)"
                " ON CONFLICT(path) DO UPDATE SET content_hash=excluded.content_hash, status='failed',"
                " error=excluded.error, pages=0, chunks=0, ocr_pages=0, updated_at=excluded.updated_at",
                (path, content_hash, error, time.time()),
            )
        if self._dense is not None:
            self._dense.remove(old_ids)

    def remove_document(self, path: str) -> bool:
        with self.transaction() as db:
            old_ids = self._delete_chunks_of(path)
            removed = db.execute("DELETE FROM documents WHERE path = ?", (path,)).rowcount > 0
        if self._dense is not None:
            self._dense.remove(old_ids)
        return removed

    def _delete_chunks_of(self, path: str) -> list[int]:
        ids = [r[0] for r in self._db.execute(
            "SELECT c.chunk_id FROM chunks c JOIN documents d USING(doc_id) WHERE d.path = ?", (path,))]
        if ids:
            self._db.executemany("DELETE FROM chunks_fts WHERE rowid = ?", [(i,) for i in ids])
            self._db.executemany("DELETE FROM chunks WHERE chunk_id = ?", [(i,) for i in ids])
        return ids

    def save(self) -> None:
        """Write the dense index file (atomically) if it has been loaded."""
        if self._dense is not None:
            self._dense.save(self.path / self.DENSE_NAME, self.generation)

    # --- reads -----------------------------------------------------------------------
    def document(self, path: str) -> DocumentRecord | None:
        row = self._db.execute(
            "SELECT doc_id, path, content_hash, status, error, pages, chunks, ocr_pages FROM documents WHERE path = ?",
            (path,),
        ).fetchone()
        return DocumentRecord(*row) if row else None

    def documents(self) -> list[DocumentRecord]:
        rows = self._db.execute(
            "SELECT doc_id, path, content_hash, status, error, pages, chunks, ocr_pages FROM documents ORDER BY path")
        return [DocumentRecord(*r) for r in rows]

    def chunk_count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]

    def chunks(self, ids: Sequence[int]) -> dict[int, Chunk]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self._db.execute(
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
        rows = self._db.execute(f"SELECT chunk_id, embedding FROM chunks WHERE chunk_id IN ({marks})", list(ids))
        return {r[0]: np.frombuffer(r[1], dtype=np.float32) for r in rows}

    def lexical_search(self, tokens: Sequence[str], n: int) -> list[tuple[int, float]]:
        """(chunk_id, bm25) best first; bm25 here is FTS5's, negated so higher is better."""
        if not tokens:
            return []
        rows = self._db.execute(
            "SELECT rowid, bm25(chunks_fts) AS s FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY s LIMIT ?",
            (fts_match_expression(list(tokens)), n),
        )
        return [(r[0], -r[1]) for r in rows]

    def dense_search(self, query: np.ndarray, n: int) -> list[tuple[int, float]]:
        dense = self._dense_index()
        return dense.search(query, n) if dense is not None else []

    def _dense_index(self, dim: int | None = None) -> DenseIndex | None:
        """Load the FAISS file, or rebuild it from stored embeddings when it is behind."""
        if self._dense is not None:
            return self._dense
        dim = self.dim or dim
        if dim is None:
            return None
        dense = DenseIndex.load(self.path / self.DENSE_NAME, self.generation, dim)
        if dense is None:
            dense = self._rebuild_dense(dim)
        self._dense = dense
        return dense

    def _rebuild_dense(self, dim: int) -> DenseIndex:
        dense = DenseIndex(dim)
        rows = self._db.execute("SELECT chunk_id, embedding FROM chunks ORDER BY chunk_id").fetchall()
        if rows:
            ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
            vectors = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), dim)
            dense.add(ids, vectors)
        log.info("rebuilt dense index of '%s' from %d stored embeddings", self.name, len(rows))
        dense.save(self.path / self.DENSE_NAME, self.generation)
        return dense
