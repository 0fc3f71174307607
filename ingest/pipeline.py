"""Incremental ingestion: files in, chunks and vectors into a knowledge base.

A file is keyed by its path and the sha256 of its bytes. An unchanged file is skipped
before anything is parsed or embedded (so re-ingesting an unchanged folder never loads
a model); a changed file's chunks are replaced in one transaction; a file that cannot
be read is recorded with its reason and the batch goes on.
"""
from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock, Timeout
from tqdm import tqdm

from app.errors import KnowledgeBaseBusy, LoaderError
from app.settings import Settings
from ingest.loaders import SUPPORTED_SUFFIXES, load_file
from ingest.splitter import split_documents
from ingest.types import Document
from retrieval.embedders import Embedder
from retrieval.store import KnowledgeBase

log = logging.getLogger(__name__)

ADDED, UPDATED, SKIPPED, FAILED, REMOVED = "added", "updated", "skipped", "failed", "removed"


@dataclass(frozen=True, slots=True)
class FileOutcome:
    path: str
    status: str
    reason: str = ""
    chunks: int = 0
    pages: int = 0
    ocr_pages: int = 0


@dataclass(slots=True)
class IngestSummary:
    outcomes: list[FileOutcome] = field(default_factory=list)
    seconds: float = 0.0
    embed_seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def chunks(self) -> int:
        return sum(o.chunks for o in self.outcomes if o.status in (ADDED, UPDATED))

    @property
    def pages(self) -> int:
        return sum(o.pages for o in self.outcomes if o.status in (ADDED, UPDATED))

    @property
    def chunks_per_second(self) -> float:
        return self.chunks / self.seconds if self.seconds > 0 else 0.0

    @property
    def failures(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == FAILED]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def discover_files(paths: Iterable[Path]) -> tuple[list[Path], list[FileOutcome]]:
    """Files to ingest under `paths` (sorted), and outcomes for paths that cannot be.

    Folders are walked without following symlinks; hidden files and folders are
    ignored; files of unsupported types are reported, not silently dropped.
    """
    found: list[Path] = []
    rejected: list[FileOutcome] = []
    for given in paths:
        path = Path(given).expanduser()
        if path.is_dir():
            for dirpath, dirnames, filenames in os.walk(path, followlinks=False):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    if name.startswith("."):
                        continue
                    candidate = Path(dirpath) / name
                    if candidate.suffix.lower() in SUPPORTED_SUFFIXES:
                        found.append(candidate)
                    else:
                        rejected.append(FileOutcome(str(candidate.resolve()), FAILED,
                                                    f"unsupported file type '{candidate.suffix or name}'"))
        elif path.is_file():
            found.append(path)
        else:
            rejected.append(FileOutcome(str(path), FAILED, "no such file or folder"))
    return sorted({p.resolve() for p in found}), rejected


class IngestPipeline:
    """Adds, updates and removes whole documents of one knowledge base."""

    def __init__(self, kb: KnowledgeBase, embedder: Embedder, settings: Settings, *, progress: bool = True) -> None:
        self.kb = kb
        self.embedder = embedder
        self.settings = settings
        self.progress = progress
        self._lock = FileLock(str(kb.path / "write.lock"), timeout=settings.lock_timeout)

    def _locked(self):
        try:
            return self._lock.acquire()
        except Timeout as exc:
            raise KnowledgeBaseBusy(
                f"knowledge base '{self.kb.name}' is being written by another process "
                f"(waited {self.settings.lock_timeout:.0f} s): try again when it has finished"
            ) from exc

    def run(self, paths: Sequence[Path], *, password: str | None = None,
            on_file: Callable[[FileOutcome], None] | None = None) -> IngestSummary:
        """Ingest files and folders; returns what happened to each file."""
        started = time.perf_counter()
        files, rejected = discover_files(paths)
        summary = IngestSummary(outcomes=list(rejected))
        self.kb.check_embedder(self.embedder.name)
        with self._locked():
            try:
                bar = tqdm(files, desc=f"ingest → {self.kb.name}", unit="file", disable=not self.progress or None)
                for path in bar:
                    outcome = self._ingest_file(path, password, summary)
                    summary.outcomes.append(outcome)
                    bar.set_postfix(chunks=summary.chunks, failed=summary.count(FAILED))
                    if on_file is not None:
                        on_file(outcome)
            finally:
                self.kb.save()
        summary.seconds = time.perf_counter() - started
        return summary

    def _ingest_file(self, path: Path, password: str | None, summary: IngestSummary) -> FileOutcome:
        source = str(path)
        try:
            size = path.stat().st_size
            if size > self.settings.max_file_mb * 1024 * 1024:
                raise LoaderError(f"file is larger than {self.settings.max_file_mb} MB (setting YIZHI_MAX_FILE_MB)")
            content_hash = file_sha256(path)
        except OSError as exc:
            return FileOutcome(source, FAILED, f"cannot be read: {exc.strerror or exc}")
        except LoaderError as exc:
            return FileOutcome(source, FAILED, str(exc))
        previous = self.kb.document(source)
        if previous is not None and previous.status == "ok" and previous.content_hash == content_hash:
            return FileOutcome(source, SKIPPED, "unchanged", previous.chunks, previous.pages, previous.ocr_pages)
        try:
            documents = load_file(path, source=source, content_hash=content_hash, password=password)
            if not any(d.text.strip() for d in documents):
                raise LoaderError("no text found (an empty file, or a scan without a text layer)")
        except LoaderError as exc:
            self.kb.mark_failed(source, content_hash, str(exc))
            return FileOutcome(source, FAILED, str(exc))
        stored = self.index_documents(source, content_hash, documents, summary)
        status = UPDATED if previous is not None else ADDED
        return FileOutcome(source, status, "", stored.chunks, stored.pages, stored.ocr_pages)

    def index_documents(self, source: str, content_hash: str, documents: Sequence[Document],
                        summary: IngestSummary | None = None) -> FileOutcome:
        """Split, embed and store documents that did not come from a file (or did)."""
        s = self.settings
        chunks = split_documents(documents, s.chunk_size, s.chunk_overlap, title_enhance=s.title_enhance)
        t0 = time.perf_counter()
        vectors = self.embedder.embed_documents([c.retrieval_text for c in chunks])
        if summary is not None:
            summary.embed_seconds += time.perf_counter() - t0
        pages = len({d.page for d in documents if d.page is not None})
        ocr_pages = len({d.page for d in documents if d.ocr})
        self.kb.replace_document(source, content_hash, chunks, vectors, model_name=self.embedder.name,
                                 pages=pages, ocr_pages=ocr_pages)
        return FileOutcome(source, ADDED, "", len(chunks), pages, ocr_pages)

    def remove(self, path: Path | str) -> bool:
        """Remove one document by its path (as given or resolved)."""
        with self._locked():
            candidates = {str(path), str(Path(path).expanduser().resolve())}
            removed = any([self.kb.remove_document(p) for p in candidates])
            self.kb.save()
        return removed

    def prune(self) -> list[str]:
        """Remove documents whose files no longer exist. Returns their paths."""
        with self._locked():
            gone = [d.path for d in self.kb.documents() if os.path.isabs(d.path) and not os.path.exists(d.path)]
            for path in gone:
                self.kb.remove_document(path)
            self.kb.save()
        return gone
