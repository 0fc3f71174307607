"""Storing uploaded bytes in a knowledge base's folder, safely.

Names lose every path component and control character (an upload can never leave the
folder), a different file is never silently replaced, and bytes already indexed are not
stored twice. Shared by every interface that accepts uploads (the UI and the HTTP API).
"""
from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from collections.abc import Collection, Mapping
from pathlib import Path

from core.enums import DocStatus, UploadStatus
from core.errors import DiskFull, LoaderError, UnsupportedFile, is_disk_full
from core.hashing import sha256_bytes
from core.types import SavedUpload
from ingest.loaders import SUPPORTED_SUFFIXES, old_format_refusal

# Bytes, not characters: ext4 and most file systems allow 255 bytes per name.
_MAX_NAME_BYTES = 180
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')


def safe_filename(name: str) -> str:
    """A file name without path components, control or reserved characters.

    Keeps the suffix, Unicode letters (Chinese names stay Chinese) and spaces; never
    returns "", ".", ".." or a hidden name.
    """
    base = re.split(r"[/\\]", unicodedata.normalize("NFC", name or ""))[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = _UNSAFE.sub("_", base).strip().lstrip(".").rstrip(". ")
    stem, suffix = os.path.splitext(base)
    stem, suffix = stem or "upload", suffix.lower()
    while len((stem + suffix).encode("utf-8")) > _MAX_NAME_BYTES:
        stem = stem[:-1]
    return stem.rstrip(". ") + suffix



def check_upload(filename: str, size: int, max_mb: int) -> str:
    """The safe name for an upload, or LoaderError/UnsupportedFile saying why it is refused."""
    name = safe_filename(filename)
    suffix = Path(name).suffix.lower()
    if (old := old_format_refusal(suffix, filename)) is not None:
        raise old
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnsupportedFile(f"{filename}: unsupported file type '{suffix or 'none'}': supported are "
                              + ", ".join(sorted(SUPPORTED_SUFFIXES)))
    if size > max_mb * 1024 * 1024:
        raise LoaderError(f"{filename} is {size / 1024 / 1024:.0f} MB, larger than the {max_mb} MB limit",
                          setting="max_file_mb")
    if size == 0:
        raise LoaderError(f"{filename} is empty")
    return name


def store_upload(folder: Path, filename: str, data: bytes, *, max_mb: int,
                 known_hashes: Mapping[str, str], replace: bool = False) -> SavedUpload:
    """Write an upload into `folder` under a safe name.

    `known_hashes` maps content hashes of the knowledge base's documents to their paths:
    bytes already indexed are not stored twice. A different file of the same name is
    replaced only when `replace`; otherwise the upload is saved as "name (2).ext".
    """
    name = check_upload(filename, len(data), max_mb)
    digest = sha256_bytes(data)
    target = (folder / name).resolve()
    if digest in known_hashes:
        known = Path(known_hashes[digest])
        return SavedUpload(known, UploadStatus.UNCHANGED if known == target else UploadStatus.DUPLICATE, digest)
    if _same_bytes(target, data, digest):  # stored before, but not indexed (it failed): retry it
        return SavedUpload(target, UploadStatus.SAVED, digest)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return _write(folder, target, name, data, digest, replace)
    except OSError as exc:
        if is_disk_full(exc):  # what was half written is gone already (`_write` removes its temporary file)
            raise DiskFull(f"the disk is full: {filename} could not be stored") from exc
        raise


def _write(folder: Path, target: Path, name: str, data: bytes, digest: str, replace: bool) -> SavedUpload:
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        if replace:
            os.replace(tmp, target)
            return SavedUpload(target, UploadStatus.SAVED, digest)
        candidate, number = target, 1
        while True:
            try:
                os.link(tmp, candidate)  # fails if the name is taken: no silent overwrite
                break
            except FileExistsError:
                number += 1
                candidate = target.with_name(f"{target.stem} ({number}){target.suffix}")
        return SavedUpload(candidate, UploadStatus.SAVED, digest, name if candidate != target else "")
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _same_bytes(path: Path, data: bytes, digest: str) -> bool:
    try:
        return path.stat().st_size == len(data) and sha256_bytes(path.read_bytes()) == digest
    except OSError:
        return False


def document_hashes(records: Collection) -> dict[str, str]:
    """content hash -> path of the indexed (status ok) documents of a knowledge base."""
    return {r.content_hash: r.path for r in records if r.status == DocStatus.OK}
