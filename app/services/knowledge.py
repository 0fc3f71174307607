"""Knowledge bases and ingestion: the one ingestion path of every interface.

`python -m ingest`, the UI and the HTTP API all create, fill and empty knowledge bases
through this service, so the same limits, locks and outcomes apply everywhere.
"""
from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from app.services.conversations import SqliteConversationService
from app.services.folder_links import FolderLinks
from app.services.overview import OVERVIEW_SAMPLE, headings_of, questions_of
from app.services.protocols import OnFile, OnPage
from app.services.records import KnowledgeOverview, PassageWindow
from app.services.resources import Resources
from core.enums import DocStatus, FileStatus, VectorStore
from core.errors import ConfigError, KnowledgeBaseNotFound, PassageNotFound
from core.types import Chunk, DocumentRecord, FileOutcome, IngestSummary, PassageContext, SavedUpload
from ingest.context import passage_context
from ingest.links import LinkedFolder
from ingest.loaders import OLD_FORMAT_SUFFIXES, SUPPORTED_SUFFIXES
from ingest.pipeline import IngestPipeline
from ingest.uploads import document_hashes, store_upload
from ingest.watch import OnReport
from retrieval.kb.manage import (
    folder_prefixes,
    migrate_knowledge_base,
    moved_path,
    remove_knowledge_base,
    rename_knowledge_base,
)
from retrieval.kb.opening import knowledge_base_exists, knowledge_base_names
from retrieval.kb.protocols import KnowledgeBase
from retrieval.kb.schema import validate_kb_name

log = logging.getLogger(__name__)

UPLOADS = "files"  # a knowledge base's folder of uploaded files
MAX_RADIUS = 5  # neighbours a passage is read with, each side
BUSY_TIMEOUT = 2.0  # seconds a delete or rename waits for another writer before saying it is busy


