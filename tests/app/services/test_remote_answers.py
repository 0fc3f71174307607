"""Answers from a model served elsewhere (YIZHI_LLM_URL), end to end: llama-cpp-python's own
OpenAI-compatible server, started here on a free loopback port with the bundled default GGUF,
answers through the services as any chat server would. Real HTTP, real model: slow. (A wrong
URL and a server's refusals: tests/app/llm/test_remote.py.)"""
from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from app.answering.types import Answer
from app.llm.config import LlmConfig
from app.llm.remote import RemoteChatGenerator
from app.services import build_services
from core.errors import LlmUnavailable
from prompts.types import GenerationRequest
from tests.app.llm.test_remote import free_port

pytestmark = pytest.mark.slow

ALIAS = "gemma-served"
# What the bundled base model, prompted through the server's fallback chat format, keeps
# writing (it repeats the passage): long enough to stop it, or the server, mid-answer.
RAMBLING = "已知信息：\n[1] 大熊猫主要吃竹子。\n\n问题是：大熊猫主要吃什么？"


@contextmanager
def chat_server(model: Path, log: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """`python -m llama_cpp.server` serving `model` as ALIAS on a free loopback port, until the block ends."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(model),
                                 "--model_alias", ALIAS, "--host", "127.0.0.1", "--port", str(port),
                                 "--n_ctx", "4096", "--n_threads", "2"], stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the chat server exited ({proc.returncode}): {log.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{url}/v1/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass  # not listening yet
            if time.monotonic() > deadline:
                pytest.fail("the chat server did not start within 120 s")
            time.sleep(0.3)
        yield url, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="module")
def served(assembled_default_model: Path, tmp_path_factory) -> Iterator[str]:
    with chat_server(assembled_default_model, tmp_path_factory.mktemp("server") / "server.log") as (url, _):
        yield url


def test_a_served_model_answers_through_the_services_with_verified_citations(settings, use_embedder, tiny_docs,
                                                                            served):
    services = build_services(settings.with_overrides(llm_url=served), embedder=use_embedder)
    services.knowledge.ingest("tiny", tiny_docs)
    items = list(services.answers.ask_stream("大熊猫主要吃什么？", ["tiny"]))
    answer = items[-1]
    assert isinstance(answer, Answer) and not answer.refused, answer
    # composed as for a local model: a sentence the passages support, or the passage's own words
    assert answer.supported or answer.quoted, answer
    assert "竹" in answer.text and Path(answer.citations[0].source).name == "panda.txt"
    assert answer.timings["answer_tokens"] >= 0 and answer.timings["prompt_tokens"] > 0
    assert services.models.describe_models()["llm_model"] == ALIAS  # the first (only) model it lists
    assert [m.name for m in services.models.list_models() if m.active] == [ALIAS]

    # nothing relevant: refused before the model, whatever the server would say
    refusal = services.answers.ask("量子计算机的工作原理是什么？", ["tiny"])
    assert refusal.refused and refusal.citations == ()
    services.close()


def test_stopping_an_answer_stops_the_server(served):
    long = RemoteChatGenerator(LlmConfig(url=served, max_tokens=400))
    pieces = long.stream(GenerationRequest(RAMBLING))
    assert next(pieces)
    pieces.close()  # what StoppableGenerator does when nobody waits any more
    # llama-cpp-python's server generates one answer at a time: a short one right after is not
    # kept waiting behind the 400 tokens (about 40 s on two cores) of the abandoned one
    started = time.monotonic()
    short = RemoteChatGenerator(LlmConfig(url=served, max_tokens=3))
    assert list(short.stream(GenerationRequest(RAMBLING)))
    assert time.monotonic() - started < 10


def test_a_server_stopped_mid_answer_is_the_projects_error_not_a_hang(settings, use_embedder, tiny_docs,
                                                                    assembled_default_model, tmp_path):
    with chat_server(assembled_default_model, tmp_path / "server.log") as (url, proc):
        services = build_services(settings.with_overrides(llm_url=url, llm_max_tokens=1000),
                                  embedder=use_embedder)
        services.knowledge.ingest("tiny", tiny_docs)
        stream = services.answers.ask_stream("大熊猫主要吃什么？", ["tiny"])
        with pytest.raises(LlmUnavailable, match="YIZHI_LLM_URL") as caught:
            for item in stream:
                if isinstance(item, str) and proc.poll() is None:
                    proc.kill()  # the server dies while it streams the answer
                    killed = time.monotonic()
        assert time.monotonic() - killed < 30
        assert "closed the connection in the middle of an answer" in str(caught.value)
        # the next question finds it down, at once
        with pytest.raises(LlmUnavailable, match="cannot be reached"):
            services.answers.ask("大熊猫主要吃什么？", ["tiny"])
        services.close()

