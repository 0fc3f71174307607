"""The write lock of a knowledge base: one writer at a time, across processes.

A file lock (`write.lock` in the knowledge-base folder, flock on POSIX) held for a whole
ingest batch, an upload or a removal. The operating system releases it when its holder
dies, so a killed writer never leaves a knowledge base locked. Readers never take it.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from app.errors import KnowledgeBaseBusy

log = logging.getLogger(__name__)


class WriteLock:
    def __init__(self, path: Path, kb_name: str) -> None:
        self.kb_name = kb_name
        self._lock = FileLock(str(path))

    @contextmanager
    def hold(self, timeout: float, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
        """Hold the lock, waiting up to `timeout` s for another writer to finish.

        `on_wait(message)` is told once when another writer holds it; KnowledgeBaseBusy
        is raised when the wait times out.
        """
        if not self.try_acquire():
            message = (f"knowledge base '{self.kb_name}' is being written by another process: "
                       f"waiting up to {timeout:.0f} s for it to finish")
            log.info(message)
            if on_wait is not None:
                on_wait(message)
            try:
                self._lock.acquire(timeout=timeout)
            except Timeout as exc:
                raise KnowledgeBaseBusy(
                    f"knowledge base '{self.kb_name}' is being written by another process "
                    f"(waited {timeout:.0f} s): try again when it has finished, or raise YIZHI_LOCK_TIMEOUT"
                ) from exc
        try:
            yield
        finally:
            self._lock.release()

    def try_acquire(self) -> bool:
        """Take the lock if nobody else holds it (reentrant for its holder); release() after."""
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            return False
        return True

    def release(self) -> None:
        self._lock.release()
