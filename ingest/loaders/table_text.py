"""Tables written as text: the column names once, then one line per row, each value named.

Every loader with tables (PDF, Word, HTML) writes them with `table_to_text`, and the
answering code (app/answering/evidence/tables.py) reads that shape back to find a cell by
row and column: a caption line, the column names once ("a | b | c"), then one line per row
whose first cell is its label and whose other cells carry their column's name
("营业收入（元） | 本报告期: 4,755,785.11 | 上年同期: …"). A column under a merged header
cell gets both names joined by "/" ("大型车比例μ（%）/10＜μ≤20").
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ingest.loaders._common import is_cjk, join_lines

# A cell that holds a number (or a dash standing for one): at least 40% digits.
_DASHES = {"-", "–", "—", "－", "/"}
# Longest column name, in Chinese characters; a Latin letter counts half (a word of it
# says about as much as a character does): longer cells are text, not column names.
_MAX_HEADER_CELL = 24
_SPACES = re.compile(r"\s+")
# Comparison signs: a column named by the bounds of a class ("μ≤10", "10＜μ≤20").
_BOUND = re.compile(r"[<>≤≥＜＞≦≧⩽⩾]")


def cell_line(cell: str | None) -> str | None:
    """A table cell's text on one line (its lines joined as a paragraph's are); None stays None."""
    if cell is None:
        return None
    return _SPACES.sub(" ", join_lines(cell.splitlines())).strip()


def is_numeric_cell(text: str) -> bool:
    """A value cell: a number, an amount, a percentage, a date, or a dash standing for one."""
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return False
    if "".join(chars) in _DASHES:
        return True
    return sum(c.isdigit() for c in chars) >= 0.4 * len(chars)


def _name_length(text: str) -> float:
    """A cell's length as a column name: Chinese characters count one, others a half."""
    return sum(1.0 if is_cjk(c) else 0.5 for c in text)


# A period naming a column ("2018 年1-3 月", "2017年度", "2020"), not a date in a cell.
_PERIOD = re.compile(r"^(19|20)\d{2}\s*(年\s*(\d{1,2}\s*[-–—至~]\s*\d{1,2}\s*月|度|第?[一二三四1-4]季度)?|年)?$")
_MAX_NAMED_TEXT = 40  # a longer text cell is a passage, written without a column name


def is_header_row(row: Sequence[str | None]) -> bool:
    """Column names: two or more short cells, none of them a value (a period is a name),
    at least one of them words."""
    cells = [c for c in row if c]
    return (len(cells) >= 2 and all(_name_length(c) <= _MAX_HEADER_CELL for c in cells)
            and not any(is_numeric_cell(c) and not _PERIOD.match(c) for c in cells)
            and any(not is_numeric_cell(c) for c in cells))


def is_sub_header_row(row: Sequence[str | None]) -> bool:
    """The second row of a two-level header, under a cell merged over several columns: short
    names, which may be the bounds of classes ("μ≤10", "10＜μ≤20", "μ＞30") or periods."""
    cells = [c for c in row if c]
    return (len(cells) >= 2 and all(_name_length(c) <= _MAX_HEADER_CELL for c in cells)
            and all(not is_numeric_cell(c) or _PERIOD.match(c) or _BOUND.search(c) for c in cells))


def column_names(header_rows: Sequence[Sequence[str | None]], width: int) -> list[str]:
    """One name per column from one or more header rows; a cell merged over several
    columns (None to its right) names all of them, and a second row adds its sub-names
    ("质押或冻结情况/股份状态")."""
    names = [""] * width
    for row in header_rows:
        last = ""
        for j in range(width):
            cell = row[j] if j < len(row) else ""
            if cell is None:
                cell = last
            else:
                last = cell
            if cell and cell not in names[j].split("/"):
                names[j] = f"{names[j]}/{cell}" if names[j] else cell
    return names


def _header_line(names: Sequence[str]) -> str:
    """The column names once each, as a table row ("股东名称 | 持股比例 | …")."""
    shown: list[str] = []
    for name in names:
        if name and (not shown or shown[-1] != name):
            shown.append(name)
    return " | ".join(shown)


def _filled(row: Sequence[str | None]) -> list[int]:
    return [j for j, c in enumerate(row) if c]


