"""Tables drawn without rules whose text layer runs out of reading order, rebuilt from
where their words stand.

Some PDFs (lab reports, forms filled in by a program) write a table's row in another order
than it is printed: the method, then the result, the unit and the range, then the item
("仪器法159 g/L [130-175]血红蛋白(HGB)"). Read block by block, such a row is scrambled;
read from the positions of its pieces (`table_layout`), each row reads item, result,
unit, range as printed, and the table is written like a ruled one.

Only rows whose lines the text layer gives out of their left-to-right order are looked
at: a table drawn without rules in reading order, and body text in columns, keep the
blocks' reading. The page's characters are read again (with their boxes) only then.
"""
from __future__ import annotations

import logging
import statistics
from collections.abc import Sequence

import pymupdf

from ingest.loaders._common import collapse_doubled
from ingest.loaders.pdf_tables import CHAR_FLAGS
from ingest.loaders.table_layout import Glyph, Piece, pieces, table_runs, visual_rows

log = logging.getLogger(__name__)

_MIN_SCRAMBLED = 3  # lines a visual row needs before its order says anything
_MAX_CELL = 20  # characters in most cells of a table (a median)

Line = tuple[int, int]  # (block, line) index in the page's text blocks


def out_of_order(rows: Sequence[Sequence[Line]]) -> bool:
    """Whether a visual row (its lines left to right) of three or more lines has them in
    another order in the text layer."""
    return any(len(row) >= _MIN_SCRAMBLED and list(row) != sorted(row) for row in rows)


def _scrambled_rows(rows: Sequence[Sequence[Piece]]) -> bool:
    """Whether the text layer writes these rows one after the other, each whole, and some
    row in another order than left to right: a table written row by row out of order.
    (Text in columns is written column by column: its rows interleave.)"""
    orders = [sorted(p.order for p in row) for row in rows]
    by_rows = all(above[-1] < below[0] for above, below in zip(orders, orders[1:]))
    return by_rows and any([p.order for p in row] != order for row, order in zip(rows, orders))


def _short_cells(rows: Sequence[Sequence[Piece]]) -> bool:
    """Whether most pieces are as short as a table's cells (lines of text in columns are not)."""
    return statistics.median(len(p.text) for row in rows for p in row) <= _MAX_CELL


def _pieces(page: pymupdf.Page, ruled: Sequence[pymupdf.Rect]) -> list[Piece]:
    """The pieces of every left-to-right line outside the ruled tables, numbered by line in
    the text layer's order."""
    found: list[Piece] = []
    order = 0
    for block in page.get_text("rawdict", flags=CHAR_FLAGS).get("blocks", ()):
        for line in block.get("lines", ()):
            order += 1
            dx, dy = line.get("dir", (1, 0))
            box = pymupdf.Rect(line["bbox"])
            if (round(dx), round(dy)) != (1, 0) or any((box.tl + box.br) / 2 in area for area in ruled):
                continue
            glyphs = [Glyph(c["c"], *c["bbox"]) for span in line.get("spans", ()) for c in span.get("chars", ())]
            found += pieces(glyphs, order)
    return found


def rebuilt_tables(page: pymupdf.Page, blocks: Sequence, rows: Sequence[Sequence[Line]],
                   ruled: Sequence[pymupdf.Rect]) -> tuple[list[tuple[pymupdf.Rect, list[list[str]]]], set[Line]]:
    """(area, rows of cells) of each table without rules, rebuilt from its pieces' positions,
    that has a row out of reading order, and the (block, line) indexes of the lines it
    replaces; nothing when no visual row of the page (`rows`) is out of order."""
    if not out_of_order(rows):
        return [], set()
    placed = visual_rows(_pieces(page, ruled))
    tables = []
    for run in table_runs(placed):
        run_rows = placed[run.first:run.last + 1]
        if not (_scrambled_rows(run_rows) and _short_cells(run_rows)):
            continue
        area = pymupdf.Rect(run_rows[0][0].x0, run_rows[0][0].y0, run_rows[0][0].x1, run_rows[0][0].y1)
        for row in run_rows:
            for piece in row:
                area |= pymupdf.Rect(piece.x0, piece.y0, piece.x1, piece.y1)
        tables.append((area, [[collapse_doubled(c) for c in cells] for cells in run.cells]))
    lines = {(b, i) for b, (_, block_lines) in enumerate(blocks) for i, (box, _) in enumerate(block_lines)
             if any((box.tl + box.br) / 2 in area for area, _ in tables)}
    if tables:
        log.debug("page %d: %d table(s) without rules rebuilt from word positions", page.number + 1, len(tables))
    return tables, lines
