"""Shared fixtures: settings on a temporary data dir, the real default embedder, and a
deterministic fake embedder that records what it was asked to embed."""
from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from app.settings import Settings
from retrieval.embedders import UseEmbedder

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", _env_file=None)


@pytest.fixture(scope="session")
def use_embedder() -> UseEmbedder:
    """The real offline default embedder, loaded once per test session."""
    return UseEmbedder(batch_size=32)


class RecordingEmbedder:
    """Deterministic bag-of-characters vectors; records every batch it embeds.

    Texts that share characters get similar vectors, so ranking tests stay meaningful.
    """

    def __init__(self, dim: int = 64, name: str = "fake-embedder") -> None:
        self.dim = dim
        self.name = name
        self.calls: list[list[str]] = []

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        for ch in text:
            if not ch.isspace():
                vec[int(hashlib.md5(ch.encode()).hexdigest(), 16) % self.dim] += 1.0
        norm = np.linalg.norm(vec)
        return vec / norm if norm else vec

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)


@pytest.fixture
def fake_embedder() -> RecordingEmbedder:
    return RecordingEmbedder()


def require_shared(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared evaluation data sits beside the project (../shared)")
    return path


@pytest.fixture(autouse=True)
def _no_yizhi_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never depend on the developer's YIZHI_* variables (a test sets what it needs)."""
    for name in [n for n in os.environ if n.startswith("YIZHI_")]:
        monkeypatch.delenv(name)
