"""A grid of cells whose first row names the columns (a spreadsheet's sheet, a CSV file, a
slide's table with a header row) as table text that reads like a PDF table's.

The rules, in order:
* Empty rows and columns are left out.
* Title rows: the rows above the header that hold one or two values, half as many as the
  row below at most, and no group name (a title over the whole table, "2023年销售统计表",
  often merged across it; a unit, "单位：万元") become the table's first line, where the
  splitter finds its title.
* The header is the first row after them. When it has a cell merged over several columns
  ("2023年" over 一季度 and 二季度) and the row below holds names too, the two rows make
  two-level column names, joined with "/" ("2023年/一季度").
* Every other row is written by `_common.table_to_text` with those names: "华东区 |
  2023年/一季度: 120 | …", so a row read alone says what each value is.

Cells are aligned by column: None is a cell covered by a merged cell to its left, "" an
empty one. `apply_merges` puts a spreadsheet's merged cells in that form.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from core.errors import LoaderError
from ingest.loaders._common import is_cjk, normalize_whitespace
from ingest.loaders.table_text import cell_line, column_names, is_header_row, table_to_text

Grid = list[list[str | None]]
DEFAULT_MAX_TABLE_CELLS = 200_000
_MAX_TITLE_ROWS = 3
_MAX_TITLE_VALUES = 2
_POSITIONS_PER_CELL = 20  # empty positions read, per value allowed, before a sheet is refused


@dataclass(frozen=True, slots=True)
class MergedRange:
    """A merged cell: its first and last row and column (0-based, inclusive) in the grid."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int


def apply_merges(grid: Grid, merges: Iterable[MergedRange]) -> None:
    """Spread each merged cell over the cells it covers, in place: its value fills the first
    column of every row it spans (a label merged over the rows of its group, "华东区", stays
    with each of them, as a reader sees it), and the other columns it spans are None (covered:
    a header cell over several columns names all of them). Ranges are cut to the grid (a
    merge over whole rows or columns names a million cells)."""
    width = max((len(r) for r in grid), default=0)
    for merge in merges:
        if merge.first_row >= len(grid) or merge.first_col >= width:
            continue
        row = grid[merge.first_row]
        value = row[merge.first_col] if merge.first_col < len(row) else ""
        last_col = min(merge.last_col, width - 1)
        for i in range(merge.first_row, min(merge.last_row + 1, len(grid))):
            cells = grid[i]
            if last_col >= len(cells):
                cells.extend([""] * (last_col + 1 - len(cells)))
            cells[merge.first_col] = value
            for j in range(merge.first_col + 1, last_col + 1):
                cells[j] = None


@dataclass(slots=True)
class CellBudget:
    """The cells one spreadsheet or CSV file may have (`max_table_cells`, all its sheets): a
    LoaderError when it has more values, or spreads them over many more positions (a sheet
    with stray cells a million rows down, a column far to the right of every other)."""

    limit: int
    filled: int = 0
    positions: int = 0

    def spend(self, filled: int, positions: int) -> None:
        self.filled += filled
        self.positions += positions
        if self.filled > self.limit:
            raise LoaderError(f"refused: the file has more than {self.limit} cells with values",
                              setting="max_table_cells")
        if self.positions > _POSITIONS_PER_CELL * self.limit:
            raise LoaderError(f"refused: the file spreads its cells over more than "
                              f"{_POSITIONS_PER_CELL * self.limit} positions, mostly empty",
                              setting="max_table_cells")


def _filled(row: Sequence[str | None]) -> int:
    return sum(1 for cell in row if cell)


def _without_empty_columns(rows: Grid) -> Grid:
    width = max((len(r) for r in rows), default=0)
    kept = [j for j in range(width) if any(j < len(r) and r[j] for r in rows)]
    return [[r[j] if j < len(r) else "" for j in kept] for r in rows]


def _is_title(row: Sequence[str | None], below: Sequence[Sequence[str | None]]) -> bool:
    """One value, or two ("…统计表" and "单位：万元" at the far right), a row below twice as
    many at least; only the first may be merged over the columns to its right (a second one
    merged so is a header's group name, "2023年" over its quarters, under "地区")."""
    values = [j for j, cell in enumerate(row) if cell]
    if not values or len(values) > _MAX_TITLE_VALUES or 2 * len(values) > max(map(_filled, below)):
        return False
    return not any(j + 1 < len(row) and row[j + 1] is None for j in values[1:])


def _title_rows(rows: Grid) -> int:
    """How many rows at the top title the table."""
    count = 0
    while (count < min(_MAX_TITLE_ROWS, len(rows) - 1)
           and _is_title(rows[count], rows[count + 1:count + 1 + _MAX_TITLE_ROWS])):
        count += 1
    return count


def grid_to_text(grid: Sequence[Sequence[str | None]]) -> str:
    """The grid as table text: title line, column names, then one line per row ("" if empty)."""
    lines = ([cell_line(c) for c in row] for row in grid)  # a header cell of two lines names on one
    rows = _without_empty_columns([row for row in lines if _filled(row)])
    if not rows:
        return ""
    titles = _title_rows(rows)
    parts = [c for row in rows[:titles] for c in row if c]
    caption = ("，" if any(is_cjk(c) for part in parts for c in part) else ", ").join(parts)
    header = titles
    levels = 2 if (None in rows[header][1:] and header + 2 < len(rows) and is_header_row(rows[header + 1])) else 1
    names = column_names(rows[header:header + levels], max(len(r) for r in rows))
    return normalize_whitespace(table_to_text(rows[header + levels:], columns=names, caption=caption,
                                              find_headers=False))
