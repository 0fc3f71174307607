"""Chinese-aware splitting of documents into chunks.

Text is cut at paragraph breaks first, then at sentence ends (。！？； and their
English counterparts), then at commas, and only as a last resort inside a sentence;
pieces are merged back up to `size` characters with about `overlap` characters
repeated between neighbours. LangChain's recursive splitter does the merging.

Tables are cut between rows, and every chunk of a table holds its title. The loaders
write a table as one paragraph of rows (`ingest.loaders.table_text.table_to_text`): the
column names "项目 | 期末余额 | 期初余额", then each row with each value named
("货币资金 | 期末余额: 40,962,331.62 | …"); its title is the short paragraph above it
("2、母公司资产负债表", passing over units and dates as `pdf_text` does), or the first
line of the block (a table continued from the page before: "…资产负债表（续）"; a title
row of the table itself; a .docx caption), or, for a table that opens a section, the
section's heading.
A table longer than a chunk is packed row by row, and each chunk after its first starts
with the title marked "（续）" and the column names in force, counted in the size (at most
a third of it), so that each chunk is found by the title's words and reads on its own:
"2、母公司资产负债表（续）\\n项目 | 期末余额 | 期初余额\\n应收账款 | 期末余额: …".
Each chunk can also be cut into sentence-sized child pieces (ingest/child_pieces.py).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from langchain_text_splitters import RecursiveCharacterTextSplitter

from core.types import Chunk, Document
from ingest.loaders._common import ends_sentence, is_cjk
from ingest.loaders.table_text import is_numeric_cell

SEPARATORS = [
    "\n\n", "\n",
    "。", "！", "？", "；", "…",
    "! ", "? ", "; ", ". ",
    "，", "、", ", ",
    " ", "",
]

CELL = " | "  # between the cells of a table row, as the loaders write them
_BLANK = re.compile(r"\n[ \t]*\n\s*")
_CAPTION_CHARS = 60  # a table's title is a short paragraph (or line), as `pdf_text` takes it
_LOOKBACK = 4  # paragraphs above a table searched for its title
_SUBTITLE_CHARS = 40  # a one-cell row right above column names titles the rows under them
_CHECKBOX = re.compile(r"[□☐☑☒√■].*$", re.S)  # "…项目和金额√适用□不适用": a form's answer, not a title
_UNIT = re.compile(r"(编制)?单位[：:].*$", re.S)
_CONTINUED = ("（续）", "(continued)", "(cont.)")


def _recursive(text: str, size: int, overlap: int) -> list[str]:
    splitter = RecursiveCharacterTextSplitter(
        separators=SEPARATORS,
        chunk_size=size,
        chunk_overlap=min(overlap, size - 1),
        keep_separator="end",
        strip_whitespace=True,
    )
    return [piece for piece in splitter.split_text(text) if piece.strip()]


@dataclass(frozen=True, slots=True)
class _Table:
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


def _headers(lines: list[str]) -> list[bool]:
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
    return header[1] or first.endswith(_CONTINUED) or (len(first) <= _CAPTION_CHARS and not ends_sentence(first))


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


def _find_tables(text: str, size: int, heading: str = "") -> list[_Table]:
    """The table blocks of `text`, each with its title ("" if none is found). A title
    paragraph further than half a chunk above its table is not taken into its first chunk."""
    spans = _paragraphs(text)
    tables: list[_Table] = []
    for k, (start, end) in enumerate(spans):
        lines = text[start:end].split("\n")
        header = _headers(lines)
        if not _is_table(lines, header):
            continue
        inline = _inline_title(lines, header)
        # A title row over column names may title only part of a table: a title above wins.
        alone = (inline and not header[1]) or lines[0].endswith(_CONTINUED)
        found = None if alone else _caption_above(text, spans, k)
        if inline and not found:
            tables.append(_Table(start, start + len(lines[0]) + 1, end, lines[0].strip()))
        elif found and start - found[1] <= size // 2:
            tables.append(_Table(found[1], start, end, found[0], above=True))
        else:
            title = found[0] if found else (heading.split(" > ")[-1].strip() if k == 0 else "")
            tables.append(_Table(start, start, end, title))
    return tables


def continued(title: str) -> str:
    """The title of a table's later chunk: "…（续）" ("… (continued)" for a title in English)."""
    if not title or title.endswith(_CONTINUED):
        return title
    return f"{title}（续）" if any(is_cjk(c) for c in title) else f"{title} (continued)"


def _fit(parts: list[str], budget: int) -> str:
    """The lines that open a later chunk, within `budget` characters: the column names are
    dropped first, then a row titling them; a title still too long keeps its end."""
    parts = [p for p in parts if p]
    while len(parts) > 1 and len("\n".join(parts)) > budget:
        parts.pop()
    text = "\n".join(parts)
    return text if len(text) <= budget else ("…" + text[-(budget - 1):] if budget > 1 else "")


