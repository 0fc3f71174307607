"""Knowledge-base housekeeping behind the service's UI methods.

Storing uploaded bytes under a knowledge base with safe names (no path components, never
silently over another file), and finding a cited passage among its neighbours by
re-reading its file. Pure file work: the service wires it to knowledge bases.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from app.errors import LoaderError, UnsupportedFile
from app.settings import Settings
from ingest.loaders import SUPPORTED_SUFFIXES, load_file
from ingest.splitter import split_documents

SAVED, UNCHANGED, DUPLICATE = "saved", "unchanged", "duplicate"
# Bytes, not characters: ext4 and most file systems allow 255 bytes per name.
_MAX_NAME_BYTES = 180
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')


@dataclass(frozen=True, slots=True)
class SavedUpload:
    """Where an upload went. `status` is saved, unchanged (same name, same bytes) or
    duplicate (same bytes as another document, `path` is that document's)."""

    path: Path
    status: str
    content_hash: str
    renamed_from: str = ""


@dataclass(frozen=True, slots=True)
class PassageContext:
    """A cited passage with the chunks around it; `found` is False when the file no
    longer yields that passage (changed since indexing, or chunked with other settings)."""

    before: tuple[str, ...]
    text: str
    after: tuple[str, ...]
    found: bool


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


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_upload(filename: str, size: int, max_mb: int) -> str:
    """The safe name for an upload, or LoaderError/UnsupportedFile saying why it is refused."""
    name = safe_filename(filename)
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnsupportedFile(f"{filename}: unsupported file type '{suffix or 'none'}': supported are "
                              + ", ".join(sorted(SUPPORTED_SUFFIXES)))
    if size > max_mb * 1024 * 1024:
        raise LoaderError(f"{filename} is {size / 1024 / 1024:.0f} MB, larger than the {max_mb} MB limit "
                          "(setting YIZHI_MAX_FILE_MB)")
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
    folder.mkdir(parents=True, exist_ok=True)
    target = (folder / name).resolve()
    if digest in known_hashes:
        known = Path(known_hashes[digest])
        return SavedUpload(known, UNCHANGED if known == target else DUPLICATE, digest)
    if _same_bytes(target, data, digest):  # stored before, but not indexed (it failed): retry it
        return SavedUpload(target, SAVED, digest)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        if replace:
            os.replace(tmp, target)
            return SavedUpload(target, SAVED, digest)
        candidate, number = target, 1
        while True:
            try:
                os.link(tmp, candidate)  # fails if the name is taken: no silent overwrite
                break
            except FileExistsError:
                number += 1
                candidate = target.with_name(f"{target.stem} ({number}){target.suffix}")
        return SavedUpload(candidate, SAVED, digest, name if candidate != target else "")
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _same_bytes(path: Path, data: bytes, digest: str) -> bool:
    try:
        return path.stat().st_size == len(data) and sha256_bytes(path.read_bytes()) == digest
    except OSError:
        return False


def passage_context(path: Path, source: str, text: str, settings: Settings, radius: int = 1) -> PassageContext:
    """The chunk of `path` that holds `text`, with `radius` chunks either side.

    Re-reads and re-splits the file with the current chunk settings, so it needs
    neither the index nor the embedder.
    """
    alone = PassageContext((), text, (), False)
    try:
        documents = load_file(path, source=source, content_hash="")
    except LoaderError:
        return alone
    chunks = [c.text for c in split_documents(documents, settings.chunk_size, settings.chunk_overlap,
                                              title_enhance=settings.title_enhance)]
    index = _locate(chunks, text)
    if index is None:
        return alone
    return PassageContext(tuple(chunks[max(0, index - radius):index]), chunks[index],
                          tuple(chunks[index + 1:index + 1 + radius]), True)


def _locate(chunks: list[str], text: str) -> int | None:
    """Where `text` is among `chunks`: equal, or (a truncated citation) a prefix."""
    flat = " ".join(text.split())
    probe = flat.rstrip("…").strip()[:60]
    exact = next((i for i, c in enumerate(chunks) if " ".join(c.split()) == flat), None)
    if exact is not None or not probe:
        return exact
    return next((i for i, c in enumerate(chunks) if probe in " ".join(c.split())), None)


def document_hashes(records: Collection) -> dict[str, str]:
    """content hash -> path of the indexed (status ok) documents of a knowledge base."""
    return {r.content_hash: r.path for r in records if r.status == "ok"}


__all__ = ["DUPLICATE", "PassageContext", "SAVED", "SavedUpload", "UNCHANGED", "check_upload",
           "document_hashes", "passage_context", "safe_filename", "sha256_bytes", "store_upload"]
