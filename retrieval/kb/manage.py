"""Whole knowledge bases: renaming one, moving one to the other backend, removing one.

None re-embeds anything: a rename moves the folder (the catalogue, the FAISS file or the
Milvus Lite file, the uploads and the dictionary go with it), a move between backends
copies the stored vectors and lexical rows from the catalogue into the new index.
"""
from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

from core.config import VECTOR_STORES, StoreConfig
from core.enums import VectorStore
from core.errors import ConfigError, KnowledgeBaseBusy
from retrieval.kb.catalogue import BACKEND_KEY, CATALOGUE_FILE
from retrieval.kb.milvus.index import lite_file_in_use
from retrieval.kb.opening import open_catalogue_knowledge_base, open_knowledge_base
from retrieval.kb.protocols import KnowledgeBase
from retrieval.kb.schema import validate_kb_name

log = logging.getLogger(__name__)


def remove_knowledge_base(kb: KnowledgeBase) -> None:
    """Close and delete a knowledge base: its folder, and its index's storage elsewhere (a
    Milvus collection). Call holding its write lock."""
    kb.drop_index()
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
            lite = lite_file_in_use(old_folder)
            if lite is not None:
                raise KnowledgeBaseBusy(f"knowledge base '{name}' is open in another process (its Milvus Lite "
                                        f"file {lite}): close that process, then rename it again")
            try:
                os.rename(old_folder, new_folder)
            except OSError as exc:
                raise ConfigError(f"knowledge base '{name}' could not be renamed to '{new_name}': "
                                  f"{exc.strerror or exc}") from exc
            try:
                moved = _move_document_paths(new_folder / CATALOGUE_FILE, prefixes)
            except sqlite3.Error as exc:
                os.rename(new_folder, old_folder)  # as it was: the catalogue still names the old folder
                raise ConfigError(f"knowledge base '{name}' could not be renamed to '{new_name}' (its catalogue "
                                  f"could not be updated: {exc}): nothing was changed, try again") from exc
    finally:
        kb.close()
    log.info("knowledge base '%s' renamed to '%s' (%d stored paths moved)", name, new_name, moved)
    return f"knowledge base '{name}' renamed to '{new_name}' ({moved} uploaded document path(s) moved)"


def migrate_knowledge_base(kb_root: Path, name: str, to: VectorStore | str, config: StoreConfig,
                           lock_timeout: float) -> str:
    """Move a knowledge base to the backend `to`, copying the stored vectors and lexical rows
    (nothing is re-embedded). Crash-safe: the backend is recorded first, and the open that
    follows a kill brings the new backend level with the catalogue. Returns one line."""
    if to not in VECTOR_STORES:
        raise ConfigError(f"unknown vector store {to!r}: use one of {', '.join(VECTOR_STORES)}")
    to = VectorStore(to)
    kb = open_catalogue_knowledge_base(kb_root, name, config)
    try:
        source = kb.backend
        if source == to:
            return f"knowledge base '{name}' already uses {to}: nothing to do"
        with kb.write_lock(lock_timeout):
            with kb.catalogue.transaction(dense=False):
                kb.catalogue.set_meta(BACKEND_KEY, to.value)
            target = open_catalogue_knowledge_base(kb_root, name, config)
            try:
                with target.catalogue.mutex:
                    target.index.bring_level()
                target.save()  # the FAISS index, rebuilt from the stored embeddings on open, is written
                where = target.index.location
                report = target.check()
            finally:
                target.close()
            kb.drop_index()
    finally:
        kb.close()
    log.info("knowledge base '%s' moved from %s to %s", name, source, to)
    return f"knowledge base '{name}' moved from {source} to {to} ({where}): {report.summary()}"
