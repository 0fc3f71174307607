"""The MCP server: Yizhi's tools and resources on the SDK's low-level `Server`, whose
tools are declared here with their JSON schemas (arguments.py) and whose every failure
is an error result in the user's language (messages.py), never a dropped connection.

`build_server(services, run_answer)`: `run_answer` runs the LLM's part of an answer;
`python -m app mcp` gives `one_at_a_time()`, the HTTP API its generation gate.
"""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import anyio
from mcp.server.lowlevel import Server
from mcp.shared.exceptions import MCPError
from mcp.types import (
    CallToolRequestParams,
    CallToolResult,
    ListResourcesResult,
    ListResourceTemplatesResult,
    ListToolsResult,
    PaginatedRequestParams,
    ReadResourceRequestParams,
    ReadResourceResult,
    Resource,
    ResourceTemplate,
    TextContent,
    TextResourceContents,
    Tool,
    ToolAnnotations,
)
from pydantic import TypeAdapter, ValidationError

from app.answering.types import Answer
from app.mcp import messages
from app.mcp.arguments import Arguments, AskArguments, NoArguments, PassageArguments, SearchArguments
from app.mcp.results import AskResult, KnowledgeBaseList, PassageResult, Result, SearchResult
from app.mcp.tools import AnswerRunner, YizhiTools, documents_uri
from app.services import Services
from app.services.records import PreparedAnswer
from core.errors import KnowledgeBaseNotFound, YizhiError

log = logging.getLogger("yizhi.mcp")

NAME = "yizhi"
INSTRUCTIONS = ("Yizhi (已知) answers from the user's own documents, offline. list_knowledge_bases shows what "
                "there is; search finds passages; ask gives Yizhi's answer with its sources (it refuses when the "
                "documents do not say); get_passage reads around a passage by its id.")
WORDS = ("question", "query")  # the arguments whose language is the user's (not ids or names)
RESOURCE_NOT_FOUND = -32002  # the MCP specification's code for an unknown resource


@dataclass(frozen=True, slots=True)
class ToolSpec:
    name: str
    description: str
    arguments: type[Arguments]
    result: type[Result]


TOOLS = (
    ToolSpec("list_knowledge_bases", "List Yizhi's knowledge bases with how many documents and passages each "
             "holds. 列出知识库。", NoArguments, KnowledgeBaseList),
    ToolSpec("search", "Search the user's documents (Chinese or English) and return the most relevant passages, "
             "best first, each with its file, page, heading, score, text and a passage_id for get_passage. Only "
             "passages relevant enough are returned: none means the documents hold nothing on it. 检索文档段落。",
             SearchArguments, SearchResult),
    ToolSpec("ask", "Ask Yizhi a question: it answers only from the user's documents, citing its sources as [n], "
             "or refuses (refused: true) when they do not hold the answer. Returns the answer text, its sources "
             "(with passage ids) and which sentences a source supports. 基于已知信息回答问题。",
             AskArguments, AskResult),
    ToolSpec("get_passage", "Read a passage by the passage_id that search or ask returned, with the passages "
             "before and after it in the same document, to read around a hit. 读取段落及其上下文。",
             PassageArguments, PassageResult),
)
_SPECS = {spec.name: spec for spec in TOOLS}


def _tool(spec: ToolSpec) -> Tool:
    return Tool(name=spec.name, description=spec.description, input_schema=spec.arguments.input_schema(),
                output_schema=TypeAdapter(spec.result).json_schema(),
                annotations=ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True,
                                            open_world_hint=False))


def _as_json(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1)


def _success(result: Result) -> CallToolResult:
    data = result.to_dict()
    return CallToolResult(content=[TextContent(type="text", text=_as_json(data))], structured_content=data)


def _failure(message: str) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=message)], is_error=True)


def one_at_a_time() -> AnswerRunner:
    """Answers generated one at a time in one dedicated thread (llama.cpp is not thread-safe;
    an assistant may call `ask` several times at once); searches run beside them."""
    thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="yizhi-mcp-llm")

    async def run(prepared: PreparedAnswer) -> Answer:
        if prepared.ready is not None:
            return prepared.ready
        return await asyncio.wrap_future(thread.submit(prepared.answer_whole))  # queued in that one thread
    return run


