"""Opening a knowledge base with the backend it uses, and finding knowledge bases.

Two backends, one catalogue: FAISS (retrieval/kb/faiss/: a FAISS file beside the
catalogue, BM25 by its FTS5 rows; embedded, the default) and Milvus (retrieval/kb/milvus/:
vectors and BM25 in Milvus). Both keep documents, hashes, statuses, chunks and embeddings
in the knowledge base's SQLite catalogue, so a knowledge base moves between them without
re-embedding (retrieval/kb/manage.py).

A new knowledge base gets `StoreConfig.vector_store`; an existing one opens with the
backend it records (`vector_store` in its meta; none recorded: FAISS), whatever the
setting says, until it is migrated. This is the one module that picks a backend's
package (an import-linter contract keeps it so).
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from core.config import VECTOR_STORES, StoreConfig
from core.enums import VectorStore
from core.errors import ConfigError
from retrieval.kb.catalogue import BACKEND_KEY, CATALOGUE_FILE, Catalogue, catalogue_exists
from retrieval.kb.faiss.index import FaissIndex
from retrieval.kb.fts_search import FtsSearch
from retrieval.kb.knowledge_base import CatalogueKnowledgeBase
from retrieval.kb.lock import WriteLock
from retrieval.kb.milvus.index import open_milvus_index
from retrieval.kb.protocols import KnowledgeBase, VectorIndex
from retrieval.kb.schema import is_valid_kb_name, validate_kb_name

__all__ = ["knowledge_base_exists", "knowledge_base_names", "open_knowledge_base", "recorded_backend"]


def knowledge_base_exists(kb_root: Path, name: str) -> bool:
    """False for a name no knowledge base can have (too long, a path, unusable characters):
    such a name is never looked up on disk."""
    return is_valid_kb_name(name) and catalogue_exists(Path(kb_root) / name)


def knowledge_base_names(kb_root: Path) -> list[str]:
    root = Path(kb_root)
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if catalogue_exists(p))


def recorded_backend(kb_root: Path, name: str) -> VectorStore | None:
    """The backend an existing knowledge base records (FAISS when it records none);
    None when it does not exist."""
    db_path = Path(kb_root) / name / CATALOGUE_FILE
    if not db_path.exists():
        return None
    try:
        db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
        try:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (BACKEND_KEY,)).fetchone()
        finally:
            db.close()
    except sqlite3.OperationalError:  # a database being created this instant: no meta yet, so FAISS's
        return VectorStore.FAISS
    if row is None:
        return VectorStore.FAISS
    if row[0] not in VECTOR_STORES:
        raise ConfigError(f"knowledge base '{name}' records the vector store {row[0]!r}, which this Yizhi "
                          f"does not know (it knows {', '.join(VECTOR_STORES)})")
    return VectorStore(row[0])


def open_knowledge_base(kb_root: Path, name: str, config: StoreConfig | None = None, *,
                        create: bool = False) -> KnowledgeBase:
    """Open (or create) a knowledge base with the backend it records, or, when new, the configured one."""
    return open_catalogue_knowledge_base(kb_root, name, config, create=create)


def open_catalogue_knowledge_base(kb_root: Path, name: str, config: StoreConfig | None = None, *,
                                  create: bool = False) -> CatalogueKnowledgeBase:
    """`open_knowledge_base`, with its parts in reach (for retrieval/kb/manage.py and tests)."""
    config = config or StoreConfig()
    validate_kb_name(name)
    backend = recorded_backend(kb_root, name) or config.vector_store
    catalogue = Catalogue(Path(kb_root) / name, name, create=create)
    try:
        lock = WriteLock(catalogue.folder, name)
        index = _open_index(backend, catalogue, lock, config)
    except BaseException:  # a Milvus that cannot be reached: leave nothing open
        catalogue.close()
        raise
    return CatalogueKnowledgeBase(catalogue, index, lock)  # closes both if its checks on open fail


def _open_index(backend: VectorStore, catalogue: Catalogue, lock: WriteLock, config: StoreConfig) -> VectorIndex:
    if backend == VectorStore.MILVUS:
        return open_milvus_index(catalogue, lock, config)
    return FaissIndex(catalogue, lock, FtsSearch(catalogue).search,
                      exact_max=config.dense_exact_max, nprobe=config.dense_nprobe)
