"""What openpyxl's read-only mode does not tell about a sheet: its merged cells, and which
formulas have no saved result.

Read-only worksheets stream their rows and keep no merged cells; with computed values a
formula whose result was never saved (a file written by a program and never opened in
Excel or WPS) reads as an empty cell, like a formula that gives "". Both are in the
sheet's XML part, which is read here once more with lxml, keeping one row at a time. A
part that names neither merged cells nor formulas (checked on its raw bytes, about 30 times
faster than parsing it) is not parsed.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from lxml import etree
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from ingest.loaders.sheet_table import MergedRange

_MARKS = (b"mergeCell", b"<f>", b"<f ", b":f>", b":f ")  # an element f, with or without a prefix
_BLOCK = 1 << 20
_REF = re.compile(r"^([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?$")
_TEXT_TYPES = frozenset({"str", "s", "inlineStr"})  # a formula giving text may have saved ""


@dataclass(frozen=True, slots=True)
class SheetLayout:
    merges: tuple[MergedRange, ...] = ()
    uncached_formulas: int = 0  # formulas whose result the file does not hold


def _column(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def merged_range(ref: str) -> MergedRange | None:
    """"B2:D3" as a MergedRange in 0-based indices; None for a malformed reference."""
    match = _REF.match(ref.strip().upper().replace("$", ""))
    if not match:
        return None
    first_col, first_row = _column(match.group(1)) - 1, int(match.group(2)) - 1
    last_col = _column(match.group(3)) - 1 if match.group(3) else first_col
    last_row = int(match.group(4)) - 1 if match.group(4) else first_row
    if first_row < 0 or last_row < first_row or last_col < first_col:
        return None
    return MergedRange(first_row, first_col, last_row, last_col)


def _mentions_layout(source: BinaryIO) -> bool:
    tail = b""
    while block := source.read(_BLOCK):
        window = tail + block
        if any(mark in window for mark in _MARKS):
            return True
        tail = window[-16:]
    return False


def _uncached(cell: etree._Element) -> bool:
    if cell.find("{*}f") is None:
        return False
    value = cell.find("{*}v")
    if value is None:
        return True
    return not value.text and cell.get("t", "n") not in _TEXT_TYPES


def _elements(source: BinaryIO) -> Iterator[etree._Element]:
    """The rows and merged cells of a sheet part, each dropped once it has been looked at."""
    for _, element in etree.iterparse(source, events=("end",), tag=("{*}row", "{*}mergeCell"),
                                      resolve_entities=False, no_network=True, huge_tree=False):
        yield element
        element.clear()
        while element.getprevious() is not None:
            del element.getparent()[0]


def sheet_layout(sheet: ReadOnlyWorksheet) -> SheetLayout:
    # `_get_source` opens the sheet's part in the workbook's archive, as openpyxl's own
    # row reader does (openpyxl is pinned below 3.2 in requirements.txt for it).
    with sheet._get_source() as source:
        if not _mentions_layout(source):
            return SheetLayout()
    merges: list[MergedRange] = []
    uncached = 0
    with sheet._get_source() as source:
        for element in _elements(source):
            if etree.QName(element).localname == "row":
                uncached += sum(1 for cell in element.iterchildren("{*}c") if _uncached(cell))
            elif (merge := merged_range(element.get("ref", ""))) is not None:
                merges.append(merge)
    return SheetLayout(tuple(merges), uncached)
