"""The two seams of the knowledge-base package.

`KnowledgeBase`: one knowledge base, as search (retrieval/search.py), ingestion
(ingest/pipeline.py), the services and the evaluation use it; `open_knowledge_base`
(retrieval/kb/opening.py) returns one. Its one implementation is `CatalogueKnowledgeBase`
(retrieval/kb/knowledge_base.py): the SQLite catalogue composed with a vector index.

`VectorIndex`: what the catalogue is composed with, one per backend: FAISS
(retrieval/kb/faiss/) or Milvus (retrieval/kb/milvus/). Each mirrors the catalogue's chunk
ids and vectors, and answers BM25 where that backend does it: the FAISS index is given the
catalogue's FTS5 search, Milvus searches its own BM25 index of the lexical rows.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from core.enums import VectorStore
from core.types import Chunk, DocumentRecord
from retrieval.kb.consistency import Report
from retrieval.lexical import Vocabulary

Ranked = list[tuple[int, float]]  # (chunk_id, score) best first
LexicalSearch = Callable[[Sequence[str], int], Ranked]


@dataclass(frozen=True, slots=True)
class Commit:
    """One of this process's catalogue transactions, for the index to mirror: the generation
    went from `before` to `after`, the chunks `removed` went, the chunks `added` came with
    their `vectors` (one row each)."""

    before: int
    after: int
    removed: Sequence[int] = ()
    added: Sequence[int] = ()
    vectors: np.ndarray | None = field(default=None, compare=False)


@runtime_checkable
class VectorIndex(Protocol):
    """The vectors (and, for Milvus, the BM25 index) of one knowledge base, kept current
    with its catalogue, the truth it can always be rebuilt from (chunk ids are never
    reused, so it is brought level by ids alone).

    The knowledge base calls every method holding the catalogue's mutex, except
    `lexical_search`, which takes what it needs itself (FTS5 reads run outside it).
    """

    @property
    def backend(self) -> VectorStore: ...

    @property
    def location(self) -> str:
        """Where the index lives, in words (a file, a collection on a Milvus)."""
        ...

    def check_on_open(self) -> None:
        """Bring the stored index level with the catalogue if it is behind (a writer killed
        between its commit and its index write), when no other process is writing."""
        ...

    def load(self, dim: int | None = None) -> None:
        """Have the index ready and current (made for `dim` while the catalogue has no
        vectors yet), so that the next commit can be applied to it."""
        ...

    def dense_search(self, query: np.ndarray, n: int) -> Ranked: ...

    def lexical_search(self, tokens: Sequence[str], n: int) -> Ranked: ...

    def apply(self, commit: Commit) -> None:
        """Mirror one of this process's commits."""
        ...

    def save(self) -> None:
        """End of a batch: make what was applied durable (the FAISS file, a Milvus flush)."""
        ...

    def reset(self) -> None:
        """Forget what is held: the next use brings the index level from the catalogue."""
        ...

    def bring_level(self) -> None:
        """Make the index hold exactly the catalogue's chunks now (call under the write lock)."""
        ...

    def ids(self) -> np.ndarray:
        """The chunk ids the index holds (for `check`)."""
        ...

    def lexical_rows_rebuilt(self) -> None:
        """The catalogue's lexical rows were all made again: follow them if the index holds them."""
        ...

    def drop(self) -> None:
        """Delete the index's storage (the knowledge base is deleted or moves to another backend)."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class KnowledgeBase(Protocol):
    """One knowledge base, as search, ingestion, the services and the evaluation use it."""

    @property
    def name(self) -> str: ...

    @property
    def path(self) -> Path:
        """Its folder."""
        ...

    @property
    def backend(self) -> VectorStore: ...

    # what it was built with
    @property
    def embed_model(self) -> str | None: ...

    @property
    def dim(self) -> int | None: ...

    def check_embedder(self, model_name: str) -> None: ...

    def vocabulary(self) -> Vocabulary: ...

    def vocabulary_for(self, chunks: Sequence[Chunk]) -> Vocabulary: ...

    # search
    def dense_search(self, query: np.ndarray, n: int) -> Ranked: ...

    def lexical_search(self, tokens: Sequence[str], n: int) -> Ranked: ...

    def chunks(self, ids: Sequence[int]) -> dict[int, Chunk]: ...

    def embeddings(self, ids: Sequence[int]) -> dict[int, np.ndarray]: ...

    def child_embeddings(self, ids: Sequence[int]) -> dict[int, np.ndarray]: ...

    def chunk_ids(self) -> np.ndarray: ...

    def chunk_count(self) -> int: ...

    # the catalogue and ingestion
    def document(self, path: str) -> DocumentRecord | None: ...

    def document_text(self, path: str) -> str: ...

    def documents(self) -> list[DocumentRecord]: ...

    def replace_document(self, path: str, content_hash: str, chunks: Sequence[Chunk], embeddings: np.ndarray, *,
                         model_name: str, pages: int = 0, ocr_pages: int = 0,
                         lexical_tokens: Sequence[str] | None = None,
                         child_vectors: Sequence[np.ndarray | None] | None = None) -> list[int]: ...

    def mark_failed(self, path: str, content_hash: str, error: str) -> None: ...

    def remove_document(self, path: str) -> bool: ...

    def move_document(self, path: str, new_path: str) -> bool:
        """Record a document under its file's new path, chunks and vectors as they are;
        False when `path` has none or `new_path` has one."""
        ...

    def write_lock(self, timeout: float,
                   on_wait: Callable[[str], None] | None = None) -> AbstractContextManager[None]: ...

    def save(self) -> None: ...

    # upkeep
    def check(self) -> Report: ...

    def repair(self) -> Report: ...

    def rebuild_lexical(self, user: Vocabulary | None = None) -> int: ...

    def drop_index(self) -> None: ...

    def close(self) -> None: ...

    def __enter__(self) -> KnowledgeBase: ...

    def __exit__(self, *exc: object) -> None: ...
