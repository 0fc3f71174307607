"""The typed configuration that the lower layers take.

`app.settings.Settings` reads the environment once at an entry point and builds these;
retrieval and ingestion never see the whole settings object, only the fields they use.
Frozen dataclasses that validate in `__post_init__`, so a bad value fails where it is made.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TypeVar

from core.enums import EmbedBackend, VectorStore
from core.errors import ConfigError

E = TypeVar("E", bound=Enum)


def check(condition: bool, field: str, problem: str) -> None:
    """Raise ConfigError("`field` `problem`") naming the field, unless `condition` holds."""
    if not condition:
        raise ConfigError(f"{field} {problem}", field)


def as_enum(kind: type[E], value: object, field: str) -> E:
    """`value` as a member of the enum `kind`, or ConfigError naming the allowed values."""
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(str(member.value) for member in kind)
        raise ConfigError(f"{field} must be one of {allowed} (got {value!r})", field) from None


@dataclass(frozen=True, slots=True)
class SearchConfig:
    """How one search ranks, scores and cuts (every default measured: docs/TUNING.md)."""

    top_k: int = 5
    dense_candidates: int = 50
    lexical_candidates: int = 50
    rrf_k: int = 2
    dense_weight: float = 0.7
    lexical_weight: float = 1.0
    candidate_pool: int = 20
    doc_diversity: bool = True
    relevance_dense_weight: float = 0.4
    score_threshold: float = 0.55
    reranker_model: str = ""
    rerank_max_length: int = 512
    child_chunks: bool = True  # rank the dense list by chunks' child pieces when they are stored

    def __post_init__(self) -> None:
        for name in ("top_k", "dense_candidates", "lexical_candidates", "rrf_k", "candidate_pool"):
            check(getattr(self, name) >= 1, name, f"must be at least 1 (got {getattr(self, name)})")
        check(self.rerank_max_length >= 16, "rerank_max_length", f"must be at least 16 tokens (got {self.rerank_max_length})")
        for name in ("dense_weight", "lexical_weight"):
            check(getattr(self, name) >= 0, name, f"must not be negative (got {getattr(self, name)})")
        check(0 <= self.relevance_dense_weight <= 1, "relevance_dense_weight",
              f"must be between 0 and 1 (got {self.relevance_dense_weight})")
        # relevance is 0..1; -1 lets every candidate through (the evaluation's "no threshold")
        check(-1 <= self.score_threshold <= 1, "score_threshold",
              f"must be between -1 (keep everything) and 1 (got {self.score_threshold})")


@dataclass(frozen=True, slots=True)
class IngestConfig:
    """How files become chunks, and the limits that protect ingestion from hostile input."""

    chunk_size: int = 400
    chunk_overlap: int = 50
    child_chunk_size: int = 120  # each chunk's sentence-sized child pieces, embedded too; 0 = none
    title_enhance: bool = True
    max_file_mb: int = 200
    lock_timeout: float = 600.0
    ocr: bool = True
    max_pages: int = 3000
    max_unzipped_mb: int = 500
    max_table_cells: int = 200_000

    def __post_init__(self) -> None:
        check(self.chunk_size >= 50, "chunk_size", f"must be at least 50 characters (got {self.chunk_size})")
        check(self.chunk_overlap >= 0, "chunk_overlap", f"must not be negative (got {self.chunk_overlap})")
        check(self.chunk_overlap < self.chunk_size, "chunk_overlap",
              f"({self.chunk_overlap}) must be smaller than chunk_size ({self.chunk_size})")
        check(self.child_chunk_size == 0 or self.child_chunk_size >= 20, "child_chunk_size",
              f"must be 0 (off) or at least 20 characters (got {self.child_chunk_size})")
        for name in ("max_file_mb", "max_pages", "max_unzipped_mb", "max_table_cells"):
            check(getattr(self, name) >= 1, name, f"must be at least 1 (got {getattr(self, name)})")
        check(self.lock_timeout >= 0, "lock_timeout", f"must not be negative (got {self.lock_timeout})")


VECTOR_STORES = tuple(VectorStore)


@dataclass(frozen=True, slots=True)
class StoreConfig:
    """Where a knowledge base keeps its vectors and lexical index.

    `vector_store`: "faiss" (embedded: SQLite FTS5 + a FAISS file in the knowledge base's
    folder) or "milvus" (vectors and BM25 in Milvus; the SQLite catalogue stays). It is
    the backend of *new* knowledge bases; an existing one keeps the backend it records
    until it is migrated. `milvus_uri`: a file path (Milvus Lite, embedded), an
    http(s)://host:19530 address (a Milvus server), or "" for a Milvus Lite file in each
    knowledge base's folder. `dense_exact_max`: up to this many vectors FAISS searches
    exactly, above it an IVF index (retrieval/kb/faiss/dense_index.py).
    """

    vector_store: VectorStore = VectorStore.FAISS
    milvus_uri: str = ""
    milvus_token: str = ""
    dense_exact_max: int = 200_000
    dense_nprobe: int = 48

    def __post_init__(self) -> None:
        check(self.vector_store in VECTOR_STORES, "vector_store",
              f"must be one of {', '.join(VECTOR_STORES)} (got {self.vector_store!r})")
        object.__setattr__(self, "vector_store", VectorStore(self.vector_store))  # "milvus" given as a string
        check(self.dense_exact_max >= 1, "dense_exact_max", f"must be at least 1 (got {self.dense_exact_max})")
        check(self.dense_nprobe >= 1, "dense_nprobe", f"must be at least 1 (got {self.dense_nprobe})")

    @property
    def milvus_server(self) -> bool:
        """True when `milvus_uri` names a server rather than a Milvus Lite file."""
        return self.milvus_uri.startswith(("http://", "https://", "tcp://", "grpc://"))


@dataclass(frozen=True, slots=True)
class EmbedConfig:
    """The embedding model and what runs it.

    `model`: 'use-multilingual', 'all-MiniLM-L6-v2', a hub name already in the local cache or
    a folder. `backend`: torch, or ONNX Runtime (onnx, onnx-int8) for sentence-transformers
    models, whose export is made once and kept in `onnx_cache` (a folder the app may write,
    under the data folder: never beside a model that may sit in a read-only package).
    """

    model: str = "use-multilingual"
    batch_size: int = 32
    backend: EmbedBackend = EmbedBackend.TORCH
    onnx_cache: Path = Path("data/cache/onnx")

    def __post_init__(self) -> None:
        check(self.batch_size >= 1, "batch_size", f"must be at least 1 (got {self.batch_size})")
        object.__setattr__(self, "backend", as_enum(EmbedBackend, self.backend, "backend"))
