"""CSV and TSV files: one table, read like a sheet of a workbook.

The bytes are decoded as a text file's are (`encoding.decode_bytes`: UTF-8 with or without a
byte-order mark, GBK/GB18030, which is what Excel on a Chinese Windows writes for "CSV",
Big5, others); the delimiter is Excel's "sep=;" first line if there is one, else sniffed
among comma, tab, semicolon and bar (when the sample does not tell: tab for .tsv, comma for
.csv). The first non-empty row names the columns (title rows above it aside, as in a sheet)
and every row is written with them (`sheet_table.grid_to_text`). The file is page 1 (one sheet); its heading is its name.
"""
from __future__ import annotations

import csv
import io
import logging
import re
from pathlib import Path

from core.errors import LoaderError
from core.types import Document
from ingest.loaders.sheet_table import DEFAULT_MAX_TABLE_CELLS, CellBudget, Grid, grid_to_text
from ingest.loaders.text import read_text

log = logging.getLogger(__name__)

_DELIMITERS = ",\t;|"
_SAMPLE = 1 << 16
_SEP_LINE = re.compile(r"^sep=(.)\r?\n")  # Excel's hint of the delimiter, on a line of its own


def _dialect(text: str, suffix: str) -> type[csv.Dialect] | csv.Dialect:
    sample = text[:_SAMPLE]
    if len(text) > _SAMPLE and "\n" in sample:
        sample = sample[:sample.rindex("\n")]  # whole lines only
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS)
    except csv.Error:
        log.debug("delimiter not sniffed; the default of %s is used", suffix)
        return csv.excel_tab if suffix == ".tsv" else csv.excel


def read_rows(text: str, suffix: str, budget: CellBudget) -> Grid:
    """The rows of delimited `text`, within `budget`."""
    hint = _SEP_LINE.match(text)
    if hint:
        text = text[hint.end():]
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=hint.group(1))
    else:
        reader = csv.reader(io.StringIO(text, newline=""), _dialect(text, suffix))
    grid: Grid = []
    try:
        for row in reader:
            budget.spend(sum(1 for cell in row if cell.strip()), max(len(row), 1))
            grid.append(list(row))
    except csv.Error as exc:
        raise LoaderError(f"cannot be read: not a valid {suffix} file (line {reader.line_num}: {exc})") from exc
    return grid


def load_delimited(path: Path, *, source: str, content_hash: str,
                   max_table_cells: int | None = None) -> list[Document]:
    suffix = path.suffix.lower()
    grid = read_rows(read_text(path), suffix, CellBudget(max_table_cells or DEFAULT_MAX_TABLE_CELLS))
    text = grid_to_text(grid)
    if not text:
        return []
    return [Document(text=text, source=source, page=1, title=path.stem, heading=path.stem,
                     content_hash=content_hash)]
