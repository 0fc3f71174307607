"""`python -m app ask "QUESTION" [--kb NAME] [--json]`: answer with sources.

Streams the answer to the terminal as it is generated, then lists the numbered sources.
`--json` prints one object: {"answer", "refused", "quoted", "sources": [{"source", "page", "score",
"text", "also_in": [{"source", "page"}]}], "evidence": [...],
"citations": [per sentence: its text, [n], supported], "timings": {...}}.
"""
from __future__ import annotations

import argparse

from app.answering.types import Answer
from app.cli.common_cli import show, show_json
from app.services import build_services
from app.settings import Settings
from core.text import in_script, script_of


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("ask", help="answer a question from a knowledge base, with sources")
    p.add_argument("question")
    p.add_argument("--kb", action="append", default=None, help="knowledge base (repeatable; default: default)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of streaming text")


_LABELS = {
    "zh": {"read": "模型读过但未能作答的段落：", "sources": "来源：", "evidence": "依据：", "quoted": "（原文摘录）",
           "unsupported": "未在原文中找到依据：", "page": " 第{page}页", "relevance": "相关度",
           "also_in": "也见于：", "also_sep": "；"},
    "en": {"read": "Passages the model read:", "sources": "Sources:", "evidence": "Evidence:",
           "quoted": "(quoted from the documents)", "unsupported": "Not found in the sources:",
           "page": " p.{page}", "relevance": "relevance", "also_in": "Also in: ", "also_sep": "; "},
}


def labels(answer: Answer) -> dict[str, str]:
    """This answer's labels, in its language and (Chinese) the script of its question."""
    chosen = _LABELS["en" if answer.language == "en" else "zh"]
    script = script_of(answer.question)
    return {key: in_script(text, script) for key, text in chosen.items()}


def format_notes(answer: Answer) -> str:
    """What the answer's text does not say itself: a quotation, and sentences no passage backs."""
    words = labels(answer)
    lines = [words["quoted"]] if answer.quoted else []
    lines += [f"{words['unsupported']} {s.text.strip()}" for s in answer.sentences if not s.supported]
    return "\n".join(lines)


def format_sources(answer: Answer) -> str:
    if not answer.citations:
        return ""
    words = labels(answer)
    # After a model refusal these are the passages it was given: worth reading yourself.
    lines = ["", words["read"] if answer.refused else words["sources"]]
    for c in answer.citations:
        page = words["page"].format(page=c.page) if c.page else ""
        lines.append(f"[{c.index}] {c.source}{page}  ({words['relevance']} {c.relevance:.2f})")
        if c.also_in:  # the same text in other files (a guide's .md and .pdf): listed once
            places = [ref.source + (words["page"].format(page=ref.page) if ref.page else "") for ref in c.also_in]
            lines.append(f"    {words['also_in']}{words['also_sep'].join(places)}")
        lines.append(f"    {c.snippet}")
    if answer.evidence and not answer.refused:
        lines += ["", words["evidence"]]
        lines += [f"[{e.passage}] {' '.join(e.text.split())}" for e in answer.evidence]
    return "\n".join(lines)


def run(args: argparse.Namespace, settings: Settings) -> int:
    services = build_services(settings)
    try:
        if args.json:
            answer = services.answers.ask(args.question, args.kb or ["default"])
            show_json(answer.to_dict())
            return 0
        answer = None
        for item in services.answers.ask_stream(args.question, args.kb or ["default"]):
            if isinstance(item, Answer):
                answer = item
            else:
                show(item, end="")
        show()
        if answer is not None:
            for block in (format_notes(answer), format_sources(answer)):
                if block:
                    show(block)
        return 0
    finally:
        services.close()
