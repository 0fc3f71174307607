"""`python -m app serve`: the API's command (app.api.serve_cli), serving the API with MCP at
/mcp (web.py, imported when it runs)."""
from __future__ import annotations

import argparse

from app.api import serve_cli
from app.settings import Settings

add_parser = serve_cli.add_parser


def run(args: argparse.Namespace, settings: Settings) -> int:
    from app.serving.web import create_server_app

    return serve_cli.run(args, settings, make_app=create_server_app)
