"""OCR of scanned pages and images of text, with rapidocr-onnxruntime (PP-OCRv4, offline).

The engine (three small ONNX models shipped inside the wheel) is loaded once per
process, on the first page that needs it, and shared by threads under a lock (ONNX
Runtime already uses every core for one image). A page or a region of it is rendered
so that its longer side is about 2,000 pixels (never above 300 dpi), read, and the
recognised lines are put back together: columns left to right, lines top to bottom,
the lines of a paragraph joined like a text layer's (Chinese without spaces), rows of
table cells as "a | b | c". Measured on two idle cores (bench/pdf_ingest_bench.py):
about 3 s for a page of body text (the scanned Chinese book: 2.7 s), 5-6 s for a dense
table; recognition (one pass per text line) is most of it, and it triples when the
cores are shared with other work.
"""
from __future__ import annotations

import logging
import statistics
import threading
from dataclasses import dataclass

import numpy as np
import pymupdf

from core.cpu import physical_cores
from core.errors import LoaderError
from ingest.loaders._common import join_lines, normalize_whitespace

log = logging.getLogger(__name__)

_TARGET_SIDE = 2000  # pixels of the longer side of a rendered page or region
_MAX_ZOOM = 300 / 72  # never above 300 dpi
_MIN_SCORE = 0.5  # recognition confidence below which a line is dropped

_engine = None
_engine_lock = threading.Lock()


class OcrUnavailable(LoaderError):
    """The OCR engine cannot be loaded."""


@dataclass(frozen=True, slots=True)
class OcrLine:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    table: bool = False  # a row of table cells ("a | b | c")

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def middle(self) -> float:
        return (self.y0 + self.y1) / 2


def _threads() -> int:
    return physical_cores()


def engine():
    """The process's RapidOCR engine, loaded on first use."""
    global _engine
    with _engine_lock:
        if _engine is None:
            try:
                from rapidocr_onnxruntime import RapidOCR
            except ImportError as exc:
                raise OcrUnavailable("OCR is not installed (package rapidocr-onnxruntime of the requirements)",
                                     setting="ocr") from exc
            # RapidOCR gives its logger its own DEBUG stream handler; ours decide instead.
            rapid_log = logging.getLogger("RapidOCR")
            rapid_log.handlers.clear()
            rapid_log.setLevel(logging.WARNING)
            rapid_log.propagate = True
            try:
                _engine = RapidOCR(intra_op_num_threads=_threads(), inter_op_num_threads=1)
            except (OSError, RuntimeError, ValueError) as exc:
                log.warning("cannot load the OCR models: %r", exc)
                raise OcrUnavailable(f"the OCR models cannot be loaded ({type(exc).__name__}): the package "
                                     "rapidocr-onnxruntime is damaged", setting="ocr") from exc
            log.info("OCR engine loaded (%d threads)", _threads())
        return _engine


def render(page: pymupdf.Page, clip: pymupdf.Rect | None = None, rotation: int = 0) -> np.ndarray:
    """The page (or `clip` of it), turned by `rotation` degrees, as a BGR image for OCR."""
    area = pymupdf.Rect(clip) if clip is not None else page.rect
    longer = max(area.width, area.height, 1.0)
    zoom = min(_MAX_ZOOM, _TARGET_SIDE / longer)
    pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom).prerotate(rotation), clip=area,
                          colorspace=pymupdf.csRGB, alpha=False)
    rgb = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.stride)[:, : pix.width * 3]
    return np.ascontiguousarray(rgb.reshape(pix.height, pix.width, 3)[:, :, ::-1])


def _run(image: np.ndarray, use_cls: bool) -> list[tuple[list, str, float]]:
    ocr = engine()
    with _engine_lock:
        result, _ = ocr(image, use_cls=use_cls)
    return [(box, str(text).strip(), float(score)) for box, text, score in result or ()]


def _doubtful(result: list[tuple[list, str, float]]) -> bool:
    """Whether a reading looks like text the wrong way up: low confidence, or lines
    mostly taller than wide (a page turned by 90 degrees)."""
    if not result:
        return True
    scores = [score for _, _, score in result]
    tall = sum(1 for box, _, _ in result
               if (max(p[1] for p in box) - min(p[1] for p in box)) > 1.5 * (max(p[0] for p in box) - min(p[0] for p in box)))
    return sum(scores) / len(scores) < 0.8 or tall > len(result) / 2


def _weight(result: list[tuple[list, str, float]]) -> float:
    return sum(score * len(text) for _, text, score in result if score >= _MIN_SCORE)


def recognise(image: np.ndarray, *, upright: bool = False) -> list[OcrLine]:
    """The text lines found in a BGR image, with their boxes in pixels.

    Read first without the angle classifier, which on rendered pages flips good lines
    upside down now and then (they come back empty, or "0.008" as "800°0"). Unless the
    image is known to be `upright`, a reading that looks wrong-way-up is done again with
    the classifier, and the better of the two kept.
    """
    result = _run(image, use_cls=False)
    if not upright and _doubtful(result):
        second = _run(image, use_cls=True)
        if _weight(second) > _weight(result):
            result = second
    lines = []
    for box, text, score in result:
        if not text or score < _MIN_SCORE:
            continue
        xs = [float(p[0]) for p in box]
        ys = [float(p[1]) for p in box]
        lines.append(OcrLine(min(xs), min(ys), max(xs), max(ys), text))
    return lines


