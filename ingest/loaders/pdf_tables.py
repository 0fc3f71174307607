"""Ruled tables on a PDF page as readable rows, with PyMuPDF.

PyMuPDF's table finder gives the cell grid; the text of each cell is then read from the
page's characters by where their centres fall. (The finder's own `extract()` measures
glyphs with tight boxes, which puts the commas and points of "4,755,785.11" on a line of
their own; pdfplumber reads them right but is slower to find tables.)

The finder only runs on pages that draw enough lines or rectangles: ruled tables need
them and finding is the slow part. PyMuPDF 2 gates it with an ONNX layout model (about
0.7 s a page on two cores); that is switched off, leaving the classic line-based finder
(about 0.05-0.15 s a page), which found the same ruled tables as pdfplumber on the
shared evaluation PDFs.

pdfplumber is not used (and not a requirement): on those PDFs its line strategy gives the
same grids (including the FBI table's bands of five states to a cell, which
`split_bands` splits here), and its text strategy, the one that could read unruled
tables, broke header words and numbers apart ("Pre-Paw" | "n", "75" | ".6") and took
body text into the tables of the two-column paper.

Rows keep their columns (None under a merged cell): `table_text.table_to_text` writes each
value with its column name, and `pdf_text` carries the names and title of a table over a
page break. Where the grid alone does not say what a cell is, the positions of its
characters do (`table_layout`): a row label merged down over several rows is written in
each of them, and a header cell over several columns whose last line places a name over
each column (the FBI table's groups, not ruled apart in its header) becomes the group's
name over its columns' own.
"""
from __future__ import annotations

import bisect
import inspect
import logging

import pymupdf
from pymupdf import table as _pymupdf_table

from ingest.loaders._common import collapse_doubled
from ingest.loaders.table_layout import Glyph, carry_labels, split_header_cell
from ingest.loaders.table_text import is_numeric_cell

log = logging.getLogger(__name__)

_FIND_KWARGS = (
    {"use_layout": False}
    if "use_layout" in inspect.signature(_pymupdf_table.find_tables).parameters else {}
)
_MIN_RULES = 4  # drawn lines or rectangles a page needs before tables are looked for
# Ligatures expanded ("ﬁ" -> "fi"); styles collected, which merges overstruck (fake bold) text.
CHAR_FLAGS = pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP | pymupdf.TEXT_COLLECT_STYLES

Box = tuple[float, float, float, float]


def has_rules(page: pymupdf.Page) -> bool:
    """Whether the page draws enough lines or rectangles for a ruled table."""
    count = 0
    for drawing in page.get_cdrawings():
        for item in drawing.get("items", ()):
            if item[0] in ("l", "re", "qu"):
                count += 1
                if count >= _MIN_RULES:
                    return True
    return False


def _inside(box: Box, x: float, y: float) -> bool:
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _cell_rows(page: pymupdf.Page, table) -> list[list[str | None]]:
    """The text of each cell (None for a cell covered by a merged one), with row labels
    merged down carried into each row, header cells over several columns taken apart,
    and banded rows split."""
    rows = [list(row.cells) for row in table.rows]
    tops = [row.bbox[1] for row in table.rows]
    glyphs: list[list[list[Glyph]]] = [[[] for _ in row] for row in rows]
    texts: list[list[list[str]]] = [[[] for _ in row] for row in rows]
    last_line: dict[tuple[int, int], int] = {}
    raw = page.get_text("rawdict", flags=CHAR_FLAGS, clip=pymupdf.Rect(table.bbox))
    line_no = 0
    for block in raw.get("blocks", ()):
        for line in block.get("lines", ()):
            line_no += 1
            for span in line.get("spans", ()):
                for char in span.get("chars", ()):
                    x0, y0, x1, y1 = char["bbox"]
                    at = _find_cell(rows, tops, (x0 + x1) / 2, (y0 + y1) / 2)
                    if at is None:
                        continue
                    i, j = at
                    if last_line.get(at, line_no) != line_no:
                        texts[i][j].append("\n")
                    last_line[at] = line_no
                    texts[i][j].append(char["c"])
                    glyphs[i][j].append(Glyph(char["c"], x0, y0, x1, y1))
    cells = [[None if cell is None else collapse_doubled("".join(parts)) for parts, cell in zip(row_texts, row)]
             for row_texts, row in zip(texts, rows)]
    cells = carry_labels(cells, _merged_down(rows, tops))
    return split_bands(_split_headers(cells, rows, glyphs, _column_edges(rows, table.bbox[2])))


