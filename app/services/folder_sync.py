"""Linked folders followed while a server runs: what `python -m ingest --watch` does, in a
thread of the HTTP server (app/api/server.py starts it with the server and stops it with it).

Only the folders linked when the server starts are followed; one linked later is followed
from the next start (or by `python -m ingest --watch`).
"""
from __future__ import annotations

import logging
import threading

from app.services.protocols import KnowledgeService
from core.errors import YizhiError
from ingest.watch import SyncReport

log = logging.getLogger(__name__)
_JOIN_SECONDS = 10.0  # the watcher looks at its stop event at least once a second


class LinkedFolderSync:
    """Follows every knowledge base's linked folders in a thread of its own."""

    def __init__(self, knowledge: KnowledgeService) -> None:
        self._knowledge = knowledge
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> bool:
        """Start following, when any folder is linked; whether it started."""
        linked = [name for name in self._knowledge.list_knowledge_bases() if self._knowledge.linked_folders(name)]
        if not linked:
            log.info("no folder is linked to a knowledge base: nothing to follow")
            return False
        self._thread = threading.Thread(target=self._run, name="linked-folders", daemon=True)
        self._thread.start()
        log.info("following the folders linked to %s", ", ".join(linked))
        return True

    def _run(self) -> None:
        try:
            self._knowledge.watch(None, self._stop, self._report)
        except YizhiError as exc:  # the server goes on serving; the log says why folders are not followed
            log.warning("linked folders are no longer followed: %s", exc)

    @staticmethod
    def _report(report: SyncReport) -> None:
        if report.error:
            log.warning("linked folder %s of '%s' not synced: %s", report.folder, report.kb_name, report.error)
        else:
            log.info("linked folder %s of '%s' synced: %s", report.folder, report.kb_name, report.summary)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(_JOIN_SECONDS)
