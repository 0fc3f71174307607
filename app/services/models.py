"""Which models are in use, and loading them ahead of the first question."""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from app.llm.catalog import ModelInfo, list_models, pull
from app.llm.generator import BUILTIN_MODELS, DEFAULT_LLM
from app.llm.remote import SERVER_DEFAULT, RemoteChatGenerator, served_remotely, server_base, server_models
from app.services.limits import check_embed_inputs
from app.services.resources import Resources
from core.errors import LlmUnavailable

log = logging.getLogger(__name__)


class LocalModelService:
    def __init__(self, resources: Resources) -> None:
        self._res = resources

    def describe_models(self) -> dict[str, str]:
        """The models in use, by setting, without loading them."""
        settings = self._res.settings
        if served_remotely(settings.llm_config()):
            return {"embed_model": settings.embed_model, "llm_model": self._server_model(),
                    "llm_description": f"on the chat server at {server_base(settings.llm_url)}"}
        llm = settings.llm_model.strip() or DEFAULT_LLM
        return {"embed_model": settings.embed_model, "llm_model": llm,
                "llm_description": BUILTIN_MODELS.get(llm, "GGUF file")}

    def load_models(self) -> None:
        """Load the embedding model and the LLM now (the UI does this behind a spinner)."""
        self._res.embedder.embed_query("已知")
        self._res.generator.count_tokens("已知")
        self._res.models_loaded = True

    def models_ready(self) -> bool:
        return self._res.models_loaded

    def list_models(self, active: str | None = None) -> list[ModelInfo]:
        """Built-in LLMs and every GGUF file in <data>/models and YIZHI_MODELS_DIR; `active`
        names the one in use (a session's pick), else the setting. With YIZHI_LLM_URL, the chat
        server's models come first (GET /v1/models); a server that cannot be reached shows as
        one entry saying so."""
        settings = self._res.settings
        active = settings.llm_model if active is None else active
        local = list_models(settings.data_dir, active, settings.models_dir)
        if not settings.llm_url:
            return local
        remote = served_remotely(replace(settings.llm_config(), model=active))
        url = server_base(settings.llm_url)
        try:
            names = server_models(url, settings.llm_api_key)
        except LlmUnavailable as exc:
            log.warning("cannot list the chat server's models: %s", exc)
            return [ModelInfo(active.strip() or SERVER_DEFAULT, f"unavailable: {exc}", None, None, remote), *local]
        chosen = active.strip() or (names[0] if names else "")
        server = [ModelInfo(name, f"on the chat server at {url}", None, True, remote and name == chosen)
                  for name in names]
        return [*server, *(replace(m, active=False) for m in local)] if remote else [*server, *local]

    def _server_model(self) -> str:
        """The chat server's model in use: the setting, else the first it lists (asked once)."""
        settings = self._res.settings
        if settings.llm_model.strip():
            return settings.llm_model.strip()
        generator = self._res.generator
        try:
            if isinstance(generator, RemoteChatGenerator):
                return generator.model  # listed once, then kept
            names = server_models(settings.llm_url, settings.llm_api_key)
        except LlmUnavailable as exc:
            log.warning("cannot list the chat server's models: %s", exc)
            return SERVER_DEFAULT
        return names[0] if names else SERVER_DEFAULT

    def pull_model(self, name: str) -> Path:
        """Download a known instruction model into <data>/models (online machines only)."""
        return pull(name, self._res.settings.data_dir / "models")

    def count_tokens(self, text: str) -> int:
        """Tokens of `text` by the LLM's own tokenizer (loads the LLM): what the API reports as usage."""
        return self._res.generator.count_tokens(text)

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Vectors of `texts` by the knowledge bases' embedding model (normalised, as indexed);
        InputTooLarge over `max_embed_inputs` texts or `max_embed_chars` characters in one."""
        texts = check_embed_inputs(self._res.settings, texts)
        if not texts:
            return []
        return self._res.embedder.embed_documents(list(texts)).tolist()
