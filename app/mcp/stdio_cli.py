"""`python -m app mcp`: the MCP server over stdio, what desktop assistants (Claude Desktop,
Cherry Studio, …) launch and talk to through the process's stdin and stdout.

stdout carries the protocol only: logs go to stderr and the log file (app.logs), and while
it serves, the SDK points the process's stdout at stderr, so a stray write cannot corrupt
a message. Settings come from the environment as for every command (YIZHI_DATA_DIR, …).
"""
from __future__ import annotations

import argparse
import logging

from app.settings import Settings

log = logging.getLogger("yizhi.mcp")


def add_parser(subparsers) -> None:
    subparsers.add_parser("mcp", help="serve MCP over stdio, for desktop assistants (the HTTP API serves it at /mcp)",
                          description="The MCP server over stdin/stdout: tools list_knowledge_bases, search, ask, "
                                      "get_passage; resources: each knowledge base's documents.")


def run(args: argparse.Namespace, settings: Settings) -> int:
    import anyio
    from mcp.server.stdio import stdio_server

    from app.mcp.server import build_server
    from app.services import build_services

    services = build_services(settings)
    server = build_server(services)

    async def serve() -> None:
        async with stdio_server() as (read, write):
            await server.run(read, write, server.create_initialization_options())

    log.info("MCP server on stdio over %s", settings.data_dir)
    try:
        anyio.run(serve)
    finally:
        services.close()
    return 0
