"""`python -m app ask "QUESTION" [--kb NAME] [--json]`: answer with sources.

Streams the answer to the terminal as it is generated, then lists the numbered sources.
`--json` prints one object: {"answer", "refused", "sources": [...], "timings": {...}}.
"""
from __future__ import annotations

import argparse
import json
import sys

from app.services import build_services
from app.settings import Settings
from core.answers import Answer


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("ask", help="answer a question from a knowledge base, with sources")
    p.add_argument("question")
    p.add_argument("--kb", action="append", default=None, help="knowledge base (repeatable; default: default)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of streaming text")


def format_sources(answer: Answer) -> str:
    if not answer.citations:
        return ""
    # After a model refusal these are the passages it was given: worth reading yourself.
    title = "模型读过但未能作答的段落 / Passages the model read:" if answer.refused else "来源 / Sources:"
    lines = ["", title]
    for c in answer.citations:
        page = f" p.{c.page}" if c.page else ""
        lines.append(f"[{c.index}] {c.source}{page}  (score {c.score:.4f})")
        lines.append(f"    {c.snippet}")
    return "\n".join(lines)


def run(args: argparse.Namespace, settings: Settings) -> int:
    services = build_services(settings)
    try:
        if args.json:
            answer = services.answers.ask(args.question, args.kb or ["default"])
            print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
            return 0
        answer = None
        for item in services.answers.ask_stream(args.question, args.kb or ["default"]):
            if isinstance(item, Answer):
                answer = item
            else:
                sys.stdout.write(item)
                sys.stdout.flush()
        sys.stdout.write("\n")
        if answer is not None:
            sources = format_sources(answer)
            if sources:
                print(sources)
        return 0
    finally:
        services.close()
