"""Incremental ingestion: files in, chunks and vectors into a knowledge base.

A file is keyed by its path and the sha256 of its bytes. An unchanged file is skipped
before anything is parsed or embedded (so re-ingesting an unchanged folder never loads
a model); a changed file's chunks are replaced in one transaction; a file that cannot
be read is recorded with its reason and the batch goes on, whatever the file holds.

Crash safety: each file is committed on its own (chunks, embeddings and lexical rows in
one SQLite transaction), so a batch killed at any moment leaves every file either fully
indexed or not at all, and running it again does exactly the files that were not
finished. The dense index file is written at the end (atomically); when a kill leaves it
behind the database, the next open rebuilds it from the stored embeddings.

Concurrency: a batch holds the knowledge base's write lock from start to end; a second
writer waits for it (up to `config.lock_timeout`), then goes on with the state the
first left. Readers never wait.
"""
from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from tqdm import tqdm

from core.config import IngestConfig
from core.enums import DocStatus, FileStatus
from core.errors import DiskFull, LoaderError, YizhiError, is_disk_full
from core.hashing import file_sha256
from core.types import Document, FileOutcome, IngestSummary
from ingest.child_pieces import child_texts
from ingest.discovery import discover_files, display_path, regular_file_problem
from ingest.loaders import load_file
from ingest.splitter import split_documents
from retrieval.children import split_rows
from retrieval.embedders import Embedder
from retrieval.kb.protocols import KnowledgeBase
from retrieval.lexical_worker import shared_worker

log = logging.getLogger(__name__)

OnPage = Callable[[str, int, int], None]  # (file, n, total): OCR starts on the n-th of its `total` pages to read