def _table_pieces(lead: str, title: str, lines: list[str], size: int, overlap: int) -> list[str]:
    """The rows of one table packed into chunks of at most `size` characters: the first one
    opens with `lead` (its title paragraph), each later one with the title "（续）" and the
    column names in force; about `overlap` characters of rows repeat between neighbours.
    The chunks are about equally long: as few as filling each would give, none left with a
    row or two (which would be mostly title and names, like every other chunk of the table)."""
    budget = size // 3
    title = continued(title)
    pieces: list[str] = []
    if len(lead) > size // 2:  # a title line too long for the chunk size: a piece of its own
        pieces, lead = _recursive(lead, size, overlap), _fit([title], budget)
    header = _headers(lines)
    subtitle = [CELL not in a and len(a) <= _SUBTITLE_CHARS and h for a, h in zip(lines, header[1:] + [False])]
    rows = _Rows()
    room = max(size - max(len(lead), budget) - 1, 1)
    names: list[str] = []
    for i, line in enumerate(lines):
        begins = header[i] or subtitle[i]
        opening = _fit([title] if begins else [title, *names], budget)
        for part in _recursive(line, room, overlap) if len(line) > room else [line]:
            rows.add(part, opening, begins)
        if header[i]:
            names = [lines[i - 1], line] if i and subtitle[i - 1] else [line]
    packed = rows.pack(lead, size, overlap)
    low, high = 1, size
    while len(packed) > 1 and low < high:  # the smallest length that needs no more chunks
        mid = (low + high) // 2
        if len(rows.pack(lead, mid, overlap)) <= len(packed):
            high = mid
        else:
            low = mid + 1
    return pieces + (rows.pack(lead, high, overlap) if len(packed) > 1 else packed)


class _Rows:
    """The rows of a table, with what opens a chunk starting at each (`opens`) and whether
    it titles the rows after it (`keep`: never left at a chunk's end)."""

    def __init__(self) -> None:
        self.rows: list[str] = []
        self.opens: list[str] = []
        self.keep: list[bool] = []

    def add(self, row: str, opens: str, keep: bool) -> None:
        self.rows.append(row)
        self.opens.append(opens)
        self.keep.append(keep)

    def text(self, head: str, a: int, b: int) -> str:
        return "\n".join([head, *self.rows[a:b]] if head else self.rows[a:b])

    def pack(self, lead: str, limit: int, overlap: int) -> list[str]:
        """Chunks of about `limit` characters at most (a chunk always takes one row)."""
        rows, keep, pieces = self.rows, self.keep, []
        head, a, b = lead, 0, 0  # the chunk being filled: head, then rows[a:b]
        while b < len(rows):
            if b == a or len(self.text(head, a, b + 1)) <= limit:
                b += 1
                continue
            end = b
            while end - a > 1 and keep[end - 1]:
                end -= 1
            pieces.append(self.text(head, a, end))
            start = end  # the next chunk repeats the last rows, up to `overlap` characters
            while (not keep[end] and start - 1 > a and len("\n".join(rows[start - 1:end])) <= overlap
                   and len(self.text(self.opens[start - 1], start - 1, end + 1)) <= limit):
                start -= 1
            head, a, b = self.opens[start], start, end
        pieces.append(self.text(head, a, b))
        return pieces


def split_text(text: str, size: int, overlap: int, *, heading: str = "") -> list[str]:
    """Split one text into pieces of at most `size` characters, sentence-aware; tables are
    cut between rows, their title opening each piece. `heading` titles a table that opens
    the text without a title of its own (the heading of its section)."""
    if size <= 0:
        raise ValueError(f"size must be positive, got {size}")
    if not 0 <= overlap < size:
        raise ValueError(f"overlap must be in [0, size), got {overlap}")
    tables = _find_tables(text, size, heading) if CELL in text else []
    if not tables:
        return _recursive(text, size, overlap)
    pieces: list[str] = []
    joins = [True]  # whether the last piece may take the next segment's first one

    def extend(new: list[str], whole: bool = True) -> None:
        """Add the pieces of a segment. As LangChain's splitter does, a table cut into pieces
        keeps them to itself; other neighbours go together when they fit."""
        for i, piece in enumerate(new):
            if i == 0 and pieces and whole and joins[0] and len(pieces[-1]) + 2 + len(piece) <= size:
                pieces[-1] = f"{pieces[-1]}\n\n{piece}"
            else:
                pieces.append(piece)
        if new:
            joins[0] = whole

    pos = 0
    for table in tables:
        before = _recursive(text[pos:table.start], size, overlap)
        lead = text[table.start:table.body].strip() or table.title
        # Short headings just above a table's title paragraph open its first chunk rather than
        # standing alone (above a table continued from the page before stand running headers).
        if before and table.above and len(before[-1]) + 2 + len(lead) <= size // 2:
            before, lead = before[:-1], f"{before[-1]}\n\n{lead}"
        extend(before)
        lines = [line.strip() for line in text[table.body:table.end].split("\n") if line.strip()]
        rows = _table_pieces(lead, table.title, lines, size, overlap)
        extend(rows, len(rows) == 1)
        pos = table.end
    extend(_recursive(text[pos:], size, overlap))
    return pieces


def retrieval_text(text: str, title: str, heading: str, enhance: bool) -> str:
    """The text embedded and indexed: the heading path (or title) prepended when enhancing."""
    if not enhance:
        return text
    label = heading or title
    return f"{label}\n{text}" if label and label not in text[: len(label) + 2] else text


def split_documents(
    documents: Iterable[Document], size: int, overlap: int, *, title_enhance: bool = True
) -> list[Chunk]:
    """Chunks of all documents of one file, numbered in order (`position`)."""
    chunks: list[Chunk] = []
    for doc in documents:
        for piece in split_text(doc.text, size, overlap, heading=doc.heading):
            chunks.append(Chunk(
                text=piece,
                source=doc.source,
                retrieval_text=retrieval_text(piece, doc.title, doc.heading, title_enhance),
                position=len(chunks),
                page=doc.page,
                heading=doc.heading or doc.title,
                ocr=doc.ocr,
            ))
    return chunks
