"""A PDF page rendered to PNG with a cited passage highlighted (PyMuPDF).

The passage is located character by character, ignoring whitespace, so a passage whose
lines the PDF loader joined (Chinese has no spaces between lines) is still found; when
it is not found whole (a table row, a passage cut short) its sentences are looked up
one by one. The evidence sentences of an answer are marked more strongly (orange,
underlined) inside the passage.
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


def _page_chars(page: pymupdf.Page) -> tuple[str, list[pymupdf.Rect]]:
    """The page's non-space characters in reading order and their boxes."""
    chars: list[str] = []
    boxes: list[pymupdf.Rect] = []
    for block in page.get_text("rawdict", flags=pymupdf.TEXTFLAGS_TEXT).get("blocks", ()):
        for line in block.get("lines", ()):
            for span in line.get("spans", ()):
                for ch in span.get("chars", ()):
                    if not ch["c"].isspace():
                        chars.append(ch["c"])
                        boxes.append(pymupdf.Rect(ch["bbox"]))
    return "".join(chars), boxes


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


def marked_boxes(text: str, passage: str, evidence: Sequence[str] = ()) -> tuple[set[int], set[int]]:
    """Which characters of the page (no whitespace) show the passage, and which of them the
    evidence sentences: looked for inside the passage first, then anywhere on the page."""
    passage_spans = match_spans(text, passage)
    evidence_idx: set[int] = set()
    for sentence in evidence:
        found = []
        for start, end in passage_spans:
            found += [(start + a, start + b) for a, b in match_spans(text[start:end], sentence)]
        evidence_idx |= _indexes(found or match_spans(text, sentence))
    return _indexes(passage_spans) - evidence_idx, evidence_idx


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
            text, boxes = _page_chars(page)
            plain, strong = marked_boxes(text, passage, evidence)
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