class IngestPipeline:
    """Adds, updates and removes whole documents of one knowledge base."""

    def __init__(self, kb: KnowledgeBase, embedder: Embedder, config: IngestConfig, *, progress: bool = True) -> None:
        self.kb = kb
        self.embedder = embedder
        self.config = config
        self.progress = progress

    def _locked(self, on_wait: Callable[[str], None] | None = None):
        return self.kb.write_lock(self.config.lock_timeout, on_wait)

    def run(self, paths: Sequence[Path], *, password: str | None = None,
            on_file: Callable[[FileOutcome], None] | None = None,
            on_wait: Callable[[str], None] | None = None,
            on_page: OnPage | None = None) -> IngestSummary:
        """Ingest files and folders; returns what happened to each file.

        `on_file(outcome)` is called after each file; `on_wait(message)` once if another
        writer holds the knowledge base (this call then waits for it, or raises
        KnowledgeBaseBusy after `config.lock_timeout` seconds); `on_page(path, n, total)`
        as OCR starts on the n-th of the `total` pages of a file that need it (the
        progress bar shows it too).
        """
        started = time.perf_counter()
        files, rejected = discover_files(paths)
        summary = IngestSummary(outcomes=[FileOutcome(r.path, FileStatus.FAILED, r.reason, code=r.code)
                                         for r in rejected])
        self.kb.check_embedder(self.embedder.name)
        with self._locked(on_wait):
            try:
                bar = tqdm(files, desc=f"ingest → {self.kb.name}", unit="file", disable=not self.progress or None)

                def page(source: str, n: int, total: int) -> None:
                    bar.set_postfix_str(f"OCR {n}/{total}: {display_path(source)}")
                    if on_page is not None:
                        on_page(source, n, total)

                for path in bar:
                    try:
                        outcome = self._ingest_file(path, password, summary, page)
                    except DiskFull as exc:  # this file is not indexed, the others are as they were
                        outcome = FileOutcome(str(path), FileStatus.FAILED, str(exc), code=exc.code)
                    summary.outcomes.append(outcome)
                    bar.set_postfix(chunks=summary.chunks, failed=summary.count(FileStatus.FAILED))
                    if on_file is not None:
                        on_file(outcome)
            finally:
                self._save()
        summary.seconds = time.perf_counter() - started
        return summary

    def _save(self) -> None:
        """End the batch (`KnowledgeBase.save`). On a full disk the FAISS file stays as it was:
        it is behind the database then, and the next open rebuilds it from the stored vectors
        (as after a kill), so the batch's outcomes stand."""
        try:
            self.kb.save()
        except (DiskFull, OSError) as exc:
            if not (isinstance(exc, DiskFull) or is_disk_full(exc)):
                raise
            log.warning("the disk is full: the vector index of '%s' is rebuilt from its database when it is "
                        "next opened", self.kb.name)

    def _ingest_file(self, path: Path, password: str | None, summary: IngestSummary,
                     on_page: OnPage | None = None) -> FileOutcome:
        source = str(path)
        s = self.config
        problem = regular_file_problem(path)
        if problem is not None:
            return FileOutcome(source, FileStatus.FAILED, problem)
        try:
            size = path.stat().st_size
            if size > s.max_file_mb * 1024 * 1024:
                raise LoaderError(f"file is larger than the {s.max_file_mb} MB limit", setting="max_file_mb")
            content_hash = file_sha256(path)
        except OSError as exc:
            return FileOutcome(source, FileStatus.FAILED, f"cannot be read: {exc.strerror or exc}")
        except LoaderError as exc:
            return FileOutcome(source, FileStatus.FAILED, str(exc), code=exc.code, setting=exc.setting)
        previous = self.kb.document(source)
        if previous is not None and previous.status == DocStatus.OK and previous.content_hash == content_hash:
            return FileOutcome(source, FileStatus.SKIPPED, "unchanged", previous.chunks, previous.pages, previous.ocr_pages)
        if previous is None and (moved := self._move_from_gone_file(source, content_hash)) is not None:
            return moved
        notes: list[str] = []
        try:
            documents = load_file(path, source=source, content_hash=content_hash, password=password,
                                  ocr=s.ocr, max_pages=s.max_pages, max_unzipped_mb=s.max_unzipped_mb,
                                  max_table_cells=s.max_table_cells, notes=notes,
                                  on_page=None if on_page is None else lambda n, total: on_page(source, n, total))
            if not any(d.text.strip() for d in documents):
                raise LoaderError("no text found (an empty file, or a scan without a text layer)")
        except LoaderError as exc:
            self.kb.mark_failed(source, content_hash, str(exc))
            return FileOutcome(source, FileStatus.FAILED, str(exc), code=exc.code, setting=exc.setting)
        except YizhiError:  # not about this file (a model that cannot load, a full disk): the caller decides
            raise
        except Exception:  # a file must never stop the batch, whatever a parser does with it
            log.exception("unexpected error while reading %s", display_path(source))
            reason = "cannot be read: unexpected error (details in the log)"
            self.kb.mark_failed(source, content_hash, reason)
            return FileOutcome(source, FileStatus.FAILED, reason)
        stored = self.index_documents(source, content_hash, documents, summary)
        status = FileStatus.UPDATED if previous is not None and previous.status == DocStatus.OK else FileStatus.ADDED
        return FileOutcome(source, status, "; ".join(notes), stored.chunks, stored.pages, stored.ocr_pages)

    def _move_from_gone_file(self, source: str, content_hash: str) -> FileOutcome | None:
        """A new path whose bytes are indexed under a path whose file is gone: the file was
        renamed or moved, so its document is pointed at the new path (nothing re-embedded).
        None when there is no such document (a copy beside a file that still exists is read)."""
        for old in self.kb.documents():
            if (old.status == DocStatus.OK and old.content_hash == content_hash and os.path.isabs(old.path)
                    and not os.path.exists(old.path) and self.kb.move_document(old.path, source)):
                log.info("%s was moved to %s: its chunks follow it", display_path(old.path), display_path(source))
                return FileOutcome(source, FileStatus.MOVED, f"moved from {old.path}", old.chunks, old.pages,
                                   old.ocr_pages)
        return None

    def index_documents(self, source: str, content_hash: str, documents: Sequence[Document],
                        summary: IngestSummary | None = None) -> FileOutcome:
        """Split, embed and store documents that did not come from a file (or did)."""
        s = self.config
        chunks = split_documents(documents, s.chunk_size, s.chunk_overlap, title_enhance=s.title_enhance)
        texts = [c.retrieval_text for c in chunks]
        # jieba tokenises in a child process while the embedder works here (in a thread
        # they took turns on the GIL); see retrieval/lexical_worker.py.
        pending = shared_worker().submit(texts, self.kb.vocabulary_for(chunks))
        children = [child_texts(c, s.child_chunk_size, title_enhance=s.title_enhance) for c in chunks]
        t0 = time.perf_counter()
        try:  # the chunks and their child pieces in one batch
            vectors = self.embedder.embed_documents(texts + [t for kids in children for t in kids])
            child_vectors = split_rows(vectors[len(texts):], [len(kids) for kids in children])
            vectors = vectors[:len(texts)]
            if summary is not None:
                summary.embed_seconds += time.perf_counter() - t0
        finally:
            lexical_tokens = pending.result()  # always collected: the next request waits for it
        pages = len({d.page for d in documents if d.page is not None})
        ocr_pages = len({d.page for d in documents if d.ocr})
        self.kb.replace_document(source, content_hash, chunks, vectors, model_name=self.embedder.name,
                                 pages=pages, ocr_pages=ocr_pages, lexical_tokens=lexical_tokens,
                                 child_vectors=child_vectors)
        return FileOutcome(source, FileStatus.ADDED, "", len(chunks), pages, ocr_pages)

    def remove(self, path: Path | str) -> bool:
        """Remove one document by its path (as given or resolved)."""
        with self._locked():
            candidates = {str(path), str(Path(path).expanduser().resolve())}
            removed = any([self.kb.remove_document(p) for p in candidates])
            self.kb.save()
        return removed

    def prune(self, under: Sequence[Path] | None = None) -> list[str]:
        """Remove documents whose files no longer exist (when `under` is given, only those at
        or inside one of its paths). Returns their paths."""
        tops = None if under is None else [str(Path(p).expanduser().resolve()) for p in under]

        def within(path: str) -> bool:
            return tops is None or any(path == top or path.startswith(os.path.join(top, "")) for top in tops)

        with self._locked():
            gone = [d.path for d in self.kb.documents() if os.path.isabs(d.path) and not os.path.exists(d.path)
                    and within(d.path)]
            for path in gone:
                self.kb.remove_document(path)
            self.kb.save()
        return gone
