"""Chinese-aware splitting of documents into chunks.

Text is cut at paragraph breaks first, then at sentence ends (。！？； and their
English counterparts), then at commas, and only as a last resort inside a sentence;
pieces are merged back up to `size` characters with about `overlap` characters
repeated between neighbours. LangChain's recursive splitter does the merging.

Tables are cut between rows, and every chunk of a table holds its title (`table_blocks`
finds the tables and their titles). A table longer than a chunk is packed row by row, and
each chunk after its first starts with the title marked "（续）" and the column names in
force, counted in the size (at most a third of it), so that each chunk is found by the
title's words and reads on its own:
"2、母公司资产负债表（续）\\n项目 | 期末余额 | 期初余额\\n应收账款 | 期末余额: …". A row
wider than a chunk is cut between its cells, each part opening with the row's label.
Each chunk can also be cut into sentence-sized child pieces (ingest/child_pieces.py).
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from langchain_text_splitters import RecursiveCharacterTextSplitter

from core.types import Chunk, Document
from ingest.loaders._common import is_cjk
from ingest.table_blocks import CELL, CONTINUED, find_table_blocks, header_lines

SEPARATORS = [
    "\n\n", "\n",
    "。", "！", "？", "；", "…",
    "! ", "? ", "; ", ". ",
    "，", "、", ", ",
    " ", "",
]
_NAMED = re.compile(r"^[^:：|]{1,40}?\s*[:：]\s")  # a cell with its column's name ("期末余额: 40,962,331.62")
_SUBTITLE_CHARS = 40  # a one-cell row right above column names titles the rows under them

def _recursive(text: str, size: int, overlap: int) -> list[str]:
    splitter = RecursiveCharacterTextSplitter(
        separators=SEPARATORS,
        chunk_size=size,
        chunk_overlap=min(overlap, size - 1),
        keep_separator="end",
        strip_whitespace=True,
    )
    return [piece for piece in splitter.split_text(text) if piece.strip()]


def continued(title: str) -> str:
    """The title of a table's later chunk: "…（续）" ("… (continued)" for a title in English)."""
    if not title or title.endswith(CONTINUED):
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
    header = header_lines(lines)
    subtitle = [CELL not in a and len(a) <= _SUBTITLE_CHARS and h for a, h in zip(lines, header[1:] + [False])]
    rows = _Rows()
    room = max(size - max(len(lead), budget) - 1, 1)
    names: list[str] = []
    for i, line in enumerate(lines):
        begins = header[i] or subtitle[i]
        opening = _fit([title] if begins else [title, *names], budget)
        for part in _row_parts(line, room, overlap, labelled=not header[i]):
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


def _row_parts(line: str, room: int, overlap: int, *, labelled: bool) -> list[str]:
    """A table row in parts of at most `room` characters: whole when it fits, else cut
    between its cells, each later part of a data row (`labelled`) opening with the row's
    label, its first cell, so that it still says whose values it holds ("Texas | … |
    Totals: 146,982"); a cell longer than a part is cut as text."""
    if len(line) <= room:
        return [line]
    cells = line.split(CELL)
    label = cells[0] if labelled and len(cells) > 1 and not _NAMED.match(cells[0]) and len(cells[0]) <= room // 3 else ""
    lead = f"{label}{CELL}" if label else ""
    items = [piece for cell in (cells[1:] if label else cells)
             for piece in (_recursive(cell, room - len(lead), overlap) if len(lead) + len(cell) > room else [cell])]
    parts: list[str] = []
    part = label
    for item in items:
        joined = f"{part}{CELL}{item}" if part else item
        if len(joined) <= room or part == label:  # a part takes at least one item
            part = joined
        else:
            parts.append(part)
            part = f"{lead}{item}"
    parts.append(part)
    return parts


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
    tables = find_table_blocks(text, size, heading) if CELL in text else []
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
