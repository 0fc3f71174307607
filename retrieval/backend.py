"""The storage backend of a knowledge base: what search and ingestion ask of one, and
which implementation a knowledge base uses.

Two implementations, one catalogue: `KnowledgeBase` (retrieval/store.py: SQLite FTS5 for
BM25 and a FAISS file, embedded, the default) and `MilvusKnowledgeBase`
(retrieval/milvus_store.py: vectors and BM25 in Milvus). Both keep documents, hashes,
statuses, chunks and embeddings in the knowledge base's SQLite catalogue, so a
knowledge base moves between them without re-embedding (`migrate`).

A new knowledge base gets `StoreConfig.vector_store`; an existing one opens with the
backend it records (`vector_store` in its meta; none recorded: FAISS), whatever the
setting says, until it is migrated.
"""
from __future__ import annotations

import logging
import shutil
import sqlite3
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from core.config import VECTOR_STORES, StoreConfig
from core.errors import ConfigError
from core.types import Chunk, DocumentRecord
from retrieval.lexical import Vocabulary
from retrieval.milvus_store import BACKEND_KEY, MilvusKnowledgeBase
from retrieval.store import KnowledgeBase
from retrieval.store_check import Report

log = logging.getLogger(__name__)


@runtime_checkable
class KnowledgeStore(Protocol):
    """One knowledge base, as retrieval/search.py and ingest/pipeline.py use it."""

    name: str
    path: Path

    # what it was built with
    @property
    def embed_model(self) -> str | None: ...

    @property
    def dim(self) -> int | None: ...

    def check_embedder(self, model_name: str) -> None: ...

    def vocabulary(self) -> Vocabulary: ...

    def vocabulary_for(self, chunks: Sequence[Chunk]) -> Vocabulary: ...

    # search
    def dense_search(self, query: np.ndarray, n: int) -> list[tuple[int, float]]: ...

    def lexical_search(self, tokens: Sequence[str], n: int) -> list[tuple[int, float]]: ...

    def chunks(self, ids: Sequence[int]) -> dict[int, Chunk]: ...

    def embeddings(self, ids: Sequence[int]) -> dict[int, np.ndarray]: ...

    def chunk_count(self) -> int: ...

    # the catalogue and ingestion
    def document(self, path: str) -> DocumentRecord | None: ...

    def documents(self) -> list[DocumentRecord]: ...

    def replace_document(self, path: str, content_hash: str, chunks: Sequence[Chunk], embeddings: np.ndarray, *,
                         model_name: str, pages: int = 0, ocr_pages: int = 0,
                         lexical_tokens: Sequence[str] | None = None) -> list[int]: ...

    def mark_failed(self, path: str, content_hash: str, error: str) -> None: ...

    def remove_document(self, path: str) -> bool: ...

    def write_lock(self, timeout: float,
                   on_wait: Callable[[str], None] | None = None) -> AbstractContextManager[None]: ...

    def save(self) -> None: ...

    # upkeep
    def check(self) -> Report: ...

    def repair(self) -> Report: ...

    def rebuild_lexical(self, user: Vocabulary | None = None) -> int: ...

    def close(self) -> None: ...


def recorded_backend(kb_root: Path, name: str) -> str | None:
    """The backend an existing knowledge base records ("faiss" when it records none);
    None when it does not exist."""
    db_path = Path(kb_root) / name / KnowledgeBase.DB_NAME
    if not db_path.exists():
        return None
    try:
        db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
        try:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (BACKEND_KEY,)).fetchone()
        finally:
            db.close()
    except sqlite3.OperationalError:  # a database being created this instant: no meta yet
        return "faiss"
    return row[0] if row else "faiss"


def backend_of(kb: KnowledgeStore) -> str:
    return "milvus" if isinstance(kb, MilvusKnowledgeBase) else "faiss"


def open_knowledge_base(kb_root: Path, name: str, config: StoreConfig | None = None, *,
                        create: bool = False) -> KnowledgeBase:
    """Open (or create) a knowledge base with the backend it records, or, when new, the configured one."""
    config = config or StoreConfig()
    backend = recorded_backend(kb_root, name) or config.vector_store
    if backend == "milvus":
        return MilvusKnowledgeBase(kb_root, name, create=create, config=config)
    return KnowledgeBase(kb_root, name, create=create, config=config)


def remove_knowledge_base(kb: KnowledgeBase) -> None:
    """Close and delete a knowledge base: its folder, and its Milvus collection if it has one.
    Call holding its write lock."""
    if isinstance(kb, MilvusKnowledgeBase):
        kb.drop_collection()
    kb.close()
    shutil.rmtree(kb.path)


def migrate(kb_root: Path, name: str, to: str, config: StoreConfig, lock_timeout: float) -> str:
    """Move a knowledge base to the backend `to`, copying the stored vectors and lexical rows
    (nothing is re-embedded). Crash-safe: the backend is recorded first, and the open that
    follows a kill brings the new backend level with the catalogue. Returns one line."""
    if to not in VECTOR_STORES:
        raise ConfigError(f"unknown vector store {to!r}: use one of {', '.join(VECTOR_STORES)}")
    kb = open_knowledge_base(kb_root, name, config)
    try:
        source = backend_of(kb)
        if source == to:
            return f"knowledge base '{name}' already uses {to}: nothing to do"
        with kb.write_lock(lock_timeout):
            with kb.transaction(dense=False) as db:
                db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (BACKEND_KEY, to))
            target = open_knowledge_base(kb_root, name, config)
            try:
                if isinstance(target, MilvusKnowledgeBase):
                    target.bring_level()
                    where = target.milvus_location
                else:
                    target.save()  # the FAISS index, rebuilt from the stored embeddings on open
                    where = str(target.path / KnowledgeBase.DENSE_NAME)
                report = target.check()
            finally:
                target.close()
            if isinstance(kb, MilvusKnowledgeBase):
                kb.drop_collection()
            else:
                (kb.path / KnowledgeBase.DENSE_NAME).unlink(missing_ok=True)
    finally:
        kb.close()
    log.info("knowledge base '%s' moved from %s to %s", name, source, to)
    return f"knowledge base '{name}' moved from {source} to {to} ({where}): {report.summary()}"
