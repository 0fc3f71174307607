"""Citation numbers in listing order: an answer's [n] start at [1] in the order its sources
are listed.

The prompt numbers passages by rank, so a model may cite [2] and [4] only, and the sources
an interface lists (the cited ones first, then the others the model read) would start at
[2]. `in_listing_order` renumbers the whole `Answer` at once, so its text, its sources, its
sentences, evidence and table cells keep agreeing: the passages the text names come first,
numbered 1, 2, … in the order the text first names them; then the passages that back its
sentences without being named; then the others, in their rank order. The sources come out
in that order, so `citations[n - 1]` is `[n]`.

A mark naming a passage that is not listed is left as it is when its number lies beyond
the listed ones (it names nothing, as before; "[2014]" in a quoted document number stays),
and dropped when renumbering would make it name a listed source.

`StreamNumbering` renumbers the pieces of a streamed answer the same way as they come (by
first mention), so what streams agrees with the final answer whenever the final text is the
streamed one. Pure functions; no I/O.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace

from app.answering.evidence.support import cited_numbers
from app.answering.evidence.tokens import CITATION_MARK
from app.answering.types import Answer

_NUMBER = re.compile(r"\d+")
_RANGE = re.compile(r"(\d+)\s*-\s*(\d+)|\d+")
_OPEN_MARK = re.compile(r"(?:\[|【)[\d\s,，、-]*$")  # a mark still being written at a piece's end
_LONGEST_MARK = 40
_LONGEST_RANGE = 20  # "[1-3]" names 1, 2 and 3; a longer span is read as its two ends


def _named(inner: str) -> list[int]:
    """The numbers inside one mark, a range "1-3" spelt out."""
    found: list[int] = []
    for match in _RANGE.finditer(inner):
        low, high = match.group(1), match.group(2)
        if low is not None and 0 <= int(high) - int(low) <= _LONGEST_RANGE:
            found += range(int(low), int(high) + 1)
        else:
            found += [int(n) for n in _NUMBER.findall(match.group(0))]
    return found


def listing_order(answer: Answer) -> list[int]:
    """The answer's source numbers in the order they are listed: named by the text first (in
    order of first mention; none for a refusal), then backing a sentence, then the others."""
    known = [c.index for c in answer.citations]
    first: list[int] = []
    if not answer.refused:
        first = list(cited_numbers(answer.text))
        first += [s.passage for s in answer.sentences if s.supported and s.passage]
    leading = [n for n in dict.fromkeys(first) if n in known]
    return leading + [n for n in known if n not in leading]


def rewrite_marks(text: str, number: Callable[[int], int | None]) -> str:
    """`text` with each number of its citation marks (`CITATION_MARK`) replaced by
    `number(old)`; a number mapped to None is left out, and a mark left with none is dropped
    with the space before it."""
    def one(match: re.Match[str]) -> str:
        written = match.group(0)
        mark = written.lstrip()
        inner = mark[1:-1]
        separator = next((s for s in (",", "，", "、") if s in inner), ",")
        numbers = [n for old in _named(inner) if (n := number(old)) is not None]
        if not numbers:
            return ""
        joined = (separator + (" " if separator == "," else "")).join(str(n) for n in dict.fromkeys(numbers))
        lead = written[:len(written) - len(mark)]
        return lead + (f"[{joined}]" if mark.startswith("[") else f"【{joined}】")
    return CITATION_MARK.sub(one, text)


class HeldMarks:
    """Streamed pieces with their marks rewritten by `number` as they come (`rewrite_marks`):
    a piece that ends inside a mark ("…15天[") is held back until the mark closes."""

    def __init__(self, number: Callable[[int], int | None]) -> None:
        self._number = number
        self._held = ""

    def feed(self, piece: str) -> str:
        text = self._held + piece
        tail = _OPEN_MARK.search(text)
        if tail is not None and len(text) - tail.start() <= _LONGEST_MARK:
            text, self._held = text[:tail.start()], text[tail.start():]
        else:
            self._held = ""
        return rewrite_marks(text, self._number)

    def flush(self) -> str:
        held, self._held = self._held, ""
        return rewrite_marks(held, self._number)


def _mapper(mapping: Mapping[int, int], listed: int) -> Callable[[int], int | None]:
    """The new number of an old one: its place in the listing; a number not listed stays
    when it lies beyond the listed ones, else it has none (it would name another source)."""
    def number(old: int) -> int | None:
        if old in mapping:
            return mapping[old]
        return old if old > listed else None
    return number


def in_listing_order(answer: Answer) -> Answer:
    """The answer with its sources numbered 1…N in listing order, and every [n] of its text,
    sentences, evidence and table cells following them. An answer in that order already
    comes back unchanged."""
    order = listing_order(answer)
    mapping = {old: new for new, old in enumerate(order, 1)}
    if all(old == new for old, new in mapping.items()) and [c.index for c in answer.citations] == order:
        return answer
    number = _mapper(mapping, len(order))
    by_index = {c.index: c for c in answer.citations}
    citations = tuple(replace(by_index[old], index=new) for new, old in enumerate(order, 1))
    sentences = tuple(
        replace(s, text=rewrite_marks(s.text, number),
                cited=tuple(dict.fromkeys(n for old in s.cited if (n := number(old)) is not None)),
                passage=number(s.passage) if s.passage is not None else None)
        for s in answer.sentences)
    evidence = tuple(replace(e, passage=n) for e in answer.evidence if (n := number(e.passage)) is not None)
    cells = tuple(replace(c, passage=n) for c in answer.cells if (n := number(c.passage)) is not None)
    return replace(answer, text=rewrite_marks(answer.text, number), citations=citations, sentences=sentences,
                   evidence=evidence, cells=cells)


class StreamNumbering(HeldMarks):
    """Renumbers an answer's streamed pieces by first mention: the first passage named becomes
    [1], the next new one [2], …; numbers above `passages` (the passages the model could
    cite) are left as they are."""

    def __init__(self, passages: int) -> None:
        self._passages = passages
        self._mapping: dict[int, int] = {}
        super().__init__(self._first_mention)

    def _first_mention(self, old: int) -> int:
        if not 1 <= old <= self._passages:
            return old
        return self._mapping.setdefault(old, len(self._mapping) + 1)


def opening_numbered(text: str, passages: int) -> str:
    """An answer's first text (shown before the rest streams) numbered as `numbered_stream`
    numbers it."""
    numbering = StreamNumbering(passages)
    return numbering.feed(text) + numbering.flush()


def numbered_stream(items: Iterable[str | Answer], passages: int, shown: str = "") -> Iterator[str | Answer]:
    """A stream of text pieces then its `Answer`, renumbered: the pieces by first mention
    (`StreamNumbering`), the answer in listing order (`in_listing_order`). `shown`: the
    answer's opening, shown already (`opening_numbered`), which the numbering continues from."""
    numbering = StreamNumbering(passages)
    if shown:
        numbering.feed(shown)
        numbering.flush()
    for item in items:
        if isinstance(item, Answer):
            held = numbering.flush()
            if held:
                yield held
            yield in_listing_order(item)
            continue
        shown = numbering.feed(item)
        if shown:
            yield shown
    held = numbering.flush()
    if held:
        yield held


__all__ = ["HeldMarks", "StreamNumbering", "in_listing_order", "listing_order",
           "numbered_stream", "opening_numbered", "rewrite_marks"]
