"""The passages of a question asked part by part, numbered once (pure functions).

Each part is searched on its own, so each numbers its passages from [1]. Across the parts
a passage keeps one number and no two passages share one: the passages each part shows
come first (part after part), then the rest each part read; a passage a part before found
already keeps its number. The numbers are fixed before anything is generated, so an
answer can stream part after part with its final marks.

`renumbered` gives a part's answer those numbers: the [n] in its text and sentences, its
sources, evidence and table cells. A mark naming no passage of its part is left out.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from app.answering.evidence.tokens import CITATION_MARK
from app.answering.types import Answer, Evidence
from core.types import ScoredChunk

_NUMBER = re.compile(r"\d+")
_OPEN_MARK = re.compile(r"(?:\[|【)[\d\s,，、-]*$")  # a mark a streamed piece may end inside
OPEN_MARK_CHARS = 24  # an unclosed "[" further back than this is no mark


@dataclass(frozen=True, slots=True)
class Numbering:
    """`results`: the passages of every part, `[n]` being `results[n - 1]`; `numbers[k][i]`
    is the number of part k's passage [i + 1]."""

    results: tuple[ScoredChunk, ...]
    numbers: tuple[tuple[int, ...], ...]


def _key(result: ScoredChunk) -> tuple[str, int | None, int, str]:
    chunk = result.chunk
    return chunk.source, chunk.page, chunk.position, chunk.text


def number_parts(parts: Sequence[Sequence[ScoredChunk]], shown: int) -> Numbering:
    """One numbering of the passages each part found (`shown`: how many each part shows)."""
    numbered: dict[tuple[str, int | None, int, str], int] = {}
    results: list[ScoredChunk] = []
    order = [(k, i) for k, found in enumerate(parts) for i in range(min(shown, len(found)))]
    order += [(k, i) for k, found in enumerate(parts) for i in range(shown, len(found))]
    numbers: list[dict[int, int]] = [{} for _ in parts]
    for k, i in order:
        key = _key(parts[k][i])
        if key not in numbered:
            results.append(parts[k][i])
            numbered[key] = len(results)
        numbers[k][i] = numbered[key]
    return Numbering(tuple(results), tuple(tuple(m[i] for i in range(len(m))) for m in numbers))


def renumber_marks(text: str, numbers: Sequence[int]) -> str:
    """`text` with each [n] / 【n】 naming `numbers[n - 1]`; numbers outside them left out
    (and a mark left with none dropped)."""
    def mark(match: re.Match[str]) -> str:
        written = match.group(0)
        found = [int(n) for n in _NUMBER.findall(written)]
        kept = [str(numbers[n - 1]) for n in found if 1 <= n <= len(numbers)]
        if not kept:
            return ""
        lead = written[:len(written) - len(written.lstrip())]
        bracketed = written.strip()
        separator = "，" if "，" in bracketed else ("、" if "、" in bracketed else ", ")
        body = separator.join(dict.fromkeys(kept))
        return f"{lead}【{body}】" if bracketed.startswith("【") else f"{lead}[{body}]"

    return CITATION_MARK.sub(mark, text)


class MarkStream:
    """Streamed pieces renumbered as they come: a piece that ends inside a mark ("…15天[")
    is held back until the mark closes."""

    def __init__(self, numbers: Sequence[int]) -> None:
        self._numbers = tuple(numbers)
        self._held = ""

    def feed(self, piece: str) -> str:
        text = self._held + piece
        tail = text[-OPEN_MARK_CHARS:]
        open_mark = _OPEN_MARK.search(tail)
        cut = len(text) - len(tail) + open_mark.start() if open_mark else len(text)
        self._held = text[cut:]
        return renumber_marks(text[:cut], self._numbers)

    def flush(self) -> str:
        held, self._held = self._held, ""
        return renumber_marks(held, self._numbers)


def renumbered_evidence(evidence: Sequence[Evidence], numbers: Sequence[int]) -> tuple[Evidence, ...]:
    """Evidence sentences with their passages numbered across the parts."""
    return tuple(replace(e, passage=numbers[e.passage - 1]) for e in evidence if 1 <= e.passage <= len(numbers))


def renumbered(answer: Answer, numbers: Sequence[int]) -> Answer:
    """A part's answer with the passages numbered across the parts."""
    numbers = tuple(numbers)

    def number(n: int) -> int | None:
        return numbers[n - 1] if 1 <= n <= len(numbers) else None

    citations = tuple(replace(c, index=number(c.index)) for c in answer.citations if number(c.index) is not None)
    evidence = renumbered_evidence(answer.evidence, numbers)
    cells = tuple(replace(c, passage=number(c.passage)) for c in answer.cells if number(c.passage) is not None)
    sentences = tuple(replace(s, text=renumber_marks(s.text, numbers),
                              cited=tuple(m for m in map(number, s.cited) if m is not None),
                              passage=number(s.passage) if s.passage is not None else None)
                      for s in answer.sentences)
    return replace(answer, text=renumber_marks(answer.text, numbers), citations=citations, evidence=evidence,
                   sentences=sentences, cells=cells)


__all__ = ["MarkStream", "Numbering", "number_parts", "renumber_marks", "renumbered", "renumbered_evidence"]
