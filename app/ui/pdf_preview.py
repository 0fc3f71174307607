"""A PDF page rendered to PNG with a cited passage highlighted (PyMuPDF).

The passage is located character by character, ignoring whitespace, so a passage whose
lines the PDF loader joined (Chinese has no spaces between lines) is still found; when
it is not found whole (a table row, a passage cut short) its sentences are looked up
one by one. The evidence sentences of an answer are marked more strongly (orange,
underlined) inside the passage. A mark never ends inside a token: a Latin word or a number
with its decimals and unit ("2.5000", "25%", "3.5kg") is marked whole (`whole_tokens`).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pymupdf

from core.errors import YizhiError

_PIECES = re.compile(r"[^，。；！？、,.;!?|\n]+")
MIN_PIECE = 4
ZOOM = 1.5
PASSAGE_COLOUR = (1.0, 0.9, 0.35)  # the cited passage: light yellow
EVIDENCE_COLOUR = (1.0, 0.6, 0.1)  # the evidence sentence(s): orange, and underlined
UNDERLINE_COLOUR = (0.85, 0.25, 0.0)
_WORD = re.compile(r"[A-Za-z0-9]")
_JOINS = set(".,:/-_'·")  # inside a token when between two of its letters or digits: 2.5, 1,000, 7:30, km/h
_AFTER_NUMBER = set("%‰°℃℉")  # ends a number: 25%, 30℃


class PreviewUnavailable(YizhiError):
    """The page cannot be rendered (encrypted, damaged, no such page)."""


def _compact(text: str) -> str:
    return "".join(text.split()).rstrip("…")


def match_spans(page_text: str, passage: str, min_piece: int = MIN_PIECE) -> list[tuple[int, int]]:
    """Character ranges of `page_text` (no whitespace) that show `passage`.

    The whole passage when it occurs; otherwise each of its sentence pieces of at least
    `min_piece` characters, at their first occurrence.
    """
    whole = _compact(passage)
    if whole:
        at = page_text.find(whole)
        if at >= 0:
            return [(at, at + len(whole))]
    spans = []
    for piece in _PIECES.findall(passage):
        piece = _compact(piece)
        if len(piece) >= min_piece:
            at = page_text.find(piece)
            if at >= 0:
                spans.append((at, at + len(piece)))
    return sorted(set(spans))


def tokens(text: str, gaps: frozenset[int] | set[int] = frozenset()) -> list[tuple[int, int]]:
    """The tokens of `text` (a page's characters without whitespace) as (start, end): a Latin
    word, or a number with its decimals, separators and unit ("2.5000", "1,000", "7:30",
    "3.5kg", "25%"); every other character (Chinese, punctuation) is a token of its own.
    `gaps` are the indexes the page had a space or a line break before: a token ends there."""
    out: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        if not _WORD.match(text[i]):
            out.append((i, i + 1))
            i += 1
            continue
        end = i + 1
        while end < n and end not in gaps:
            ch = text[end]
            if _WORD.match(ch):
                end += 1
            elif ch in _JOINS and end + 1 < n and end + 1 not in gaps and _WORD.match(text[end + 1]):
                end += 2
            elif ch in _AFTER_NUMBER and text[end - 1].isdigit():
                end += 1
                break
            else:
                break
        out.append((i, end))
        i = end
    return out


def whole_tokens(marked: set[int], text: str, gaps: frozenset[int] | set[int] = frozenset()) -> set[int]:
    """`marked` (indexes of `text`) widened so that no token is marked in part: a number or a
    word any of whose characters is marked is marked whole."""
    out = set(marked)
    for start, end in tokens(text, gaps):
        if end - start > 1 and not out.isdisjoint(range(start, end)):
            out.update(range(start, end))
    return out


def _page_chars(page: pymupdf.Page) -> tuple[str, list[pymupdf.Rect], set[int]]:
    """The page's non-space characters in reading order, their boxes, and the indexes of those
    that follow a space or start a line (where a token ends)."""
    chars: list[str] = []
    boxes: list[pymupdf.Rect] = []
    gaps: set[int] = set()
    for block in page.get_text("rawdict", flags=pymupdf.TEXTFLAGS_TEXT).get("blocks", ()):
        for line in block.get("lines", ()):
            gaps.add(len(chars))
            for span in line.get("spans", ()):
                for ch in span.get("chars", ()):
                    if ch["c"].isspace():
                        gaps.add(len(chars))
                    else:
                        chars.append(ch["c"])
                        boxes.append(pymupdf.Rect(ch["bbox"]))
    return "".join(chars), boxes, gaps


def _line_rects(boxes: list[pymupdf.Rect]) -> list[pymupdf.Rect]:
    """Character boxes merged into one rectangle per run on the same line."""
    merged: list[pymupdf.Rect] = []
    for box in boxes:
        last = merged[-1] if merged else None
        if last is not None and abs(box.y0 - last.y0) < 2 and box.x0 >= last.x0 - 1:
            merged[-1] = last | box
        else:
            merged.append(pymupdf.Rect(box))
    return merged


def _indexes(spans: list[tuple[int, int]]) -> set[int]:
    return {i for start, end in spans for i in range(start, end)}


def marked_boxes(text: str, passage: str, evidence: Sequence[str] = (),
                 gaps: frozenset[int] | set[int] = frozenset()) -> tuple[set[int], set[int]]:
    """Which characters of the page (no whitespace) show the passage, and which of them the
    evidence sentences: looked for inside the passage first, then anywhere on the page; both
    widened to whole tokens (`gaps`: see `tokens`)."""
    passage_spans = match_spans(text, passage)
    evidence_idx: set[int] = set()
    for sentence in evidence:
        found = []
        for start, end in passage_spans:
            found += [(start + a, start + b) for a, b in match_spans(text[start:end], sentence)]
        evidence_idx |= _indexes(found or match_spans(text, sentence))
    evidence_idx = whole_tokens(evidence_idx, text, gaps)
    return whole_tokens(_indexes(passage_spans), text, gaps) - evidence_idx, evidence_idx


def _highlight(page: pymupdf.Page, rects: list[pymupdf.Rect], colour: tuple[float, float, float]) -> None:
    if rects:
        annot = page.add_highlight_annot(rects)
        annot.set_colors(stroke=colour)
        annot.update()


def render_page(path: str | Path, page_number: int, passage: str, zoom: float = ZOOM, *,
                evidence: Sequence[str] = ()) -> tuple[bytes, int]:
    """PNG bytes of the 1-based page with the passage highlighted in yellow and its evidence
    sentences in orange, underlined; and how many line areas were marked (0: neither was
    found on the page)."""
    try:
        doc = pymupdf.open(path)
    except (RuntimeError, ValueError, OSError) as exc:
        raise PreviewUnavailable(f"the PDF cannot be opened: {exc}") from exc
    with doc:
        if doc.needs_pass:
            raise PreviewUnavailable("the PDF is password-protected: no preview")
        if not 1 <= page_number <= doc.page_count:
            raise PreviewUnavailable(f"the PDF has no page {page_number} (it has {doc.page_count})")
        try:
            page = doc[page_number - 1]
            text, boxes, gaps = _page_chars(page)
            plain, strong = marked_boxes(text, passage, evidence, gaps)
            plain_rects = _line_rects([boxes[i] for i in sorted(plain)])
            strong_rects = _line_rects([boxes[i] for i in sorted(strong)])
            _highlight(page, plain_rects, PASSAGE_COLOUR)
            _highlight(page, strong_rects, EVIDENCE_COLOUR)
            if strong_rects:
                underline = page.add_underline_annot(strong_rects)
                underline.set_colors(stroke=UNDERLINE_COLOUR)
                underline.update()
            pixmap = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), annots=True)
            return pixmap.tobytes("png"), len(plain_rects) + len(strong_rects)
        except (RuntimeError, ValueError) as exc:
            raise PreviewUnavailable(f"page {page_number} cannot be rendered: {exc}") from exc
