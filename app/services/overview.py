"""Headings and question sentences of a knowledge base's chunks (pure functions), from
which a first screen offers example questions."""
from __future__ import annotations

import re
from collections.abc import Iterable

from core.text import HAN_CHAR, latin_words
from core.types import Chunk

OVERVIEW_SAMPLE = 400  # chunks read for headings and questions (spread over the whole base)
MAX_HEADINGS = 40
MAX_QUESTIONS = 20
HEADING_CHARS = (2, 40)
QUESTION_CHARS = (5, 60)

_PATH_SEPARATOR = re.compile(r"\s*>\s*")
_MARKUP = re.compile(r"[*_`#>\[\]]+")
_LIST_MARK = re.compile(r"^\s*(?:[-+•·]|\d+[.、)）]|[（(]?[一二三四五六七八九十]+[、.)）])\s*")
# A sentence that ends in a question mark, after the end of the sentence before it.
_QUESTION = re.compile(r"[^。！？!?；;\n]*[？?]")


def _clean(text: str) -> str:
    return " ".join(_MARKUP.sub("", _LIST_MARK.sub("", text)).split()).strip(" ：:，,")


def headings_of(chunks: Iterable[Chunk]) -> list[str]:
    """Distinct headings in the order met: the last part of each heading path ("指南 > 安装"
    gives "安装"); a path of one part is a file's title or top heading."""
    seen: dict[str, None] = {}
    for chunk in chunks:
        parts = [p for p in _PATH_SEPARATOR.split(chunk.heading or "") if p.strip()]
        if not parts:
            continue
        leaf = _clean(parts[-1])
        if HEADING_CHARS[0] <= len(leaf) <= HEADING_CHARS[1] and not leaf.replace(".", "").isdigit():
            seen.setdefault(leaf, None)
        if len(seen) >= MAX_HEADINGS:
            break
    return list(seen)


def questions_of(texts: Iterable[str]) -> list[str]:
    """Sentences of the documents that are questions (an FAQ's), distinct, in order."""
    seen: dict[str, None] = {}
    for text in texts:
        for match in _QUESTION.finditer(text):
            question = _clean(match.group(0))
            if not QUESTION_CHARS[0] <= len(question) <= QUESTION_CHARS[1]:
                continue
            if not HAN_CHAR.search(question) and len(latin_words(question)) < 3:
                continue
            seen.setdefault(question, None)
            if len(seen) >= MAX_QUESTIONS:
                return list(seen)
    return list(seen)


__all__ = ["OVERVIEW_SAMPLE", "headings_of", "questions_of"]
