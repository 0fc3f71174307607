"""MCP's Streamable HTTP transport as an ASGI app, for the HTTP API to serve at /mcp
behind its own key rules (app.serving puts them together).

`McpHttp.app` handles the requests; `McpHttp.running()` must be entered for as long as it
serves (the API's lifespan). DNS-rebinding protection (the Host and Origin headers must be
this computer's) is on when no API key is set, when the server listens on loopback only:
a web page the user visits could otherwise reach it through a rebound name. With a key,
the key protects it and any host name may be used.
"""
from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from mcp.server.streamable_http_manager import StreamableHTTPASGIApp, StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.types import ASGIApp

from app.mcp.server import build_server
from app.mcp.tools import AnswerRunner
from app.services import Services

LOOPBACK = TransportSecuritySettings(
    enable_dns_rebinding_protection=True,
    allowed_hosts=["127.0.0.1", "127.0.0.1:*", "localhost", "localhost:*", "[::1]", "[::1]:*"],
    allowed_origins=["http://127.0.0.1", "http://127.0.0.1:*", "http://localhost", "http://localhost:*",
                     "http://[::1]", "http://[::1]:*"],
)
OPEN = TransportSecuritySettings(enable_dns_rebinding_protection=False)


@dataclass(frozen=True, slots=True)
class McpHttp:
    app: ASGIApp
    running: Callable[[], AbstractAsyncContextManager[Any]]


def streamable_http(services: Services, run_answer: AnswerRunner, *, keyed: bool) -> McpHttp:
    """The MCP server over `services` as a Streamable HTTP endpoint (sessions in memory)."""
    manager = StreamableHTTPSessionManager(app=build_server(services, run_answer),
                                           security_settings=OPEN if keyed else LOOPBACK)
    return McpHttp(StreamableHTTPASGIApp(manager), manager.run)


__all__ = ["McpHttp", "streamable_http"]
