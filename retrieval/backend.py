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
import os
import shutil
import sqlite3
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, closing
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from core.config import VECTOR_STORES, StoreConfig
from core.errors import ConfigError, KnowledgeBaseBusy
from core.types import Chunk, DocumentRecord
from retrieval import milvus_conn
from retrieval.lexical import Vocabulary
from retrieval.milvus_store import BACKEND_KEY, MilvusKnowledgeBase
from retrieval.store import KnowledgeBase, validate_kb_name
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

    def child_embeddings(self, ids: Sequence[int]) -> dict[int, np.ndarray]: ...

    def chunk_count(self) -> int: ...

    # the catalogue and ingestion
    def document(self, path: str) -> DocumentRecord | None: ...

    def documents(self) -> list[DocumentRecord]: ...

    def replace_document(self, path: str, content_hash: str, chunks: Sequence[Chunk], embeddings: np.ndarray, *,
                         model_name: str, pages: int = 0, ocr_pages: int = 0,
                         lexical_tokens: Sequence[str] | None = None,
                         child_vectors: Sequence[np.ndarray | None] | None = None) -> list[int]: ...

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


def folder_prefixes(kb_root: Path, name: str, new_name: str) -> dict[str, str]:
    """How paths inside a knowledge base's folder start, before and after a rename: the
    folder as resolved (uploads are stored so) and as given, each with a trailing separator."""
    old_folder, new_folder = Path(kb_root) / name, Path(kb_root) / new_name
    return {f"{old}{os.sep}": f"{new}{os.sep}" for old, new in ((old_folder.resolve(), new_folder.resolve()),
                                                               (old_folder, new_folder))}


def moved_path(path: str, prefixes: dict[str, str]) -> str:
    """`path` under the renamed folder when it was under the old one, else `path`."""
    old = next((p for p in prefixes if path.startswith(p)), None)
    return path if old is None else prefixes[old] + path[len(old):]


def _move_document_paths(db_path: Path, prefixes: dict[str, str]) -> int:
    """Documents stored inside the folder (uploads, `<kb>/files/…`) are recorded by their full
    path: point them at the moved folder (chunks, vectors and lexical rows do not change).
    Returns how many moved."""
    moved = 0
    with closing(sqlite3.connect(db_path, timeout=30)) as db, db:
        for doc_id, path in db.execute("SELECT doc_id, path FROM documents").fetchall():
            if moved_path(path, prefixes) != path:
                db.execute("UPDATE documents SET path = ? WHERE doc_id = ?", (moved_path(path, prefixes), doc_id))
                moved += 1
    return moved


def rename_knowledge_base(kb_root: Path, name: str, new_name: str, config: StoreConfig, lock_timeout: float) -> str:
    """Give a knowledge base another name: its folder moves, with its index, uploads and
    dictionary, and the documents stored inside it follow. Nothing is re-embedded. The
    caller closes its own open copy first. A Milvus collection keeps its name (recorded in
    the catalogue when it was made), so it is found under the new name as it was; a Milvus
    Lite file inside the folder moves with it. Returns one line."""
    new_name = validate_kb_name((new_name or "").strip())
    old_folder, new_folder = Path(kb_root) / name, Path(kb_root) / new_name
    if new_name == name:
        raise ConfigError(f"knowledge base '{name}' already has that name: type another one")
    if new_folder.exists():
        raise ConfigError(f"knowledge base '{new_name}' already exists: pick another name")
    prefixes = folder_prefixes(kb_root, name, new_name)  # before the move: the old folder resolves
    kb = open_knowledge_base(kb_root, name, config)
    try:
        with kb.write_lock(lock_timeout):  # KnowledgeBaseBusy while another writer is at work
            kb.close()
            lite = old_folder / MilvusKnowledgeBase.LITE_NAME
            if lite.exists() and milvus_conn.lite_in_use(str(lite)):
                raise KnowledgeBaseBusy(f"knowledge base '{name}' is open in another process (its Milvus Lite "
                                        f"file {lite}): close that process, then rename it again")
            try:
                os.rename(old_folder, new_folder)
            except OSError as exc:
                raise ConfigError(f"knowledge base '{name}' could not be renamed to '{new_name}': "
                                  f"{exc.strerror or exc}") from exc
            try:
                moved = _move_document_paths(new_folder / KnowledgeBase.DB_NAME, prefixes)
            except sqlite3.Error as exc:
                os.rename(new_folder, old_folder)  # as it was: the catalogue still names the old folder
                raise ConfigError(f"knowledge base '{name}' could not be renamed to '{new_name}' (its catalogue "
                                  f"could not be updated: {exc}): nothing was changed, try again") from exc
    finally:
        kb.close()
    log.info("knowledge base '%s' renamed to '%s' (%d stored paths moved)", name, new_name, moved)
    return f"knowledge base '{name}' renamed to '{new_name}' ({moved} uploaded document path(s) moved)"


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
