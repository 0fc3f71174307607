"""OCR of scanned pages and images of text (the engine: `ocr_engine`, rapidocr 3.x, offline).

A page or a region of it is rendered so that its longer side is about 2,000 pixels
(never above 300 dpi), read, and the recognised lines are put back together
(`ocr_layout`). Reading is the part that can run in a worker process (`recognise`, see
`ocr_pool`); rendering and putting lines together happen where the PDF is open.
Measured with `python -m bench.ocr_bench` (docs/TUNING.md, "OCR"): about 2 s of two
idle cores for a page of the scanned Chinese book, against about 3 s before.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pymupdf

from ingest.loaders.ocr_engine import OcrUnavailable, RawLine, read_image
from ingest.loaders.ocr_layout import OcrLine, lines_to_text

__all__ = ["OcrLine", "OcrUnavailable", "Reader", "lines_to_text", "ocr_text", "recognise", "render", "text_of"]

_TARGET_SIDE = 2000  # pixels of the longer side of a rendered page or region
_MAX_ZOOM = 300 / 72  # never above 300 dpi
_MIN_SCORE = 0.5  # recognition confidence below which a line is dropped

Reader = Callable[[np.ndarray, bool], list[RawLine]]  # (BGR image, use the angle classifier) -> lines


def render(page: pymupdf.Page, clip: pymupdf.Rect | None = None, rotation: int = 0) -> np.ndarray:
    """The page (or `clip` of it), turned by `rotation` degrees, as a BGR image for OCR."""
    area = pymupdf.Rect(clip) if clip is not None else page.rect
    longer = max(area.width, area.height, 1.0)
    zoom = min(_MAX_ZOOM, _TARGET_SIDE / longer)
    pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom).prerotate(rotation), clip=area,
                          colorspace=pymupdf.csRGB, alpha=False)
    rgb = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.stride)[:, : pix.width * 3]
    return np.ascontiguousarray(rgb.reshape(pix.height, pix.width, 3)[:, :, ::-1])


def _doubtful(result: list[RawLine]) -> bool:
    """Whether a reading looks like text the wrong way up: low confidence, or lines
    mostly taller than wide (a page turned by 90 degrees)."""
    if not result:
        return True

    def tall(line: RawLine) -> bool:
        xs = [x for x, _ in line.box]
        ys = [y for _, y in line.box]
        return max(ys) - min(ys) > 1.5 * (max(xs) - min(xs))

    return sum(line.score for line in result) / len(result) < 0.8 or sum(map(tall, result)) > len(result) / 2


def _weight(result: list[RawLine]) -> float:
    return sum(line.score * len(line.text) for line in result if line.score >= _MIN_SCORE)


def recognise(image: np.ndarray, *, upright: bool = False, read: Reader = read_image) -> list[OcrLine]:
    """The text lines found in a BGR image, with their boxes in pixels.

    Read first without the angle classifier, which on rendered pages flips good lines
    upside down now and then (they come back empty, or "0.008" as "800°0"). Unless the
    image is known to be `upright`, a reading that looks wrong-way-up is done again with
    the classifier, and the better of the two kept. `read` is the engine (this process's
    by default; the benchmark passes others).
    """
    result = read(image, False)
    if not upright and _doubtful(result):
        second = read(image, True)
        if _weight(second) > _weight(result):
            result = second
    lines = []
    for line in result:
        if not line.text or line.score < _MIN_SCORE:
            continue
        xs = [x for x, _ in line.box]
        ys = [y for _, y in line.box]
        lines.append(OcrLine(min(xs), min(ys), max(xs), max(ys), line.text))
    return lines


def text_of(lines: list[OcrLine], known_text: str = "") -> str:
    """Recognised lines as text, less those already in `known_text` (the page's text
    layer, drawn over an image and so rendered with it)."""
    if known_text:
        known = _compact(known_text)
        lines = [ln for ln in lines if len(_compact(ln.text)) < 4 or _compact(ln.text) not in known]
    return lines_to_text(lines)


def ocr_text(page: pymupdf.Page, clip: pymupdf.Rect | None = None, rotation: int | None = None,
             known_text: str = "") -> str:
    """The text OCR reads on the page (or on `clip` of it), in this process, turned by
    `rotation` degrees when the text's direction is known (None: unknown, lines may be
    upside down). Lines already in `known_text` are left out."""
    lines = recognise(render(page, clip, rotation or 0), upright=rotation is not None)
    return text_of(lines, known_text)


def _compact(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())
