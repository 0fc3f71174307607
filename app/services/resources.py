"""The heavy, shared pieces of one process: the embedder, the LLM, open knowledge bases.

Built cheaply; each model loads on first use and once per process, whichever service
asks first. Generators with a session's sampling settings share the loaded model file.
"""
from __future__ import annotations

import threading

from app.llm.config import LlmConfig
from app.llm.generator import Generator, make_generator
from app.llm.remote import RemoteChatGenerator, served_remotely
from app.settings import Settings
from retrieval.embedders import Embedder, make_embedder
from retrieval.kb.opening import open_knowledge_base
from retrieval.kb.protocols import KnowledgeBase

_MAX_TUNED_GENERATORS = 16


def generator_of(config: LlmConfig) -> Generator:
    """The chat server at YIZHI_LLM_URL when one is set (unless a local GGUF was picked), else
    the in-process model. A server that fails raises LlmUnavailable: no fallback."""
    return RemoteChatGenerator(config) if served_remotely(config) else make_generator(config)


class Resources:
    def __init__(self, settings: Settings, *, embedder: Embedder | None = None,
                 generator: Generator | None = None) -> None:
        self.settings = settings
        self._embedder = embedder
        self._generator = generator
        self._kbs: dict[str, KnowledgeBase] = {}
        self._tuned: dict[tuple[str, float, int, str], Generator] = {}
        self._lock = threading.Lock()
        self.models_loaded = False

    @property
    def embedder(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                self._embedder = make_embedder(self.settings.embed_config())
            return self._embedder

    @property
    def generator(self) -> Generator:
        """The LLM (built on first use; the model file loads on the first prompt)."""
        with self._lock:
            if self._generator is None:
                self._generator = generator_of(self.settings.llm_config())
            return self._generator

    def generator_for(self, settings: Settings) -> Generator:
        """The LLM with these settings (model, sampling); each model file is loaded once (app.llm)."""
        key = (settings.llm_model, settings.llm_temperature, settings.llm_max_tokens, settings.llm_url)
        if key == (self.settings.llm_model, self.settings.llm_temperature, self.settings.llm_max_tokens,
                   self.settings.llm_url):
            return self.generator
        with self._lock:
            if key not in self._tuned:
                if len(self._tuned) >= _MAX_TUNED_GENERATORS:  # sessions trying many values
                    self._tuned.clear()
                self._tuned[key] = generator_of(settings.llm_config())
            return self._tuned[key]

    def knowledge_base(self, name: str, *, create: bool = False) -> KnowledgeBase:
        with self._lock:
            kb = self._kbs.get(name)
            if kb is None:
                kb = open_knowledge_base(self.settings.kb_root, name, self.settings.store_config(), create=create)
                self._kbs[name] = kb
            return kb

    def forget(self, name: str) -> KnowledgeBase | None:
        """Drop an open knowledge base (before deleting it); returns it, not yet closed."""
        with self._lock:
            return self._kbs.pop(name, None)

    def close(self) -> None:
        with self._lock:
            for kb in self._kbs.values():
                kb.close()
            self._kbs.clear()
