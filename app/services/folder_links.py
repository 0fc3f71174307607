"""Folders linked to a knowledge base and kept in sync with it: the knowledge service's part
(`python -m ingest --link DIR`, `--unlink DIR`, `--links`, `--watch`).

The links are stored by ingest/links.py in the knowledge base's folder; the watching is
ingest/watch.py's. This module opens the knowledge bases and builds their pipelines.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from app.services.resources import Resources
from core.enums import FileStatus
from core.errors import ConfigError, KnowledgeBaseNotFound
from core.types import IngestSummary
from ingest.links import LinkedFolder, add_link, load_links, record_sync, remove_link
from ingest.pipeline import IngestPipeline
from ingest.watch import FolderWatcher, OnReport, WatchTarget
from retrieval.kb.opening import knowledge_base_exists, knowledge_base_names
from retrieval.kb.schema import validate_kb_name


class FolderLinks:
    """Linking folders to knowledge bases, listing the links, and watching them."""

    def __init__(self, resources: Resources) -> None:
        self._res = resources
        self._settings = resources.settings

    def _pipeline(self, kb_name: str, *, create: bool = False, progress: bool = False) -> IngestPipeline:
        validate_kb_name(kb_name)
        if not create and not knowledge_base_exists(self._settings.kb_root, kb_name):
            raise KnowledgeBaseNotFound(kb_name)
        kb = self._res.knowledge_base(kb_name, create=create)
        return IngestPipeline(kb, self._res.embedder, self._settings.ingest_config(), progress=progress)

    def link(self, kb_name: str, folder: Path, *, progress: bool = False,
             on_wait: Callable[[str], None] | None = None) -> IngestSummary:
        """Link a folder to a knowledge base (created on first use) and ingest it, removing
        the documents of files gone from it."""
        if not Path(folder).expanduser().is_dir():
            raise ConfigError(f"'{folder}' is not a folder: link a folder of documents")
        pipeline = self._pipeline(kb_name, create=True, progress=progress)
        link = add_link(pipeline.kb.path, folder)
        summary = pipeline.run([Path(link.folder)], on_wait=on_wait)
        pipeline.prune(under=[Path(link.folder)])
        record_sync(pipeline.kb.path, link.folder,
                    [(o.path, o.reason) for o in summary.outcomes if o.status == FileStatus.FAILED])
        return summary

    def unlink(self, kb_name: str, folder: Path) -> bool:
        """Stop syncing a folder (its documents stay indexed); whether it was linked."""
        return remove_link(self._pipeline(kb_name).kb.path, folder)

    def links(self, kb_name: str) -> list[LinkedFolder]:
        return load_links(self._pipeline(kb_name).kb.path)

    def watch(self, kb_name: str | None, stop: threading.Event, on_report: OnReport | None = None,
              on_started: Callable[[], None] | None = None, *, quiet: float | None = None) -> None:
        """Follow the folders linked to `kb_name` (every knowledge base's when None) until
        `stop` is set; ConfigError when there are none."""
        names = [kb_name] if kb_name is not None else knowledge_base_names(self._settings.kb_root)
        targets = []
        for name in names:
            pipeline = self._pipeline(name)
            targets += [WatchTarget(name, pipeline.kb.path, link.folder, pipeline)
                        for link in load_links(pipeline.kb.path)]
        if not targets:
            where = f"knowledge base '{kb_name}'" if kb_name is not None else "any knowledge base"
            raise ConfigError(f"no folder is linked to {where}: link one with "
                              f"`python -m ingest --link DIR --kb {kb_name or 'NAME'}`")
        watcher = FolderWatcher(targets, on_report, **({} if quiet is None else {"quiet": quiet}))
        watcher.run(stop, on_started)  # it looks at `stop` at least once a second

