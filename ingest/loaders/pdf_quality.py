"""Which parts of a PDF page need OCR: pages without a usable text layer, images of text.

A page is read with OCR as a whole when its text layer is
- empty, yet the page shows something (a scan; text drawn as outlines), or
- garbage: mostly replacement, private-use or unassigned characters, or the ASCII
  symbols that fonts without a Unicode mapping decode to ("!\"#$%&'(…" for Chinese
  glyphs), or
- nearly empty while images cover most of the page (a scan with a page number on top).

On a page whose text layer is good, an image that covers a fair part of the page and
has (almost) no text over it is read with OCR on its own: a figure or scanned insert
that holds text. Its text is added to the page's; the text layer itself is never OCR'd.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pymupdf

# ASCII symbols that are rare in real text but make up most of the text of a font
# whose glyphs have no Unicode mapping. Common punctuation (.,:()-/%) is left out:
# tables of numbers are full of it.
_RARE_SYMBOLS = frozenset('!"#$&\'*+;<=>?@[\\]^_`{|}~')
_BAD_CATEGORIES = frozenset({"Co", "Cn", "Cs", "Cc"})
GARBAGE_RATIO = 0.3  # share of bad characters from which a text layer is garbage
_MIN_IMAGE_COVER = 0.03  # an image smaller than this share of the page is not read
_MIN_IMAGE_PIXELS = (48, 16)  # nor one smaller than this in pixels
_TEXT_OVER_IMAGE = 0.05  # share of an image's area covered by text lines: it has a text layer
_SCAN_COVER = 0.5  # images covering this share of a page make it a scan…
_SCAN_MAX_CHARS = 100  # …when the text layer has fewer characters than this
MAX_REGIONS = 6  # images read per page at most (the largest)


@dataclass(slots=True)
class OcrPlan:
    """What to OCR on a page: the whole page (`full`, with the reason) or some regions."""

    full: bool = False
    reason: str = ""
    regions: list[pymupdf.Rect] = field(default_factory=list)
    keep_text: bool = True  # whether the text layer is worth keeping when OCR cannot run
    rotation: int | None = None  # degrees that turn the page upright (known from its text layer)

    @property
    def needed(self) -> bool:
        return self.full or bool(self.regions)


def _is_bad(char: str) -> bool:
    return char == "\ufffd" or char in _RARE_SYMBOLS or unicodedata.category(char) in _BAD_CATEGORIES


def garbage_ratio(text: str) -> float:
    """Share of the non-space characters of `text` that no real text is made of."""
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return 0.0
    return sum(1 for c in chars if _is_bad(c)) / len(chars)


def is_garbage(text: str) -> bool:
    """Whether a text layer is mostly undecodable characters (see the module doc)."""
    chars = sum(1 for c in text if not c.isspace())
    if chars == 0:
        return False
    ratio = garbage_ratio(text)
    # Very short texts need a clearer verdict: "A!" is not garbage, "!#$%" is.
    return ratio >= GARBAGE_RATIO if chars >= 12 else ratio > 0.5


def is_blank(page: pymupdf.Page) -> bool:
    """Whether the page shows nothing: no image, no drawing, or a render without ink."""
    if not page.get_image_info() and not page.get_cdrawings():
        return True
    pix = page.get_pixmap(dpi=24, colorspace=pymupdf.csGRAY, alpha=False)
    gray = np.frombuffer(pix.samples, dtype=np.uint8)
    return int(np.count_nonzero(gray < 160)) <= max(2, gray.size // 2000)


def _image_boxes(page: pymupdf.Page) -> list[tuple[pymupdf.Rect, int, int]]:
    """(box on the page, pixel width, pixel height) of each image drawn on the page."""
    boxes = []
    for info in page.get_image_info():
        box = pymupdf.Rect(info["bbox"]) & page.rect
        if not box.is_empty:
            boxes.append((box, int(info.get("width") or 0), int(info.get("height") or 0)))
    return boxes


def _covered(box: pymupdf.Rect, others: list[pymupdf.Rect]) -> float:
    area = abs(box)
    return sum(abs(box & other) for other in others) / area if area else 1.0


def plan_ocr(page: pymupdf.Page, text: str, line_boxes: list[pymupdf.Rect], rotation: int = 0) -> OcrPlan:
    """Decide what of `page` to OCR, given its text layer (`text`, its lines' boxes, and
    the rotation that makes most of it upright: undecodable glyphs still run the right way)."""
    chars = sum(1 for c in text if not c.isspace())
    if chars == 0:
        return OcrPlan(full=True, reason="no text layer") if not is_blank(page) else OcrPlan()
    if is_garbage(text):
        return OcrPlan(full=True, reason=f"text layer is garbage ({garbage_ratio(text):.0%} undecodable)",
                       keep_text=False, rotation=rotation)
    images = _image_boxes(page)
    page_area = abs(page.rect) or 1.0
    if images and chars < _SCAN_MAX_CHARS:
        union = _union_area([box for box, _, _ in images])
        if union / page_area >= _SCAN_COVER:
            return OcrPlan(full=True, reason=f"scanned page ({chars} characters of text over images)")
    regions: list[pymupdf.Rect] = []
    for box, width, height in sorted(images, key=lambda item: -abs(item[0])):
        if abs(box) / page_area < _MIN_IMAGE_COVER:
            continue
        if width < _MIN_IMAGE_PIXELS[0] or height < _MIN_IMAGE_PIXELS[1]:
            continue
        if _covered(box, line_boxes) > _TEXT_OVER_IMAGE:
            continue  # the image has a text layer over it (or is a background)
        if any(_covered(box, [seen]) > 0.5 for seen in regions):
            continue  # the same picture drawn twice, or one inside another
        regions.append(box)
        if len(regions) == MAX_REGIONS:
            break
    return OcrPlan(regions=regions, reason="images without a text layer" if regions else "")


def _union_area(boxes: list[pymupdf.Rect]) -> float:
    """Area covered by the boxes together (overlaps counted once), on a coarse grid."""
    if not boxes:
        return 0.0
    xs = sorted({b.x0 for b in boxes} | {b.x1 for b in boxes})
    area = 0.0
    for left, right in zip(xs, xs[1:]):
        spans = sorted((b.y0, b.y1) for b in boxes if b.x0 <= left and b.x1 >= right)
        covered, top, bottom = 0.0, None, None
        for y0, y1 in spans:
            if bottom is None or y0 > bottom:
                if bottom is not None:
                    covered += bottom - top
                top, bottom = y0, y1
            else:
                bottom = max(bottom, y1)
        if bottom is not None:
            covered += bottom - top
        area += (right - left) * covered
    return area
