"""File loaders: turn one file into `Document`s, whatever its format.

`load_file` dispatches on the lower-cased suffix. Every failure is a `LoaderError` (or
`UnsupportedFile`, `OldFormatFile`, `EncryptedFile`) whose message is one line a user can
act on; a file that has no text at all gives [] (the pipeline reports "no text found").
Old binary Office files (.doc, .xls, .ppt, WPS's .wps, .et, .dps) are refused with the
newer format to save them in (`old_formats`).

PDF pages without a usable text layer are read with OCR (`ocr=True`, the default; see
`pdf_quality` and `ocr`); the limits on hostile input (page count, unpacked size of an
Office file, cells of a spreadsheet) are keyword arguments, set by the pipeline from the
settings.

Loaders know files only: no splitting, embedding or storing here.
"""
from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.errors import LoaderError, UnsupportedFile
from core.types import Document
from ingest.loaders.old_formats import OLD_FORMATS, old_format_refusal

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Format:
    """Where a format's loader is (`module`, `function`: imported on use, so that a text-only
    run needs neither PyMuPDF nor python-docx) and which of `load_file`'s options it takes."""

    module: str
    function: str
    options: frozenset[str] = frozenset()


_PDF_OPTIONS = frozenset({"password", "ocr", "max_pages", "notes", "on_page"})
_FORMATS: dict[str, _Format] = {
    ".pdf": _Format("pdf", "load_pdf", _PDF_OPTIONS),
    ".txt": _Format("text", "load_text"),
    ".md": _Format("text", "load_markdown"),
    ".markdown": _Format("text", "load_markdown"),
    ".docx": _Format("docx", "load_docx", frozenset({"max_unzipped_mb"})),
    ".pptx": _Format("pptx", "load_pptx", frozenset({"max_unzipped_mb", "notes"})),
    ".xlsx": _Format("xlsx", "load_xlsx", frozenset({"max_unzipped_mb", "max_table_cells", "notes"})),
    ".csv": _Format("delimited", "load_delimited", frozenset({"max_table_cells"})),
    ".tsv": _Format("delimited", "load_delimited", frozenset({"max_table_cells"})),
    ".html": _Format("html", "load_html"),
    ".htm": _Format("html", "load_html"),
}
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(_FORMATS)
OLD_FORMAT_SUFFIXES: frozenset[str] = frozenset(OLD_FORMATS)

__all__ = ["OLD_FORMAT_SUFFIXES", "SUPPORTED_SUFFIXES", "load_file", "old_format_refusal"]

# What parsing libraries raise on malformed input (lxml's XMLSyntaxError is a SyntaxError,
# MuPDF's errors are RuntimeErrors, zipfile's BadZipFile and UnicodeError ValueErrors).
_LIBRARY_ERRORS = (OSError, ValueError, KeyError, IndexError, RuntimeError, SyntaxError,
                   TypeError, AttributeError, EOFError, RecursionError)


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."


def load_file(
    path: Path,
    *,
    source: str,
    content_hash: str,
    password: str | None = None,
    ocr: bool = True,
    max_pages: int | None = None,
    max_unzipped_mb: int | None = None,
    max_table_cells: int | None = None,
    notes: list[str] | None = None,
    on_page: Callable[[int, int], None] | None = None,
) -> list[Document]:
    """The documents of one file; raises LoaderError (or a subclass) with a one-line reason.

    `ocr`: read scanned PDF pages and images of text with OCR. `max_pages`: refuse PDFs
    with more pages. `max_unzipped_mb`: refuse .docx, .xlsx and .pptx files that unpack to
    more (zip bombs). `max_table_cells`: refuse spreadsheets and CSV files with more cells
    holding values. `notes`, if given, receives one line per thing worth telling the user
    about a file that was read (pages that could not be read, scanned pages left unread,
    hidden sheets and slides, formulas without a saved result).
    `on_page(n, total)` is called as OCR starts on the n-th of a PDF's `total` pages that need it.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if (old := old_format_refusal(suffix)) is not None:
        raise old
    if suffix not in SUPPORTED_SUFFIXES:
        shown = f"'{suffix}'" if suffix else "without a suffix"
        raise UnsupportedFile(
            f"unsupported file type {shown}: supported are "
            + ", ".join(sorted(SUPPORTED_SUFFIXES))
        )
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise LoaderError(f"cannot be read: {exc.strerror or exc}") from exc
    if not path.is_file():
        raise LoaderError("cannot be read: it is not a regular file")
    if size == 0:
        raise LoaderError("file is empty")
    found = _FORMATS[suffix]
    loader: Callable[..., list[Document]] = getattr(
        importlib.import_module(f"{__name__}.{found.module}"), found.function)
    given = {"password": password, "ocr": ocr, "max_pages": max_pages, "max_unzipped_mb": max_unzipped_mb,
             "max_table_cells": max_table_cells, "notes": notes, "on_page": on_page}
    try:
        documents = loader(path, source=source, content_hash=content_hash,
                           **{name: given[name] for name in found.options})
    except _LIBRARY_ERRORS as exc:
        # The loaders translate the failures they expect; this is the net for the rest,
        # so that no library's exception reaches the user raw.
        log.warning("%s: unexpected %s while loading", source, type(exc).__name__, exc_info=True)
        raise LoaderError(f"cannot be read: {_short(exc)}") from exc
    log.debug("%s: %d documents", source, len(documents))
    return documents
