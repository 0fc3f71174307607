"""Shared fixtures: settings on a temporary data dir, the real default embedder, and a
deterministic fake embedder that records what it was asked to embed."""
from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from app.settings import Settings
from bench.milvus_server import MilvusLiteServer
from core.config import StoreConfig
from retrieval.embedders import UseEmbedder, embedding_text

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


# --- nothing the tests (or the app they run) write shows up in `git status` --------------
def git_status(root: Path = ROOT) -> set[str] | None:
    """`git status --porcelain` lines of the repository (untracked files one by one); None
    outside a git checkout."""
    try:
        done = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=root,
                              capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return set(done.stdout.splitlines()) if done.returncode == 0 else None


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[_GIT_STATUS] = git_status()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when it left files that git would show: whatever the app writes belongs
    under the data folder's git-ignored parts (a test's own files under its tmp_path)."""
    before = session.config.stash.get(_GIT_STATUS, None)
    after = git_status() if before is not None else None
    left = sorted((after or set()) - (before or set()))
    if left:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line("the test run left files that `git status` shows (they belong under a git-ignored "
                                "folder): " + "; ".join(left), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_GIT_STATUS = pytest.StashKey[set[str] | None]()


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
    Like the real embedders it reads Chinese in Simplified script (`embedding_text`).
    """

    def __init__(self, dim: int = 64, name: str = "fake-embedder") -> None:
        self.dim = dim
        self.name = name
        self.calls: list[list[str]] = []

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        for ch in embedding_text(text):
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


# --- the storage backends (retrieval/kb/) ------------------------------------------------
# Tests that take `open_kb` or `kb_settings` run once per backend: FAISS (embedded), Milvus
# through a Milvus Lite file (in-process, as one user runs it) and Milvus through a Milvus
# server (`milvus_lite server` in a child process, reached over TCP as a team's cluster is).
# One Lite file and one server serve the whole session (each starts in about 0.5 s); every
# knowledge base gets its own collection in them. `backend` is the vector store's name.
BACKENDS = [pytest.param(("faiss", ""), id="faiss"), pytest.param(("milvus", "lite"), id="milvus"),
            pytest.param(("milvus", "server"), id="milvus-server")]


@pytest.fixture(scope="session")
def milvus_lite_uri(tmp_path_factory) -> Iterator[str]:
    from retrieval.kb.milvus import connection as milvus_conn

    uri = str(tmp_path_factory.mktemp("milvus") / "session.db")
    milvus_conn.acquire(uri)  # held for the session, so the server is not restarted per test
    yield uri
    milvus_conn.release(uri)


@pytest.fixture(scope="session")
def milvus_server(tmp_path_factory) -> Iterator[MilvusLiteServer]:
    """A Milvus Lite server on a free port of 127.0.0.1 with a temporary folder, for the session."""
    with MilvusLiteServer(tmp_path_factory.mktemp("milvus-server") / "data") as server:
        yield server


@pytest.fixture(scope="session")
def milvus_server_uri(milvus_server: MilvusLiteServer) -> str:
    return milvus_server.uri


@pytest.fixture(params=BACKENDS)
def backend_variant(request) -> tuple[str, str]:
    """(vector store, how Milvus runs: "lite" | "server" | "" for FAISS)."""
    return request.param


@pytest.fixture
def backend(backend_variant: tuple[str, str]) -> str:
    return backend_variant[0]


@pytest.fixture
def store_config(backend_variant: tuple[str, str], request) -> StoreConfig:
    store, runs = backend_variant
    if store == "faiss":
        return StoreConfig()
    uri = request.getfixturevalue("milvus_server_uri" if runs == "server" else "milvus_lite_uri")
    return StoreConfig(vector_store="milvus", milvus_uri=uri)


@pytest.fixture
def open_kb(store_config: StoreConfig) -> Iterator[Callable]:
    """`open_kb(root, name, create=False)`: a knowledge base of this test's backend (closed after)."""
    from retrieval.kb.opening import open_knowledge_base

    opened = []

    def open_(root, name: str = "kb", *, create: bool = False):
        kb = open_knowledge_base(Path(root), name, store_config, create=create)
        opened.append(kb)
        return kb

    yield open_
    for kb in opened:
        kb.close()


@pytest.fixture
def kb_settings(settings: Settings, store_config: StoreConfig) -> Settings:
    """`settings` with this test's backend."""
    return settings.with_overrides(vector_store=store_config.vector_store, milvus_uri=store_config.milvus_uri)
