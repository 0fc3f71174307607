"""Linked folders followed while a server runs: what `python -m ingest --watch` does, in a
thread of the process. The HTTP server (app/api/server.py) starts it with itself and stops
it with itself; the Streamlit app starts one per process (app/ui/runtime.py) and stops it
when the process exits.

Every knowledge base's linked folders are followed, and the links are read again every
few seconds (ingest/watch.py's REFRESH_SECONDS), so a folder linked while the server runs
(on the knowledge-base page, or with `python -m ingest --link`) is followed without a
restart. Several followers of one folder (the app, the API server, a `--watch`) take turns
under the knowledge base's write lock, and each change is indexed once: the second to come
finds the file's bytes already indexed under its path.
"""
from __future__ import annotations

import logging
import threading

from app.services.protocols import KnowledgeService
from core.errors import YizhiError
from ingest.watch import SyncReport

log = logging.getLogger(__name__)
_JOIN_SECONDS = 10.0  # the watcher looks at its stop event 5 times a second between batches
RESTART_SECONDS = 10.0  # after an unexpected error the folders are followed again this long after


class LinkedFolderSync:
    """Follows every knowledge base's linked folders in a thread of its own."""

    def __init__(self, knowledge: KnowledgeService) -> None:
        self._knowledge = knowledge
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start following (the folders linked now, and those linked later)."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="linked-folders", daemon=True)
        self._thread.start()
        log.info("following the linked folders of every knowledge base")

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._knowledge.watch(None, self._stop, self._report, wait_for_links=True)
                return
            except YizhiError as exc:  # the process goes on; the log says why, and it is tried again
                log.warning("linked folders are not followed for now: %s", exc)
            except Exception:  # noqa: BLE001  (a thread of a server: its end would stop every folder for good)
                log.exception("unexpected error while following the linked folders")
            self._stop.wait(RESTART_SECONDS)

    @staticmethod
    def _report(report: SyncReport) -> None:
        if report.error:
            log.warning("linked folder %s of '%s' not synced: %s", report.folder, report.kb_name, report.error)
        else:
            log.info("linked folder %s of '%s' synced: %s", report.folder, report.kb_name, report.summary)

    def stop(self) -> None:
        """Stop following (a batch under way finishes first, as an interrupted ingest's file does)."""
        if self._stop.is_set():
            return
        self._stop.set()
        if self._thread is not None:
            self._thread.join(_JOIN_SECONDS)
            if self._thread.is_alive():
                log.warning("the linked-folder follower did not stop within %.0f s (a batch is still running)",
                            _JOIN_SECONDS)
            else:
                log.info("stopped following the linked folders")
