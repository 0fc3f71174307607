"""Bounded input through a real server: a question, a query, a history, a list of knowledge
bases, texts to embed and an upload's files over their settings are refused with 400 and a
sentence naming the setting, before any work is done; names no folder can have, lone
surrogates and control characters get 400/404, never a 500; plain chat reports
`finish_reason` and `usage` as OpenAI defines them."""
from __future__ import annotations

import json

import openai
import psutil
import pytest

from core.errors import ConfigError
from tests.app.api.conftest import upload_tiny_kb
from tests.app.api.test_native import error_of
from tests.app.conftest import RecordingGenerator

MB = 1024 * 1024


def _rss_mb() -> float:
    return psutil.Process().memory_info().rss / MB


def test_one_huge_question_cannot_take_the_machine_down(serve):
    """A 3.9M-character query (under the 4 MB body limit) grew the server to 23 GB; it is refused at once."""
    server = serve()
    with server.client(timeout=60) as client:
        upload_tiny_kb(client)
        before = _rss_mb()
        huge = "RCEP包括哪些国家" * (3_900_000 // 10)  # ASCII and CJK: about 3.9 MB of JSON with ensure_ascii off
        body = json.dumps({"query": huge[:1_300_000], "knowledge_bases": ["kb"]}, ensure_ascii=False).encode()
        refused = client.post("/api/v1/search", content=body, headers={"Content-Type": "application/json"})
        assert refused.status_code == 400, refused.text
        error = error_of(refused)
        assert error["code"] == "too_long" and "YIZHI_MAX_QUESTION_CHARS" in error["message"]
        long_ascii = client.post("/api/v1/search", json={"query": "x" * 3_900_000, "knowledge_bases": ["kb"]})
        assert long_ascii.status_code == 400 and "4,000 allowed" in error_of(long_ascii)["message"]
        grown = _rss_mb() - before
        print(f"server (this process) RSS grew {grown:.0f} MB for two refused queries of 1.3M and 3.9M characters")
        assert grown < 400  # it grew by gigabytes before
        assert client.post("/api/v1/search", json={"query": "RCEP", "knowledge_bases": ["kb"]}).status_code == 200


def test_every_interface_of_the_api_refuses_a_question_over_the_limit(serve):
    server = serve(max_question_chars=50)
    long = "大熊猫吃什么" * 20
    with server.client() as client:
        upload_tiny_kb(client)
        routes = [("/api/v1/search", {"query": long, "knowledge_bases": ["kb"]}),
                  ("/api/v1/ask", {"question": long, "knowledge_bases": ["kb"]}),
                  ("/v1/chat/completions", {"model": "kb", "messages": [{"role": "user", "content": long}]}),
                  ("/v1/chat/completions", {"model": "gemma3-270m", "messages": [{"role": "user", "content": long}]}),
                  ("/v1/chat/completions", {"model": "kb", "stream": True,
                                            "messages": [{"role": "user", "content": long}]})]
        for route, body in routes:
            response = client.post(route, json=body)
            assert response.status_code == 400, (route, response.text)
            assert "YIZHI_MAX_QUESTION_CHARS" in error_of(response)["message"], route
    assert server.services.answers.search("大熊猫", ["kb"])  # within the limit: answered


def test_a_history_too_long_and_a_list_of_knowledge_bases_are_bounded(serve):
    server = serve(max_history_turns=10, max_history_chars=2000, max_knowledge_bases=3)
    with server.client() as client:
        upload_tiny_kb(client)
        turns = [{"role": role, "content": "你好"} for _ in range(1000) for role in ("user", "assistant")]
        many = client.post("/api/v1/ask", json={"question": "大熊猫吃什么？", "knowledge_bases": ["kb"],
                                                "history": turns})
        assert many.status_code == 400 and "YIZHI_MAX_HISTORY_TURNS" in error_of(many)["message"]
        chat = client.post("/v1/chat/completions", json={
            "model": "kb", "messages": turns + [{"role": "user", "content": "大熊猫吃什么？"}]})
        assert chat.status_code == 400 and "YIZHI_MAX_HISTORY_TURNS" in error_of(chat)["message"]
        long_turn = [{"role": "user", "content": "你" * 3000}]
        big = client.post("/api/v1/ask", json={"question": "大熊猫吃什么？", "knowledge_bases": ["kb"],
                                               "history": long_turn})
        assert big.status_code == 400 and "YIZHI_MAX_HISTORY_CHARS" in error_of(big)["message"]
        recent = client.post("/api/v1/ask", json={"question": "大熊猫吃什么？", "knowledge_bases": ["kb"],
                                                  "history": turns[-4:]})
        assert recent.status_code == 200

        # 2,000 copies of one name are one knowledge base; more distinct names than allowed are refused
        copies = client.post("/api/v1/search", json={"query": "大熊猫", "knowledge_bases": ["kb"] * 2000})
        assert copies.status_code == 200 and copies.json()["results"]
        asked = client.post("/api/v1/ask", json={"question": "大熊猫吃什么？", "knowledge_bases": ["kb"] * 2000})
        assert asked.status_code == 200
        names = [f"kb{i}" for i in range(5)]
        for route, body in (("/api/v1/search", {"query": "大熊猫", "knowledge_bases": names}),
                            ("/api/v1/ask", {"question": "大熊猫吃什么？", "knowledge_bases": names}),
                            ("/v1/chat/completions", {"model": "kb", "knowledge_bases": names,
                                                      "messages": [{"role": "user", "content": "大熊猫吃什么？"}]})):
            response = client.post(route, json=body)
            assert response.status_code == 400 and "YIZHI_MAX_KNOWLEDGE_BASES" in error_of(response)["message"], route


def test_embedding_inputs_are_bounded_in_count_and_length(serve):
    server = serve(max_embed_inputs=4, max_embed_chars=100)
    with server.client() as client:
        upload_tiny_kb(client)
        many = client.post("/v1/embeddings", json={"model": "kb", "input": ["大熊猫"] * 5})
        assert many.status_code == 400 and "YIZHI_MAX_EMBED_INPUTS" in error_of(many)["message"]
        long = client.post("/v1/embeddings", json={"model": "kb", "input": ["大熊猫", "竹" * 101]})
        assert long.status_code == 400 and "YIZHI_MAX_EMBED_CHARS" in error_of(long)["message"]
        fine = client.post("/v1/embeddings", json={"model": "kb", "input": ["大熊猫"] * 4})
        assert fine.status_code == 200 and len(fine.json()["data"]) == 4


def test_an_upload_of_more_files_than_allowed_is_refused(serve):
    server = serve(max_upload_files=2)
    with server.client() as client:
        assert client.post("/api/v1/knowledge_bases", json={"name": "kb"}).status_code == 201
        files = [("files", (f"{i}.txt", f"第{i}个文件".encode(), "text/plain")) for i in range(3)]
        refused = client.post("/api/v1/knowledge_bases/kb/documents", files=files, params={"wait": "true"})
        assert refused.status_code == 400 and "YIZHI_MAX_UPLOAD_FILES" in error_of(refused)["message"]
        assert client.get("/api/v1/knowledge_bases/kb/documents").json()["documents"] == []
        done = client.post("/api/v1/knowledge_bases/kb/documents", files=files[:2], params={"wait": "true"})
        assert done.status_code == 200 and [f["status"] for f in done.json()["files"]] == ["indexed", "indexed"]


def test_names_no_folder_can_have_and_unusable_characters_get_4xx_never_500(serve):
    server = serve()
    long_name = "k" * 300  # longer than a file name may be: an OSError on every route before
    with server.client() as client:
        upload_tiny_kb(client)
        create = client.post("/api/v1/knowledge_bases", json={"name": long_name})
        assert create.status_code == 400 and "not a valid knowledge-base name" in error_of(create)["message"]
        for method, path, body in (
                ("get", f"/api/v1/knowledge_bases/{long_name}", None),
                ("get", f"/api/v1/knowledge_bases/{long_name}/documents", None),
                ("delete", f"/api/v1/knowledge_bases/{long_name}", None),
                ("post", f"/api/v1/knowledge_bases/{long_name}/reindex", None),
                ("patch", "/api/v1/knowledge_bases/kb", {"name": long_name}),
                ("post", "/api/v1/search", {"query": "RCEP", "knowledge_bases": [long_name]}),
                ("post", "/api/v1/ask", {"question": "RCEP?", "knowledge_bases": [long_name]}),
                ("post", "/v1/chat/completions", {"model": long_name, "messages": [{"role": "user", "content": "x"}]}),
                ("post", "/v1/embeddings", {"model": long_name, "input": "x"}),
                ("get", f"/v1/models/{long_name}", None)):
            response = client.request(method, path, json=body)
            assert response.status_code in (400, 404), (method, path, response.text)
        # a final newline is not part of a name (`$` matched before it, and "nl\n" became a second "nl"):
        # the API trims what is typed around a name; the service refuses it
        assert client.post("/api/v1/knowledge_bases", json={"name": "nl\n"}).status_code == 201
        assert client.post("/api/v1/knowledge_bases", json={"name": "nl"}).status_code == 409
        assert [kb["name"] for kb in client.get("/api/v1/knowledge_bases").json()["knowledge_bases"]] == ["kb", "nl"]
        with pytest.raises(ConfigError, match="not a valid knowledge-base name"):
            server.services.knowledge.ingest("nl\n", [])

        # a lone surrogate (valid JSON, not valid Unicode) and control characters
        surrogate = b'{"query": "RCEP \\ud800", "knowledge_bases": ["kb"]}'
        for route, body in (("/api/v1/search", surrogate),
                            ("/api/v1/ask", b'{"question": "\\udfff?", "knowledge_bases": ["kb"]}'),
                            ("/v1/chat/completions", b'{"model": "kb", "messages": [{"role": "user", '
                                                     b'"content": "RCEP\\u001b[31m?"}]}'),
                            ("/api/v1/knowledge_bases", b'{"name": "kb\\ud800"}'),
                            ("/v1/embeddings", b'{"model": "kb", "input": "\\ud83d"}')):
            response = client.post(route, content=body, headers={"Content-Type": "application/json"})
            assert response.status_code in (400, 404, 422), (route, response.text)
            assert error_of(response)["code"] in ("bad_text", "invalid_value", "knowledge_base_not_found"), route
        assert client.get("/api/v1/knowledge_bases").status_code == 200


def test_plain_chat_cut_by_max_tokens_says_length_and_reports_usage(serve):
    # fake LLMs count a character as a token; a request's own max_tokens gets a `tuned` one
    server = serve(generator=RecordingGenerator("大熊猫主要吃竹子，每天要吃十几公斤。"))
    client = openai.OpenAI(base_url=server.url + "/v1", api_key="x", max_retries=0)
    question = [{"role": "user", "content": "大熊猫吃什么？"}]
    cut = client.chat.completions.create(model="gemma3-270m", messages=question, max_tokens=5)
    assert cut.choices[0].finish_reason == "length"
    assert cut.usage is not None and cut.usage.completion_tokens == len(cut.choices[0].message.content) > 5
    assert cut.usage.prompt_tokens == len("大熊猫吃什么？")
    assert cut.usage.total_tokens == cut.usage.prompt_tokens + cut.usage.completion_tokens
    whole = client.chat.completions.create(model="gemma3-270m", messages=question, max_tokens=100)
    assert whole.choices[0].finish_reason == "stop"

    chunks = list(client.chat.completions.create(model="gemma3-270m", messages=question, max_tokens=5, stream=True,
                                                 stream_options={"include_usage": True}))
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "length"
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens == len(streamed)
    plain_stream = list(client.chat.completions.create(model="gemma3-270m", messages=question, stream=True))
    assert all(c.usage is None for c in plain_stream)  # usage only when asked for, as OpenAI does
