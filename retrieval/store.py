"""A knowledge base on disk: one folder with a SQLite database and a FAISS file.

`kb.sqlite` holds the documents (path, content hash, status, error), their chunks with
text and metadata, each chunk's embedding (so the vector index can always be rebuilt
without re-embedding) and the FTS5 lexical index. A document's chunks, embeddings and
lexical rows change in one transaction, so the database never disagrees with itself,
and every transaction bumps a generation number.

`dense.faiss` mirrors the embeddings and is stamped with the generation it reflects
(see `dense_index`). On open, a file that is behind the database (a kill between a
commit and the save) is rebuilt from the stored embeddings; a reader whose loaded index
falls behind because another process committed brings it up to date before searching
(chunk ids are never reused, so only the added and removed chunks are read).

The FTS5 rows are made from each chunk's `retrieval_text` (retrieval/lexical.py) with the
knowledge base's vocabulary (its heading terms and `<kb>/dict.txt`, retrieval/store_lexical.py);
the database records the `lexical_version` and the user dictionary they were made with.
On open, rows of an older version (a knowledge base built before a change to
normalisation or segmentation) or of another user dictionary are made again from the
stored text, once, without re-embedding (`rebuild_lexical`; also `python -m ingest --relex`).

Writers take `write_lock()` (a file lock in the folder) for the whole of a batch; one
process's threads share the object under a mutex.
"""
from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from core.config import StoreConfig
from core.errors import EmbedderMismatch, KnowledgeBaseNotFound
from core.types import Chunk, DocumentRecord
from retrieval import children, store_check, store_lexical
from retrieval.dense_index import DenseIndex
from retrieval.embedders import EMBED_TEXT_VERSION
from retrieval.fts_prune import CommonTokens
from retrieval.lexical import Vocabulary, heading_terms, lexical_rows, tokenize
from retrieval.store_dense import DenseMirror
from retrieval.store_lock import WriteLock, connect
from retrieval.store_reads import StoreReads
from retrieval.store_schema import SCHEMA, migrate, validate_kb_name
from retrieval.store_upkeep import LexicalUpkeep

log = logging.getLogger(__name__)

__all__ = ["DocumentRecord", "KnowledgeBase", "validate_kb_name"]


