"""Generated hostile input against a real server on a free port (hypothesis): names,
queries, JSON bodies and headers of every shape, lone surrogates and control characters
included, on every route. Whatever comes, the server answers without a 5xx, writes nothing
outside its data folder, and its memory stays bounded (measured: this process serves it).

A failing example is shrunk by hypothesis and printed as the request to replay.
"""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import httpx
import psutil
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.app.api.conftest import upload_tiny_kb

MB = 1024 * 1024
EXAMPLES = 800

# Any character, surrogates included (sent as JSON \\u escapes), with the troublesome ones likely.
ANY_CHAR = st.characters(codec=None, categories=None) | st.sampled_from(
    ["\ud800", "\udfff", "\x00", "\x1b", "\n", "\u202e", "/", "\\", ".", "%", "\ufeff", "茶"])
TEXT = st.text(ANY_CHAR, max_size=40) | st.builds(lambda c, n: c * n, ANY_CHAR, st.integers(0, 4000))  # a URL stays under httpx's 64 kB
NAMES = TEXT | st.sampled_from(["kb", "kb\n", "../kb", "k" * 300, ".hidden", "", " kb ", "default", "CON", "\ud800",
                                "kb\udfff", "\x1b[2J"])
JSON_VALUE = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
                          lambda inner: st.lists(inner, max_size=5) | st.dictionaries(TEXT, inner, max_size=5),
                          max_leaves=20)
MESSAGES = st.lists(st.fixed_dictionaries({"role": st.sampled_from(["user", "assistant", "system", "tool", "x"]),
                                           "content": TEXT | JSON_VALUE}), max_size=4)
HEADER_NAME = st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,20}", fullmatch=True).filter(
    lambda n: n.lower() not in ("content-length", "transfer-encoding", "host", "connection", "content-type"))
# what a client can send at all (h11 refuses control bytes and whitespace at the ends)
HEADER_VALUE = st.binary(max_size=60).map(lambda b: bytes(c for c in b if c >= 0x20 and c != 0x7f).strip(b" \t"))
HEADERS = st.dictionaries(HEADER_NAME, HEADER_VALUE, max_size=4) | st.fixed_dictionaries(
    {"Authorization": st.sampled_from([b"Bearer", b"Bearer \xe5\xaf\x86", b"Basic x", b"bearer  kb"])})


def _body(kind: str, name: str, text: str, messages: list, anything: object) -> tuple[str, str, object]:
    """(method, path, JSON body) of one request of `kind`."""
    path_name = quote(name.encode("utf-8", "surrogatepass"), safe="")
    return {
        "create": ("POST", "/api/v1/knowledge_bases", {"name": name}),
        "get": ("GET", f"/api/v1/knowledge_bases/{path_name}", None),
        "documents": ("GET", f"/api/v1/knowledge_bases/{path_name}/documents", None),
        "rename": ("PATCH", f"/api/v1/knowledge_bases/{path_name}", {"name": text}),
        "search": ("POST", "/api/v1/search", {"query": text, "knowledge_bases": [name, "kb"], "k": 3}),
        "ask": ("POST", "/api/v1/ask", {"question": text, "knowledge_bases": [name], "history": messages}),
        "chat": ("POST", "/v1/chat/completions", {"model": name, "messages": messages + [
            {"role": "user", "content": text}]}),
        "stream": ("POST", "/v1/chat/completions", {"model": "kb", "stream": True, "messages": messages}),
        "embed": ("POST", "/v1/embeddings", {"model": name, "input": [text, text]}),
        "model": ("GET", f"/v1/models/{path_name}", None),
        "any": ("POST", "/api/v1/search", anything),
        "any-chat": ("POST", "/v1/chat/completions", anything),
    }[kind]


def _files_outside(root: Path, data: Path) -> set[str]:
    return {str(p) for p in root.rglob("*") if p.is_file() and data not in p.parents}


def test_generated_hostile_requests_never_get_a_5xx_nor_escape_the_data_folder(serve, tmp_path):
    data = tmp_path / "data"
    server = serve(data_dir=data, max_question_chars=2000)
    client = httpx.Client(base_url=server.url, timeout=60)
    upload_tiny_kb(client)
    outside_before = _files_outside(tmp_path, data)
    process = psutil.Process()
    rss_before = process.memory_info().rss
    seen: dict[int, int] = {}

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(kind=st.sampled_from(["create", "get", "documents", "rename", "search", "ask", "chat", "stream", "embed",
                                 "model", "any", "any-chat"]),
           name=NAMES, text=TEXT, messages=MESSAGES, anything=JSON_VALUE, headers=HEADERS)
    def one_request(kind, name, text, messages, anything, headers):
        method, path, body = _body(kind, name, text, messages, anything)
        content = None if body is None else json.dumps(body).encode()  # ensure_ascii: surrogates as \\u escapes
        sent = {**headers, **({"Content-Type": "application/json"} if content is not None else {})}
        response = client.request(method, path, content=content, headers=sent)
        seen[response.status_code] = seen.get(response.status_code, 0) + 1
        assert response.status_code < 500, (method, path, body, headers, response.text[:500])

    one_request()
    grown = (process.memory_info().rss - rss_before) / MB
    print(f"{EXAMPLES} generated requests: statuses {dict(sorted(seen.items()))}; RSS grew {grown:.0f} MB")
    assert grown < 500  # a single unbounded request grew the server by gigabytes
    assert _files_outside(tmp_path, data) == outside_before
    assert client.get("/api/v1/knowledge_bases").status_code == 200
    client.close()
