"""A table's structure from where its text stands: pure functions over placed glyphs.

- `pieces`: the runs of a line's glyphs that stand apart, cut where the gap between two
  glyphs is wider than most of a letter (cells of a table drawn without rules, the
  sub-names of a header cell; a space between words does not cut).
- `split_header_cell`: a header cell merged over several columns whose last line names
  each of them, under a parent name on the lines above (the FBI table's "Pre-Pawn" over
  "Handgun  Long Gun  *Other", which the grid does not rule apart).
- `carry_labels`: a row label merged down over several rows ("高速公路" over its
  八/六/四-lane rows), written in each of them.
- `visual_rows`, `table_runs`: pieces grouped into rows, and the runs of rows whose pieces
  stand in three or more columns, rebuilt cell by cell (a table drawn without rules).
"""
from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from ingest.loaders._common import join_lines
from ingest.loaders.table_text import is_numeric_cell

_GAP = 0.8  # a gap wider than this share of the line's height parts two pieces
_MAX_LABEL = 40  # characters: a longer merged cell is a passage, not a row label
MIN_ROWS = 3  # rows a table without rules needs (its header and two rows)
MIN_COLUMNS = 3


@dataclass(frozen=True, slots=True)
class Glyph:
    """One character and its box on the page (y grows downwards)."""

    char: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True, slots=True)
