"""Optional reranking of the fused candidates with a cross-encoder.

A cross-encoder reads the question and a passage together and scores the pair; it is
slower than the first stage (one transformer pass per candidate) but reads word order
and paraphrase. Any sentence-transformers `CrossEncoder` works, by hub name (already in
the Hugging Face cache: nothing is downloaded at run time) or by local folder, e.g.

    huggingface-cli download BAAI/bge-reranker-base --local-dir ~/models/bge-reranker-base
    export YIZHI_RERANKER_MODEL=~/models/bge-reranker-base

Models load on first use and are shared by every searcher of the process.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

import numpy as np

from core.errors import ConfigError, ModelLoadError
from retrieval.embedders import model_reference

log = logging.getLogger(__name__)


class CrossEncoderReranker:
    """Scores (question, passage) pairs with a sentence-transformers CrossEncoder."""

    def __init__(self, model: str, *, max_length: int = 512, batch_size: int = 16) -> None:
        if not model or not model.strip():
            raise ConfigError("the reranker model name is empty: it takes a hub name or a folder", setting="reranker_model")
        if max_length < 16 or batch_size < 1:
            raise ConfigError(f"reranker max_length must be at least 16 and batch_size at least 1, "
                              f"got {max_length} and {batch_size}")
        self.model_ref, self.is_folder, self.name = model_reference(model)
        self._load_ref = self.name  # what loads, whatever `name` is relabelled to
        self.max_length = max_length
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._model is None:
                from sentence_transformers import CrossEncoder

                ref = self._load_ref
                try:
                    self._model = CrossEncoder(ref, device="cpu", max_length=self.max_length,
                                               local_files_only=True)
                except (OSError, ValueError) as exc:
                    raise ModelLoadError(
                        f"could not load the reranker '{self.model_ref}' ({type(exc).__name__}): it must be a "
                        "folder that holds a cross-encoder, or a hub name already in the local cache (download "
                        "it once, e.g. `huggingface-cli download BAAI/bge-reranker-base --local-dir "
                        "models/bge-reranker-base`); without one, search works without reranking",
                        setting="reranker_model") from exc
                log.info("loaded reranker %s", self.name)
        return self._model

    def score(self, query: str, passages: Sequence[str]) -> np.ndarray:
        """One score per passage, higher = more relevant (the model's raw output)."""
        if not passages:
            return np.zeros(0, dtype=np.float32)
        model = self._load()
        scores = model.predict([(query, p) for p in passages], batch_size=self.batch_size,
                               show_progress_bar=False, convert_to_numpy=True)
        scores = np.asarray(scores, dtype=np.float32)
        if scores.ndim == 2:  # a two-label model: take the "relevant" column
            scores = scores[:, -1]
        return scores


def rerank_order(scores: Sequence[float]) -> list[int]:
    """Indices of `scores`, best first; ties keep the incoming (fused) order."""
    return sorted(range(len(scores)), key=lambda i: (-float(scores[i]), i))


_RERANKERS: dict[tuple[str, int], CrossEncoderReranker] = {}
_RERANKERS_LOCK = threading.Lock()


def get_reranker(model: str, max_length: int = 512) -> CrossEncoderReranker:
    """The process-wide reranker for a model (so each model loads once)."""
    key = (model, max_length)
    with _RERANKERS_LOCK:
        reranker = _RERANKERS.get(key)
        if reranker is None:
            reranker = CrossEncoderReranker(model, max_length=max_length)
            _RERANKERS[key] = reranker
        return reranker