def _header_rows_at(table: Sequence[Sequence[str | None]], i: int,
                    header: Sequence[str | None] | None = None) -> int:
    """How many rows of column names start at row i (0, 1 or 2): a header row opens the
    table or follows a one-cell row (a title inside the table, "前10 名股东持股情况"), and
    data rows come after it; a second one holds the sub-names under merged cells. Inside
    a table whose header (`header`, the row in force) has no name over its labels, a row
    laid out as that header renames the columns below it ("本报告期末 | 上年度末")."""
    row = table[i]
    opens = i == 0 or sum(1 for c in table[i - 1] if c) <= 1
    if header is not None and not opens and not header[0] and not row[0]:
        opens = _filled(row) == _filled(header)
    if not (opens and is_header_row(row) and i + 1 < len(table)):
        return 0
    if None in row[1:] and i + 2 < len(table) and is_sub_header_row(table[i + 1]):
        return 2
    return 1


def _headers(table: Sequence[Sequence[str | None]], width: int, columns: Sequence[str] | None):
    """(row index, rows of names it spans, their column names) of each header of the table,
    in order; a table given its `columns` (continued from the page before) has none at row 0."""
    header: Sequence[str | None] | None = None
    i = 0
    while i < len(table):
        count = 0 if (columns and i == 0) else _header_rows_at(table, i, header)
        if count:
            header = table[i]
            yield i, count, column_names(table[i:i + count], width)
            i += count
        else:
            i += 1


def last_columns(rows: Iterable[Sequence[str | None]]) -> list[str] | None:
    """The column names of the last header of a table (as `table_to_text` finds them)."""
    table = [[cell_line(c) for c in row] for row in rows]
    width = max((len(r) for r in table), default=0)
    found = [names for _, _, names in _headers(table, width, None)]
    return found[-1] if found else None


def _row_line(row: Sequence[str | None], names: Sequence[str] | None) -> str:
    """One data row: its label, then each value with its column's name."""
    cells: list[str] = []
    filled = _filled(row)
    for j in filled:
        text = row[j]
        if cells and not is_numeric_cell(text) and cells[-1].endswith(text):
            continue  # a merged span repeated
        name = names[j] if names and j < len(names) else ""
        label = (len(filled) == 1 or (j == filled[0] and not is_numeric_cell(text))
                 or len(text) > _MAX_NAMED_TEXT)
        cells.append(f"{name}: {text}" if name and name != text and not label else text)
    return " | ".join(cells)


def table_to_text(rows: Iterable[Sequence[str | None]], *, columns: Sequence[str] | None = None,
                  caption: str = "", find_headers: bool = True) -> str:
    """Rows of cells as readable lines, each row with its column names.

    `rows` are aligned by column: None is a cell covered by a merged one, "" an empty cell.
    The column names (a header row: short cells, no values, opening the table or following
    a title row inside it; or `columns`, given for a table that goes on from the page
    before) are written once as "a | b | c", and every value cell after them as
    "name: value", so a row read alone (in a chunk of its own, or on the next page) still
    says what each value is: "货币资金 | 期末余额: 40,962,331.62 | 期初余额: …". The first
    cell of a row is its label and keeps no name unless it is a value ("年份: 2023"), and
    a long text cell keeps none either. A row with one cell (a section or a title) is
    written as it is; `caption` (the title of a table continued from the page before) comes
    first. A text cell repeated by a merged span is written once; equal values in two
    columns both stay. `find_headers=False`: `columns` are the names of every row (a
    spreadsheet's header), none of the rows is taken for column names.
    """
    table = [[cell_line(c) for c in row] for row in rows]
    width = max((len(r) for r in table), default=0)
    names: list[str] | None = list(columns) if columns else None
    lines: list[str] = [caption] if caption else []
    if names:
        lines.append(_header_line(names))
    headers = {i: (count, found) for i, count, found in _headers(table, width, columns)} if find_headers else {}
    i = 0
    while i < len(table):
        if i in headers:
            count, names = headers[i]
            lines.append(_header_line(names))
            i += count
            continue
        if line := _row_line(table[i], names):
            lines.append(line)
        i += 1
    return "\n".join(lines)
