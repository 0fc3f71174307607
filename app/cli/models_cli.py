"""`python -m app models [list | pull NAME]`: the LLMs available here; download a known one."""
from __future__ import annotations

import argparse
from dataclasses import asdict

from app.cli.common_cli import show, show_json
from app.llm.catalog import KNOWN_DOWNLOADS
from app.services import build_services
from app.settings import Settings
from core.errors import ConfigError


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("models", help="list the LLMs available here, or download a known one")
    p.add_argument("action", nargs="?", choices=("list", "pull"), default="list")
    p.add_argument("name", nargs="?", help=f"with pull: one of {', '.join(KNOWN_DOWNLOADS)}")
    p.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace, settings: Settings) -> int:
    services = build_services(settings)
    if args.action == "pull":
        if not args.name:
            raise ConfigError(f"give the model to download: one of {', '.join(KNOWN_DOWNLOADS)}")
        path = services.models.pull_model(args.name)
        show(f"downloaded {path}\nuse it: export YIZHI_LLM_MODEL={path}   (or pick it in the app's sidebar)")
        return 0
    models = services.models.list_models()
    if args.json:
        show_json({"models": [asdict(m) for m in models]})
        return 0
    for m in models:
        size = f"{m.size_mb:,.0f} MB" if m.size_mb is not None else "built in"
        template = {True: "chat template", False: "no chat template", None: "chat template: see file"}[m.chat_template]
        show(f"{'*' if m.active else ' '} {m.name}\n      {m.description} · {size} · {template}")
    show("\n* = in use (YIZHI_LLM_MODEL). Download a bigger one: python -m app models pull NAME, NAME one of "
          + ", ".join(KNOWN_DOWNLOADS))
    return 0
