"""The write lock of a knowledge base: one writer at a time, across processes; and
the serialised opening of its database (`connect`).

A file lock (`write.lock` in the knowledge-base folder, flock on POSIX) held for a whole
ingest batch, an upload or a removal. The operating system releases it when its holder
dies, so a killed writer never leaves a knowledge base locked. Readers never take it.
"""
from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from core.errors import KnowledgeBaseBusy

log = logging.getLogger(__name__)

LOCK_FILE = "write.lock"
SETUP_LOCK_NAME = "setup.lock"
# After a checkpoint the write-ahead log is cut back to this size (SQLite otherwise keeps its
# largest size, on a full disk the size of the transaction that failed).
JOURNAL_SIZE_LIMIT = 4 << 20


class WriteLock:
    """The write lock of the knowledge base in `folder`."""

    def __init__(self, folder: Path, kb_name: str) -> None:
        self.kb_name = kb_name
        self._lock = FileLock(str(folder / LOCK_FILE))

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
                    f"(waited {timeout:.0f} s): try again when it has finished"
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

    @contextmanager
    def held_if_free(self) -> Iterator[bool]:
        """The lock if it is free right now (True), else nothing (False); never waits.
        What an open uses to bring an index or the lexical rows level, and what a rebuilt
        index is saved under: a writer in another process brings them level itself."""
        acquired = self.try_acquire()
        try:
            yield acquired
        finally:
            if acquired:
                self.release()


def connect(db_path: Path, schema: str, kb_name: str, timeout: float = 30.0) -> sqlite3.Connection:
    """Open (creating if needed) a knowledge base's database in WAL mode with its schema.

    Switching a new database to WAL needs an exclusive lock and SQLite does not wait for
    it (no busy handler), so two processes creating one knowledge base at once used to fail
    with "database is locked". A short file lock beside the database serialises this
    setup; it is held for milliseconds, never for a whole batch like the write lock.
    """
    setup = FileLock(str(db_path.with_name(SETUP_LOCK_NAME)))
    try:
        with setup.acquire(timeout=timeout):
            db = sqlite3.connect(db_path, timeout=timeout, check_same_thread=False, isolation_level=None)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA foreign_keys=ON")
                db.execute("PRAGMA synchronous=NORMAL")
                db.execute(f"PRAGMA journal_size_limit={JOURNAL_SIZE_LIMIT}")
                db.executescript(schema)
            except sqlite3.Error:
                db.close()
                raise
    except Timeout as exc:
        raise KnowledgeBaseBusy(
            f"knowledge base '{kb_name}' could not be opened: another process kept it busy for "
            f"{timeout:.0f} s; try again in a moment"
        ) from exc
    return db
