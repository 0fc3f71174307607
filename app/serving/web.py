"""The HTTP server of `python -m app serve`: the HTTP API (app.api) with the MCP server's
Streamable HTTP transport (app.mcp) at /mcp, over one set of services.

The two interfaces do not import each other (an import-linter contract); this is where
they meet. /mcp sits behind the API's Gatekeeper, so the same key rules apply (with
YIZHI_API_KEY set: `Authorization: Bearer <key>`, else 401), and its `ask` generates
through the API's generation gate: one answer at a time for both, a full queue refused.
"""
from __future__ import annotations

import asyncio

from fastapi import FastAPI

from app.answering.types import Answer
from app.api.errors import ApiError
from app.api.gate import GenerationGate
from app.api.server import Mounted, create_app
from app.mcp.http import streamable_http
from app.mcp.tools import AnswerRunner
from app.services import Services
from app.services.records import PreparedAnswer
from core.errors import LlmBusy

MCP_PATH = "/mcp"


def gated(gate: GenerationGate) -> AnswerRunner:
    """MCP's answers generated under the API's gate, in its LLM thread; a full queue or a
    wait too long is LlmBusy (a tool error that says to try again)."""
    async def run(prepared: PreparedAnswer) -> Answer:
        if prepared.ready is not None:
            return prepared.ready
        try:
            async with gate.slot():
                return await asyncio.wrap_future(gate.thread.submit(prepared.answer_whole))
        except ApiError as exc:
            raise LlmBusy(exc.message) from exc
    return run


def create_server_app(services: Services) -> FastAPI:
    settings = services.settings
    gate = GenerationGate(settings.generation_queue, settings.generation_wait_timeout)
    mcp = streamable_http(services, gated(gate), keyed=bool(settings.api_key.strip()))
    return create_app(services, gate=gate, mounted=[Mounted(MCP_PATH, mcp.app, mcp.running)])
