"""What each service promises. The UI, the CLIs and the HTTP API depend on these
Protocols only; the real services and the tests' fakes both implement them (a test
checks the fakes' signatures against these, so they cannot drift)."""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from app.model_catalog import ModelInfo
from core.answers import Answer, Turn
from core.types import DocumentRecord, FileOutcome, IngestSummary, PassageContext, SavedUpload, ScoredChunk

History = Sequence[Turn | Mapping[str, str]]
Overrides = Mapping[str, Any]
OnFile = Callable[[FileOutcome], None]


@runtime_checkable
class KnowledgeService(Protocol):
    """Knowledge bases, their documents, uploads and ingestion."""

    def list_knowledge_bases(self) -> list[str]: ...

    def create_knowledge_base(self, name: str) -> str: ...

    def delete_knowledge_base(self, name: str) -> None: ...

    def exists(self, name: str) -> bool: ...

    def documents(self, kb_name: str) -> list[DocumentRecord]: ...

    def ingest(self, kb_name: str, paths: Sequence[Path], *, password: str | None = None,
               progress: bool = False, on_file: OnFile | None = None,
               on_wait: Callable[[str], None] | None = None) -> IngestSummary: ...

    def remove_document(self, kb_name: str, path: str) -> bool: ...

    def delete_document(self, kb_name: str, path: str) -> bool: ...

    def prune(self, kb_name: str) -> list[str]: ...

    def repair(self, kb_name: str) -> str: ...

    def chunk_count(self, kb_name: str) -> int: ...

    def reindex(self, kb_name: str, on_file: OnFile | None = None) -> IngestSummary: ...

    def upload_types(self) -> list[str]: ...

    def save_upload(self, kb_name: str, filename: str, data: bytes, *, replace: bool = False) -> SavedUpload: ...

    def source_file(self, kb_names: Sequence[str], source: str) -> Path | None: ...

    def passage_context(self, kb_names: Sequence[str], source: str, text: str,
                        radius: int = 1) -> PassageContext: ...


@runtime_checkable
class AnswerService(Protocol):
    """Search and answering; `overrides` change settings for one call (validated)."""

    def search(self, query: str, kb_names: Sequence[str], k: int | None = None, *,
               overrides: Overrides | None = None) -> list[ScoredChunk]: ...

    def ask(self, question: str, kb_names: Sequence[str], history: History | None = None, *,
            overrides: Overrides | None = None) -> Answer: ...

    def ask_stream(self, question: str, kb_names: Sequence[str], history: History | None = None, *,
                   overrides: Overrides | None = None) -> Iterator[str | Answer]: ...

    def highlight_terms(self, text: str) -> list[str]: ...


@runtime_checkable
class ModelService(Protocol):
    """The embedding model and the LLM: which ones, and loading them."""

    def describe_models(self) -> dict[str, str]: ...

    def load_models(self) -> None: ...

    def models_ready(self) -> bool: ...

    def list_models(self, active: str | None = None) -> list[ModelInfo]: ...

    def pull_model(self, name: str) -> Path: ...
