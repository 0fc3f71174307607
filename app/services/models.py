"""Which models are in use, and loading them ahead of the first question."""
from __future__ import annotations

from app.llm import BUILTIN_MODELS, DEFAULT_LLM
from app.services.resources import Resources


class ModelsService:
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
