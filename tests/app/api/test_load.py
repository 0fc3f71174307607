"""Load behaviour against a real server with fake models: one generation at a time behind a
bounded queue, 429 at once when it is full, 503 after waiting too long, a disconnecting
client stops its generation, searches and embeddings do not wait, and the bounded load of
bench/api_load_bench.py gets complete answers or clear 429/503, never a 500."""
from __future__ import annotations

import asyncio
import threading
import time

import httpx

from bench.api_load_bench import load_round
from tests.app.api.conftest import SlowGenerator, upload_tiny_kb

QUESTION = "RCEP是什么？"
CHAT = {"model": "kb", "messages": [{"role": "user", "content": QUESTION}]}


def wait_until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def start_chat(url: str, results: list, stream: bool = False, timeout: float = 60) -> threading.Thread:
    def run():
        try:
            results.append(httpx.post(url + "/v1/chat/completions", json={**CHAT, "stream": stream}, timeout=timeout))
        except httpx.HTTPError as exc:
            results.append(exc)
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_generation_is_serialised_and_a_full_queue_is_refused_at_once(serve):
    generator = SlowGenerator(delay=0.02, pieces=40)  # about 0.8 s an answer
    server = serve(generator=generator, generation_queue=1)
    with server.client() as client:
        upload_tiny_kb(client)
        results: list = []
        threads = [start_chat(server.url, results)]
        wait_until(lambda: generator.active == 1)
        threads.append(start_chat(server.url, results))
        wait_until(lambda: server.app.state.gate.waiting == 1)
        t0 = time.monotonic()
        refused = client.post("/v1/chat/completions", json=CHAT)
        assert time.monotonic() - t0 < 0.5 and refused.status_code == 429
        assert int(refused.headers["retry-after"]) >= 1 and refused.json()["error"]["code"] == "queue_full"
        for thread in threads:
            thread.join(30)
        assert [r.status_code for r in results] == [200, 200] and generator.most_active == 1
        assert client.post("/v1/chat/completions", json=CHAT).status_code == 200


def test_searches_and_embeddings_do_not_wait_behind_a_generation(serve):
    generator = SlowGenerator(delay=0.025, pieces=100)  # about 2.5 s
    server = serve(generator=generator)
    with server.client() as client:
        upload_tiny_kb(client)
        client.post("/api/v1/search", json={"query": "大熊猫", "knowledge_bases": ["kb"]})  # jieba loaded
        results: list = []
        thread = start_chat(server.url, results)
        wait_until(lambda: generator.active == 1)
        t0 = time.monotonic()
        for _ in range(3):
            assert client.post("/api/v1/search", json={"query": "大熊猫", "knowledge_bases": ["kb"]}).status_code == 200
            assert client.post("/v1/embeddings", json={"model": "kb", "input": "大熊猫"}).status_code == 200
        assert time.monotonic() - t0 < 1.5 and generator.active == 1  # done while the answer still generates
        thread.join(30)
        assert results[0].status_code == 200


def test_a_refused_question_never_waits_behind_a_generation_even_with_a_full_queue(serve):
    generator = SlowGenerator(delay=0.025, pieces=120)  # about 3 s an answer
    server = serve(generator=generator, generation_queue=1)
    gate = server.app.state.gate
    with server.client() as client:
        upload_tiny_kb(client)
        results: list = []
        threads = [start_chat(server.url, results)]
        wait_until(lambda: generator.active == 1)  # the slot is busy
        threads.append(start_chat(server.url, results))
        wait_until(lambda: gate.waiting == 1)  # and the line is full: one more that needs the LLM gets 429
        off_topic = {"model": "kb", "messages": [{"role": "user", "content": "火星上的沙尘暴一般持续多久？"}]}
        t0 = time.monotonic()
        for route, body in (("/v1/chat/completions", off_topic),
                            ("/api/v1/ask", {"question": "火星上的沙尘暴一般持续多久？", "knowledge_bases": ["kb"]}),
                            ("/v1/chat/completions", {**off_topic, "stream": True}),
                            ("/api/v1/ask", {"question": "谢谢！", "knowledge_bases": ["kb"]})):
            response = client.post(route, json=body)
            assert response.status_code == 200, (route, response.text)
        assert time.monotonic() - t0 < 1.5 and generator.active == 1  # answered while the first still generates
        assert "根据已知信息无法回答该问题" in response.text or "不客气" in response.text
        assert gate.counts["refused"] == 0 and len(generator.calls) == 1
        for thread in threads:
            thread.join(30)
        assert [r.status_code for r in results] == [200, 200]


