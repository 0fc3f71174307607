"""Near-duplicate passages collapsed into one: the same text indexed from two files (a
guide's .md and its .pdf), or two chunks that overlap heavily, take one slot of the
results, and the kept one says where else its text is (`ScoredChunk.also_in`).

Two passages are near-duplicates when the character bigrams of the shorter one are almost
all in the longer one: |A∩B| / min(|A|, |B|) ≥ `DUPLICATE_OVERLAP`, over their bigram sets
after normalisation (NFKC, Simplified script, case; whitespace and punctuation dropped, so
a PDF's line breaks, bullets and full-width marks do not count). Bigrams rather than words:
no segmenter decides what matches, and Chinese and Latin text are treated alike.

How the threshold was chosen (the hand-written cases of tests/retrieval/test_duplicates.py,
and data/docs's Chinese guide as .md and .pdf, chunked as ingestion does):
- one paragraph in two renderings: a PDF's line breaks and page footer, bullets under a
  heading line, Traditional script, a chunk contained in a longer one: 1.0; with three
  OCR errors in a 60-character paragraph: 0.90. Eight of the guide's nine .md chunks have
  a .pdf twin at 1.0.
- different passages: two paragraphs about the same tea house (same names and terms,
  other sentences) 0.26 and 0.33; a chunk that shares only its first sentence with another
  0.59; neighbouring chunks sharing the splitter's overlap 0.29 (the guide's own chunks: at
  most 0.22); the English guide against the Chinese one: at most 0.46.
- in between: the guide's one .md chunk cut across two .pdf chunks, 0.77 inside the
  larger of them. It stays a result of its own: merging keeps only the better-ranked text,
  so a passage is merged only when at most a fifth of it would be lost.
0.8 sits in the gap: every rendering of one paragraph above it, every other passage below.

Numbers are held apart: two chunks of one table (its caption and column names repeated,
rows that differ in their years and amounts) share nearly all their character pairs, yet
say different things. A passage whose numbers are not all in the other is no duplicate.

Pure functions: the search (retrieval/search.py) applies `collapse` to its ranked results
before cutting them to the top k, so a freed slot goes to the next result.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import replace

from core.text import folded_passage
from core.types import ScoredChunk, SourceRef

DUPLICATE_OVERLAP = 0.8
# Passages shorter than this many bigrams are compared only when identical: "第一章" is in
# many paragraphs without making them one.
MIN_BIGRAMS = 8


def _is_text(ch: str) -> bool:
    """Letters, digits and CJK ideographs count; whitespace, punctuation and symbols do not."""
    return unicodedata.category(ch)[0] in "LN"


def bigrams(text: str) -> frozenset[str]:
    """The character bigrams of `text` in matching form, whitespace and punctuation dropped."""
    flat = "".join(ch for ch in folded_passage(text) if _is_text(ch))
    if len(flat) < 2:
        return frozenset({flat}) if flat else frozenset()
    return frozenset(flat[i:i + 2] for i in range(len(flat) - 1))


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """|A∩B| / min(|A|, |B|): 1.0 when the shorter passage's bigrams are all in the longer one."""
    if not a or not b:
        return 0.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return sum(1 for g in small if g in large) / len(small)


def near_duplicates(a: frozenset[str], b: frozenset[str], threshold: float = DUPLICATE_OVERLAP) -> bool:
    if min(len(a), len(b)) < MIN_BIGRAMS:
        return bool(a) and a == b
    return overlap(a, b) >= threshold


_NUMBER = re.compile(r"\d+(?:[.,，]\d+)*")


def numbers(text: str) -> frozenset[str]:
    """The numbers written in a text (commas dropped: 1,000 and 1000 are one)."""
    return frozenset(n.replace(",", "").replace("，", "") for n in _NUMBER.findall(folded_passage(text)))


def same_numbers(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether the shorter list of numbers is all in the longer: a rendering keeps them (a
    page number may come with it), another table row does not."""
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return small <= large


def ref_of(result: ScoredChunk) -> SourceRef:
    return SourceRef(result.chunk.source, result.chunk.page)


def _with_refs(kept: ScoredChunk, refs: Iterable[SourceRef]) -> ScoredChunk:
    """`kept` with `refs` added to its `also_in`, without its own place or a repeat."""
    own = ref_of(kept)
    also = list(kept.also_in)
    for ref in refs:
        if ref != own and ref not in also:
            also.append(ref)
    return kept if len(also) == len(kept.also_in) else replace(kept, also_in=tuple(also))


def _repeats(a: tuple[frozenset[str], frozenset[str]], b: tuple[frozenset[str], frozenset[str]],
             threshold: float) -> bool:
    return near_duplicates(a[0], b[0], threshold) and same_numbers(a[1], b[1])


def collapse(ranked: Sequence[ScoredChunk], limit: int | None = None,
             threshold: float = DUPLICATE_OVERLAP) -> list[ScoredChunk]:
    """`ranked` (best first) with each near-duplicate merged into the better-ranked passage it
    repeats, which records the other's source and page (and its `also_in`) in `also_in`.

    With `limit`, at most that many passages are kept; the rest of `ranked` is still read, so
    that a kept passage names every place its text appears among them.
    """
    kept: list[ScoredChunk] = []
    prints: list[tuple[frozenset[str], frozenset[str]]] = []
    merged: list[list[SourceRef]] = []
    for result in ranked:
        mine = (bigrams(result.chunk.text), numbers(result.chunk.text))
        twin = next((i for i, other in enumerate(prints) if _repeats(mine, other, threshold)), None)
        if twin is not None:
            merged[twin] += [ref_of(result), *result.also_in]
        elif limit is None or len(kept) < limit:
            kept.append(result)
            prints.append(mine)
            merged.append([])
    return [_with_refs(k, refs) for k, refs in zip(kept, merged)]


def duplicate_of(ranked: Sequence[ScoredChunk], threshold: float = DUPLICATE_OVERLAP) -> list[int | None]:
    """For each passage of `ranked` (best first), the 0-based index of the earlier passage
    `collapse` would merge it into, or None when it is kept: what the retrieval test page
    shows as "merged"."""
    kept: list[tuple[int, tuple[frozenset[str], frozenset[str]]]] = []
    out: list[int | None] = []
    for i, result in enumerate(ranked):
        mine = (bigrams(result.chunk.text), numbers(result.chunk.text))
        twin = next((j for j, other in kept if _repeats(mine, other, threshold)), None)
        out.append(twin)
        if twin is None:
            kept.append((i, mine))
    return out


__all__ = ["DUPLICATE_OVERLAP", "bigrams", "collapse", "duplicate_of", "near_duplicates", "numbers", "overlap",
           "ref_of", "same_numbers"]
