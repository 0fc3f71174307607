"""The text layer of a PDF page with PyMuPDF: paragraphs in reading order, tables as rows.

Text comes block by block in the PDF's own order (right for multi-column papers). The
lines of a block, and blocks that go on with the sentence of the block above, are joined
into one paragraph (Chinese lines without a space); paragraphs are separated by a blank
line. Ruled tables (see `pdf_tables`) replace the blocks they cover with readable rows,
and tables without rules whose text layer runs out of reading order (`pdf_unruled`) the
lines they cover.
Text drawn twice for a "fake bold" is read once: MuPDF's style collection merges the
overstrike, and what it leaves doubled ("知知识识") is collapsed.

A page is read once (`extract_page`: blocks, tables, visual rows) and made text by
`compose`, which can leave lines out: the running headers, footers and page numbers
that `pdf_margins` finds across the pages.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import pymupdf

from ingest.loaders._common import collapse_doubled, ends_sentence, join_lines, normalize_whitespace
from ingest.loaders.pdf_tables import find_tables
from ingest.loaders.pdf_unruled import rebuilt_tables
from ingest.loaders.table_text import is_header_row, is_numeric_cell, last_columns, table_to_text

# Ligatures expanded ("ﬁ" -> "fi"); styles collected, which merges overstruck (fake bold) text.
TEXT_FLAGS = pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP | pymupdf.TEXT_COLLECT_STYLES
# Dot leaders of a table of contents ("第一章 ⋯ ⋯ ⋯ ⋯ 1") shrink to one ellipsis.
# Writing direction of a line (page coordinates, y down) -> rotation that makes it upright.
_ROTATIONS = {(1, 0): 0, (0, -1): 90, (-1, 0): 180, (0, 1): 270}
_LEADERS = re.compile(r"(?:[.·•⋯…][ \u3000]?){5,}")


class _Paragraph:
    """A text block of the page, possibly continued by the blocks after it."""

    def __init__(self, bbox: pymupdf.Rect, last_line: pymupdf.Rect, text: str) -> None:
        self.bbox, self.last_line, self.text = bbox, last_line, text

    def continued_by(self, bbox: pymupdf.Rect, first_line: pymupdf.Rect) -> bool:
        """Whether a block right below goes on with this paragraph's sentence.

        PDFs often make each visual line its own block; a block continues the one above
        when it starts within about a line and a half below it (line boxes of CJK fonts
        often overlap the next line's), overlaps it horizontally, and the line above ran
        to the right edge without ending a sentence (a short line is a heading or a
        paragraph's end).
        """
        height = max(first_line.height, 1.0)
        gap = bbox.y0 - self.bbox.y1
        if ends_sentence(self.text) or not -0.5 * height <= gap <= 1.5 * height:
            return False
        overlap = min(self.bbox.x1, bbox.x1) - max(self.bbox.x0, bbox.x0)
        if overlap < 0.5 * min(self.bbox.width, bbox.width):
            return False
        return self.last_line.x1 >= max(self.bbox.x1, bbox.x1) - 2 * height


def _text_blocks(page: pymupdf.Page, directions: Counter):
    """(block box, [(line box, line text)]) of each text block, in the PDF's order;
    counts the characters written in each direction into `directions`."""
    for block in page.get_text("dict", flags=TEXT_FLAGS).get("blocks", ()):
        if block.get("type") != 0:
            continue
        lines = []
        for line in block.get("lines", ()):
            text = collapse_doubled("".join(span["text"] for span in line.get("spans", ())))
            if text.strip():
                lines.append((pymupdf.Rect(line["bbox"]), text))
                dx, dy = line.get("dir", (1, 0))
                directions[(round(dx), round(dy))] += len(text)
        if lines:
            yield pymupdf.Rect(block["bbox"]), lines


@dataclass(frozen=True, slots=True)
class TableHead:
    """The last table of a page, for a table that goes on at the top of the next one."""

    width: int
    columns: tuple[str, ...]
    caption: str = ""


@dataclass(slots=True)
class PageText:
    """A page's text layer: `text` as indexed, `raw` line by line, and the lines' boxes."""

    text: str
    raw: str = ""
    line_boxes: list[pymupdf.Rect] = field(default_factory=list)
    rotation: int = 0  # degrees that turn most of the text upright (90: it runs bottom to top)
    table_head: TableHead | None = None  # the page's last table, if it has column names


_CAPTION_CHARS = 60  # a table's title is a short paragraph just above it
_RUNNING_CHARS = 40  # running headers and page numbers above a table continued from the page before
MARGIN_SHARE = 0.15  # top and bottom share of a page where its running headers, footers and numbers stand


def _caption(parts: list) -> str:
    """The title of a table from the paragraphs just above it ("表7-2：…", "2、母公司资产负债表"),
    passing over units and dates ("单位：元", "2018 年03 月31 日")."""
    for part in reversed(parts[-4:]):
        if not isinstance(part, _Paragraph):
            return ""
        text = part.text.strip()
        if "单位" in text or is_numeric_cell(text):
            continue
        return text if len(text) <= _CAPTION_CHARS and not ends_sentence(text) else ""
    return ""


def _table_text(rows: list, parts: list, previous: TableHead | None, first: bool) -> tuple[str, TableHead | None]:
    """A table's rows as text (`table_to_text`), with the column names and title of the table
    on the page before when this one goes on from it: the page's first table, as many
    columns, no header row of its own, and nothing above it but running headers."""
    width = max((len(r) for r in rows), default=0)
    continued = (first and previous is not None and previous.width == width and not is_header_row(rows[0])
                 and all(isinstance(p, _Paragraph) and len(p.text) <= _RUNNING_CHARS for p in parts)
                 and len(parts) <= 3)
    if continued:
        caption = f"{previous.caption}（续）" if previous.caption else ""
        text = table_to_text(rows, columns=previous.columns, caption=caption)
        columns, title = last_columns(rows) or list(previous.columns), previous.caption
    else:
        text = table_to_text(rows)
        columns, title = last_columns(rows), _caption(parts)
    if not columns:
        return text, None
    # The columns its rows really use (a grid may have more, under merged cells): the
    # next page's continuation has only those.
    last = next((r for r in reversed(rows) if sum(c is not None for c in r) >= 2), rows[-1])
    used = [j for j, c in enumerate(last) if c is not None and j < len(columns)]
    return text, TableHead(len(used), tuple(columns[j] for j in used), title)


@dataclass(slots=True)
class PageLayer:
    """What `extract_page` reads of a page before it becomes text (`compose`)."""

    blocks: list = field(default_factory=list)  # [(block box, [(line box, line text)])] in the PDF's order
    tables: list = field(default_factory=list)  # find_tables: [(area, rows)]
    raw: str = ""
    line_boxes: list[pymupdf.Rect] = field(default_factory=list)
    rotation: int = 0
    rows: list[list[tuple[int, int]]] = field(default_factory=list)  # visual rows outside tables, top to bottom
    page: pymupdf.Rect = field(default_factory=pymupdf.Rect)
    rebuilt: list = field(default_factory=list)  # tables without rules (pdf_unruled): [(area, rows)]
    table_lines: set[tuple[int, int]] = field(default_factory=set)  # (block, line) of the lines they replace

    def table_count(self) -> int:
        """The page's tables, ruled or rebuilt: content besides its rows of text."""
        return len(self.tables) + len(self.rebuilt)

    def row_texts(self) -> list[str]:
        """Each visual row's text, its lines left to right joined by a space (for `pdf_margins`)."""
        return [" ".join(self.blocks[b][1][i][1].strip() for b, i in row) for row in self.rows]

    def in_margins(self, rows: set[int]) -> set[int]:
        """Those of the rows that lie in the top or bottom `MARGIN_SHARE` of the page, where
        running headers and page numbers stand (body text near them is never left out)."""
        band = MARGIN_SHARE * self.page.height
        kept = set()
        for r in rows:
            y0 = min(self.blocks[b][1][i][0].y0 for b, i in self.rows[r])
            y1 = max(self.blocks[b][1][i][0].y1 for b, i in self.rows[r])
            if y1 <= self.page.y0 + band or y0 >= self.page.y1 - band:
                kept.add(r)
        return kept

    def row_lines(self, rows: set[int]) -> set[tuple[int, int]]:
        """The (block, line) indexes of some rows, as `compose` leaves them out."""
        return {line for r in rows for line in self.rows[r]}


def _in_table(bbox: pymupdf.Rect, tables: list) -> bool:
    centre = pymupdf.Point((bbox.x0 + bbox.x1) / 2, (bbox.y0 + bbox.y1) / 2)
    return any(centre in area for area, _ in tables)


def _visual_rows(blocks: list, tables: list, skip: set[tuple[int, int]] | frozenset = frozenset()
                 ) -> list[list[tuple[int, int]]]:
    """The lines outside tables grouped into visual rows (boxes overlapping by half a line's
    height), top to bottom, each left to right. Lines much taller than most (vertical text,
    drop capitals) belong to no row."""
    lines = [(box, b, i) for b, (bbox, block_lines) in enumerate(blocks) if not _in_table(bbox, tables)
             for i, (box, _) in enumerate(block_lines) if (b, i) not in skip]
    if not lines:
        return []
    heights = sorted(box.height for box, _, _ in lines)
    tall = 2 * max(heights[len(heights) // 2], 1.0)
    rows: list[list[tuple[pymupdf.Rect, int, int]]] = []
    for line in sorted((ln for ln in lines if ln[0].height <= tall), key=lambda ln: ln[0].y0 + ln[0].y1):
        box = line[0]
        if rows:
            first = rows[-1][0][0]
            if min(first.y1, box.y1) - max(first.y0, box.y0) >= 0.5 * min(first.height, box.height):
                rows[-1].append(line)
                continue
        rows.append([line])
    return [[(b, i) for _, b, i in sorted(row, key=lambda ln: ln[0].x0)] for row in rows]


def extract_page(page: pymupdf.Page, errors: tuple[type[Exception], ...]) -> PageLayer:
    """A page's text blocks and ruled tables, read once; `compose` makes them text."""
    directions: Counter = Counter()
    blocks = list(_text_blocks(page, directions))
    if not blocks:
        return PageLayer()
    tables = find_tables(page, errors)
    raw = "\n".join(line for _, lines in blocks for _, line in lines)
    boxes = [box for _, lines in blocks for box, _ in lines]
    rotation = _ROTATIONS.get(directions.most_common(1)[0][0], 0) if directions else 0
    # Rows (for running headers and page numbers) only where the text runs left to right.
    rows = _visual_rows(blocks, tables) if rotation == 0 else []
    rebuilt, table_lines = rebuilt_tables(page, blocks, rows, [area for area, _ in tables])
    if table_lines:
        rows = _visual_rows(blocks, tables, table_lines)
    return PageLayer(blocks, tables, raw, boxes, rotation, rows, pymupdf.Rect(page.rect), rebuilt, table_lines)


def compose(layer: PageLayer, carried: TableHead | None = None,
            drop: set[tuple[int, int]] | frozenset = frozenset()) -> tuple[str, TableHead | None]:
    """The page's text (paragraphs in reading order, tables as rows where they stand) and its
    last table's head, without the lines in `drop` ((block, line) indexes: running headers,
    page numbers). `carried` is the last table of the page before (`PageText.table_head`):
    a table that goes on at the top of this page gets its column names and title."""
    pending = sorted(layer.tables + layer.rebuilt, key=lambda t: (t[0].y0, t[0].x0))
    parts: list[str | _Paragraph] = []
    head: TableHead | None = None
    placed = 0

    def place() -> None:
        nonlocal head, placed
        text, head = _table_text(pending.pop(0)[1], parts, carried, placed == 0)
        placed += 1
        if text:
            parts.append(text)

    gone = set(drop) | layer.table_lines
    for b, (bbox, lines) in enumerate(layer.blocks):
        ruled = _in_table(bbox, layer.tables)
        if ruled or any((b, i) in layer.table_lines for i in range(len(lines))):
            # A table replaces the blocks (or, rebuilt, the lines) it covers, placed where it starts.
            while pending and pending[0][0].y0 <= bbox.y1:
                place()
        if ruled:
            continue
        if gone:
            lines = [line for i, line in enumerate(lines) if (b, i) not in gone]
            if not lines:
                continue
            bbox = pymupdf.Rect(lines[0][0])
            for box, _ in lines[1:]:
                bbox |= box
        text = join_lines(line for _, line in lines)
        previous = parts[-1] if parts else None
        if isinstance(previous, _Paragraph) and previous.continued_by(bbox, lines[0][0]):
            previous.text = join_lines([previous.text, text])
            previous.bbox |= bbox
            previous.last_line = lines[-1][0]
        else:
            parts.append(_Paragraph(bbox, lines[-1][0], text))
    while pending:
        place()
    text = "\n\n".join(part.text if isinstance(part, _Paragraph) else part for part in parts)
    text = collapse_doubled(normalize_whitespace(_LEADERS.sub(" … ", text)))  # doubled across lines too
    return text, head


def read_page(page: pymupdf.Page, errors: tuple[type[Exception], ...], carried: TableHead | None = None) -> PageText:
    """The text layer of one page: paragraphs in reading order, tables as rows where they stand
    (`extract_page`, then `compose` with nothing left out)."""
    layer = extract_page(page, errors)
    if not layer.blocks:
        return PageText("")
    text, head = compose(layer, carried)
    return PageText(text, layer.raw, layer.line_boxes, layer.rotation, head)
