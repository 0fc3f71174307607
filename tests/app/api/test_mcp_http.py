"""MCP's Streamable HTTP transport at /mcp on a real server (a free port), spoken to by the
official MCP client (`streamable_http_client` with `ClientSession`), behind the API's key.
Fake models keep it fast; the knowledge base is real."""
from __future__ import annotations

from collections.abc import Awaitable, Callable

import anyio
import httpx
import httpx2
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from tests.app.api.conftest import LiveServer, upload_tiny_kb

KEY = "mcp-test-key-0123456789"
INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
              "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                         "clientInfo": {"name": "test", "version": "1"}}}
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def over_http(server: LiveServer, body: Callable[[ClientSession], Awaitable[None]], key: str | None = KEY) -> None:
    headers = {"Authorization": f"Bearer {key}"} if key else {}

    async def main() -> None:
        async with (httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=60)) as client,
                    streamable_http_client(f"{server.url}/mcp", http_client=client) as (read, write),
                    ClientSession(read, write) as session):
            await session.initialize()
            await body(session)

    anyio.run(main)


@pytest.fixture
def keyed(serve) -> LiveServer:
    server = serve(api_key=KEY)
    with server.client(KEY) as client:
        upload_tiny_kb(client, "kb")
    return server


def test_mcp_needs_the_api_key_like_every_endpoint(keyed):
    with httpx.Client(base_url=keyed.url, timeout=30) as client:
        missing = client.post("/mcp", json=INITIALIZE, headers=MCP_HEADERS)
        assert missing.status_code == 401 and missing.json()["error"]["code"] == "missing_api_key"
        wrong = client.post("/mcp", json=INITIALIZE, headers={**MCP_HEADERS, "Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "invalid_api_key"
        right = client.post("/mcp", json=INITIALIZE, headers={**MCP_HEADERS, "Authorization": f"Bearer {KEY}"})
        assert right.status_code == 200 and right.headers.get("mcp-session-id")


def test_every_tool_over_streamable_http(keyed):
    async def body(session: ClientSession) -> None:
        names = {tool.name for tool in (await session.list_tools()).tools}
        assert names == {"list_knowledge_bases", "search", "ask", "get_passage"}

        listed = (await session.call_tool("list_knowledge_bases", {})).structured_content
        assert listed["knowledge_bases"][0]["name"] == "kb" and listed["knowledge_bases"][0]["documents"] == 2

        found = await session.call_tool("search", {"query": "大熊猫吃什么", "knowledge_bases": ["kb"], "k": 2})
        assert not found.is_error
        top = found.structured_content["passages"][0]
        assert top["file"].endswith("panda.txt") and "竹子" in top["text"] and top["passage_id"].startswith("kb:")

        asked = await session.call_tool("ask", {"question": "RCEP包括哪些国家？", "knowledge_bases": ["kb"]})
        assert not asked.is_error
        answer = asked.structured_content
        assert answer["refused"] is False and "东盟十国" in answer["answer"]
        source = answer["sources"][0]
        assert source["index"] == 1 and source["passage"]["file"].endswith("rcep.txt")
        assert any(s["supported"] and s["source"] == 1 for s in answer["sentences"])

        assert keyed.app.state.gate.counts["served"] == 0  # answered from the evidence: no LLM, no queue
        generated = await session.call_tool("ask", {"question": "大熊猫为什么吃竹子？", "knowledge_bases": ["kb"]})
        assert not generated.is_error and keyed.app.state.gate.counts["served"] == 1  # the LLM, through the gate

        read = await session.call_tool("get_passage", {"passage_id": source["passage"]["passage_id"], "radius": 1})
        assert not read.is_error and "十五个国家" in read.structured_content["passage"]["text"]

        unknown = await session.call_tool("ask", {"question": "RCEP包括哪些国家？", "knowledge_bases": ["nokb"]})
        assert unknown.is_error and "知识库“nokb”不存在" in unknown.content[0].text
        bad = await session.call_tool("search", {"query": "RCEP", "k": "many"})
        assert bad.is_error and "invalid arguments" in bad.content[0].text and "k" in bad.content[0].text

        documents = await session.read_resource("yizhi://knowledge_bases/kb/documents")
        assert "panda.txt" in documents.contents[0].text

    over_http(keyed, body)


def test_without_a_key_mcp_answers_this_computer_only(serve):
    server = serve()
    with httpx.Client(base_url=server.url, timeout=30) as client:
        rebound = client.post("/mcp", json=INITIALIZE, headers={**MCP_HEADERS, "Host": "evil.example"})
        assert rebound.status_code in (403, 421)

    async def body(session: ClientSession) -> None:
        empty = await session.call_tool("search", {"query": "大熊猫"})
        assert empty.is_error and "no knowledge bases yet" in empty.content[0].text

    over_http(server, body, key=None)


def test_an_ask_while_the_llm_is_busy_and_its_queue_full_is_a_busy_error():
    from app.answering.flow import Retrieved
    from app.api.gate import GenerationGate
    from app.mcp.messages import error_message
    from app.services.records import PreparedAnswer
    from app.serving.web import gated
    from core.enums import Language
    from core.errors import LlmBusy
    from core.text import Script

    gate = GenerationGate(queue_size=0, wait_timeout=1)
    needs_llm = PreparedAnswer(Retrieved("问题", Language.ZH, Script.SIMPLIFIED, "问题"), lambda stop: iter(()))

    async def main() -> None:
        async with gate.slot():  # another answer is generating and nobody may wait
            with pytest.raises(LlmBusy) as busy:
                await gated(gate)(needs_llm)
        assert error_message(busy.value, Language.ZH).startswith("语言模型正忙，请稍后再试")

    anyio.run(main)
    gate.close()
