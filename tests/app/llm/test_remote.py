"""The answering model served elsewhere (app/llm/remote.py), over real HTTP: a small stdlib
server on loopback answers what a chat server answers when things go right or wrong (the
request it got is recorded); nothing listening is a server that is down. The real server
(llama-cpp-python's, with the bundled model) is in tests/app/services/test_remote_answers.py."""
from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from app.llm.config import LlmConfig
from app.llm.generator import LlamaCppGenerator
from app.llm.remote import RemoteChatGenerator, approx_tokens
from app.services import build_services
from app.services.resources import Resources
from core.errors import ConfigError, LlmUnavailable
from prompts.types import GenerationRequest

SSE = "text/event-stream"
MODELS = (200, "application/json", json.dumps({"object": "list", "data": [{"id": "m1"}, {"id": "m2"}]}))


def sse(*events: object) -> str:
    return "".join(f"data: {e if isinstance(e, str) else json.dumps(e)}\n\n" for e in events)


def delta(content: str | None = None, finish: str | None = None) -> dict:
    return {"choices": [{"index": 0, "delta": {"content": content} if content else {}, "finish_reason": finish}]}


ANSWER = (200, SSE, sse(delta("大熊猫"), delta("吃竹子。"), delta(finish="stop"), "[DONE]"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def canned(routes: dict[str, tuple[int, str, str]]) -> Iterator[tuple[str, list[tuple[str, dict]]]]:
    """A loopback HTTP server answering each path with (status, content type, body); yields its
    URL and the (path, JSON body) of every request it got."""
    seen: list[tuple[str, dict]] = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else {}
            seen.append((self.path, {**body, "authorization": self.headers.get("Authorization")}))
            status, kind, text = routes.get(self.path, (404, "application/json", '{"error": "no such path"}'))
            data = text.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def ask(url: str, model: str = "", **config: object) -> list[str]:
    generator = RemoteChatGenerator(LlmConfig(url=url, model=model, **config))
    return list(generator.stream(GenerationRequest("问题是：大熊猫吃什么？", answer_cue="\n答案：", stop=("\n",))))


def test_the_request_is_an_openai_chat_stream_and_pieces_come_as_sent():
    with canned({"/v1/models": MODELS, "/v1/chat/completions": ANSWER}) as (url, seen):
        assert ask(url + "/v1/", api_key="k-1", max_tokens=50, temperature=0.5) == ["大熊猫", "吃竹子。"]
    assert [path for path, _ in seen] == ["/v1/models", "/v1/chat/completions"]  # no model set: the first listed
    body = seen[1][1]
    assert body["model"] == "m1" and body["stream"] is True
    assert body["messages"] == [{"role": "user", "content": "问题是：大熊猫吃什么？"}]  # a chat model: no cue, no stops
    assert (body["max_tokens"], body["temperature"], body["authorization"]) == (50, 0.5, "Bearer k-1")
    assert "stop" not in body


def test_a_named_model_is_asked_for_without_listing():
    with canned({"/v1/chat/completions": ANSWER}) as (url, seen):
        generator = RemoteChatGenerator(LlmConfig(url=url, model="qwen2.5:1.5b"))
        assert generator.chat and generator.context_window == 4096 and generator.name == "qwen2.5:1.5b"
        assert "".join(generator.stream(GenerationRequest("问"))) == "大熊猫吃竹子。"
    assert [(path, body["model"]) for path, body in seen] == [("/v1/chat/completions", "qwen2.5:1.5b")]


@pytest.mark.parametrize("reply, message", [
    ((401, "application/json", '{"error": {"message": "invalid api key"}}'), r"HTTP 401: invalid api key.*YIZHI_LLM_API_KEY"),
    ((404, "application/json", '{"error": {"message": "model \\"m1\\" not found, try pulling it first"}}'),
     r"HTTP 404: model \"m1\" not found.*YIZHI_LLM_MODEL \(m1\)"),
    ((500, "text/plain", "out of memory"), r"HTTP 500: out of memory.*YIZHI_LLM_URL"),
    ((200, SSE, "data: {not json\n\n"), r"malformed answer stream.*YIZHI_LLM_URL"),
    ((200, SSE, sse({"choices": "nonsense"})), r"malformed answer stream"),
    ((200, SSE, sse({"error": {"message": "context overflow"}})), r"failed mid-answer.*context overflow"),
    ((200, SSE, sse(delta("大熊猫"))), r"ended the answer stream before the answer did"),
    ((200, "application/json", '{"choices": []}'), r"did not answer with an event stream"),
], ids=["401", "404", "500", "not-json", "no-choices", "error-event", "cut-short", "not-a-stream"])
def test_what_a_server_refuses_or_garbles_is_an_error_naming_the_setting(reply, message):
    with canned({"/v1/models": MODELS, "/v1/chat/completions": reply}) as (url, _):
        with pytest.raises(LlmUnavailable, match=message) as caught:
            ask(url)
    assert caught.value.setting == "llm_url" and caught.value.code == "llm_unavailable"


def test_a_server_without_models_or_with_a_strange_list():
    with canned({"/v1/models": (200, "application/json", '{"data": []}')}) as (url, _):
        with pytest.raises(LlmUnavailable, match="lists no models.*YIZHI_LLM_MODEL"):
            ask(url)
    with canned({"/v1/models": (200, "application/json", '{"models": ["x"]}')}) as (url, _):
        with pytest.raises(LlmUnavailable, match="not OpenAI's"):
            ask(url)


def test_a_server_that_is_down_fails_at_once_naming_the_setting():
    url = f"http://127.0.0.1:{free_port()}"
    started = time.monotonic()
    with pytest.raises(LlmUnavailable, match=r"cannot be reached.*YIZHI_LLM_URL \(http://127\.0\.0\.1:\d+\)"):
        ask(url, model="m1")
    assert time.monotonic() - started < 5


def test_the_settings_choose_the_model_and_check_the_url(settings):
    assert settings.llm_url == "" and isinstance(Resources(settings).generator, LlamaCppGenerator)  # the default
    served = settings.with_overrides(llm_url="http://127.0.0.1:11434", llm_api_key="secret")
    assert isinstance(Resources(served).generator, RemoteChatGenerator)
    assert "secret" not in repr(served) and "secret" not in repr(served.llm_config())
    # a built-in or a GGUF file picked beside the server's models runs in-process, as chosen
    assert isinstance(Resources(served.with_overrides(llm_model="gemma3-270m")).generator, LlamaCppGenerator)
    for bad in ("ftp://127.0.0.1/", "127.0.0.1:11434", "http://"):
        with pytest.raises(ConfigError, match=r"YIZHI_LLM_URL.*http:// or https://"):
            settings.with_overrides(llm_url=bad)
    with pytest.raises(ConfigError, match="YIZHI_LLM_CONTEXT"):
        settings.with_overrides(llm_context=100)


def test_tokens_are_counted_without_the_servers_tokenizer():
    assert approx_tokens("") == 0
    assert approx_tokens("大熊猫吃竹子") == 6  # one per CJK character
    assert approx_tokens("pandas eat bamboo") == 4  # 1.3 per Latin word, rounded up
    # 6 CJK characters, 2 runs of letters or digits (2 x 1.3, rounded up), 3 punctuation marks
    assert approx_tokens("大熊猫（panda）吃12公斤。") == 6 + 3 + 3


def test_a_refusal_never_asks_the_server_and_the_model_list_shows_its_models(settings, fake_embedder,
                                                                             tiny_docs: list[Path]):
    with canned({"/v1/models": MODELS, "/v1/chat/completions": ANSWER}) as (url, seen):
        services = build_services(settings.with_overrides(llm_url=url, score_threshold=0.99), embedder=fake_embedder)
        services.knowledge.ingest("news", tiny_docs)
        answer = services.answers.ask("量子计算机的工作原理是什么？", ["news"])
        assert answer.refused and seen == []
        models = services.models.list_models()
        assert [(m.name, m.active) for m in models[:2]] == [("m1", True), ("m2", False)]
        assert not any(m.active for m in models[2:]) and any(m.name == "gemma3-270m" for m in models)
        assert services.models.describe_models()["llm_model"] == "m1"
        picked = services.models.list_models(active="m2")
        assert [m.name for m in picked if m.active] == ["m2"]
        services.close()
    down = build_services(settings.with_overrides(llm_url=url), embedder=fake_embedder)
    first = down.models.list_models()[0]  # the server is gone: the list says so
    assert first.active and first.description.startswith("unavailable: ") and "YIZHI_LLM_URL" in first.description
    down.close()


def test_a_wrong_url_is_a_clear_error_through_the_services(settings, fake_embedder, tiny_docs: list[Path]):
    services = build_services(settings.with_overrides(llm_url=f"http://127.0.0.1:{free_port()}", llm_model="m"),
                              embedder=fake_embedder)
    services.knowledge.ingest("tiny", tiny_docs)
    with pytest.raises(LlmUnavailable, match=r"cannot be reached.*is the server running\?.*YIZHI_LLM_URL"):
        services.answers.ask("大熊猫主要吃什么？", ["tiny"])
    services.close()
