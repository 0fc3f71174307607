"""`python -m app search "QUERY" [--kb NAME] [-k N] [--json]`: retrieval only."""
from __future__ import annotations

import argparse

from app.cli.common_cli import show, show_json
from app.services import build_services
from app.settings import Settings


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("search", help="show the best passages for a query (no LLM)")
    p.add_argument("query")
    p.add_argument("--kb", action="append", default=None, help="knowledge base (repeatable; default: default)")
    p.add_argument("-k", type=int, default=None, help="how many passages (default: the top_k setting)")
    p.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace, settings: Settings) -> int:
    services = build_services(settings)
    try:
        results = services.answers.search(args.query, args.kb or ["default"], args.k)
    finally:
        services.close()
    if args.json:
        show_json({"results": [r.to_dict() for r in results]})
        return 0
    if not results:
        show("没有找到相关内容 (no passage passed the score threshold)")
    for i, r in enumerate(results, 1):
        page = f" p.{r.chunk.page}" if r.chunk.page else ""
        show(f"[{i}] {r.chunk.source}{page}  score {r.score:.4f}  relevance {r.relevance:.3f}")
        if r.also_in:  # the same text in other files, merged into this result
            show("    also in: " + "; ".join(ref.source + (f" p.{ref.page}" if ref.page else "") for ref in r.also_in))
        snippet = r.chunk.text.replace("\n", " ")
        show(f"    {snippet[:200]}{'…' if len(snippet) > 200 else ''}")
    return 0
