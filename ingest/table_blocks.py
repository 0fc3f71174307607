"""The tables in a text as the loaders write them, for the splitter: where each block of
rows starts and ends, which of its lines hold column names, and its title.

The loaders write a table as one paragraph of rows (`ingest.loaders.table_text`): the
column names "项目 | 期末余额 | 期初余额", then each row with each value named
("货币资金 | 期末余额: 40,962,331.62 | …"); its title is the short paragraph above it
("2、母公司资产负债表", passing over units and dates as `pdf_text` does), or the first
line of the block (a table continued from the page before: "…资产负债表（续）"; a title
row of the table itself; a .docx caption), or, for a table that opens a section, the
section's heading.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.loaders._common import ends_sentence
from ingest.loaders.table_text import is_numeric_cell

CELL = " | "  # between the cells of a table row, as the loaders write them
CONTINUED = ("（续）", "(continued)", "(cont.)")
_BLANK = re.compile(r"\n[ \t]*\n\s*")
_CAPTION_CHARS = 60  # a table's title is a short paragraph (or line), as `pdf_text` takes it
_LOOKBACK = 4  # paragraphs above a table searched for its title
_CHECKBOX = re.compile(r"[□☐☑☒√■].*$", re.S)  # "…项目和金额√适用□不适用": a form's answer, not a title
_UNIT = re.compile(r"(编制)?单位[：:].*$", re.S)


@dataclass(frozen=True, slots=True)
class TableBlock:
    """A table block of a text: `start` where its first chunk starts (its title paragraph,
    or its first line), `body` where its rows start, `end` where it ends."""

    start: int
    body: int
    end: int
    title: str
    above: bool = False  # the title is a paragraph above the rows (not a line of the block)


def _paragraphs(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for match in _BLANK.finditer(text):
        if text[pos:match.start()].strip():
            spans.append((pos, match.start()))
        pos = match.end()
    if text[pos:].strip():
        spans.append((pos, len(text)))
    return spans


def _is_header(line: str, following: str | None) -> bool:
    """Whether `line` holds column names: the next row of cells names its values with them."""
    if CELL not in line or not following:
        return False
    names = set(line.split(CELL))
    return any(": " in cell and cell.split(": ", 1)[0] in names for cell in following.split(CELL))


def header_lines(lines: list[str]) -> list[bool]:
    """Which lines of a table block hold column names (one-cell rows such as "流动资产：" may
    stand between them and the first row they name)."""
    flags, following = [], None
    for line in reversed(lines):
        flags.append(_is_header(line, following))
        following = line if CELL in line else following
    return flags[::-1]


def _is_table(lines: list[str], header: list[bool]) -> bool:
    rows = sum(1 for line in lines if CELL in line)
    return rows >= 3 or (rows >= 2 and any(header))


def _inline_title(lines: list[str], header: list[bool]) -> bool:
    """Whether the block's first line is its title: a line above column names (a title row,
    a caption the loader put there), or a short one ("…资产负债表（续）") above rows."""
    first = lines[0]
    if CELL in first or len(lines) < 3 or CELL not in lines[1]:
        return False
    return header[1] or first.endswith(CONTINUED) or (len(first) <= _CAPTION_CHARS and not ends_sentence(first))


def _caption_above(text: str, spans: list[tuple[int, int]], k: int) -> tuple[str, int] | None:
    """The title of the table of paragraph k among the paragraphs above it, and where it starts."""
    for start, end in reversed(spans[max(0, k - _LOOKBACK):k]):
        para = text[start:end].strip()
        if "\n" in para:
            return None
        if _CHECKBOX.search(para):  # "…项目和金额√适用□不适用": the title before a form's answer
            para = "" if "是否" in para else _CHECKBOX.sub("", para).strip()  # "…是否…□是√否" asks
        para = _UNIT.sub("", para)  # "…变动的情况及原因单位：人民币元", "编制单位：…"
        if not para or is_numeric_cell(para):
            continue
        return (para, start) if len(para) <= _CAPTION_CHARS and not ends_sentence(para) else None
    return None


def find_table_blocks(text: str, size: int, heading: str = "") -> list[TableBlock]:
    """The table blocks of `text`, each with its title ("" if none is found). A title
    paragraph further than half a chunk above its table is not taken into its first chunk."""
    spans = _paragraphs(text)
    tables: list[TableBlock] = []
    for k, (start, end) in enumerate(spans):
        lines = text[start:end].split("\n")
        header = header_lines(lines)
        if not _is_table(lines, header):
            continue
        inline = _inline_title(lines, header)
        # A title row over column names may title only part of a table: a title above wins.
        alone = (inline and not header[1]) or lines[0].endswith(CONTINUED)
        found = None if alone else _caption_above(text, spans, k)
        if inline and not found:
            tables.append(TableBlock(start, start + len(lines[0]) + 1, end, lines[0].strip()))
        elif found and start - found[1] <= size // 2:
            tables.append(TableBlock(found[1], start, end, found[0], above=True))
        else:
            title = found[0] if found else (heading.split(" > ")[-1].strip() if k == 0 else "")
            tables.append(TableBlock(start, start, end, title))
    return tables
