"""PDF files: one Document per page with text, read with PyMuPDF, and OCR where needed.

A page's text layer is read by `pdf_text` (paragraphs in reading order, ruled tables as
rows "cell | cell | cell" where they stand, fake bold read once). A page's heading is
its place in the PDF's outline (bookmarks), if it has one.

Pages without a usable text layer (scans, fonts without a Unicode mapping) are read
with OCR when `ocr` is on, and images of text on other pages are added to their page's
text (see `pdf_quality`); such text comes as separate Documents marked `ocr=True`.
A page that cannot be read is skipped and said in `notes`; the rest of the file is kept.

Running headers, footers and page numbers (rows at the top or bottom of the pages that
repeat across them, or are only a page number) are left out of the text: see `pdf_margins`.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pymupdf

from core.errors import EncryptedFile, LoaderError, WrongPassword
from core.types import Document
from ingest.loaders.ocr_engine import OcrUnavailable
from ingest.loaders.pdf_margins import margin_rows, running_title, strip_margins
from ingest.loaders.pdf_ocr import PageOcr, WorkerStopped
from ingest.loaders.pdf_quality import OcrPlan, plan_ocr
from ingest.loaders.pdf_text import PageLayer, compose, extract_page

log = logging.getLogger(__name__)

OnPage = Callable[[int, int], None]  # (n, total): OCR starts on the n-th of `total` pages that need it

_JUNK_TITLE = re.compile(r"^(untitled|无标题|microsoft word - .*|.*\.(docx?|pdf|tex|dvi|indd|pptx?)|.*(?:https?://|www\.).*)$", re.I)
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
            raise EncryptedFile("file is encrypted: its password is needed")
        if not doc.authenticate(password):
            doc.close()
            raise WrongPassword("file is encrypted and the password given is wrong")
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


def load_pdf(path: Path, *, source: str, content_hash: str, password: str | None = None,
             ocr: bool = True, max_pages: int | None = None, notes: list[str] | None = None,
             on_page: OnPage | None = None) -> list[Document]:
    """One Document per page with text (and one per page for text read by OCR).

    `max_pages` refuses longer files; `notes` receives one line per thing the user
    should know about a file that was read (pages skipped, pages left unread);
    `on_page(n, total)` is called as OCR starts on the n-th of the `total` pages (or
    pages with images of text) that need it.
    """
    doc = _open(path, password)
    try:
        if max_pages is not None and doc.page_count > max_pages:
            raise LoaderError(f"has {doc.page_count} pages, more than the {max_pages} allowed",
                              setting="max_pages")
        reader = _PageReader(doc, path, source=source, content_hash=content_hash, ocr=ocr, on_page=on_page)
        documents = reader.read()
    except _MUPDF_ERRORS as exc:  # damage found past the pages, e.g. in the outline
        log.warning("%s: %r", path, exc)
        raise LoaderError(f"cannot be read: the PDF is damaged ({_short(exc)})") from exc
    finally:
        doc.close()
    if notes is not None:
        notes.extend(reader.notes)
    return documents


def _page_list(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:10])
    return shown + (f" and {len(numbers) - 10} more" if len(numbers) > 10 else "")


class _PageReader:
    """Reads the pages of one open PDF, with OCR where a page needs it.

    First every page's text layer is read and what it needs OCR for decided; then the
    rows at the top and bottom of the pages give the running headers, footers and page
    numbers to leave out (`pdf_margins`); then each page becomes text, read with OCR
    where needed. Text read by OCR of whole pages loses its margins in the same way.
    """

    def __init__(self, doc: pymupdf.Document, path: Path, *, source: str, content_hash: str, ocr: bool,
                 on_page: OnPage | None = None) -> None:
        self.doc, self.path, self.source, self.content_hash = doc, path, source, content_hash
        self.ocr = ocr
        self.on_page = on_page
        self.notes: list[str] = []
        self._unread: list[int] = []  # pages needing OCR that were not read
        self._ocr_failed: list[int] = []
        self._unavailable = ""  # why OCR could not run, if it could not
        self._reading: PageOcr | None = None  # the OCR of this file's pages, once planned

    def _layers(self, failures: list[tuple[int, str]]) -> list[tuple[int, PageLayer, OcrPlan]]:
        """(page number, text layer, OCR plan) of each page that can be read."""
        pages = []
        for index in range(self.doc.page_count):
            number = index + 1
            try:
                page = self.doc.load_page(index)
                layer = extract_page(page, _MUPDF_ERRORS)
                plan = plan_ocr(page, layer.raw, layer.line_boxes, layer.rotation)
            except _MUPDF_ERRORS as exc:
                log.info("%s: page %d cannot be read: %s", self.path, number, exc)
                failures.append((number, _short(exc)))
                continue
            if plan.needed:  # the decision is logged whether OCR is on or not
                log.info("%s: page %d needs OCR: %s", self.path, number, plan.reason)
            pages.append((number, layer, plan))
        return pages

    def read(self) -> list[Document]:
        title = _title(self.doc, self.path)
        headings = _page_headings(self.doc)
        failures: list[tuple[int, str]] = []
        pages = self._layers(failures)
        rows = [layer.row_texts() for _, layer, _ in pages]
        margins = margin_rows(rows, numbers=[n for n, _, _ in pages], tables=[layer.table_count() for _, layer, _ in pages])
        if title == self.path.stem:  # no usable title in the metadata: the running header names the document
            title = running_title(rows, margins) or title
        if self.ocr:  # the OCR engine itself loads on the first page that needs it
            self._reading = PageOcr(self.doc, {n: plan for n, _, plan in pages if plan.needed}, self.on_page)
        try:
            documents, scans = self._compose(pages, margins, title, headings)
        finally:
            if self._reading is not None:
                self._reading.close()
        if failures and len(failures) == self.doc.page_count:
            raise LoaderError(f"cannot be read: no page of the PDF could be read ({failures[0][1]})")
        self._add_notes(failures)
        documents = _strip_scans(documents, scans)
        if not documents and self._unread:
            if self._unavailable:
                raise LoaderError(f"no text layer, and {self._unavailable}")
            raise LoaderError("no text layer: the pages are scanned images, and OCR is off", setting="ocr")
        return documents

    def _compose(self, pages: list[tuple[int, PageLayer, OcrPlan]], margins: list[set[int]], title: str,
                 headings: dict[int, str]) -> tuple[list[Document], list[int]]:
        """Each page's Documents, and the indexes among them of the text OCR read of whole pages."""
        documents: list[Document] = []
        scans: list[int] = []
        table_head = None  # the last table of the page before, for one that goes on
        for (number, layer, plan), dropped in zip(pages, margins):
            dropped = layer.in_margins(dropped)
            text, table_head = compose(layer, table_head, layer.row_lines(dropped))
            if dropped:
                log.debug("%s: page %d: margin rows left out: %s", self.path, number,
                          [layer.row_texts()[i] for i in sorted(dropped)])

            def document(text: str, ocr: bool, number: int = number) -> Document:
                return Document(text=text, source=self.source, page=number, title=title,
                                heading=headings.get(number, ""), content_hash=self.content_hash, ocr=ocr)

            ocr_text = self._ocr(plan, number, text) if plan.needed else None
            if ocr_text and plan.full and text and plan.keep_text and len(ocr_text) < 2 * len(text) + 20:
                ocr_text = None  # a short text layer over a picture, not a scan: the layer is the better text
            if text and not (plan.full and (ocr_text or not plan.keep_text)):
                documents.append(document(text, False))
            if ocr_text:
                if plan.full:
                    scans.append(len(documents))
                documents.append(document(ocr_text, True))
        return documents, scans

    def _ocr(self, plan: OcrPlan, number: int, known_text: str) -> str | None:
        """OCR text of the page (or of its images), or None when OCR is off or fails."""
        if self._reading is None:
            if plan.full:
                self._unread.append(number)
            return None
        try:
            text = self._reading.text(number, known_text)
        except OcrUnavailable as exc:
            self._reading.close()
            self._reading = None
            self._unavailable = str(exc)
            self.notes.append(str(exc))
            if plan.full:
                self._unread.append(number)
            return None
        except WorkerStopped:
            log.warning("%s: OCR failed on page %d: its worker process stopped", self.path, number)
            self._ocr_failed.append(number)
            return None
        except Exception:  # OCR failing on one page (ONNX Runtime, OpenCV) must not lose the file
            log.warning("%s: OCR failed on page %d", self.path, number, exc_info=True)
            self._ocr_failed.append(number)
            return None
        log.info("%s: page %d read with OCR: %d characters", self.path, number, len(text))
        return text

    def _add_notes(self, failures: list[tuple[int, str]]) -> None:
        if failures:
            numbers = [n for n, _ in failures]
            self.notes.append(f"page{'s' if len(numbers) > 1 else ''} {_page_list(numbers)} could not be read "
                              f"({failures[0][1]})")
        if self._unread and not self._unavailable:
            self.notes.append(f"{len(self._unread)} page{'s' if len(self._unread) > 1 else ''} without a usable "
                              f"text layer left unread (pages {_page_list(self._unread)}): OCR is off")
        if self._ocr_failed:
            self.notes.append(f"OCR failed on page{'s' if len(self._ocr_failed) > 1 else ''} "
                              f"{_page_list(self._ocr_failed)} (details in the log)")


def _strip_scans(documents: list[Document], scans: list[int]) -> list[Document]:
    """The documents with the margins (running headers, page numbers) of the text OCR read
    of whole pages left out, and those left empty dropped."""
    if not scans:
        return documents
    texts = strip_margins([documents[i].text for i in scans], numbers=[documents[i].page or 0 for i in scans])
    stripped = dict(zip(scans, texts))
    kept = []
    for i, document in enumerate(documents):
        if i in stripped:
            if not stripped[i]:
                continue
            document = replace(document, text=stripped[i])
        kept.append(document)
    return kept
