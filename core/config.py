"""The typed configuration that the lower layers take.

`app.settings.Settings` reads the environment once at an entry point and builds these;
retrieval and ingestion never see the whole settings object, only the fields they use.
Frozen dataclasses that validate in `__post_init__`, so a bad value fails where it is made.
"""
from __future__ import annotations

from dataclasses import dataclass

from core.enums import VectorStore
from core.errors import ConfigError


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ConfigError(message)


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
        for name in ("top_k", "dense_candidates", "lexical_candidates", "rrf_k", "candidate_pool",
                     "rerank_max_length"):
            _check(getattr(self, name) >= 1, f"{name} must be at least 1 (got {getattr(self, name)})")
        _check(self.dense_weight >= 0 and self.lexical_weight >= 0, "fusion weights must not be negative")
        _check(0 <= self.relevance_dense_weight <= 1, "relevance_dense_weight must be between 0 and 1")
        _check(-1 <= self.score_threshold <= 1,
               f"score_threshold must be between 0 and 1 (got {self.score_threshold})")


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

    def __post_init__(self) -> None:
        _check(self.chunk_size >= 50, f"chunk_size must be at least 50 characters (got {self.chunk_size})")
        _check(0 <= self.chunk_overlap < self.chunk_size,
               f"chunk_overlap ({self.chunk_overlap}) must be smaller than chunk_size ({self.chunk_size})")
        _check(self.child_chunk_size == 0 or self.child_chunk_size >= 20,
               f"child_chunk_size must be 0 (off) or at least 20 characters (got {self.child_chunk_size})")
        _check(self.max_file_mb >= 1 and self.max_pages >= 1 and self.max_unzipped_mb >= 1,
               "file limits must be at least 1")
        _check(self.lock_timeout >= 0, "lock_timeout must not be negative")


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
        _check(self.vector_store in VECTOR_STORES,
               f"vector_store must be one of {', '.join(VECTOR_STORES)} (got {self.vector_store!r})")
        object.__setattr__(self, "vector_store", VectorStore(self.vector_store))  # "milvus" given as a string
        _check(self.dense_exact_max >= 1, f"dense_exact_max must be at least 1 (got {self.dense_exact_max})")
        _check(self.dense_nprobe >= 1, f"dense_nprobe must be at least 1 (got {self.dense_nprobe})")

    @property
    def milvus_server(self) -> bool:
        """True when `milvus_uri` names a server rather than a Milvus Lite file."""
        return self.milvus_uri.startswith(("http://", "https://", "tcp://", "grpc://"))