def test_a_client_that_disconnects_stops_its_generation(serve):
    generator = SlowGenerator(delay=0.02, pieces=2000, chat=True)  # 40 s unless stopped, streamed as generated
    server = serve(generator=generator, generation_queue=2)
    gate = server.app.state.gate
    with server.client() as client:
        upload_tiny_kb(client)
        with client.stream("POST", "/v1/chat/completions", json={**CHAT, "stream": True}) as response:
            lines = response.iter_lines()
            assert next(line for line in lines if '"content": "' in line and '""' not in line)
            # A second client gives up while waiting in line (its read times out, it closes).
            waiter: list = []
            start_chat(server.url, waiter, stream=True, timeout=0.5).join(5)
            assert isinstance(waiter[0], httpx.ReadTimeout)
            wait_until(lambda: gate.waiting == 0)
            assert generator.active == 1
        wait_until(lambda: generator.stopped == 1 and generator.active == 0, timeout=3)
        wait_until(lambda: not gate.busy, timeout=3)
        assert generator.finished == 0 and (gate.counts["left"], gate.counts["stopped"]) == (1, 1)

        # A base model's draft streams nothing until it is done: a client leaving during it stops it too.
        generator.chat = False
        gone: list = []
        start_chat(server.url, gone, timeout=0.5).join(5)
        assert isinstance(gone[0], httpx.ReadTimeout)
        wait_until(lambda: generator.stopped == 2 and not gate.busy, timeout=3)
        generator.pieces = 5
        assert client.post("/v1/chat/completions", json=CHAT).status_code == 200  # the LLM is free again
        assert generator.finished == 1


def test_a_waiter_that_waits_too_long_gets_503_with_retry_after(serve):
    generator = SlowGenerator(delay=0.02, pieces=50)  # 1 s
    server = serve(generator=generator, generation_wait_timeout=0.5)
    with server.client() as client:
        upload_tiny_kb(client)
        results: list = []
        thread = start_chat(server.url, results)
        wait_until(lambda: generator.active == 1)
        late = client.post("/api/v1/ask", json={"question": QUESTION, "knowledge_bases": ["kb"]})
        assert late.status_code == 503 and late.headers["retry-after"].isdigit()
        assert late.json()["error"]["code"] == "queue_timeout"
        thread.join(30)
        assert results[0].status_code == 200


def test_a_bounded_load_gets_answers_or_clear_busy_statuses(serve):
    generator = SlowGenerator(delay=0.002)
    server = serve(generator=generator)
    with server.client() as client:
        upload_tiny_kb(client)
    for _ in range(2):
        report = asyncio.run(load_round(server.url, "kb", chats=16, searches=16, timeout=60,
                                        questions=[QUESTION, "大熊猫吃什么？"], queries=["RCEP", "大熊猫 竹子"]))
        statuses = [o.status for o in report.outcomes]
        assert set(statuses) <= {200, 429, 503}, [o.error for o in report.outcomes if o.status not in (200, 429, 503)]
        summary = report.summary()
        assert summary["incomplete_200"] == 0 and summary["busy_without_retry_after"] == 0, report.outcomes
        assert summary["search_status"] == {200: 16} and summary["chat_status"].get(200, 0) >= 9
    assert generator.most_active == 1 and generator.finished >= 18
    with server.client() as client:
        assert client.post("/v1/chat/completions", json=CHAT).status_code == 200
        assert client.get("/v1/models").status_code == 200
