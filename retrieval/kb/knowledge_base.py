"""A knowledge base on disk: one folder with its catalogue (`kb.sqlite`) and the vector
index of its backend, composed.

The catalogue (retrieval/kb/catalogue.py) is the truth: documents, chunks, embeddings, the
vocabulary and the FTS5 rows, changed in transactions that each bump a generation number.
The vector index (`VectorIndex`, retrieval/kb/protocols.py: a FAISS file or a Milvus
collection) mirrors it and records the generation it reflects. Every write commits to the
catalogue first, then applies the same change to the index, holding the catalogue's mutex
from one to the other; a kill in between leaves the index behind, and the next open brings
it level from the stored embeddings (chunk ids are never reused, so by ids alone). A reader
whose index falls behind because another process committed brings it up to date before
searching.

The FTS5 rows are made from each chunk's `retrieval_text` with the knowledge base's
vocabulary, and made again when they are out of date (retrieval/kb/lexical_upkeep.py).

Writers take `write_lock()` (a file lock in the folder, retrieval/kb/lock.py) for the whole
of a batch; one process's threads share the object under the catalogue's mutex.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path

import numpy as np

from core.enums import VectorStore
from core.types import Chunk, DocumentRecord
from retrieval.kb import consistency
from retrieval.kb.catalogue import Catalogue, DocumentRows
from retrieval.kb.child_vectors import pack
from retrieval.kb.lexical_upkeep import LexicalUpkeep
from retrieval.kb.lock import WriteLock
from retrieval.kb.protocols import Ranked, VectorIndex
from retrieval.lexical import Vocabulary, heading_terms, lexical_rows, tokenize

log = logging.getLogger(__name__)


class CatalogueKnowledgeBase:
    """One knowledge base: its catalogue composed with its backend's vector index.

    Opening checks it (`check_on_open` of the index and of the lexical rows); it owns both
    and closes them. Made by retrieval/kb/opening.py.
    """

    def __init__(self, catalogue: Catalogue, index: VectorIndex, lock: WriteLock) -> None:
        self.catalogue = catalogue
        self.index = index
        self._lock = lock
        self._lexical = LexicalUpkeep(catalogue, lock)
        try:
            index.check_on_open()
            self._lexical.check_on_open(self.rebuild_lexical)
            catalogue.warn_if_embedded_as_written()
        except BaseException:  # a Milvus that cannot be reached: leave nothing open
            self.close()
            raise

    # --- what it is --------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.catalogue.name

    @property
    def path(self) -> Path:
        return self.catalogue.folder

    @property
    def backend(self) -> VectorStore:
        return self.index.backend

    @property
    def embed_model(self) -> str | None:
        return self.catalogue.embed_model

    @property
    def dim(self) -> int | None:
        return self.catalogue.dim

    @property
    def generation(self) -> int:
        return self.catalogue.generation

    @property
    def lexical_version(self) -> int:
        return self._lexical.lexical_version

    def check_embedder(self, model_name: str) -> None:
        self.catalogue.check_embedder(model_name)

    def vocabulary(self) -> Vocabulary:
        return self._lexical.vocabulary()

    def vocabulary_for(self, chunks: Sequence[Chunk]) -> Vocabulary:
        return self._lexical.vocabulary_for(chunks)

    # --- lifecycle -------------------------------------------------------------------------
    def close(self) -> None:
        with self.catalogue.mutex:
            self.index.close()
            self.catalogue.close()

    def __enter__(self) -> CatalogueKnowledgeBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def write_lock(self, timeout: float, on_wait: Callable[[str], None] | None = None) -> AbstractContextManager[None]:
        """Context manager holding this knowledge base's write lock (retrieval/kb/lock.py)."""
        return self._lock.hold(timeout, on_wait)

    # --- reads and searches ------------------------------------------------------------------
    def dense_search(self, query: np.ndarray, n: int) -> Ranked:
        with self.catalogue.mutex:
            return self.index.dense_search(query, n)

    def lexical_search(self, tokens: Sequence[str], n: int) -> Ranked:
        """(chunk_id, BM25) best first: FTS5 in the catalogue (FAISS) or Milvus's BM25."""
        return self.index.lexical_search(tokens, n)

    def chunks(self, ids: Sequence[int]) -> dict[int, Chunk]:
        return self.catalogue.chunks(ids)

    def embeddings(self, ids: Sequence[int]) -> dict[int, np.ndarray]:
        return self.catalogue.embeddings(ids)

    def child_embeddings(self, ids: Sequence[int]) -> dict[int, np.ndarray]:
        return self.catalogue.child_embeddings(ids)

    def chunk_ids(self) -> np.ndarray:
        return self.catalogue.chunk_ids()

    def chunk_count(self) -> int:
        return self.catalogue.chunk_count()

    def document(self, path: str) -> DocumentRecord | None:
        return self.catalogue.document(path)

    def document_text(self, path: str) -> str:
        return self.catalogue.document_text(path)

    def documents(self) -> list[DocumentRecord]:
        return self.catalogue.documents()

    # --- writes ------------------------------------------------------------------------------
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
        kids = [pack(v) for v in child_vectors] if child_vectors is not None else [None] * len(chunks)
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
        rows = DocumentRows(path, content_hash, chunks, vectors, tokens, kids, model_name, pages, ocr_pages)
        with self.catalogue.mutex:
            self.index.load(dim=vectors.shape[1] if len(vectors) else None)
            commit = self.catalogue.replace_document(rows, terms, known)
            self.index.apply(commit)
        return list(commit.added)

    def mark_failed(self, path: str, content_hash: str, error: str) -> None:
        """Record a file that could not be indexed (its old chunks, if any, are removed)."""
        with self.catalogue.mutex:
            self.index.apply(self.catalogue.mark_failed(path, content_hash, error))

    def remove_document(self, path: str) -> bool:
        with self.catalogue.mutex:
            commit, removed = self.catalogue.remove_document(path)
            self.index.apply(commit)
        return removed

    def move_document(self, path: str, new_path: str) -> bool:
        """Point a document at its file's new path; nothing is re-embedded (Catalogue.move_document)."""
        return self.catalogue.move_document(path, new_path)

    def save(self) -> None:
        """End a batch: give other documents' rows the batch's new vocabulary terms
        (retrieval/kb/lexical_table.py `apply_pending`), and make the index's writes durable
        (the FAISS file written atomically if it has been loaded; a Milvus flush). Call under
        the write lock."""
        with self.catalogue.mutex:
            self._lexical.apply_pending()
            self.index.save()

    # --- consistency ---------------------------------------------------------------------
    def check(self) -> consistency.Report:
        """Compare the catalogue, the lexical rows and the vector index (retrieval/kb/consistency.py)."""
        with self.catalogue.mutex:
            ids = self.index.ids()
            with self.catalogue.snapshot() as db:
                return consistency.check(db, ids)

    def repair(self) -> consistency.Report:
        """Make the lexical rows and the vector index agree with the chunks again. Returns what was wrong."""
        with self.catalogue.mutex:
            report = self.check()
            if not report.ok:
                with self.catalogue.transaction() as db:
                    vocabulary = self.vocabulary()
                    consistency.repair_database(db, lambda text: tokenize(text, vocabulary))
                self.index.reset()
                self.index.load()
            return report

    def rebuild_lexical(self, user: Vocabulary | None = None) -> int:
        """Make the vocabulary (headings, `<kb>/dict.txt`) and every FTS row again from the
        stored `retrieval_text` (nothing is re-embedded), and the index follows them (Milvus
        holds the rows too). Call under the write lock. Returns the chunks done."""
        with self.catalogue.mutex:
            count = self._lexical.rebuild(user if user is not None else self._lexical.user_vocabulary())
            self.index.lexical_rows_rebuilt()
        return count

    def drop_index(self) -> None:
        """Delete the vector index's storage (before deleting the knowledge base, or moving it
        to another backend). Call under the write lock."""
        with self.catalogue.mutex:
            self.index.drop()