def _merged_down(rows: list[list[Box | None]], tops: list[float]) -> dict[tuple[int, int], int]:
    """Each grid cell covered by a cell merged down from a row above, and that row."""
    covered = {}
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            if cell is not None:
                continue
            k = next((k for k in range(i - 1, -1, -1) if rows[k][j] is not None), None)
            if k is not None and rows[k][j][3] > tops[i] + 1:
                covered[(i, j)] = k
    return covered


def _column_edges(rows: list[list[Box | None]], right: float) -> list[tuple[float, float]] | None:
    """The left and right edge of each column of the grid; None when a column starts no cell."""
    lefts = []
    for j in range(max((len(r) for r in rows), default=0)):
        starts = [row[j][0] for row in rows if j < len(row) and row[j] is not None]
        if not starts:
            return None
        lefts.append(min(starts))
    return list(zip(lefts, lefts[1:] + [right]))


def _split_headers(cells: list[list[str | None]], rows: list[list[Box | None]], glyphs: list[list[list[Glyph]]],
                   columns: list[tuple[float, float]] | None) -> list[list[str | None]]:
    """Header rows (no values) with a cell over several columns whose last line names each
    of them (`table_layout.split_header_cell`) made two rows: the group names, then the
    columns' own names (the FBI table's "Pre-Pawn" over "Handgun | Long Gun | *Other")."""
    if columns is None:
        return cells
    out: list[list[str | None]] = []
    for i, row in enumerate(cells):
        splits = {}
        if not any(c and is_numeric_cell(c) for c in row):
            for j, box in enumerate(rows[i]):
                if box is None:
                    continue
                spanned = [c for c, (x0, x1) in enumerate(columns) if box[0] - 1 <= x0 and x1 <= box[2] + 1]
                if len(spanned) >= 2 and (split := split_header_cell(glyphs[i][j], [columns[c] for c in spanned])):
                    splits[j] = (spanned, split)
        if not splits:
            out.append(row)
            continue
        top, names = list(row), [""] * len(row)
        for j, (spanned, split) in splits.items():
            top[j] = split.parent
            for c, name in zip(spanned, split.names):
                names[c] = name
        out += [top, names]
    return out


_MIN_BAND = 3  # lines a banded row must have before it is split


def split_bands(rows: list[list[str | None]]) -> list[list[str | None]]:
    """Rows that a table drawn with a rule every few lines puts in one band of cells (five
    states to a cell, one per line) split into one row per line: when every filled cell of
    a row has the same number of lines (3 or more), line k of each is row k."""
    out: list[list[str | None]] = []
    for row in rows:
        filled = [c for c in row if c]
        counts = {len(c.split("\n")) for c in filled}
        if len(filled) >= 2 and len(counts) == 1 and (k := counts.pop()) >= _MIN_BAND and row[0]:
            lines = [c.split("\n") if c else [c] * k for c in row]  # None stays None, "" stays ""
            out += [[parts[i] for parts in lines] for i in range(k)]
        else:
            out.append(row)
    return out


def _find_cell(rows: list[list[Box | None]], tops: list[float], x: float, y: float) -> tuple[int, int] | None:
    i = bisect.bisect_right(tops, y) - 1
    if i < 0:
        return None
    for j, cell in enumerate(rows[i]):
        if cell is not None and _inside(cell, x, y):
            return i, j
    # Inside a cell merged down from a row above.
    for k in range(i - 1, -1, -1):
        for j, cell in enumerate(rows[k]):
            if cell is not None and _inside(cell, x, y):
                return k, j
    return None


def find_tables(page: pymupdf.Page, errors: tuple[type[Exception], ...]) -> list[tuple[pymupdf.Rect, list]]:
    """(area, rows of cells aligned by column: None under a merged cell) of each ruled table
    on the page, top to bottom as found; [] when there is none. `table_text.table_to_text`
    writes them."""
    if not has_rules(page):
        return []
    try:
        found = page.find_tables(**_FIND_KWARGS)
    except errors as exc:
        log.warning("table search failed on page %d: %s", page.number + 1, exc)
        return []
    tables = []
    for table in found.tables:
        # A one-row or one-column "table" is usually a framed paragraph: keep its blocks.
        if table.row_count < 2 or table.col_count < 2:
            continue
        try:
            rows = _cell_rows(page, table)
        except errors as exc:
            log.warning("table extraction failed on page %d: %s", page.number + 1, exc)
            continue
        if any(any(c for c in row) for row in rows):
            tables.append((pymupdf.Rect(table.bbox), rows))
    return tables
