"""Statuses and modes. `StrEnum`, so values compare equal to their strings (the SQLite
rows and the `--json` output keep plain strings)."""
from __future__ import annotations

from enum import StrEnum


class DocStatus(StrEnum):
    """A document row of a knowledge base."""

    OK = "ok"
    FAILED = "failed"


class FileStatus(StrEnum):
    """What one ingestion run did with one file."""

    ADDED = "added"
    UPDATED = "updated"
    SKIPPED = "skipped"
    FAILED = "failed"
    REMOVED = "removed"
    MOVED = "moved"  # renamed or moved: its document points at the new path, nothing re-embedded


class UploadStatus(StrEnum):
    """Where an uploaded file went: stored, already there under its name, or the same
    bytes as another document."""

    SAVED = "saved"
    UNCHANGED = "unchanged"
    DUPLICATE = "duplicate"


class SearchMode(StrEnum):
    HYBRID = "hybrid"
    DENSE = "dense"
    LEXICAL = "lexical"


class Language(StrEnum):
    ZH = "zh"
    EN = "en"



class VectorStore(StrEnum):
    """Where a knowledge base keeps its vectors and BM25: FAISS beside SQLite FTS5 (embedded),
    or Milvus. The value is what the catalogue records (`vector_store` in its meta)."""

    FAISS = "faiss"
    MILVUS = "milvus"


class LinkProblem(StrEnum):
    """Why a folder cannot be linked to a knowledge base (ingest/links.py)."""

    NOT_ABSOLUTE = "not_absolute"  # a relative path would be read from wherever the app was started
    MISSING = "missing"
    NOT_FOLDER = "not_folder"
    UNREADABLE = "unreadable"
    DATA_FOLDER = "data_folder"  # Yizhi's own data folder, inside it, or holding it
    TOO_MANY = "too_many"


class EmbedBackend(StrEnum):
    """What runs a sentence-transformers embedder: PyTorch, or ONNX Runtime on an export of
    the model (float32, or with int8 weights). A non-torch backend is part of the embedder's
    name, which each knowledge base records (retrieval/embedders.py)."""

    TORCH = "torch"
    ONNX = "onnx"
    ONNX_INT8 = "onnx-int8"