def ocr_text(page: pymupdf.Page, clip: pymupdf.Rect | None = None, rotation: int | None = None,
             known_text: str = "") -> str:
    """The text OCR reads on the page (or on `clip` of it), turned by `rotation` degrees
    when the text's direction is known (None: unknown, lines may be upside down).

    Lines already in `known_text` (the page's text layer, drawn over an image and so
    rendered with it) are left out.
    """
    lines = recognise(render(page, clip, rotation or 0), upright=rotation is not None)
    if known_text:
        known = _compact(known_text)
        lines = [ln for ln in lines if len(_compact(ln.text)) < 4 or _compact(ln.text) not in known]
    return lines_to_text(lines)


def _compact(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


# --- putting recognised lines back together ----------------------------------------------
def _rows(lines: list[OcrLine], height: float) -> list[list[OcrLine]]:
    """Boxes on the same visual line (their middles within half a line) grouped, left to right."""
    rows: list[list[OcrLine]] = []
    for line in sorted(lines, key=lambda ln: ln.middle):
        if rows and abs(rows[-1][0].middle - line.middle) < 0.5 * height:
            rows[-1].append(line)
        else:
            rows.append([line])
    return [sorted(row, key=lambda ln: ln.x0) for row in rows]


def _merge_row(row: list[OcrLine], height: float) -> OcrLine:
    """One visual line from its boxes: three or more boxes well apart are table cells,
    written "a | b | c" like the rows of tables read from a text layer."""
    box = (min(p.x0 for p in row), min(p.y0 for p in row), max(p.x1 for p in row), max(p.y1 for p in row))
    gaps = [b.x0 - a.x1 for a, b in zip(row, row[1:])]
    if len(row) >= 3 and min(gaps) >= height:
        return OcrLine(*box, " | ".join(p.text for p in row), table=True)
    text = row[0].text
    for part in row[1:]:
        text = join_lines([text, part.text])
    return OcrLine(*box, text)


def _gutter(lines: list[OcrLine], height: float) -> float | None:
    """The x of a blank vertical strip splitting text into two columns, if there is one.

    Columns of text are told from a table (whose columns must stay together row by row)
    by their lines: in a text column most lines fill the column's width.
    """
    left = min(ln.x0 for ln in lines)
    right = max(ln.x1 for ln in lines)
    width = right - left
    if width <= 0:
        return None
    narrow = [ln for ln in lines if ln.x1 - ln.x0 < 0.6 * width]  # titles may span both
    if len(narrow) < 6:
        return None
    spans = sorted((ln.x0, ln.x1) for ln in narrow)
    reach = spans[0][1]
    for x0, x1 in spans[1:]:
        middle = (x0 + reach) / 2
        if x0 - reach >= 0.8 * height and left + 0.25 * width <= middle <= left + 0.75 * width:
            first = [ln.x1 - ln.x0 for ln in narrow if ln.x1 <= middle]
            second = [ln.x1 - ln.x0 for ln in narrow if ln.x0 >= middle]
            if (len(first) >= 3 and len(second) >= 3
                    and statistics.median(first) >= 0.6 * (reach - left)
                    and statistics.median(second) >= 0.6 * (right - x0)):
                return middle
        reach = max(reach, x1)
    return None


def _paragraphs(rows: list[OcrLine], height: float) -> list[str]:
    """Lines joined into paragraphs: a gap, a line indented from the one above, or a
    short line above ends one. Table rows stay one per line."""
    if not rows:
        return []
    right = max(r.x1 for r in rows)
    blocks: list[list[OcrLine]] = [[rows[0]]]
    for previous, row in zip(rows, rows[1:]):
        gap = row.y0 - previous.y1
        indented = row.x0 - previous.x0 > 1.2 * height  # a first line, indented (or a nested item)
        short = right - previous.x1 > 2.5 * height  # the line above stopped early: its paragraph ended
        if row.table != previous.table or (not row.table and (gap > 1.2 * height or indented or short)):
            blocks.append([row])
        else:
            blocks[-1].append(row)
    return ["\n".join(r.text for r in block) if block[0].table else join_lines(r.text for r in block)
            for block in blocks]


def lines_to_text(lines: list[OcrLine]) -> str:
    """Recognised lines as text: columns in order, paragraphs separated by a blank line."""
    if not lines:
        return ""
    height = statistics.median(ln.height for ln in lines) or 1.0
    gutter = _gutter(lines, height)
    parts: list[str] = []
    if gutter is None:
        parts = _paragraphs([_merge_row(r, height) for r in _rows(lines, height)], height)
    else:
        # Lines spanning the gutter (titles) cut the page into bands read column by column.
        band: list[OcrLine] = []

        def flush() -> None:
            for side in ([ln for ln in band if ln.x1 <= gutter], [ln for ln in band if ln.x1 > gutter]):
                parts.extend(_paragraphs([_merge_row(r, height) for r in _rows(side, height)], height))
            band.clear()

        for line in sorted(lines, key=lambda ln: ln.y0):
            if line.x0 < gutter < line.x1:
                flush()
                parts.append(line.text)
            else:
                band.append(line)
        flush()
    return normalize_whitespace("\n\n".join(parts))
