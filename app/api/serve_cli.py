"""`python -m app serve [--host 127.0.0.1] [--port 8000]`: the HTTP API (as `make api`).

Listens on loopback unless YIZHI_API_KEY is set: without a key anyone who can reach the
port could read, fill and empty the knowledge bases, so any other host is refused.
"""
from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from app.api.auth import key_problem
from app.settings import Settings
from core.errors import ConfigError
from core.hosts import is_loopback

if TYPE_CHECKING:  # the services load on `run`, so that `--help` stays instant
    from app.services import Services


def exposure_problem(host: str, settings: Settings) -> str:
    """Why the server must not listen on `host` with these settings ("" when it may)."""
    if is_loopback(host) or settings.api_key.strip():
        return ""
    return (f"refusing to listen on {host} without an API key: anyone who can reach that address could read "
            "your knowledge bases through answers, upload files to this disk and delete documents. Set "
            "YIZHI_API_KEY to a long random secret (for example `export YIZHI_API_KEY=$(openssl rand -hex 24)`) "
            "and give it to your clients, or listen on 127.0.0.1 only")


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("serve", help="serve the HTTP API (OpenAI-compatible /v1 and /api/v1)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this computer "
                                                       "only; any other needs YIZHI_API_KEY)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000)")


def run(args: argparse.Namespace, settings: Settings, make_app: Callable[[Services], object] | None = None) -> int:
    """Serve the app `make_app(services)` makes (app.serving's: the API with MCP at /mcp;
    the API alone by default)."""
    problem = key_problem(settings.api_key) or exposure_problem(args.host, settings)
    if problem:
        raise ConfigError(problem)
    import uvicorn

    from app.api.server import create_app
    from app.services import build_services

    app = (make_app or create_app)(build_services(settings))
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"Yizhi API on http://{host}:{args.port}  (docs: /docs; OpenAI base_url: http://{host}:{args.port}/v1; "
          f"MCP: http://{host}:{args.port}/mcp; "
          f"key {'required' if settings.api_key.strip() else 'not required'}); Ctrl-C stops it", flush=True)
    try:
        # log_config=None: uvicorn logs through Yizhi's handlers (warnings on the terminal, the rest in the log file).
        uvicorn.run(app, host=args.host, port=args.port, log_config=None, timeout_graceful_shutdown=5)
    except SystemExit as exc:  # uvicorn exits when it cannot bind; the line above says why
        if exc.code in (0, None):
            return 0
        raise ConfigError(f"could not listen on {host}:{args.port}: if another program uses that port, pick "
                          "another with --port (make api API_PORT=…)") from exc
    return 0
