"""Helpers shared by the loaders: whitespace, CJK-aware line joining, sections.

Tables are written by `table_text`."""
from __future__ import annotations

import re
from collections.abc import Iterable

from core.text import CJK_PUNCTUATION, HAN
from core.types import Document

# Han ideographs plus CJK punctuation and fullwidth forms: Chinese text uses no spaces
# between these, so a line break or a stray space between two of them is dropped.
_CJK = f"\u2e80-\u2fff\u3100-\u312f\u31a0-\u31bf{HAN}{CJK_PUNCTUATION}"  # radicals and bopomofo too
_CJK_CHAR = re.compile(f"[{_CJK}]")
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{_CJK}])[ \t]+(?=[{_CJK}])")
_SPACES = re.compile(r"[ \t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_MANY_BREAKS = re.compile(r"\n{3,}")
# Sentence ends and colons: a line ending with one of these is kept as its own line.
_LINE_END = tuple("。！？；：…!?;:」』）)】.") + ("——",)
# Four or more letters (or CJK punctuation marks) in a row, each written twice: text of a
# "fake bold" font drawn twice, as some extractors give it ("知知识识库库").
_DOUBLED = re.compile(r"(([^\W\d_]|[\u3000-\u303f\uff00-\uffef])\2){4,}")


def is_cjk(char: str) -> bool:
    return bool(char) and bool(_CJK_CHAR.match(char))


def normalize_whitespace(text: str) -> str:
    """Collapse runs of spaces, drop invisible and control characters, keep paragraph breaks.

    Lines are stripped; a space between two Chinese characters is removed; three or
    more line breaks become one blank line.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0c", "\n\n")
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub("", text.replace("\t", " "))
    text = _SPACES.sub(" ", text)
    text = _SPACE_BETWEEN_CJK.sub("", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _MANY_BREAKS.sub("\n\n", text).strip()


def ends_sentence(text: str) -> bool:
    """Whether `text` ends a sentence or a label ("。", "!", ":" ...), so a break after it stays.

    A point after a digit does not: it is a section number or a decimal ("4.", "3620.").
    """
    text = text.rstrip()
    if text.endswith(".") and len(text) > 1 and text[-2].isdigit():
        return False
    return text.endswith(_LINE_END)


def _number_goes_on(text: str, line: str) -> bool:
    """Whether `line` goes on with a number cut at its point: "4." + "4 化学成分",
    "3620." + "1", "表B." + "1" (section numbers of appendices)."""
    if len(text) < 2 or not text.endswith(".") or not line[:1].isdigit():
        return False
    before = text[-2]
    if before.isdigit():
        return True
    return before.isascii() and before.isupper() and (len(text) == 2 or not (text[-3].isascii() and text[-3].isalpha()))


def collapse_doubled(text: str) -> str:
    """Undo characters doubled by fake bold: "知知识识库库问问答答" -> "知识库问答".

    Only runs of at least four doubled characters, three of them different, are
    collapsed, so that real repetition ("谢谢", "哈哈哈哈", "bookkeeper") stays.
    """
    def single(match: re.Match[str]) -> str:
        run = match.group(0)
        return run[::2] if len(set(run)) >= 3 else run

    return _DOUBLED.sub(single, text)


def join_lines(lines: Iterable[str]) -> str:
    """Join the visual lines of one paragraph (a PDF block, a table cell).

    A line ending a sentence keeps its break; a word broken by a hyphen is mended;
    Chinese lines join without a space, other lines with one.
    """
    out = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if not out:
            out = line
        elif _number_goes_on(out, line):
            out += line
        elif ends_sentence(out):
            out += "\n" + line
        elif out.endswith("-") and len(out) > 1 and out[-2].isalpha() and line[0].islower():
            out = out[:-1] + line
        elif is_cjk(out[-1]) or is_cjk(line[0]):
            out += line
        else:
            out += " " + line
    return out


def heading_level(style_or_tag: str) -> int | None:
    """The level in "Heading 2", "标题 2", "heading2", "h2"; None if there is no digit."""
    match = re.search(r"(\d+)\s*$", style_or_tag)
    return int(match.group(1)) if match else None


class SectionBuilder:
    """Collects text under a heading path and emits one Document per non-empty section.

    Call `heading(level, text)` when a heading starts a section and `add(text)` for the
    body in order; `documents()` returns the sections with text.
    """

    def __init__(self, *, source: str, content_hash: str, title: str = "") -> None:
        self.source = source
        self.content_hash = content_hash
        self.title = title
        self._stack: list[tuple[int, str]] = []
        self._parts: list[str] = []
        self._sections: list[tuple[str, str]] = []

    @property
    def path(self) -> str:
        return " > ".join(text for _, text in self._stack)

    def heading(self, level: int, text: str) -> None:
        text = _SPACES.sub(" ", text.replace("\n", " ")).strip()
        self.flush()
        if not text:
            return
        while self._stack and self._stack[-1][0] >= level:
            self._stack.pop()
        self._stack.append((level, text))

    def close_to(self, level: int) -> None:
        """End the current section and go back to the heading of `level` (0: no heading): the
        text that follows belongs to it again (a list's items after a nested one)."""
        self.flush()
        while self._stack and self._stack[-1][0] > level:
            self._stack.pop()

    def add(self, text: str) -> None:
        if text:
            self._parts.append(text)

    def flush(self) -> None:
        text = normalize_whitespace("\n\n".join(self._parts))
        self._parts = []
        if text:
            self._sections.append((self.path, text))

    def documents(self) -> list[Document]:
        self.flush()
        return [
            Document(text=text, source=self.source, title=self.title, heading=heading,
                     content_hash=self.content_hash)
            for heading, text in self._sections
        ]
