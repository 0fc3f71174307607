"""PDF files: one Document per page with text, read with PyMuPDF.

Text comes block by block in the PDF's own order (right for multi-column papers). The
lines of a block, and blocks that go on with the sentence of the block above, are joined
into one paragraph (Chinese lines without a space); paragraphs are separated by a blank
line. Ruled tables (see `pdf_tables`) replace the blocks they cover with readable rows
("cell | cell | cell") where they stand, so a question about a cell finds its page.
A page's heading is its place in the PDF's outline (bookmarks), if it has one.
No OCR here: pages without a text layer yield nothing.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path

import pymupdf

from app.errors import EncryptedFile, LoaderError
from ingest.loaders._common import ends_sentence, join_lines, normalize_whitespace
from ingest.loaders.pdf_tables import find_tables
from ingest.types import Document

log = logging.getLogger(__name__)

_TEXT_FLAGS = pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP  # ligatures expanded: "ﬁ" -> "fi"
_JUNK_TITLE = re.compile(r"^(untitled|无标题|microsoft word - .*|.*\.(docx?|pdf|tex|dvi|indd|pptx?))$", re.I)
# Dot leaders of a table of contents ("第一章 ⋯ ⋯ ⋯ ⋯ 1") shrink to one ellipsis.
_LEADERS = re.compile(r"(?:[.·•⋯…][ \u3000]?){5,}")
# What PyMuPDF raises on bad input: FileDataError and EmptyFileError are RuntimeErrors;
# errors from inside MuPDF ("cycle in page tree") are FzErrorBase.
_MUPDF_ERRORS: tuple[type[Exception], ...] = (RuntimeError, ValueError, IndexError)
_FZ_ERROR = getattr(getattr(pymupdf, "mupdf", None), "FzErrorBase", None)
if isinstance(_FZ_ERROR, type) and issubclass(_FZ_ERROR, Exception):
    _MUPDF_ERRORS += (_FZ_ERROR,)


def _open(path: Path, password: str | None) -> pymupdf.Document:
    try:
        doc = pymupdf.open(path, filetype="pdf")
    except pymupdf.EmptyFileError as exc:
        raise LoaderError("file is empty") from exc
    except _MUPDF_ERRORS as exc:
        log.info("PyMuPDF cannot open %s: %s", path, exc)
        raise LoaderError("cannot be read: not a valid PDF, or damaged beyond repair") from exc
    if doc.needs_pass:
        if password is None:
            doc.close()
            raise EncryptedFile("file is encrypted: give its password with --password")
        if not doc.authenticate(password):
            doc.close()
            raise EncryptedFile("file is encrypted and the password given is wrong: check --password")
    return doc


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."


def _title(doc: pymupdf.Document, path: Path) -> str:
    raw = " ".join(((doc.metadata or {}).get("title") or "").split())
    if raw and not _JUNK_TITLE.match(raw):
        return raw
    return path.stem


def _page_headings(doc: pymupdf.Document) -> dict[int, str]:
    """For each 1-based page, the outline path in force at its top ("第一章 > 1.2 安装")."""
    try:
        toc = doc.get_toc(simple=True)
    except _MUPDF_ERRORS as exc:
        log.debug("no usable outline: %s", exc)
        return {}
    starts: dict[int, str] = {}
    stack: list[tuple[int, str]] = []
    for level, title, page in toc:
        title = " ".join(str(title).split())
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, title))
        if page >= 1:
            starts[page] = " > ".join(t for _, t in stack if t)
    headings: dict[int, str] = {}
    current = ""
    for number in range(1, doc.page_count + 1):
        current = starts.get(number, current)
        headings[number] = current
    return headings


class _Paragraph:
    """A text block of the page, possibly continued by the blocks after it."""

    def __init__(self, bbox: pymupdf.Rect, last_line: pymupdf.Rect, text: str) -> None:
        self.bbox, self.last_line, self.text = bbox, last_line, text

    def continued_by(self, bbox: pymupdf.Rect, first_line: pymupdf.Rect) -> bool:
        """Whether a block right below goes on with this paragraph's sentence.

        PDFs often make each visual line its own block; a block continues the one above
        when it starts within a line's height below it, overlaps it horizontally, and the
        line above ran to the right edge without ending a sentence (a short line is a
        heading or a paragraph's end).
        """
        height = max(first_line.height, 1.0)
        gap = bbox.y0 - self.bbox.y1
        if ends_sentence(self.text) or not -0.3 * height <= gap <= 0.8 * height:
            return False
        overlap = min(self.bbox.x1, bbox.x1) - max(self.bbox.x0, bbox.x0)
        if overlap < 0.5 * min(self.bbox.width, bbox.width):
            return False
        return self.last_line.x1 >= max(self.bbox.x1, bbox.x1) - 2 * height


def _text_blocks(page: pymupdf.Page):
    """(block box, [(line box, line text)]) of each text block, in the PDF's order."""
    for block in page.get_text("dict", flags=_TEXT_FLAGS).get("blocks", ()):
        if block.get("type") != 0:
            continue
        lines = [
            (pymupdf.Rect(line["bbox"]), "".join(span["text"] for span in line.get("spans", ())))
            for line in block.get("lines", ())
        ]
        lines = [(box, text) for box, text in lines if text.strip()]
        if lines:
            yield pymupdf.Rect(block["bbox"]), lines


def page_text(page: pymupdf.Page) -> str:
    """The text of one page: paragraphs in reading order, tables as rows where they stand."""
    tables = find_tables(page, _MUPDF_ERRORS)
    pending = sorted(tables, key=lambda t: (t[0].y0, t[0].x0))
    parts: list[str | _Paragraph] = []
    for bbox, lines in _text_blocks(page):
        centre = pymupdf.Point((bbox.x0 + bbox.x1) / 2, (bbox.y0 + bbox.y1) / 2)
        if any(centre in area for area, _ in tables):
            # Blocks inside a table are replaced by its rows, placed where it starts.
            while pending and pending[0][0].y0 <= bbox.y1:
                parts.append(pending.pop(0)[1])
            continue
        text = join_lines(line for _, line in lines)
        previous = parts[-1] if parts else None
        if isinstance(previous, _Paragraph) and previous.continued_by(bbox, lines[0][0]):
            previous.text = join_lines([previous.text, text])
            previous.bbox |= bbox
            previous.last_line = lines[-1][0]
        else:
            parts.append(_Paragraph(bbox, lines[-1][0], text))
    parts.extend(text for _, text in pending)
    text = "\n\n".join(part.text if isinstance(part, _Paragraph) else part for part in parts)
    return normalize_whitespace(_LEADERS.sub(" … ", text))


def load_pdf(path: Path, *, source: str, content_hash: str, password: str | None = None) -> list[Document]:
    doc = _open(path, password)
    try:
        return _read_pages(doc, path, source=source, content_hash=content_hash)
    except _MUPDF_ERRORS as exc:  # damage found past the pages, e.g. in the outline
        log.warning("%s: %r", path, exc)
        raise LoaderError(f"cannot be read: the PDF is damaged ({_short(exc)})") from exc
    finally:
        doc.close()


def _read_pages(doc: pymupdf.Document, path: Path, *, source: str, content_hash: str) -> list[Document]:
    """One Document per page with text; a page that cannot be read is skipped and logged."""
    title = _title(doc, path)
    headings = _page_headings(doc)
    documents: list[Document] = []
    failures: list[str] = []
    page_count = doc.page_count
    for index in range(page_count):
        try:
            text = page_text(doc.load_page(index))
        except _MUPDF_ERRORS as exc:
            log.warning("%s: page %d cannot be read: %s", path, index + 1, exc)
            failures.append(_short(exc))
            continue
        if text:
            documents.append(Document(
                text=text, source=source, page=index + 1, title=title,
                heading=headings.get(index + 1, ""), content_hash=content_hash,
            ))
    if failures and len(failures) == page_count:
        raise LoaderError(f"cannot be read: no page of the PDF could be read ({failures[0]})")
    return documents
