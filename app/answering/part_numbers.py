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

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from app.answering.numbering import HeldMarks, rewrite_marks
from app.answering.types import Answer, Evidence
from core.types import ScoredChunk


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


def _numbered(numbers: Sequence[int]) -> Callable[[int], int | None]:
    """Part passage [n] → its number across the parts; None for a number naming none of them."""
    numbers = tuple(numbers)
    return lambda n: numbers[n - 1] if 1 <= n <= len(numbers) else None


def renumber_marks(text: str, numbers: Sequence[int]) -> str:
    """`text` with each [n] / 【n】 naming `numbers[n - 1]`; numbers outside them left out
    (and a mark left with none dropped)."""
    return rewrite_marks(text, _numbered(numbers))


def mark_stream(numbers: Sequence[int]) -> HeldMarks:
    """A part's streamed pieces renumbered as they come, a mark cut in two held until it closes."""
    return HeldMarks(_numbered(numbers))


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


__all__ = ["mark_stream", "Numbering", "number_parts", "renumber_marks", "renumbered", "renumbered_evidence"]
