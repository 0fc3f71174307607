"""PowerPoint .pptx presentations, read with python-pptx.

A slide is a page: `page` is its number, `heading` its title (the title placeholder's text).
The rest of the slide is read in reading order, top to bottom, then left to right (the
shapes of a group in their own order, where the group stands); a text box or placeholder
gives its paragraphs, a table its rows with their column names (`sheet_table.grid_to_text`
when the table has a header row, as PowerPoint's tables do by default; else as a .docx
table); the speaker notes come after the slide's text. Dates, footers and slide numbers
are left out, and slides without text give no Document. The title is the file's Title
property, else the first slide's title, else the file name.

Decided here: hidden slides are not read (they are out of what the presentation shows:
backups, old versions), and a note gives their numbers. Pictures, charts and SmartArt are
not read.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pptx
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.exc import PackageNotFoundError
from pptx.shapes.base import BaseShape
from pptx.shapes.group import GroupShape
from pptx.slide import Slide
from pptx.table import Table

from core.types import Document
from ingest.loaders._common import normalize_whitespace
from ingest.loaders.ooxml import open_package
from ingest.loaders.sheet_table import Grid, MergedRange, apply_merges, grid_to_text
from ingest.loaders.table_text import cell_line, table_to_text

_DECORATION = frozenset({PP_PLACEHOLDER.DATE, PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.SLIDE_NUMBER})


def _position(shape: BaseShape) -> tuple[int, int]:
    # A placeholder without a position of its own inherits its layout's; failing that, first.
    return shape.top or 0, shape.left or 0


def _in_reading_order(shapes: Iterable[BaseShape]) -> Iterator[BaseShape]:
    """Shapes top to bottom, then left to right; a group's shapes in their own order, in its place."""
    for shape in sorted(shapes, key=_position):
        if isinstance(shape, GroupShape):  # not `shape_type`: it raises for shapes of no known kind
            yield from _in_reading_order(shape.shapes)
        else:
            yield shape


def _table_text(table: Table) -> str:
    """A slide's table as rows with their column names; merged cells as in a spreadsheet."""
    grid: Grid = []
    merges: list[MergedRange] = []
    for i, row in enumerate(table.rows):
        cells: list[str | None] = []
        for j, cell in enumerate(row.cells):
            cells.append("" if cell.is_spanned else cell.text.replace("\v", "\n"))
            if cell.is_merge_origin:
                merges.append(MergedRange(i, j, i + cell.span_height - 1, j + cell.span_width - 1))
        grid.append(cells)
    apply_merges(grid, merges)
    return grid_to_text(grid) if table.first_row else table_to_text(grid)


def _is_decoration(shape: BaseShape) -> bool:
    return shape.is_placeholder and shape.placeholder_format.type in _DECORATION


def _shape_text(shape: BaseShape) -> str:
    if getattr(shape, "has_table", False):
        return _table_text(shape.table)
    if getattr(shape, "has_text_frame", False):
        return shape.text_frame.text.replace("\v", "\n")
    return ""


def _title(slide: Slide) -> tuple[str, BaseShape | None]:
    shape = slide.shapes.title
    if shape is None or not shape.has_text_frame:
        return "", shape
    return cell_line(shape.text_frame.text.replace("\v", "\n")) or "", shape  # "年度\v汇报": 年度汇报


def _notes(slide: Slide) -> str:
    if not slide.has_notes_slide:
        return ""
    frame = slide.notes_slide.notes_text_frame
    return frame.text.replace("\v", "\n") if frame is not None else ""


def _slide_text(slide: Slide, title_shape: BaseShape | None) -> str:
    title_id = title_shape.shape_id if title_shape is not None else None
    parts = [_shape_text(shape) for shape in _in_reading_order(slide.shapes)
             if shape.shape_id != title_id and not _is_decoration(shape)]
    parts.append(_notes(slide))
    return normalize_whitespace("\n\n".join(p for p in parts if p.strip()))


def _is_hidden(slide: Slide) -> bool:
    # python-pptx has no property for it: PowerPoint writes show="0" on the slide element.
    return slide._element.get("show") in ("0", "false")


def load_pptx(path: Path, *, source: str, content_hash: str, max_unzipped_mb: int | None = None,
              notes: list[str] | None = None) -> list[Document]:
    presentation = open_package(path, max_unzipped_mb, lambda p: pptx.Presentation(str(p)), (PackageNotFoundError,))
    slides: list[tuple[int, str, str]] = []
    hidden: list[int] = []
    for number, slide in enumerate(presentation.slides, start=1):
        if _is_hidden(slide):
            hidden.append(number)
            continue
        heading, title_shape = _title(slide)
        text = _slide_text(slide, title_shape)
        if text or heading:
            slides.append((number, heading, text or heading))
    if hidden and notes is not None:
        notes.append("hidden slides not read: " + ", ".join(map(str, hidden)))
    title = (presentation.core_properties.title or "").strip() or next(
        (heading for _, heading, _ in slides if heading), path.stem)
    return [Document(text=text, source=source, page=number, title=title, heading=heading, content_hash=content_hash)
            for number, heading, text in slides]