class Piece:
    """Text that stands apart on its line, its box, and the line's place in the text layer."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    order: int = 0

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2


Placed = TypeVar("Placed", Glyph, Piece)


@dataclass(frozen=True, slots=True)
class HeaderSplit:
    """A merged header cell taken apart: its parent name ("" when it has none) and one
    sub-name per column it spans ("" for a column its last line leaves unnamed)."""

    parent: str
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TableRun:
    """Rows `first`..`last` (indexes into the visual rows) that make a table, as cells."""

    first: int
    last: int
    cells: list[list[str]]


def pieces(line: Sequence[Glyph], order: int = 0) -> list[Piece]:
    """The line's glyphs, left to right, cut into pieces at gaps wider than `_GAP` of its
    height; spaces inside a piece are kept as one."""
    glyphs = sorted(line, key=lambda g: g.x0)
    visible = [g for g in glyphs if not g.char.isspace()]
    if not visible:
        return []
    gap = _GAP * statistics.median(g.y1 - g.y0 for g in visible)
    out: list[Piece] = []
    run: list[Glyph] = []
    text, spaced = "", False
    for glyph in glyphs:
        if glyph.char.isspace():
            spaced = bool(run)
            continue
        if run and glyph.x0 - run[-1].x1 > gap:
            out.append(_piece(text, run, order))
            run, text = [], ""
        text += (" " if spaced and run else "") + glyph.char
        run.append(glyph)
        spaced = False
    out.append(_piece(text, run, order))
    return out


def _piece(text: str, run: Sequence[Glyph], order: int) -> Piece:
    return Piece(text, min(g.x0 for g in run), min(g.y0 for g in run), max(g.x1 for g in run),
                 max(g.y1 for g in run), order)


def _column_of(piece: Piece, columns: Sequence[tuple[float, float]]) -> int | None:
    """The column a piece stands in: its centre is inside, and it overflows by little."""
    slack = 0.5 * (piece.y1 - piece.y0)
    for j, (x0, x1) in enumerate(columns):
        if x0 <= piece.centre <= x1:
            return j if piece.x0 >= x0 - slack and piece.x1 <= x1 + slack else None
    return None


def split_header_cell(glyphs: Sequence[Glyph], columns: Sequence[tuple[float, float]]) -> HeaderSplit | None:
    """A header cell over `columns` (their left and right edges) taken apart when its last
    line holds two or more pieces, each inside one column, in two or more columns: they
    name those columns, the lines above name the group. None when it does not (a title
    over the columns, its words a space apart, is one piece; a word spaced out over them
    is pieces of one letter each)."""
    lines = visual_rows(glyphs)
    if len(columns) < 2 or not lines:
        return None
    last = pieces(lines[-1])
    if all(len(p.text) == 1 for p in last):
        return None  # a word with its letters spaced out ("项    目"), not names
    names: list[list[str]] = [[] for _ in columns]
    for piece in last:
        j = _column_of(piece, columns)
        if j is None:
            return None
        names[j].append(piece.text)
    if sum(1 for n in names if n) < 2:
        return None
    parent = join_lines("".join(g.char for g in line) for line in lines[:-1])
    return HeaderSplit(parent, tuple(" ".join(n) for n in names))


def carry_labels(rows: Sequence[Sequence[str | None]], merged_down: dict[tuple[int, int], int]) -> list[list[str | None]]:
    """The rows with each row label merged down over several rows written in every row it
    spans. `merged_down` maps a grid cell (row, column) covered by a cell merged down from
    a row above to that row. Carried are short text cells standing left of the row's
    values ("高速公路 | 车道数: 六 | 用地指标基准值: 2.1333"); a value merged over rows stays
    once."""
    out = [list(row) for row in rows]
    for (i, j), k in sorted(merged_down.items()):
        text = rows[k][j]
        if not text or is_numeric_cell(text) or len(text) > _MAX_LABEL:
            continue
        if all(not c or not is_numeric_cell(c) for c in [*rows[k][:j], *out[i][:j]]):
            out[i][j] = text
    return out


def visual_rows(placed: Sequence[Placed]) -> list[list[Placed]]:
    """Glyphs or pieces grouped into rows (boxes overlapping by half the lower one's
    height), top to bottom, each left to right."""
    rows: list[list[Placed]] = []
    for item in sorted(placed, key=lambda p: p.y0 + p.y1):
        if rows:
            top = rows[-1][0]
            overlap = min(top.y1, item.y1) - max(top.y0, item.y0)
            if overlap >= 0.5 * min(top.y1 - top.y0, item.y1 - item.y0):
                rows[-1].append(item)
                continue
        rows.append([item])
    return [sorted(row, key=lambda p: p.x0) for row in rows]


def _columns(rows: Sequence[Sequence[Piece]]) -> list[tuple[float, float]]:
    """The columns the pieces of some rows stand in: their spans across, joined where they
    overlap."""
    spans: list[list[float]] = []
    for x0, x1 in sorted((p.x0, p.x1) for row in rows for p in row):
        if spans and x0 <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], x1)
        else:
            spans.append([x0, x1])
    return [(x0, x1) for x0, x1 in spans]


def _cells(rows: Sequence[Sequence[Piece]], columns: Sequence[tuple[float, float]]) -> list[list[str]]:
    table = []
    for row in rows:
        cells = [""] * len(columns)
        for piece in row:
            j = next(j for j, (x0, x1) in enumerate(columns) if x0 <= piece.centre <= x1)
            cells[j] = f"{cells[j]} {piece.text}".strip()
        table.append(cells)
    return table


def table_runs(rows: Sequence[Sequence[Piece]]) -> list[TableRun]:
    """The tables among visual rows: runs of `MIN_ROWS` or more rows, one below the other
    without a wide gap, each with two or more pieces (most with three or more), whose
    pieces stand in `MIN_COLUMNS` or more columns. A row of one piece (a title, a
    paragraph) ends a run."""
    found: list[TableRun] = []
    start = 0
    while start < len(rows):
        end = start
        while end < len(rows) and len(rows[end]) >= 2 and (end == start or _close(rows[end - 1], rows[end])):
            end += 1
        run = rows[start:end]
        if len(run) >= MIN_ROWS and 2 * sum(1 for r in run if len(r) >= MIN_COLUMNS) >= len(run):
            columns = _columns(run)
            if len(columns) >= MIN_COLUMNS:
                found.append(TableRun(start, end - 1, _cells(run, columns)))
        start = max(end, start + 1)
    return found


def _close(above: Sequence[Piece], below: Sequence[Piece]) -> bool:
    """Whether a row follows the one above within two of its heights (rows of a table)."""
    height = max(p.y1 - p.y0 for p in above)
    return min(p.y0 for p in below) - max(p.y1 for p in above) <= 2 * height
