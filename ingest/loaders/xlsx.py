"""Excel .xlsx workbooks, read with openpyxl: read-only (rows streamed), computed values.

Each visible sheet is a page: `page` is its position among the workbook's sheets (its tab,
1-based), `heading` its name. Its cells become table text by `sheet_table.grid_to_text` (the
first non-empty row names the columns, title rows above it aside, two levels under a merged
header cell, every row written with its column names, as PDF tables are), with merged cells
spread over what they cover (a label merged over its group's rows is in each of them;
`xlsx_layout` finds them) and values written as Excel shows them (`cell_values`).

Decided here: hidden sheets are not read (they hold lookup lists and workings more than
content), and a note names them; formulas whose result the file does not hold are noted
(their cells read as empty); a workbook with more than `max_table_cells` values is refused.
Charts, pictures and cell comments are not read.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from core.types import Document
from ingest.loaders.cell_values import cell_text
from ingest.loaders.ooxml import open_package
from ingest.loaders.sheet_table import DEFAULT_MAX_TABLE_CELLS, CellBudget, Grid, apply_merges, grid_to_text
from ingest.loaders.xlsx_layout import sheet_layout

# openpyxl warns, on stderr, about the parts of a workbook it drops (data validation,
# conditional formatting, drawings, a missing stylesheet): none holds the values read here,
# and Excel and WPS files have them often enough to clutter every ingestion's output.
warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl\.")


def _grid(sheet: ReadOnlyWorksheet, budget: CellBudget) -> Grid:
    """The sheet's cells as text, row by row from row 1 (so indices match the merged ranges)."""
    sheet.reset_dimensions()  # the size a file declares may be wrong: read the rows it holds
    grid: Grid = []
    for row in sheet.iter_rows():
        cells = [cell_text(c.value, c.number_format) if c.value is not None else "" for c in row]
        while cells and not cells[-1]:
            cells.pop()
        budget.spend(sum(1 for c in cells if c), max(len(row), 1))
        grid.append(cells)
    return grid


def load_xlsx(path: Path, *, source: str, content_hash: str, max_unzipped_mb: int | None = None,
              max_table_cells: int | None = None, notes: list[str] | None = None) -> list[Document]:
    # read_only: rows are streamed, not held; data_only: a formula's saved result, not its text
    workbook = open_package(path, max_unzipped_mb, lambda p: openpyxl.load_workbook(p, read_only=True, data_only=True),
                            (InvalidFileException, SyntaxError))
    budget = CellBudget(max_table_cells or DEFAULT_MAX_TABLE_CELLS)
    documents: list[Document] = []
    hidden: list[str] = []
    try:
        title = (workbook.properties.title or "").strip() or path.stem
        tabs = workbook.sheetnames  # chart sheets too: a page number is the sheet's tab
        for sheet in workbook.worksheets:
            if sheet.sheet_state != "visible":
                hidden.append(sheet.title)
                continue
            layout = sheet_layout(sheet)
            grid = _grid(sheet, budget)
            apply_merges(grid, layout.merges)
            if layout.uncached_formulas and notes is not None:
                count = layout.uncached_formulas
                notes.append(f"sheet '{sheet.title}': {count} formula{'s' if count > 1 else ''} without a saved "
                             "result (the file was not saved by Excel or WPS), read as empty")
            text = grid_to_text(grid)
            if text:
                documents.append(Document(text=text, source=source, page=tabs.index(sheet.title) + 1,
                                          title=title, heading=sheet.title.strip(), content_hash=content_hash))
    finally:
        workbook.close()
    if hidden and notes is not None:
        notes.append("hidden sheets not read: " + ", ".join(f"'{name}'" for name in hidden))
    return documents
