"""Nested lists as the headings they stand for (Markdown outlines, mind maps exported as text).

Notes kept as an outline say with indentation what a heading path says: in

    - 1. tokenizer方法
        - word-level
        - subword-level
            - BPE
            - WordPiece

"BPE" is a subword-level method of tokenizer. A list item with more deeply indented items
under it is read as a heading (one level per indentation step below the last `#`
heading), so its items become a section whose heading path carries the outline
("… > 1. tokenizer方法 > subword-level"): searched with their parents' words, shown with
them, and listed together when a question asks for them. The item stays an item of its
own list too, so a section lists every item of its level. An item too long to be a heading
(a sentence) stays text, and so do its items.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_ITEM = re.compile(r"^(?P<indent>[ \t]*)(?:[-*+]|\d{1,3}[.)])[ \t]+(?P<text>\S.*)$")
MAX_HEADING_CHARS = 60


@dataclass(frozen=True, slots=True)
class OutlineStep:
    """What a line of an outline is: a heading (`level` > 0, `text`), or body (`level` 0);
    `close_to` > 0 closes the outline headings deeper than that level first."""

    level: int
    text: str
    close_to: int = -1


def _indent(raw: str) -> int:
    return len(raw.replace("\t", "    "))


def item_text(line: str) -> str | None:
    match = _ITEM.match(line)
    return match.group("text").strip() if match else None


class OutlineReader:
    """Reads the lines of one Markdown body, under `#` headings of `base` level, and says for
    each whether it opens an outline heading (see `step`)."""

    def __init__(self, base: int) -> None:
        self.base = base
        self._open: list[tuple[int, int]] = []  # (indent, level) of the outline headings open

    def step(self, lines: Sequence[str], i: int) -> OutlineStep:
        match = _ITEM.match(lines[i])
        if match is None:
            return OutlineStep(0, "")
        indent = _indent(match.group("indent"))
        close_to = -1
        while self._open and self._open[-1][0] >= indent:  # back out of deeper (or sibling) headings
            self._open.pop()
            close_to = self._open[-1][1] if self._open else self.base
        nxt = next((line for line in lines[i + 1:] if line.strip()), "")
        child = _ITEM.match(nxt)
        text = match.group("text").strip()
        if child and _indent(child.group("indent")) > indent and len(text) <= MAX_HEADING_CHARS:
            level = (self._open[-1][1] if self._open else self.base) + 1
            self._open.append((indent, level))
            return OutlineStep(level, text, close_to)
        return OutlineStep(0, "", close_to)


__all__ = ["MAX_HEADING_CHARS", "OutlineReader", "OutlineStep", "item_text"]
