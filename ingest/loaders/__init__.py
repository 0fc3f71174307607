"""File loaders: turn one file into `Document`s, whatever its format.

`load_file` dispatches on the lower-cased suffix. Every failure is a `LoaderError` (or
`UnsupportedFile`, `EncryptedFile`) whose message is one line a user can act on; a file
that has no text at all gives [] (the pipeline reports "no text found").

PDF pages without a usable text layer are read with OCR (`ocr=True`, the default; see
`pdf_quality` and `ocr`); the limits on hostile input (page count, unpacked size of a
.docx) are keyword arguments, set by the pipeline from the settings.

Loaders know files only: no splitting, embedding or storing here.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from core.errors import LoaderError, UnsupportedFile
from core.types import Document

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES: frozenset[str] = frozenset(
    {".pdf", ".txt", ".md", ".markdown", ".docx", ".html", ".htm"}
)

__all__ = ["SUPPORTED_SUFFIXES", "load_file"]

# What parsing libraries raise on malformed input (lxml's XMLSyntaxError is a SyntaxError,
# MuPDF's errors are RuntimeErrors, zipfile's BadZipFile and UnicodeError ValueErrors).
_LIBRARY_ERRORS = (OSError, ValueError, KeyError, IndexError, RuntimeError, SyntaxError,
                   TypeError, AttributeError, EOFError, RecursionError)


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."


def _loader(suffix: str) -> Callable[..., list[Document]]:
    # Imported on use: a text-only run needs neither PyMuPDF nor python-docx.
    if suffix == ".pdf":
        from ingest.loaders.pdf import load_pdf
        return load_pdf
    if suffix == ".txt":
        from ingest.loaders.text import load_text
        return load_text
    if suffix in (".md", ".markdown"):
        from ingest.loaders.text import load_markdown
        return load_markdown
    if suffix == ".docx":
        from ingest.loaders.docx import load_docx
        return load_docx
    from ingest.loaders.html import load_html
    return load_html


def load_file(
    path: Path,
    *,
    source: str,
    content_hash: str,
    password: str | None = None,
    ocr: bool = True,
    max_pages: int | None = None,
    max_unzipped_mb: int | None = None,
    notes: list[str] | None = None,
    on_page: Callable[[int, int], None] | None = None,
) -> list[Document]:
    """The documents of one file; raises LoaderError (or a subclass) with a one-line reason.

    `ocr`: read scanned PDF pages and images of text with OCR. `max_pages`: refuse PDFs
    with more pages. `max_unzipped_mb`: refuse .docx files that unpack to more (zip
    bombs). `notes`, if given, receives one line per thing worth telling the user about
    a file that was read (pages that could not be read, scanned pages left unread).
    `on_page(n, total)` is called as OCR starts on the n-th of a PDF's `total` pages that need it.
    """
    path = Path(path)
    suffix = path.suffix.lower()
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
    loader = _loader(suffix)
    try:
        if suffix == ".pdf":
            documents = loader(path, source=source, content_hash=content_hash, password=password,
                               ocr=ocr, max_pages=max_pages, notes=notes, on_page=on_page)
        elif suffix == ".docx":
            documents = loader(path, source=source, content_hash=content_hash, max_unzipped_mb=max_unzipped_mb)
        else:
            documents = loader(path, source=source, content_hash=content_hash)
    except _LIBRARY_ERRORS as exc:
        # The loaders translate the failures they expect; this is the net for the rest,
        # so that no library's exception reaches the user raw.
        log.warning("%s: unexpected %s while loading", source, type(exc).__name__, exc_info=True)
        raise LoaderError(f"cannot be read: {_short(exc)}") from exc
    log.debug("%s: %d documents", source, len(documents))
    return documents