class LocalKnowledgeService:
    def __init__(self, resources: Resources, conversations: SqliteConversationService | None = None) -> None:
        self._res = resources
        self._settings = resources.settings
        self._conversations = conversations  # renamed knowledge bases are renamed in them too
        self._links = FolderLinks(resources)

    def _pipeline(self, kb: KnowledgeBase, *, progress: bool = False) -> IngestPipeline:
        return IngestPipeline(kb, self._res.embedder, self._settings.ingest_config(), progress=progress)

    def _existing(self, name: str) -> KnowledgeBase:
        validate_kb_name(name)
        if not self.exists(name):
            raise KnowledgeBaseNotFound(name)
        return self._res.knowledge_base(name)

    # --- knowledge bases ---------------------------------------------------------------
    def list_knowledge_bases(self) -> list[str]:
        return knowledge_base_names(self._settings.kb_root)

    def exists(self, name: str) -> bool:
        return knowledge_base_exists(self._settings.kb_root, name)

    def create_knowledge_base(self, name: str) -> str:
        """Create an empty knowledge base; ConfigError when the name is invalid or taken."""
        name = validate_kb_name((name or "").strip())
        if self.exists(name):
            raise ConfigError(f"knowledge base '{name}' already exists: pick another name")
        self._res.knowledge_base(name, create=True)
        return name

    def delete_knowledge_base(self, name: str) -> None:
        """Delete a knowledge base with its index and uploaded files."""
        kb = self._existing(name)
        with kb.write_lock(timeout=BUSY_TIMEOUT):  # KnowledgeBaseBusy while another writer is at work
            self._res.forget(name)
            remove_knowledge_base(kb)  # the folder, and the Milvus collection if it has one

    def rename_knowledge_base(self, name: str, new_name: str) -> str:
        """Give a knowledge base another name; returns it. Its folder moves with the index,
        the uploaded files and the dictionary (nothing is re-embedded), and the saved
        conversations that asked it ask the new name. ConfigError when the new name is not
        valid (the rule of `create_knowledge_base`) or is taken; KnowledgeBaseNotFound when
        there is no `name`; KnowledgeBaseBusy while another writer is at work."""
        validate_kb_name(name)
        if not self.exists(name):
            raise KnowledgeBaseNotFound(name)
        new_name = validate_kb_name((new_name or "").strip())
        if new_name != name and self.exists(new_name):
            raise ConfigError(f"knowledge base '{new_name}' already exists: pick another name")
        kb = self._res.forget(name)  # this process's open copy: its files are about to move
        if kb is not None:
            kb.close()
        root = self._settings.kb_root
        prefixes = folder_prefixes(root, name, new_name)
        rename_knowledge_base(root, name, new_name, self._settings.store_config(), BUSY_TIMEOUT)  # logs what it did
        if self._conversations is not None:
            try:
                changed = self._conversations.rename_knowledge_base(name, new_name, lambda p: moved_path(p, prefixes))
                log.info("%d saved conversation(s) now ask '%s' instead of '%s'", changed, new_name, name)
            except sqlite3.Error:  # the knowledge base is renamed: stale conversations only lose it from their picks
                log.warning("saved conversations still name '%s' (renamed to '%s')", name, new_name, exc_info=True)
        return new_name

    def migrate(self, name: str, to: str) -> str:
        """Move a knowledge base to another vector store (faiss | milvus), copying its stored
        vectors and lexical rows: nothing is re-embedded. One line saying what was done."""
        self._existing(name)
        kb = self._res.forget(name)  # this process's open copy would hold the old backend
        if kb is not None:
            kb.close()
        return migrate_knowledge_base(self._settings.kb_root, name, to, self._settings.store_config(),
                                      self._settings.lock_timeout)

    def vector_store(self, name: str) -> VectorStore:
        """The backend a knowledge base uses: faiss or milvus."""
        return self._existing(name).backend

    def documents(self, kb_name: str) -> list[DocumentRecord]:
        return self._existing(kb_name).documents()

    # --- ingestion ---------------------------------------------------------------------
    def ingest(self, kb_name: str, paths: Sequence[Path], *, password: str | None = None,
               progress: bool = False, on_file: OnFile | None = None,
               on_wait: Callable[[str], None] | None = None, on_page: OnPage | None = None) -> IngestSummary:
        """Add or update files and folders (created on first use); unchanged files are skipped.

        `on_page(path, n, total)` is called as OCR starts on the n-th of a file's `total`
        pages that need it (scans take seconds a page)."""
        validate_kb_name(kb_name)
        kb = self._res.knowledge_base(kb_name, create=True)
        return self._pipeline(kb, progress=progress).run(paths, password=password, on_file=on_file,
                                                         on_wait=on_wait, on_page=on_page)

    def remove_document(self, kb_name: str, path: str) -> bool:
        return self._pipeline(self._existing(kb_name)).remove(path)

    def repair(self, kb_name: str) -> str:
        """Check that the database and both indexes agree, repair them if not; one line of findings."""
        kb = self._existing(kb_name)
        with kb.write_lock(self._settings.lock_timeout):
            report = kb.repair()
        return report.summary() + ("" if report.ok else " (repaired)")

    def relex(self, kb_name: str) -> str:
        """Make the vocabulary and every lexical row again from the stored text (after editing
        `<kb>/dict.txt`); nothing is re-embedded. One line saying what was done."""
        kb = self._existing(kb_name)
        started = time.perf_counter()
        with kb.write_lock(self._settings.lock_timeout):
            count = kb.rebuild_lexical()
        return (f"lexical rows of {count} chunks made again with {len(kb.vocabulary())} vocabulary terms "
                f"in {time.perf_counter() - started:.1f} s")

    def chunk_count(self, kb_name: str) -> int:
        return self._existing(kb_name).chunk_count()

    def prune(self, kb_name: str) -> list[str]:
        """Remove the documents whose files no longer exist; returns their paths."""
        return self._pipeline(self._existing(kb_name)).prune()

    def delete_document(self, kb_name: str, path: str) -> bool:
        """Remove a document from the index, and its file when it was uploaded."""
        removed = self.remove_document(kb_name, path)
        uploads = (self._existing(kb_name).path / UPLOADS).resolve()
        if Path(path).parent == uploads:
            Path(path).unlink(missing_ok=True)
        return removed

    def reindex(self, kb_name: str, on_file: OnFile | None = None) -> IngestSummary:
        """Read every document's file again (and files added to `<kb>/files/`); drop the
        documents whose files are gone."""
        kb = self._existing(kb_name)
        self._res.embedder.embed_documents(["已知"])  # a model that cannot load fails before anything is removed
        pipeline = self._pipeline(kb)
        summary = IngestSummary([FileOutcome(p, FileStatus.REMOVED, "the file no longer exists")
                                 for p in pipeline.prune()])
        files = [Path(d.path) for d in kb.documents() if Path(d.path).is_absolute()]
        uploads = kb.path / UPLOADS
        known = {str(p) for p in files}
        if uploads.is_dir():
            files += [p.resolve() for p in sorted(uploads.iterdir())
                      if p.is_file() and not p.name.startswith(".") and str(p.resolve()) not in known]
        started = time.perf_counter()
        for path in files:
            pipeline.remove(path)  # the pipeline skips unchanged files: forget this one first
            summary.outcomes += pipeline.run([path], on_file=on_file).outcomes
        summary.seconds = time.perf_counter() - started
        return summary

    # --- linked folders (app/services/folder_links.py) ------------------------------------
    def link_folder(self, kb_name: str, folder: Path, *, progress: bool = False,
                    on_wait: Callable[[str], None] | None = None) -> IngestSummary:
        """Link a folder to a knowledge base (created on first use) and sync it now."""
        return self._links.link(kb_name, folder, progress=progress, on_wait=on_wait)

    def add_folder_link(self, kb_name: str, folder: Path) -> LinkedFolder:
        """Link a folder, given by its whole path, to an existing knowledge base; it is indexed
        by whatever follows the linked folders (in the app's own process: within seconds)."""
        return self._links.add(kb_name, folder)

    def unlink_folder(self, kb_name: str, folder: Path) -> bool:
        return self._links.unlink(kb_name, folder)

    def linked_folders(self, kb_name: str) -> list[LinkedFolder]:
        return self._links.links(kb_name)

    def watch(self, kb_name: str | None, stop: threading.Event, on_report: OnReport | None = None,
              on_started: Callable[[], None] | None = None, *, wait_for_links: bool = False) -> None:
        """Keep the linked folders of `kb_name` (of every knowledge base when None) in sync until
        `stop` is set, those linked meanwhile too; with `wait_for_links`, even when none is yet."""
        self._links.watch(kb_name, stop, on_report, on_started, wait_for_links=wait_for_links)

    # --- uploads and sources -----------------------------------------------------------
    def upload_types(self) -> list[str]:
        """File suffixes (without the dot) that can be indexed."""
        return sorted(s.lstrip(".") for s in SUPPORTED_SUFFIXES)

    def old_format_types(self) -> list[str]:
        """Suffixes of old Office formats (doc, xls, ppt, WPS's own): not indexed, but worth
        taking in an upload, to be refused with the newer format to save them in."""
        return sorted(s.lstrip(".") for s in OLD_FORMAT_SUFFIXES)

    def save_upload(self, kb_name: str, filename: str, data: bytes, *, replace: bool = False) -> SavedUpload:
        """Store an uploaded file under `<kb>/files/` with a safe name (see ingest.uploads)."""
        kb = self._existing(kb_name)
        return store_upload(kb.path / UPLOADS, filename, data, max_mb=self._settings.max_file_mb,
                            known_hashes=document_hashes(kb.documents()), replace=replace)

    def source_file(self, kb_names: Sequence[str], source: str) -> Path | None:
        """The file of a cited source, if it is a document of these knowledge bases and exists."""
        for name in kb_names:
            if self.exists(name) and self._res.knowledge_base(name).document(source):
                path = Path(source)
                return path if path.is_file() else None
        return None

    def passage_context(self, kb_names: Sequence[str], source: str, text: str, radius: int = 1) -> PassageContext:
        """A cited passage with its neighbouring chunks, read again from its file."""
        path = self.source_file(kb_names, source)
        if path is None:
            return PassageContext((), text, (), False)
        return passage_context(path, source, text, self._settings.ingest_config(), radius)

    def overview(self, kb_name: str) -> KnowledgeOverview:
        """What a knowledge base holds: counts, the newest indexing time, and headings and
        question sentences from a sample of its chunks (for a first screen's example questions)."""
        kb = self._existing(kb_name)
        documents = kb.documents()
        ids = kb.chunk_ids()
        step = max(1, len(ids) // OVERVIEW_SAMPLE)
        chunks = kb.chunks([int(i) for i in sorted(ids)[::step][:OVERVIEW_SAMPLE]])
        ordered = sorted(chunks.values(), key=lambda c: (c.source, c.position))
        return KnowledgeOverview(
            kb_name, len(documents), sum(d.status == DocStatus.FAILED for d in documents), len(ids),
            sum(d.pages for d in documents), sum(d.ocr_pages for d in documents),
            max((d.updated_at for d in documents), default=0.0),
            tuple(headings_of(ordered)), tuple(questions_of(c.text for c in ordered)))

    # --- passages by id ----------------------------------------------------------------
    def passage(self, kb_name: str, chunk_id: int, radius: int = 1) -> PassageWindow:
        """A stored passage (chunk) by its id, with up to `radius` neighbouring passages of
        its document on each side (0..MAX_RADIUS). PassageNotFound when the id is not (or no
        longer) there.

        A document's chunks are stored in one go under consecutive ids in document order
        (the catalogue's `replace_document`), so its neighbours are among the ids within
        `radius` of it; they are read through the knowledge base's `chunks`, and kept only
        when they are of the same document and within `radius` positions."""
        if not 0 <= radius <= MAX_RADIUS:
            raise ConfigError(f"radius must be between 0 and {MAX_RADIUS}, got {radius}", "radius")
        kb = self._existing(kb_name)
        found = kb.chunks([chunk_id]).get(chunk_id)
        if found is None:
            raise PassageNotFound(kb_name, chunk_id)
        window = kb.chunks(list(range(max(0, chunk_id - radius), chunk_id + radius + 1)))
        near = sorted((c for c in window.values() if c.source == found.source and c.chunk_id != chunk_id
                       and abs(c.position - found.position) <= radius), key=lambda c: c.position)
        return PassageWindow(kb_name, found, tuple(c for c in near if c.position < found.position),
                             tuple(c for c in near if c.position > found.position))

    def knowledge_base_of(self, kb_names: Sequence[str], chunk: Chunk) -> str | None:
        """Which of these knowledge bases holds this found chunk (its id, of the same file);
        None when none does (its document changed since). Chunk ids are per knowledge base,
        so a passage is named by both."""
        if chunk.chunk_id is None:
            return None
        for name in kb_names:
            if not self.exists(name):
                continue
            stored = self._res.knowledge_base(name).chunks([chunk.chunk_id]).get(chunk.chunk_id)
            if stored is not None and stored.source == chunk.source and stored.position == chunk.position:
                return name
        return None
