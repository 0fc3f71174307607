"""Folders linked to a knowledge base and kept in sync with it: the knowledge service's part
(`python -m ingest --link DIR`, `--unlink DIR`, `--links`, `--watch`).

The links are stored by ingest/links.py in the knowledge base's folder; the watching is
ingest/watch.py's. This module opens the knowledge bases and builds their pipelines.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from app.services.resources import Resources
from core.enums import FileStatus
from core.errors import ConfigError, KnowledgeBaseNotFound, YizhiError
from core.types import IngestSummary
from ingest.links import LinkedFolder, add_link, check_linkable, load_links, record_sync, remove_link
from ingest.pipeline import IngestPipeline
from ingest.watch import FolderWatcher, OnReport, WatchTarget
from retrieval.kb.opening import knowledge_base_exists, knowledge_base_names
from retrieval.kb.schema import validate_kb_name

log = logging.getLogger(__name__)


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
        check_linkable(folder, self._settings.data_dir)  # before a knowledge base is created for it
        pipeline = self._pipeline(kb_name, create=True, progress=progress)
        link = add_link(pipeline.kb.path, folder, self._settings.data_dir)
        summary = pipeline.run([Path(link.folder)], on_wait=on_wait)
        pipeline.prune(under=[Path(link.folder)])
        record_sync(pipeline.kb.path, link.folder,
                    [(o.path, o.reason) for o in summary.outcomes if o.status == FileStatus.FAILED])
        return summary

    def add(self, kb_name: str, folder: Path) -> LinkedFolder:
        """Link a folder (given by its whole path) to an existing knowledge base without
        indexing it now: whatever follows the linked folders in this process (LinkedFolderSync)
        reconciles it within a few seconds. FolderNotLinkable says why a folder cannot be."""
        return add_link(self._pipeline(kb_name).kb.path, folder, self._settings.data_dir, absolute=True)

    def unlink(self, kb_name: str, folder: Path) -> bool:
        """Stop syncing a folder (its documents stay indexed); whether it was linked."""
        return remove_link(self._pipeline(kb_name).kb.path, folder)

    def links(self, kb_name: str) -> list[LinkedFolder]:
        return load_links(self._pipeline(kb_name).kb.path)

    def _targets(self, kb_name: str | None, said: set[str]) -> list[WatchTarget]:
        """The linked folders now (of `kb_name`, else of every knowledge base). A knowledge base
        whose links cannot be read is left out (said in the log once per reason)."""
        names = [kb_name] if kb_name is not None else knowledge_base_names(self._settings.kb_root)
        targets = []
        for name in names:
            try:
                validate_kb_name(name)
                links = load_links(self._settings.kb_root / name)  # read without opening the knowledge base
                if links:
                    pipeline = self._pipeline(name)
                    targets += [WatchTarget(name, pipeline.kb.path, link.folder, pipeline) for link in links]
            except YizhiError as exc:  # a links file damaged by hand, a knowledge base deleted meanwhile
                if str(exc) not in said:
                    said.add(str(exc))
                    log.warning("the linked folders of '%s' are not followed: %s", name, exc)
        return targets

    def watch(self, kb_name: str | None, stop: threading.Event, on_report: OnReport | None = None,
              on_started: Callable[[], None] | None = None, *, quiet: float | None = None,
              wait_for_links: bool = False) -> None:
        """Follow the folders linked to `kb_name` (every knowledge base's when None) until
        `stop` is set, and those linked meanwhile; ConfigError when there are none at the
        start, unless `wait_for_links`."""
        said: set[str] = set()
        if not wait_for_links and not self._targets(kb_name, said):
            where = f"knowledge base '{kb_name}'" if kb_name is not None else "any knowledge base"
            raise ConfigError(f"no folder is linked to {where}: link one with "
                              f"`python -m ingest --link DIR --kb {kb_name or 'NAME'}`")
        watcher = FolderWatcher(lambda: self._targets(kb_name, said), on_report,
                                **({} if quiet is None else {"quiet": quiet}))
        watcher.run(stop, on_started)  # it looks at `stop` five times a second between batches
