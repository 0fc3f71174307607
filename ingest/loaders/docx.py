"""Word .docx files, read with python-docx.

Paragraphs and tables are read in document order. A heading paragraph (style "Heading N"
or "标题 N", or an outline level set on the paragraph or its style) starts a new
section, one Document each, with the heading path as `heading`. Tables become rows
"a | b | c", each value with its column name (`table_text.table_to_text`); a paragraph in Word's
Caption style (题注) right above a table (else right below it) becomes the table's first line,
where the splitter finds a table's title. The title is the document's Title property, else its
"Title" paragraph or first level-1 heading, else the file name.
"""
from __future__ import annotations

import logging
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.opc.exceptions import OpcError
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from core.errors import LoaderError
from core.types import Document
from ingest.loaders._common import SectionBuilder, heading_level
from ingest.loaders.ooxml import open_package
from ingest.loaders.table_text import table_to_text

log = logging.getLogger(__name__)


def _outline_level(paragraph: Paragraph) -> int | None:
    """1-based outline level from the paragraph's or its style's properties, if set."""
    holders = [paragraph._p.pPr]
    style = paragraph.style
    while style is not None:
        holders.append(style.element.pPr)
        style = style.base_style
    for ppr in holders:
        if ppr is None:
            continue
        node = ppr.find(qn("w:outlineLvl"))
        if node is not None:
            try:
                value = int(node.get(qn("w:val")))
            except (TypeError, ValueError):
                return None
            return value + 1 if 0 <= value < 9 else None  # 9 means body text
    return None


def _heading_of(paragraph: Paragraph) -> int | None:
    """The heading level of a paragraph (0 for the Title style), or None for body text."""
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    lowered = name.strip().lower()
    if lowered == "title" or lowered == "标题":
        return 0
    if lowered.startswith("heading") or name.strip().startswith("标题"):
        level = heading_level(name)
        if level is not None:
            return level
    return _outline_level(paragraph)


_CONTAINERS = frozenset({qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml")})


def _blocks(document: DocxDocument):
    """Paragraphs and tables of the body in document order, including those inside
    content controls (cover pages, tables of contents), which python-docx skips."""
    def walk(parent):
        for child in parent.iterchildren():
            if child.tag == qn("w:p"):
                yield Paragraph(child, document)
            elif child.tag == qn("w:tbl"):
                yield Table(child, document)
            elif child.tag in _CONTAINERS:
                yield from walk(child)

    yield from walk(document.element.body)


def _table_rows(table: Table) -> list[list[str | None]]:
    """Cells aligned by column: a horizontally merged cell (listed once per column it
    spans) is None after its first column, so every value stays under its column name."""
    rows: list[list[str | None]] = []
    for row in table.rows:
        cells: list[str | None] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                cells.append(None)
                continue
            seen.add(id(cell._tc))
            cells.append(cell.text)
        rows.append(cells)
    return rows


_CAPTION_STYLES = frozenset({"caption", "题注"})


def _is_caption(block: Paragraph | Table) -> bool:
    if not isinstance(block, Paragraph) or not block.text.strip():
        return False
    name = (block.style.name if block.style is not None else "") or ""
    return name.strip().lower() in _CAPTION_STYLES


def _captions(blocks: list[Paragraph | Table]) -> dict[int, int]:
    """For each table (its index in `blocks`), the index of its caption: a paragraph in the
    Caption style right above it, else right below it (unless a table follows that one)."""
    found: dict[int, int] = {}
    for i, block in enumerate(blocks):
        if not isinstance(block, Table):
            continue
        if i > 0 and _is_caption(blocks[i - 1]):
            found[i] = i - 1
        elif i + 1 < len(blocks) and _is_caption(blocks[i + 1]) and not (
                i + 2 < len(blocks) and isinstance(blocks[i + 2], Table)):
            found[i] = i + 1
    return found


def load_docx(path: Path, *, source: str, content_hash: str, max_unzipped_mb: int | None = None) -> list[Document]:
    document = open_package(path, max_unzipped_mb, lambda p: docx.Document(str(p)), (OpcError,))
    builder = SectionBuilder(source=source, content_hash=content_hash)
    title = (document.core_properties.title or "").strip()
    first_heading = ""
    try:
        blocks = list(_blocks(document))
        captions = _captions(blocks)
        taken = set(captions.values())
        for i, block in enumerate(blocks):
            if isinstance(block, Table):
                caption = " ".join(blocks[captions[i]].text.split()) if i in captions else ""
                builder.add(table_to_text(_table_rows(block), caption=caption))
                continue
            if i in taken:
                continue
            text = block.text.strip()
            if not text:
                continue
            level = _heading_of(block)
            if level is None:
                builder.add(text)
                continue
            if not first_heading and level <= 1:
                first_heading = text
            builder.heading(level, text)
    except (KeyError, ValueError) as exc:
        log.warning("%s: stopped reading a damaged .docx: %r", path, exc)
        raise LoaderError(f"cannot be read: the .docx is damaged ({type(exc).__name__})") from exc
    builder.title = title or first_heading or path.stem
    return builder.documents()
