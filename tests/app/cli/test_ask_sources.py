"""`python -m app ask` lists a source once, with the other files holding its text."""
from __future__ import annotations

from app.answering.types import Answer, Citation
from app.cli.ask_cli import format_sources
from core.types import SourceRef


def _answer(question: str, language: str) -> Answer:
    citation = Citation(1, "/docs/guide.md", None, 0.03, "望月茶馆每天早上七点开门。", 0.71,
                        also_in=(SourceRef("/docs/guide.pdf", 2), SourceRef("/docs/notes.txt")))
    return Answer(question, "七点开门。[1]", False, (citation,), {}, language, question)


def test_the_other_places_follow_the_source_line_in_chinese():
    lines = format_sources(_answer("茶馆几点开门？", "zh")).splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("[1] /docs/guide.md"))
    assert lines[at + 1] == "    也见于：/docs/guide.pdf 第2页；/docs/notes.txt"


def test_and_in_english():
    text = format_sources(_answer("When does the tea house open?", "en"))
    assert "    Also in: /docs/guide.pdf p.2; /docs/notes.txt" in text.splitlines()


def test_a_source_found_once_has_no_such_line():
    plain = Answer("茶馆几点开门？", "七点开门。[1]", False,
                   (Citation(1, "/docs/guide.md", None, 0.03, "望月茶馆每天早上七点开门。", 0.71),), {}, "zh", "")
    assert "也见于" not in format_sources(plain)
