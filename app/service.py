"""The service facade: the one object the CLI, the UI and any API talk to.

It owns the shared, lazily loaded pieces (the embedder, open knowledge bases) so that a
process loads each model once; nothing above it touches FAISS, SQLite or model code.
"""
from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path


from app.answering import History, answer, answer_stream
from app.errors import ConfigError, KnowledgeBaseNotFound
from app.kb_admin import PassageContext, SavedUpload, document_hashes, passage_context, store_upload
from app.llm import BUILTIN_MODELS, DEFAULT_LLM, Generator, make_generator
from app.settings import Settings
from app.types import Answer
from ingest.loaders import SUPPORTED_SUFFIXES
from ingest.pipeline import REMOVED, FileOutcome, IngestPipeline, IngestSummary
from retrieval.embedders import Embedder, make_embedder
from retrieval.lexical import query_tokens
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
        # Generators with a session's sampling settings; they share the loaded model file.
        self._tuned_generators: dict[tuple[float, int], Generator] = {}
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
    def search(self, query: str, kb_names: Sequence[str], k: int | None = None, *,
               settings: Settings | None = None) -> list[ScoredChunk]:
        """The best chunks for `query`; `settings` overrides the retrieval settings for one call."""
        settings = settings or self.settings
        if not query or not query.strip():
            raise ConfigError("the question is empty: type a question")
        if not kb_names:
            raise ConfigError("no knowledge base selected")
        searchers = []
        for name in kb_names:
            if not KnowledgeBase.exists(self.settings.kb_root, name):
                raise KnowledgeBaseNotFound(name)
            searchers.append(HybridSearcher(self.knowledge_base(name), self.embedder, settings))
        return search_many(searchers, query, k or settings.top_k)

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

    # --- knowledge-base management (the UI) --------------------------------------------
    def create_knowledge_base(self, name: str) -> str:
        """Create an empty knowledge base; ConfigError when the name is invalid or taken."""
        name = validate_kb_name((name or "").strip())
        if KnowledgeBase.exists(self.settings.kb_root, name):
            raise ConfigError(f"knowledge base '{name}' already exists: pick another name")
        self.knowledge_base(name, create=True)
        return name

    def delete_knowledge_base(self, name: str) -> None:
        """Delete a knowledge base with its index and uploaded files."""
        validate_kb_name(name)
        if not KnowledgeBase.exists(self.settings.kb_root, name):
            raise KnowledgeBaseNotFound(name)
        kb = self.knowledge_base(name)
        with kb.write_lock(timeout=2):  # KnowledgeBaseBusy while another writer is at work
            with self._lock:
                self._kbs.pop(name, None)
            kb.close()
            shutil.rmtree(kb.path)

    def upload_types(self) -> list[str]:
        """File suffixes (without the dot) that can be indexed."""
        return sorted(s.lstrip(".") for s in SUPPORTED_SUFFIXES)

    def save_upload(self, kb_name: str, filename: str, data: bytes, *, replace: bool = False) -> SavedUpload:
        """Store an uploaded file under `<kb>/files/` with a safe name (see app.kb_admin)."""
        kb = self.knowledge_base(kb_name)
        return store_upload(kb.path / "files", filename, data, max_mb=self.settings.max_file_mb,
                            known_hashes=document_hashes(kb.documents()), replace=replace)

    def delete_document(self, kb_name: str, path: str) -> bool:
        """Remove a document from the index, and its file when it was uploaded."""
        removed = self.remove_document(kb_name, path)
        files = (self.knowledge_base(kb_name).path / "files").resolve()
        if Path(path).parent == files:
            Path(path).unlink(missing_ok=True)
        return removed

    def reindex(self, kb_name: str, on_file=None) -> IngestSummary:
        """Read every document's file again (and files added to `<kb>/files/`); drop the
        documents whose files are gone."""
        kb = self.knowledge_base(kb_name)
        self.embedder.embed_documents(["已知"])  # a model that cannot load fails before anything is removed
        pipeline = IngestPipeline(kb, self.embedder, self.settings, progress=False)
        summary = IngestSummary([FileOutcome(p, REMOVED, "the file no longer exists") for p in pipeline.prune()])
        files = [Path(d.path) for d in kb.documents() if Path(d.path).is_absolute()]
        uploads = kb.path / "files"
        known = {str(p) for p in files}
        if uploads.is_dir():
            files += [p.resolve() for p in sorted(uploads.iterdir())
                      if p.is_file() and not p.name.startswith(".") and str(p.resolve()) not in known]
        started = time.perf_counter()
        for path in files:
            pipeline.remove(path)  # the pipeline skips unchanged files: forget this one first
            summary.outcomes += pipeline.run([path], on_file=on_file).outcomes
        summary.seconds = time.perf_counter() - started
        return summary

    # --- answering with per-session settings, and what the UI shows of sources ----------
    def ask_stream_with(self, question: str, kb_names: Sequence[str], history: History | None = None, *,
                        top_k: int | None = None, score_threshold: float | None = None,
                        temperature: float | None = None, max_tokens: int | None = None) -> Iterator[str | Answer]:
        """`ask_stream` with settings for this request (the UI's sidebar); models stay shared."""
        changes = {key: value for key, value in {"top_k": top_k, "score_threshold": score_threshold,
                                                 "llm_temperature": temperature,
                                                 "llm_max_tokens": max_tokens}.items() if value is not None}
        try:
            tuned = type(self.settings)(**{**self.settings.model_dump(), **changes}, _env_file=None)
        except ValueError as exc:
            raise ConfigError(f"invalid setting: {exc}") from exc
        return answer_stream(question, kb_names, history, settings=tuned,
                             search=lambda q, kbs: self.search(q, kbs, settings=tuned),
                             generator=lambda: self._generator_for(tuned))

    def _generator_for(self, settings: Settings) -> Generator:
        """The LLM with these sampling settings; the model file itself is loaded once (app.llm)."""
        key = (settings.llm_temperature, settings.llm_max_tokens)
        if key == (self.settings.llm_temperature, self.settings.llm_max_tokens):
            return self.generator
        with self._lock:
            tuned = self._tuned_generators
            if key not in tuned:
                if len(tuned) >= 16:  # sessions trying many values: keep a few (they are cheap)
                    tuned.clear()
                tuned[key] = make_generator(settings)
            return tuned[key]

    def load_models(self) -> None:
        """Load the embedding model and the LLM now (the UI does this behind a spinner)."""
        self.embedder.embed_query("已知")
        self.generator.count_tokens("已知")
        self._models_loaded = True

    def models_ready(self) -> bool:
        return getattr(self, "_models_loaded", False)

    def describe_models(self) -> dict[str, str]:
        """The models in use, by setting, without loading them."""
        llm = self.settings.llm_model.strip() or DEFAULT_LLM
        return {"embed_model": self.settings.embed_model, "llm_model": llm,
                "llm_description": BUILTIN_MODELS.get(llm, "GGUF file")}

    def highlight_terms(self, text: str) -> list[str]:
        """The words of a question that retrieval matches on (for highlighting)."""
        return query_tokens(text)

    def source_file(self, kb_names: Sequence[str], source: str) -> Path | None:
        """The file of a cited source, if it is a document of these knowledge bases and exists."""
        for name in kb_names:
            if KnowledgeBase.exists(self.settings.kb_root, name) and self.knowledge_base(name).document(source):
                path = Path(source)
                return path if path.is_file() else None
        return None

    def passage_context(self, kb_names: Sequence[str], source: str, text: str, radius: int = 1) -> PassageContext:
        """A cited passage with its neighbouring chunks, read again from its file."""
        path = self.source_file(kb_names, source)
        if path is None:
            return PassageContext((), text, (), False)
        return passage_context(path, source, text, self.settings, radius)


__all__ = ["YizhiService", "FileOutcome"]
