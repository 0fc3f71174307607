"""Lists gathered whole: the items of an enumeration that a "哪些 / which" question asks for.

Three ways a document enumerates, each read from a chunk's text:

    a section of items        heading "… > subword-level", text "- BPE\\n- WordPiece\\n- UniLM"
                              (an outline's items, ingest/loaders/outline.py; a heading's list)
    a lead and its items      "设备按特性分为以下几类：" then "（一）…", "1. …", "- …" lines
    an inline enumeration     "具有意义互动性强、贬值风险高、用户感知度好等主要特征",
                              "其具有以下特点：1. 显存占用大…；2. 动态变化…"

`find_list` returns the block whose lead (the heading, the lead line, or the sentence)
holds most of the question's subject, with its items in document order.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from app.answering.evidence.sentences import split_sentences
from core.text import fold
from core.types import ScoredChunk
from retrieval.relevance import QueryTerm, coverage

_ITEM = re.compile(r"^\s*(?:[-*+•·▪●○]|\d{1,2}[.、)）]|[（(]\s*[\d一二三四五六七八九十]{1,3}\s*[)）]"
                   r"|[一二三四五六七八九十]{1,3}[、.]|[①②③④⑤⑥⑦⑧⑨⑩]|[a-z][.)])\s*(?P<text>\S.*)$")
_LEAD_END = re.compile(r"[:：]\s*$|(?:如下|以下|下列|包括|分为|分成|有)[^。；;]{0,12}[:：]?\s*$")
_INLINE_ENUMERATION = re.compile(r"[^、，,；;]{1,30}(?:、[^、，,；;。]{1,30}){2,}|(?:[（(]?[1-9一二三四五六七八九][.、)）].{2,}?[；;。]){2,}")
MIN_ITEMS = 2
MAX_ITEMS = 20


@dataclass(frozen=True, slots=True)
class ListBlock:
    """An enumeration: its lead (a heading's last part, a lead line or the enumerating
    sentence), its items, and where it is in the chunk's text (`start`..`end`)."""

    passage: int  # 1-based rank of its chunk among the results
    lead: str
    items: tuple[str, ...]
    start: int
    end: int
    inline: bool = False  # the items are inside the lead sentence itself

    def text(self) -> str:
        if self.inline:
            return self.lead
        return f"{self.lead}：" + "；".join(self.items)


def _lines(text: str) -> list[tuple[int, int, str]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line), line))
        pos += len(line) + 1
    return out


def _item(line: str) -> str | None:
    match = _ITEM.match(line)
    return match.group("text").strip() if match else None


def list_blocks(text: str, heading: str, passage: int) -> list[ListBlock]:
    """Every enumeration in one chunk's text (see the module docs)."""
    lines = _lines(text)
    blocks: list[ListBlock] = []
    items = [(s, e, _item(line)) for s, e, line in lines if line.strip()]
    section = heading.split(" > ")[-1].strip() if heading else ""
    if section and len(items) >= MIN_ITEMS and all(i is not None for _, _, i in items):
        blocks.append(ListBlock(passage, section, tuple(i for _, _, i in items[:MAX_ITEMS] if i),
                                items[0][0], items[-1][1]))
    for k, (start, _end, line) in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        lead = _item(stripped) or stripped
        if _LEAD_END.search(stripped):
            found = []
            for s, e, following in lines[k + 1:]:
                if not following.strip():
                    continue
                item = _item(following)
                if item is None or len(found) >= MAX_ITEMS:
                    break
                found.append((s, e, item))
            if len(found) >= MIN_ITEMS:
                blocks.append(ListBlock(passage, lead.rstrip("：: "), tuple(i for _, _, i in found), start,
                                        found[-1][1]))
                continue
        offset = start + len(line) - len(line.lstrip())
        for sentence in split_sentences(stripped):  # an enumerating sentence, not its whole paragraph
            if _INLINE_ENUMERATION.search(sentence.text):
                blocks.append(ListBlock(passage, sentence.text, (), offset + sentence.start, offset + sentence.end,
                                        inline=True))
    return blocks


def find_list(terms: Sequence[QueryTerm], results: Sequence[ScoredChunk]) -> ListBlock | None:
    """The enumeration whose lead (with its chunk's heading) holds most of the question's
    subject; ties go to the better-ranked passage and the block with more items."""
    best, best_key = None, (0.0, 0.0, 0.0)
    for rank, result in enumerate(results, 1):
        heading = fold(result.chunk.heading)
        for block in list_blocks(result.chunk.text, result.chunk.heading, rank):
            # the lead's own words count fully, its heading's by half (the article's title is in every block)
            about = coverage(terms, fold(block.lead)) + 0.5 * coverage(terms, heading)
            key = (round(about, 3), -rank, float(len(block.items)))
            if about > 0 and key > best_key:
                best, best_key = block, key
    return best


__all__ = ["ListBlock", "find_list", "list_blocks"]
