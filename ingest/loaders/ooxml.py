"""Checks on Office Open XML packages (.docx, .xlsx, .pptx) before a library opens them.

They are zip files: one that is not explains itself (an encrypted file, which Office wraps in
an OLE container; an old .doc/.xls/.ppt renamed; something else), and zip bombs are refused.
Python's zipfile never unpacks more than a member's declared size, so checking the declared
sizes bounds what python-docx, openpyxl and python-pptx can unpack.
"""
from __future__ import annotations

import logging
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from core.errors import EncryptedFile, LoaderError
from ingest.loaders.old_formats import OLD_OF_NEWER

log = logging.getLogger(__name__)
Package = TypeVar("Package")

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")
DEFAULT_MAX_UNZIPPED_MB = 500
_MAX_MEMBERS = 10_000
_MAX_RATIO = 200  # uncompressed/compressed; XML compresses about 10:1, bombs 1000:1
_RATIO_FROM = 1 << 20  # members smaller than this may have any ratio


def _check_container(path: Path, suffix: str) -> None:
    """Explain files that are not a zip package: encrypted, an old binary format, something else."""
    old = OLD_OF_NEWER[suffix]
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
            if head == _OLE_MAGIC:
                if _ENCRYPTED_MARK in head + handle.read(1 << 20):
                    raise EncryptedFile(
                        f"file is encrypted: remove its password in {old.program} and save it again "
                        "(passwords open PDFs only)")
                raise old.refusal()
    except OSError as exc:
        raise LoaderError(f"cannot be read: {exc.strerror or exc}") from exc
    if not zipfile.is_zipfile(path):
        raise LoaderError(f"cannot be read: not a {suffix} file (it is not a zip package)")


def _check_unpacked_size(path: Path, suffix: str, max_unzipped_mb: int) -> None:
    """Refuse zip bombs: too many members, too much unpacked data, or a ratio no document has."""
    try:
        with zipfile.ZipFile(path) as package:
            members = package.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise LoaderError(f"cannot be read: not a valid {suffix} file ({type(exc).__name__})") from exc
    if len(members) > _MAX_MEMBERS:
        raise LoaderError(f"refused: the {suffix} holds {len(members)} parts, more than any document "
                          "needs (a zip bomb?)")
    total = sum(m.file_size for m in members)
    if total > max_unzipped_mb * 1024 * 1024:
        raise LoaderError(f"refused: the {suffix} unpacks to {total / 2**20:.0f} MB, more than the "
                          f"{max_unzipped_mb} MB allowed (a zip bomb?)", setting="max_unzipped_mb")
    for member in members:
        if member.file_size >= _RATIO_FROM and member.file_size > _MAX_RATIO * max(member.compress_size, 1):
            raise LoaderError(f"refused: a part of the {suffix} ({member.filename[:60]}) unpacks "
                              f"{member.file_size // max(member.compress_size, 1)} times larger than it is "
                              "stored (a zip bomb)")


def check_package(path: Path, max_unzipped_mb: int | None) -> None:
    """Raise LoaderError (EncryptedFile, OldFormatFile) unless `path` is a zip package of a
    sane size; its suffix (.docx, .xlsx or .pptx) names the format in the messages."""
    suffix = path.suffix.lower()
    _check_container(path, suffix)
    _check_unpacked_size(path, suffix, max_unzipped_mb or DEFAULT_MAX_UNZIPPED_MB)


def open_package(path: Path, max_unzipped_mb: int | None, opener: Callable[[Path], Package],
                 errors: tuple[type[Exception], ...]) -> Package:
    """`opener(path)` (python-docx, openpyxl, python-pptx) on a checked package; its `errors`
    for a malformed one, and the zip and part errors every library lets through, become a
    LoaderError."""
    check_package(path, max_unzipped_mb)
    try:
        return opener(path)
    except (zipfile.BadZipFile, KeyError, ValueError, *errors) as exc:
        log.info("%s cannot be opened: %r", path, exc)
        raise LoaderError(f"cannot be read: not a valid {path.suffix.lower()} file ({type(exc).__name__})") from exc
