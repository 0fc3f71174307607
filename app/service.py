"""The service facade: the one object the CLI, the UI and any API talk to.

It owns the shared, lazily loaded pieces (the embedder, open knowledge bases) so that a
process loads each model once; nothing above it touches FAISS, SQLite or model code.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from app.answering import History, answer, answer_stream
from app.errors import ConfigError, KnowledgeBaseNotFound
from app.llm import Generator, make_generator
from app.settings import Settings
from app.types import Answer
from ingest.pipeline import FileOutcome, IngestPipeline, IngestSummary
from retrieval.embedders import Embedder, make_embedder
from retrieval.search import HybridSearcher, search_many
from retrieval.store import DocumentRecord, KnowledgeBase, validate_kb_name
from retrieval.types import ScoredChunk

log = logging.getLogger(__name__)


class YizhiService:
    def __init__(self, settings: Settings, *, embedder: Embedder | None = None,
                 generator: Generator | None = None) -> None:
        self.settings = settings
        self._embedder = embedder
        self._generator = generator
        self._kbs: dict[str, KnowledgeBase] = {}
        self._lock = threading.Lock()

    # --- shared resources --------------------------------------------------------------
    @property
    def embedder(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                self._embedder = make_embedder(self.settings.embed_model, self.settings.embed_batch_size)
            return self._embedder

    def knowledge_base(self, name: str, *, create: bool = False) -> KnowledgeBase:
        with self._lock:
            kb = self._kbs.get(name)
            if kb is None:
                kb = KnowledgeBase(self.settings.kb_root, name, create=create)
                self._kbs[name] = kb
            return kb

    def close(self) -> None:
        with self._lock:
            for kb in self._kbs.values():
                kb.close()
            self._kbs.clear()

    # --- knowledge bases ---------------------------------------------------------------
    def list_knowledge_bases(self) -> list[str]:
        return KnowledgeBase.list_names(self.settings.kb_root)

    def documents(self, kb_name: str) -> list[DocumentRecord]:
        return self.knowledge_base(kb_name).documents()

    def ingest(self, kb_name: str, paths: Sequence[Path], *, password: str | None = None,
               progress: bool = False, on_file=None) -> IngestSummary:
        validate_kb_name(kb_name)
        kb = self.knowledge_base(kb_name, create=True)
        pipeline = IngestPipeline(kb, self.embedder, self.settings, progress=progress)
        return pipeline.run(paths, password=password, on_file=on_file)

    def remove_document(self, kb_name: str, path: str) -> bool:
        kb = self.knowledge_base(kb_name)
        return IngestPipeline(kb, self.embedder, self.settings, progress=False).remove(path)

    # --- retrieval ---------------------------------------------------------------------
    def search(self, query: str, kb_names: Sequence[str], k: int | None = None) -> list[ScoredChunk]:
        if not query or not query.strip():
            raise ConfigError("the question is empty: type a question")
        if not kb_names:
            raise ConfigError("no knowledge base selected")
        searchers = []
        for name in kb_names:
            if not KnowledgeBase.exists(self.settings.kb_root, name):
                raise KnowledgeBaseNotFound(name)
            searchers.append(HybridSearcher(self.knowledge_base(name), self.embedder, self.settings))
        return search_many(searchers, query, k or self.settings.top_k)

    # --- answering ---------------------------------------------------------------------
    @property
    def generator(self) -> Generator:
        """The LLM (built on first use; the model file loads on the first prompt)."""
        with self._lock:
            if self._generator is None:
                self._generator = make_generator(self.settings)
            return self._generator

    def ask(self, question: str, kb_names: Sequence[str], history: History | None = None) -> Answer:
        """Answer from the knowledge bases, or refuse when they hold nothing relevant."""
        return answer(question, kb_names, history, **self._answer_parts())

    def ask_stream(self, question: str, kb_names: Sequence[str],
                   history: History | None = None) -> Iterator[str | Answer]:
        """Yield the answer's text as it is generated, then the `Answer` with its citations."""
        return answer_stream(question, kb_names, history, **self._answer_parts())

    def _answer_parts(self) -> dict:
        return {"settings": self.settings, "search": lambda q, kbs: self.search(q, kbs),
                "generator": lambda: self.generator}


__all__ = ["YizhiService", "FileOutcome"]
