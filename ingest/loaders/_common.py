"""Helpers shared by the loaders: whitespace, CJK-aware line joining, tables, sections."""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from core.text import CJK_PUNCTUATION, HAN
from core.types import Document

# Han ideographs plus CJK punctuation and fullwidth forms: Chinese text uses no spaces
# between these, so a line break or a stray space between two of them is dropped.
_CJK = f"\u2e80-\u2fff\u3100-\u312f\u31a0-\u31bf{HAN}{CJK_PUNCTUATION}"  # radicals and bopomofo too
_CJK_CHAR = re.compile(f"[{_CJK}]")
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{_CJK}])[ \t]+(?=[{_CJK}])")
_SPACES = re.compile(r"[ \t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_MANY_BREAKS = re.compile(r"\n{3,}")
# Sentence ends and colons: a line ending with one of these is kept as its own line.
_LINE_END = tuple("。！？；：…!?;:」』）)】.") + ("——",)
# Four or more letters (or CJK punctuation marks) in a row, each written twice: text of a
# "fake bold" font drawn twice, as some extractors give it ("知知识识库库").
_DOUBLED = re.compile(r"(([^\W\d_]|[\u3000-\u303f\uff00-\uffef])\2){4,}")


def is_cjk(char: str) -> bool:
    return bool(char) and bool(_CJK_CHAR.match(char))


def normalize_whitespace(text: str) -> str:
    """Collapse runs of spaces, drop invisible and control characters, keep paragraph breaks.

    Lines are stripped; a space between two Chinese characters is removed; three or
    more line breaks become one blank line.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0c", "\n\n")
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub("", text.replace("\t", " "))
    text = _SPACES.sub(" ", text)
    text = _SPACE_BETWEEN_CJK.sub("", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _MANY_BREAKS.sub("\n\n", text).strip()


def ends_sentence(text: str) -> bool:
    """Whether `text` ends a sentence or a label ("。", "!", ":" ...), so a break after it stays.

    A point after a digit does not: it is a section number or a decimal ("4.", "3620.").
    """
    text = text.rstrip()
    if text.endswith(".") and len(text) > 1 and text[-2].isdigit():
        return False
    return text.endswith(_LINE_END)


def _number_goes_on(text: str, line: str) -> bool:
    """Whether `line` goes on with a number cut at its point: "4." + "4 化学成分",
    "3620." + "1", "表B." + "1" (section numbers of appendices)."""
    if len(text) < 2 or not text.endswith(".") or not line[:1].isdigit():
        return False
    before = text[-2]
    if before.isdigit():
        return True
    return before.isascii() and before.isupper() and (len(text) == 2 or not (text[-3].isascii() and text[-3].isalpha()))


def collapse_doubled(text: str) -> str:
    """Undo characters doubled by fake bold: "知知识识库库问问答答" -> "知识库问答".

    Only runs of at least four doubled characters, three of them different, are
    collapsed, so that real repetition ("谢谢", "哈哈哈哈", "bookkeeper") stays.
    """
    def single(match: re.Match[str]) -> str:
        run = match.group(0)
        return run[::2] if len(set(run)) >= 3 else run

    return _DOUBLED.sub(single, text)


def join_lines(lines: Iterable[str]) -> str:
    """Join the visual lines of one paragraph (a PDF block, a table cell).

    A line ending a sentence keeps its break; a word broken by a hyphen is mended;
    Chinese lines join without a space, other lines with one.
    """
    out = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if not out:
            out = line
        elif _number_goes_on(out, line):
            out += line
        elif ends_sentence(out):
            out += "\n" + line
        elif out.endswith("-") and len(out) > 1 and out[-2].isalpha() and line[0].islower():
            out = out[:-1] + line
        elif is_cjk(out[-1]) or is_cjk(line[0]):
            out += line
        else:
            out += " " + line
    return out


# A cell that holds a number (or a dash standing for one): at least 40% digits.
_DASHES = {"-", "–", "—", "－", "/"}
_MAX_HEADER_CELL = 24  # characters: longer cells are text, not column names


def cell_line(cell: str | None) -> str | None:
    """A table cell's text on one line (its lines joined as a paragraph's are); None stays None."""
    if cell is None:
        return None
    text = join_lines(cell.splitlines())
    return _SPACES.sub(" ", text.replace("\n", " ")).strip()


def is_numeric_cell(text: str) -> bool:
    """A value cell: a number, an amount, a percentage, a date, or a dash standing for one."""
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return False
    if "".join(chars) in _DASHES:
        return True
    return sum(c.isdigit() for c in chars) >= 0.4 * len(chars)


# A period naming a column ("2018 年1-3 月", "2017年度", "2020"), not a date in a cell.
_PERIOD = re.compile(r"^(19|20)\d{2}\s*(年\s*(\d{1,2}\s*[-–—至~]\s*\d{1,2}\s*月|度|第?[一二三四1-4]季度)?|年)?$")
_MAX_NAMED_TEXT = 40  # a longer text cell is a passage, written without a column name


def is_header_row(row: Sequence[str | None]) -> bool:
    """Column names: two or more short cells, none of them a value (a period is a name),
    at least one of them words."""
    cells = [c for c in row if c]
    return (len(cells) >= 2 and all(len(c) <= _MAX_HEADER_CELL for c in cells)
            and not any(is_numeric_cell(c) and not _PERIOD.match(c) for c in cells)
            and any(not is_numeric_cell(c) for c in cells))


def column_names(header_rows: Sequence[Sequence[str | None]], width: int) -> list[str]:
    """One name per column from one or more header rows; a cell merged over several
    columns (None to its right) names all of them, and a second row adds its sub-names
    ("质押或冻结情况 股份状态")."""
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


def _header_rows_at(table: Sequence[Sequence[str | None]], i: int) -> int:
    """How many rows of column names start at row i (0, 1 or 2): a header row opens the
    table or follows a one-cell row (a title inside the table, "前10 名股东持股情况"), and
    data rows come after it; a second one holds the sub-names under merged cells."""
    row = table[i]
    opens = i == 0 or sum(1 for c in table[i - 1] if c) <= 1
    if not (opens and is_header_row(row) and i + 1 < len(table)):
        return 0
    if None in row[1:] and i + 2 < len(table) and is_header_row(table[i + 1]):
        return 2
    return 1


def last_columns(rows: Iterable[Sequence[str | None]]) -> list[str] | None:
    """The column names of the last header of a table (as `table_to_text` finds them)."""
    table = [[cell_line(c) for c in row] for row in rows]
    width = max((len(r) for r in table), default=0)
    names = None
    for i in range(len(table)):
        if count := _header_rows_at(table, i):
            names = column_names(table[i:i + count], width)
    return names


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
    i = 0
    while i < len(table):
        row = table[i]
        count = 0 if (not find_headers or (columns and i == 0)) else _header_rows_at(table, i)
        if count:
            names = column_names(table[i:i + count], width)
            lines.append(_header_line(names))
            i += count
            continue
        cells: list[str] = []
        filled = [j for j, c in enumerate(row) if c]
        for j in filled:
            text = row[j]
            if cells and not is_numeric_cell(text) and cells[-1].endswith(text):
                continue  # a merged span repeated
            name = names[j] if names and j < len(names) else ""
            label = (len(filled) == 1 or (j == filled[0] and not is_numeric_cell(text))
                     or len(text) > _MAX_NAMED_TEXT)
            cells.append(f"{name}: {text}" if name and name != text and not label else text)
        if cells:
            lines.append(" | ".join(cells))
        i += 1
    return "\n".join(lines)


def heading_level(style_or_tag: str) -> int | None:
    """The level in "Heading 2", "标题 2", "heading2", "h2"; None if there is no digit."""
    match = re.search(r"(\d+)\s*$", style_or_tag)
    return int(match.group(1)) if match else None


class SectionBuilder:
    """Collects text under a heading path and emits one Document per non-empty section.

    Call `heading(level, text)` when a heading starts a section and `add(text)` for the
    body in order; `documents()` returns the sections with text.
    """

    def __init__(self, *, source: str, content_hash: str, title: str = "") -> None:
        self.source = source
        self.content_hash = content_hash
        self.title = title
        self._stack: list[tuple[int, str]] = []
        self._parts: list[str] = []
        self._sections: list[tuple[str, str]] = []

    @property
    def path(self) -> str:
        return " > ".join(text for _, text in self._stack)

    def heading(self, level: int, text: str) -> None:
        text = _SPACES.sub(" ", text.replace("\n", " ")).strip()
        self.flush()
        if not text:
            return
        while self._stack and self._stack[-1][0] >= level:
            self._stack.pop()
        self._stack.append((level, text))

    def add(self, text: str) -> None:
        if text:
            self._parts.append(text)

    def flush(self) -> None:
        text = normalize_whitespace("\n\n".join(self._parts))
        self._parts = []
        if text:
            self._sections.append((self.path, text))

    def documents(self) -> list[Document]:
        self.flush()
        return [
            Document(text=text, source=self.source, title=self.title, heading=heading,
                     content_hash=self.content_hash)
            for heading, text in self._sections
        ]
