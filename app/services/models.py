"""Which models are in use, and loading them ahead of the first question."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from app.llm.catalog import ModelInfo, list_models, pull
from app.llm.generator import BUILTIN_MODELS, DEFAULT_LLM
from app.services.limits import check_embed_inputs
from app.services.resources import Resources


class LocalModelService:
    def __init__(self, resources: Resources) -> None:
        self._res = resources

    def describe_models(self) -> dict[str, str]:
        """The models in use, by setting, without loading them."""
        settings = self._res.settings
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
        names the one in use (a session's pick), else the setting."""
        settings = self._res.settings
        return list_models(settings.data_dir, settings.llm_model if active is None else active, settings.models_dir)

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
