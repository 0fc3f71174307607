"""Recognised lines put back together as text: columns left to right, lines top to bottom,
the lines of a paragraph joined like a text layer's (Chinese without spaces), rows of
table cells as "a | b | c"."""
from __future__ import annotations

import statistics
from dataclasses import dataclass

from ingest.loaders._common import join_lines, normalize_whitespace


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