class KnowledgeBase(StoreReads, LexicalUpkeep):
    """One knowledge base folder. Opening checks it; FAISS is loaded on first dense use."""

    DB_NAME = "kb.sqlite"
    DENSE_NAME = "dense.faiss"
    LOCK_NAME = "write.lock"

    def __init__(self, kb_root: Path, name: str, *, create: bool = False, config: StoreConfig | None = None) -> None:
        self.name = validate_kb_name(name)
        self.store_config = config or StoreConfig()
        self.path = Path(kb_root) / name
        db_path = self.path / self.DB_NAME
        if not db_path.exists():
            if not create:
                raise KnowledgeBaseNotFound(name)
            self.path.mkdir(parents=True, exist_ok=True)
        # check_same_thread=False: Streamlit serves sessions from several threads; they
        # share this object under `_mutex`, and other processes are kept out by the
        # write lock (writers) and WAL (readers see committed data only).
        self._db = connect(db_path, SCHEMA, self.name)
        migrate(self._db)
        self._mutex = threading.RLock()
        self._write_lock = WriteLock(self.path / self.LOCK_NAME, self.name)
        self._last_commit: tuple[int, int] = (0, 0)  # generation before and after our last commit
        self._vocabulary: tuple[str, Vocabulary] = ("", Vocabulary())  # (stamp, vocabulary)
        self._common_tokens = CommonTokens()
        self._mirror = self._make_mirror()
        self._mirror.check_on_open()
        self._check_lexical_on_open()
        self._check_embedding_text_on_open()

    def _make_mirror(self) -> DenseMirror:
        """The vector index kept beside the database (retrieval/milvus_store.py keeps a Milvus collection)."""
        return DenseMirror(self, self.path / self.DENSE_NAME, exact_max=self.store_config.dense_exact_max,
                           nprobe=self.store_config.dense_nprobe)

    # --- lifecycle -------------------------------------------------------------------
    def close(self) -> None:
        with self._mutex:
            self._db.close()

    def __enter__(self) -> KnowledgeBase:
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

    def write_lock(self, timeout: float, on_wait: Callable[[str], None] | None = None):
        """Context manager holding this knowledge base's write lock (see `store_lock`)."""
        return self._write_lock.hold(timeout, on_wait)

    # --- metadata --------------------------------------------------------------------
    def _meta(self, key: str) -> str | None:
        with self._mutex:
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
    def transaction(self, *, dense: bool = True) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT, bumping the generation the dense file is checked against
        (`dense=False`: a change that leaves chunks and embeddings alone, which bumps nothing)."""
        with self._mutex:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                before = self.generation
                yield self._db
                if dense:
                    self._set_meta("generation", str(before + 1))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            if dense:
                self._last_commit = (before, before + 1)

    def _apply_to_dense(self, removed: Sequence[int], ids: Sequence[int] = (), vectors: np.ndarray | None = None) -> None:
        """Mirror our last commit in the loaded dense index."""
        self._mirror.apply(removed, ids, vectors, self._last_commit)

    def _next_chunk_id(self) -> int:
        """Chunk ids are never reused, so a reader can sync its index by ids alone."""
        stored = int(self._meta("next_chunk_id") or 0)
        highest = self._db.execute("SELECT COALESCE(MAX(chunk_id), 0) FROM chunks").fetchone()[0]
        return max(stored, highest + 1)

    def replace_document(
        self,
        path: str,
        content_hash: str,
        chunks: Sequence[Chunk],
        embeddings: np.ndarray,
        *,
        model_name: str,
        pages: int = 0, ocr_pages: int = 0,
        lexical_tokens: Sequence[str] | None = None,
        child_vectors: Sequence[np.ndarray | None] | None = None,
    ) -> list[int]:
        """Store a document's chunks, replacing whatever that path had. Returns chunk ids.

        `lexical_tokens`: the chunks' `lexical_rows` with `vocabulary_for(chunks)`, when the
        caller tokenised them already. The chunks' heading terms join the vocabulary.
        `child_vectors`: each chunk's child pieces' vectors or None (retrieval/children.py).
        """
        kids = [children.pack(v) for v in child_vectors] if child_vectors is not None else [None] * len(chunks)
        if not len(chunks) == len(embeddings) == len(kids):
            raise ValueError(f"{len(chunks)} chunks but {len(embeddings)} embeddings and {len(kids)} child rows")
        self.check_embedder(model_name)
        vectors = np.ascontiguousarray(embeddings, dtype=np.float32)
        known = self.vocabulary()
        terms = heading_terms(c.heading for c in chunks)
        tokens = list(lexical_tokens) if lexical_tokens is not None else lexical_rows(
            [c.retrieval_text for c in chunks], known.union(terms))  # outside the transaction
        if len(tokens) != len(chunks):
            raise ValueError(f"{len(chunks)} chunks but {len(tokens)} token rows")
        match = [store_lexical.match_text(c.retrieval_text) for c in chunks]
        with self._mutex:
            self._dense_index(dim=vectors.shape[1] if len(vectors) else None)
            with self.transaction() as db:
                if self.embed_model is None and len(vectors):
                    self._set_meta("embed_model", model_name)
                    self._set_meta("dim", str(vectors.shape[1]))
                    self._set_meta("embed_text_version", str(EMBED_TEXT_VERSION))
                old_ids = self._delete_chunks_of(path)
                db.execute(
                    "INSERT INTO documents(path, content_hash, status, error, pages, chunks, ocr_pages, updated_at)"
                    " VALUES (?, ?, 'ok', '', ?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET"
                    " content_hash=excluded.content_hash, status='ok', error='', pages=excluded.pages,"
                    " chunks=excluded.chunks, ocr_pages=excluded.ocr_pages, updated_at=excluded.updated_at",
                    (path, content_hash, pages, len(chunks), ocr_pages, time.time()),
                )
                doc_id = db.execute("SELECT doc_id FROM documents WHERE path = ?", (path,)).fetchone()[0]
                first = self._next_chunk_id()
                new_ids = list(range(first, first + len(chunks)))
                db.executemany(
                    "INSERT INTO chunks(chunk_id, doc_id, position, page, heading, ocr, text, retrieval_text, embedding,"
                    " match_text, child_embeddings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(cid, doc_id, c.position, c.page, c.heading, int(c.ocr), c.text, c.retrieval_text, v.tobytes(),
                      m, k) for cid, c, v, m, k in zip(new_ids, chunks, vectors, match, kids)],
                )
                db.executemany("INSERT INTO chunks_fts(rowid, tokens) VALUES (?, ?)", list(zip(new_ids, tokens)))
                store_lexical.record_terms(db, terms, known)
                self._set_meta("next_chunk_id", str(first + len(chunks)))
            self._apply_to_dense(old_ids, new_ids, vectors)
        return new_ids

    def mark_failed(self, path: str, content_hash: str, error: str) -> None:
        """Record a file that could not be indexed (its old chunks, if any, are removed)."""
        with self._mutex:
            with self.transaction() as db:
                old_ids = self._delete_chunks_of(path)
                db.execute(
                    "INSERT INTO documents(path, content_hash, status, error, updated_at) VALUES (?, ?, 'failed', ?, ?)"
                    " ON CONFLICT(path) DO UPDATE SET content_hash=excluded.content_hash, status='failed',"
                    " error=excluded.error, pages=0, chunks=0, ocr_pages=0, updated_at=excluded.updated_at",
                    (path, content_hash, error, time.time()),
                )
            self._apply_to_dense(old_ids)

    def remove_document(self, path: str) -> bool:
        with self._mutex:
            with self.transaction() as db:
                old_ids = self._delete_chunks_of(path)
                removed = db.execute("DELETE FROM documents WHERE path = ?", (path,)).rowcount > 0
            self._apply_to_dense(old_ids)
        return removed

    def _delete_chunks_of(self, path: str) -> list[int]:
        ids = [r[0] for r in self._db.execute(
            "SELECT c.chunk_id FROM chunks c JOIN documents d USING(doc_id) WHERE d.path = ?", (path,))]
        if ids:
            self._db.executemany("DELETE FROM chunks_fts WHERE rowid = ?", [(i,) for i in ids])
            self._db.executemany("DELETE FROM chunks WHERE chunk_id = ?", [(i,) for i in ids])
        return ids

    def save(self) -> None:
        """End a batch: give other documents' rows the batch's new vocabulary terms
        (`store_lexical.apply_pending`), and write the dense index file (atomically) if it has
        been loaded. Call under the write lock."""
        with self._mutex:
            self._apply_pending_vocabulary()
            self._mirror.save()

    @contextmanager
    def saving_lock(self) -> Iterator[bool]:
        """The write lock if it is free right now (True), else nothing (False); never waits."""
        acquired = self._write_lock.try_acquire()
        try:
            yield acquired
        finally:
            if acquired:
                self._write_lock.release()

    # --- consistency ---------------------------------------------------------------------
    def _dense_index(self, dim: int | None = None) -> DenseIndex | None:
        with self._mutex:
            return self._mirror.current(dim)

    def check(self) -> store_check.Report:
        """Compare the database, the lexical index and the dense index (see `store_check`)."""
        with self._mutex:
            dense = self._dense_index()
            return store_check.check(self._db, dense.ids() if dense is not None else np.zeros(0, np.int64))

    def repair(self) -> store_check.Report:
        """Make the lexical and dense indexes agree with the chunks again. Returns what was wrong."""
        with self._mutex:
            report = self.check()
            if not report.ok:
                with self.transaction() as db:
                    vocabulary = self.vocabulary()
                    store_check.repair_database(db, lambda text: tokenize(text, vocabulary))
                self._mirror.reset()
                self._dense_index()
            return report
