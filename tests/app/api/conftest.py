"""A real uvicorn server on a free loopback port, in a background thread, over services
with a temporary data dir (fake models for the fast tests, real ones for the slow)."""
from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
import uvicorn

from app.llm.config import LlmConfig
from app.services import Services, build_services
from app.serving.web import create_server_app
from app.settings import Settings
from tests.app.conftest import TINY_DOCS, RecordingGenerator


class LiveServer:
    """The API (with MCP at /mcp) over `services`, as `python -m app serve` serves it, by uvicorn until `stop()`."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.app = create_server_app(services)
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(self.app, log_config=None, timeout_graceful_shutdown=2))
        self._thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self._socket]}, daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=15)
        self._socket.close()

    def client(self, key: str | None = None, timeout: float = 30) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=timeout)


class SlowGenerator(RecordingGenerator):
    """A fake LLM that takes `delay` seconds per piece and counts how its streams ended.
    `chat=True` plays an instruction model (its answer streams as generated); otherwise a
    base model (the answer flow checks its whole draft before anything streams)."""

    def __init__(self, reply: str = "RCEP包括东盟十国和中国、日本、韩国、澳大利亚、新西兰。[1]", delay: float = 0.05,
                 pieces: int | None = None, chat: bool = False) -> None:
        super().__init__(reply)
        self.chat = chat
        self.delay = delay
        self.pieces = pieces  # None: the reply in 3-character pieces
        self.finished = 0
        self.stopped = 0
        self.active = 0
        self.most_active = 0
        self._lock = threading.Lock()

    def stream(self, request):
        self.calls.append(request)
        with self._lock:
            self.active += 1
            self.most_active = max(self.most_active, self.active)
        done = False
        try:
            chunks = [self.reply[i:i + 3] for i in range(0, len(self.reply), 3)]
            if self.pieces is not None:
                chunks = [chunks[i % len(chunks)] for i in range(self.pieces)]
            for chunk in chunks:
                time.sleep(self.delay)
                yield chunk
            done = True
        finally:
            with self._lock:
                self.active -= 1
                self.finished += done
                self.stopped += not done


class GatedGenerator(RecordingGenerator):
    """A fake LLM that writes nothing until the test lets it (`release`), then its reply in
    3-character pieces; `finished` is set when its stream has ended."""

    def __init__(self, reply: str) -> None:
        super().__init__(reply)
        self.release = threading.Event()
        self.finished = threading.Event()

    def stream(self, request):
        if not self.release.wait(30):
            raise AssertionError("the test never let the model write")
        yield from super().stream(request)
        self.finished.set()


class TunedGenerator(RecordingGenerator):
    """What a request's own temperature or max_tokens gets instead of the real LLM."""

    def __init__(self, config: LlmConfig) -> None:
        super().__init__()
        self.temperature, self.max_tokens = config.temperature, config.max_tokens


@pytest.fixture
def tuned(monkeypatch) -> list[TunedGenerator]:
    """The generators built for per-request sampling settings (fakes, never the real model)."""
    made: list[TunedGenerator] = []

    def make(config: LlmConfig) -> TunedGenerator:
        made.append(TunedGenerator(config))
        return made[-1]
    monkeypatch.setattr("app.services.resources.make_generator", make)
    return made


@pytest.fixture
def serve(settings: Settings, fake_embedder, tuned) -> Iterator[Callable[..., LiveServer]]:
    """`serve(generator=…, **setting_overrides)` starts a server; all are stopped after the test."""
    started: list[LiveServer] = []

    def start(generator=None, embedder=None, **overrides) -> LiveServer:
        services = build_services(settings.with_overrides(overrides), embedder=embedder or fake_embedder,
                                  generator=generator or RecordingGenerator())
        server = LiveServer(services).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def upload_tiny_kb(client: httpx.Client, kb: str = "kb") -> dict:
    """Create `kb` and index the tiny Chinese documents into it (synchronously)."""
    assert client.post("/api/v1/knowledge_bases", json={"name": kb}).status_code == 201
    files = [("files", (name, text.encode(), "text/plain")) for name, text in TINY_DOCS.items()]
    response = client.post(f"/api/v1/knowledge_bases/{kb}/documents", files=files, params={"wait": "true"})
    assert response.status_code == 200, response.text
    return response.json()
