"""`python -m app mcp` as a desktop assistant runs it: a subprocess spoken to over stdio by
the official MCP client (`ClientSession` with `stdio_client`), on a real knowledge base
(ingested with `python -m ingest` and the default embedding model, as a user would)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import anyio
import pytest
from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.shared.exceptions import MCPError

ROOT = Path(__file__).resolve().parents[3]
RAIL = ("# 中国高铁\n\n京沪高速铁路全长1318公里，于2011年6月30日开通运营。\n\n"
        "## 车站\n\n京沪高铁共设24个车站，北京南站是起点，上海虹桥站是终点。\n\n"
        "## 速度\n\n复兴号列车在京沪高铁上的最高运营速度为每小时350公里。\n")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    """A knowledge base 'rail' of one Chinese document in three passages."""
    root = tmp_path_factory.mktemp("mcp")
    docs = root / "docs"
    docs.mkdir()
    (docs / "高铁.md").write_text(RAIL, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("YIZHI_")}
    subprocess.run([sys.executable, "-m", "ingest", str(docs), "--kb", "rail", "-q"], cwd=ROOT, check=True,
                   env={**env, "YIZHI_DATA_DIR": str(root / "data")}, capture_output=True, timeout=300)
    return root / "data"


def over_stdio(data_dir: Path, body: Callable[[ClientSession], Awaitable[None]], **env: str) -> None:
    """Run `python -m app mcp` with these settings and `body(session)` against it."""
    environment = {**{k: v for k, v in os.environ.items() if not k.startswith("YIZHI_")},
                   "YIZHI_DATA_DIR": str(data_dir), "LANG": "C.UTF-8", **env}
    params = StdioServerParameters(command=sys.executable, args=["-m", "app", "mcp"], cwd=str(ROOT), env=environment)

    async def main() -> None:
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            await body(session)

    anyio.run(main)


def test_the_tools_and_resources_over_stdio(data_dir):
    async def body(session: ClientSession) -> None:
        tools = {tool.name: tool for tool in (await session.list_tools()).tools}
        assert set(tools) == {"list_knowledge_bases", "search", "ask", "get_passage"}
        assert all(tool.description and tool.input_schema["type"] == "object" for tool in tools.values())
        assert tools["search"].input_schema["required"] == ["query"]
        assert set(tools["search"].input_schema["properties"]) == {"query", "knowledge_bases", "k"}

        listed = await session.call_tool("list_knowledge_bases", {})
        assert not listed.is_error
        assert listed.structured_content["knowledge_bases"] == [
            {"name": "rail", "documents": 1, "passages": 3, "documents_uri": "yizhi://knowledge_bases/rail/documents"}]

        found = await session.call_tool("search", {"query": "京沪高铁全长多少公里", "knowledge_bases": ["rail"], "k": 3})
        assert not found.is_error
        passages = found.structured_content["passages"]
        assert json.loads(found.content[0].text) == found.structured_content  # the same JSON as text
        hit = next(p for p in passages if "1318公里" in p["text"])
        assert hit["file"].endswith("高铁.md") and hit["heading"] == "中国高铁" and hit["page"] is None
        assert hit["passage_id"].startswith("rail:") and hit["score"] > 0 and hit["knowledge_base"] == "rail"

        read = await session.call_tool("get_passage", {"passage_id": hit["passage_id"], "radius": 2})
        assert not read.is_error
        window = read.structured_content
        assert window["passage"]["text"] == hit["text"] and window["before"] == []
        assert [p["heading"] for p in window["after"]] == ["中国高铁 > 车站", "中国高铁 > 速度"]

        # Nothing relevant: refused without the LLM (which this test never loads).
        asked = await session.call_tool("ask", {"question": "大熊猫每天吃多少竹子？"})
        assert not asked.is_error
        assert asked.structured_content["refused"] is True and asked.structured_content["sources"] == []
        assert "无法回答" in asked.structured_content["answer"]

        resources = (await session.list_resources()).resources
        assert [str(r.uri) for r in resources] == ["yizhi://knowledge_bases/rail/documents"]
        contents = (await session.read_resource("yizhi://knowledge_bases/rail/documents")).contents
        documents = json.loads(contents[0].text)["documents"]
        assert len(documents) == 1 and documents[0]["file"].endswith("高铁.md") and documents[0]["passages"] == 3

    over_stdio(data_dir, body)


def test_errors_are_tool_errors_in_the_users_language_and_the_server_goes_on(data_dir):
    async def body(session: ClientSession) -> None:
        async def error(tool: str, arguments: dict) -> str:
            result = await session.call_tool(tool, arguments)
            assert result.is_error, result
            return result.content[0].text

        assert "知识库“nokb”不存在" in await error("search", {"query": "京沪高铁", "knowledge_bases": ["nokb"]})
        assert "knowledge base 'nokb' does not exist" in await error("ask", {"question": "How long is it?",
                                                                            "knowledge_bases": ["nokb"]})
        bad = await error("search", {"query": 42})  # no words: in the locale's language (Chinese here)
        assert bad.startswith("参数有误") and "invalid arguments" in bad and "query" in bad
        assert "参数有误" in await error("search", {"query": "高铁", "k": 0})
        assert "knowledge_base" in await error("search", {"query": "高铁", "knowledge_base": "rail"})  # misspelt
        long = await error("search", {"query": "高铁" * 40})
        assert "输入超出了长度上限" in long and "YIZHI_MAX_QUESTION_CHARS" in long
        assert "段落 999" in await error("get_passage", {"passage_id": "rail:999"})
        assert "passage id" in await error("get_passage", {"passage_id": "../etc:1x"})
        assert "no tool 'delete_everything'" in await error("delete_everything", {})
        with pytest.raises(MCPError, match="nokb"):
            await session.read_resource("yizhi://knowledge_bases/nokb/documents")

        still = await session.call_tool("list_knowledge_bases", {})  # the connection survived every error
        assert not still.is_error and still.structured_content["knowledge_bases"][0]["name"] == "rail"

    over_stdio(data_dir, body, YIZHI_MAX_QUESTION_CHARS="50", LANG="zh_CN.UTF-8")