class YizhiServer:
    """The handlers of the MCP server over the services."""

    def __init__(self, services: Services, run_answer: AnswerRunner) -> None:
        self.tools = YizhiTools(services)
        self.run_answer = run_answer
        self.server: Server[Any] = Server(
            NAME, version="1", title="Yizhi (已知)", instructions=INSTRUCTIONS,
            on_list_tools=self.list_tools, on_call_tool=self.call_tool, on_list_resources=self.list_resources,
            on_list_resource_templates=self.list_resource_templates, on_read_resource=self.read_resource)

    async def list_tools(self, ctx: Any, params: PaginatedRequestParams | None) -> ListToolsResult:
        return ListToolsResult(tools=[_tool(spec) for spec in TOOLS])

    async def call_tool(self, ctx: Any, params: CallToolRequestParams) -> CallToolResult:
        arguments = dict(params.arguments or {})
        language = messages.language_of(arguments[k] for k in WORDS if isinstance(arguments.get(k), str))
        spec = _SPECS.get(params.name)
        if spec is None:
            return _failure(messages.unknown_tool_message(params.name, _SPECS, language))
        try:
            return _success(await self._run(spec, spec.arguments.model_validate(arguments)))
        except ValidationError as exc:
            log.info("tool %s: bad arguments: %s", spec.name, exc.error_count())
            return _failure(messages.arguments_message(exc, language))
        except YizhiError as exc:
            log.info("tool %s: %s", spec.name, exc)
            return _failure(messages.error_message(exc, language))
        except Exception as exc:  # the last net: the assistant gets a sentence, the log the traceback
            log.exception("tool %s failed unexpectedly", spec.name)
            return _failure(messages.unexpected_message(exc, language))

    async def _run(self, spec: ToolSpec, args: Arguments) -> Result:
        tools = self.tools
        if isinstance(args, SearchArguments):
            return await _in_thread(tools.search, args)
        if isinstance(args, AskArguments):
            names, prepared = await _in_thread(tools.prepare, args)
            answer = await self.run_answer(prepared)
            return await _in_thread(tools.ask_result, names, prepared, answer)
        if isinstance(args, PassageArguments):
            return await _in_thread(tools.get_passage, args)
        return await _in_thread(tools.list_knowledge_bases)

    async def list_resources(self, ctx: Any, params: PaginatedRequestParams | None) -> ListResourcesResult:
        names = await _in_thread(self.tools.services.knowledge.list_knowledge_bases)
        return ListResourcesResult(resources=[
            Resource(name=f"{name} documents", uri=documents_uri(name), mime_type="application/json",
                     description=f"the documents of the knowledge base '{name}': file, status, passages, pages")
            for name in names])

    async def list_resource_templates(self, ctx: Any,
                                      params: PaginatedRequestParams | None) -> ListResourceTemplatesResult:
        return ListResourceTemplatesResult(resource_templates=[ResourceTemplate(
            name="knowledge base documents", uri_template=documents_uri("{name}"), mime_type="application/json",
            description="the documents of a knowledge base")])

    async def read_resource(self, ctx: Any, params: ReadResourceRequestParams) -> ReadResourceResult:
        uri = str(params.uri)
        prefix, _, rest = uri.partition("yizhi://knowledge_bases/")
        name, _, tail = rest.partition("/")
        language = messages.language_of(())
        if prefix or tail != "documents" or not name:
            raise MCPError(RESOURCE_NOT_FOUND, f"no such resource: {uri[:200]} (the resources are "
                                               f"{documents_uri('NAME')})")
        try:
            await _in_thread(self.tools.knowledge_bases, [name])
            listing = await _in_thread(self.tools.documents, name)
        except KnowledgeBaseNotFound as exc:
            raise MCPError(RESOURCE_NOT_FOUND, messages.error_message(exc, language)) from exc
        except YizhiError as exc:
            raise MCPError(-32603, messages.error_message(exc, language)) from exc
        return ReadResourceResult(contents=[TextResourceContents(uri=uri, mime_type="application/json",
                                                                 text=_as_json(listing.to_dict()))])


async def _in_thread(function: Callable[..., Any], *args: Any) -> Any:
    return await anyio.to_thread.run_sync(function, *args)


def build_server(services: Services, run_answer: AnswerRunner | None = None) -> Server[Any]:
    """The MCP server over `services` (answers one at a time unless `run_answer` is given)."""
    return YizhiServer(services, run_answer or one_at_a_time()).server


__all__ = ["TOOLS", "YizhiServer", "build_server", "one_at_a_time"]
