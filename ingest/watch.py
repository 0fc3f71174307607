"""Linked folders kept in sync with their knowledge bases while they are watched (watchdog).

On start each folder is reconciled with the index: what changed while nothing watched is
indexed, and the documents whose files are gone are removed (an ingest with prune of that
folder). The linked folders are read again every `REFRESH_SECONDS`: a folder linked since
is reconciled and followed from then on, one unlinked is no longer followed. Every
file-system event under a followed folder is queued, and once the folder has
been quiet for `DEBOUNCE_SECONDS` the paths it named are synced in one batch: a new or
changed file is indexed, a deleted one removed, a renamed or moved one re-pointed (its
bytes are indexed under a path that is gone: the pipeline moves its document, nothing is
re-embedded). Temporary and hidden files (Office's "~$x.docx", LibreOffice's
".~lock.x#", Vim's "*.swp", ".DS_Store", "*.tmp", editors' "x~" backups) are ignored.

All indexing happens on the thread that calls `FolderWatcher.run`; watchdog's thread only
queues paths. Each batch takes the knowledge base's write lock as any ingest does, and a
file whose bytes are indexed under its path is skipped under that lock, so a second writer
(a `python -m ingest` run, the UI, another process following the same folder) never
indexes the same change twice: the second to come finds it done.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch

from core.enums import FileStatus
from core.errors import YizhiError
from core.types import FileOutcome, IngestSummary
from ingest.discovery import display_path
from ingest.links import record_sync
from ingest.loaders import OLD_FORMAT_SUFFIXES, SUPPORTED_SUFFIXES
from ingest.pipeline import IngestPipeline

log = logging.getLogger(__name__)

# A save is several events (an editor writes a temporary file, renames it over the document,
# touches it again); a copied folder is hundreds. A folder is synced once it has had no event
# for this long, so each burst is one batch and no file is read half written.
DEBOUNCE_SECONDS = 1.5
# After a batch that could not run (another writer held the knowledge base past its lock
# timeout, a full disk), its paths are tried again this long after.
RETRY_SECONDS = 30.0
# How often the linked folders are read again (`links.json` of each knowledge base: small),
# so that a folder linked or unlinked meanwhile is followed or left within this long.
REFRESH_SECONDS = 2.0
# How soon `run` sees its stop event set, between batches: the longest one of its waits lasts
# (a server stopping waits for it; waking five times a second costs nothing measurable).
STOP_SECONDS = 0.2
_EVENTS = frozenset({"created", "modified", "moved", "deleted", "closed"})  # not "opened": reading a file opens it
_TEMPORARY_PREFIXES = ("~$", ".~lock.", ".#", "~")  # Office / WPS owner files, LibreOffice locks, Emacs locks
_TEMPORARY_SUFFIXES = (".tmp", ".temp", ".swp", ".swo", ".swx", ".bak", ".part", ".crdownload", ".download", "~",
                       ".~tmp")
_TEMPORARY_NAMES = frozenset({"4913", "Thumbs.db", "desktop.ini"})  # 4913: the file Vim writes to test a folder


@dataclass(frozen=True, slots=True)
class WatchTarget:
    """One linked folder (absolute, resolved) of one knowledge base, and its pipeline."""

    kb_name: str
    kb_path: Path
    folder: str
    pipeline: IngestPipeline

    @property
    def key(self) -> tuple[str, str]:
        """What tells targets apart: the knowledge base's folder and the linked folder."""
        return str(self.kb_path), self.folder


Key = tuple[str, str]
Targets = Callable[[], Sequence[WatchTarget]]  # the linked folders to follow now (read again and again)


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What one sync of a linked folder did: `reconcile` for the whole-folder sync on start;
    `error` when it could not run (its paths are tried again)."""

    kb_name: str
    folder: str
    summary: IngestSummary = field(default_factory=IngestSummary)
    reconcile: bool = False
    error: str = ""


OnReport = Callable[[SyncReport], None]


def is_temporary(path: str | Path, folder: str | Path) -> bool:
    """True for paths a watcher leaves alone: hidden ones (a part of the path below `folder`
    starts with a dot), editors' and Office's temporary, lock and backup files, and files of
    types that are not indexed."""
    try:
        parts = Path(path).relative_to(folder).parts
    except ValueError:
        return True  # not inside the folder
    if not parts:
        return False
    name = parts[-1]
    if any(p.startswith(".") for p in parts) or name in _TEMPORARY_NAMES:
        return True
    if name.startswith(_TEMPORARY_PREFIXES) or name.lower().endswith(_TEMPORARY_SUFFIXES):
        return True
    if name.startswith("#") and name.endswith("#"):  # Emacs's auto-save file
        return True
    suffix = Path(name).suffix.lower()
    return os.path.isfile(path) and suffix not in SUPPORTED_SUFFIXES and suffix not in OLD_FORMAT_SUFFIXES


class _Queue(FileSystemEventHandler):
    """watchdog's side: the paths each event names, queued for the folder's target."""

    def __init__(self, watcher: FolderWatcher, key: Key) -> None:
        self._watcher, self._key = watcher, key

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in _EVENTS or (event.is_directory and event.event_type in ("modified", "closed")):
            return  # a folder is "modified" when its entries change: those come as events of their own
        paths = [os.fsdecode(event.src_path)]
        if event.dest_path:
            paths.append(os.fsdecode(event.dest_path))
        self._watcher.queue(self._key, paths)


class FolderWatcher:
    """Keeps linked folders in sync with their knowledge bases until `stop` is set; which
    folders is asked of `targets` on start and every `refresh` seconds."""

    def __init__(self, targets: Targets, on_report: OnReport | None = None, *,
                 quiet: float = DEBOUNCE_SECONDS, retry: float = RETRY_SECONDS,
                 refresh: float = REFRESH_SECONDS) -> None:
        self._targets_now = targets
        self._on_report = on_report
        self._quiet, self._retry, self._refresh_every = quiet, retry, refresh
        self.targets: dict[Key, WatchTarget] = {}  # the folders followed
        self._watches: dict[Key, tuple[ObservedWatch, _Queue]] = {}
        self._unwatched: set[Key] = set()  # linked but not followed (gone, or cannot be watched): said once
        self._changed = threading.Condition()
        self._pending: dict[Key, set[str]] = {}
        self._due: dict[Key, float] = {}  # when each target's pending paths are synced (monotonic)

    def queue(self, key: Key, paths: Sequence[str]) -> None:
        """Note paths that changed under a target's folder (called from watchdog's thread)."""
        target = self.targets.get(key)
        kept = [] if target is None else [p for p in paths if not is_temporary(p, target.folder)]
        if not kept:
            return
        with self._changed:
            self._pending.setdefault(key, set()).update(kept)
            self._due[key] = time.monotonic() + self._quiet
            self._changed.notify_all()

    def _report(self, report: SyncReport) -> None:
        if self._on_report is not None:
            self._on_report(report)

    def run(self, stop: threading.Event, on_started: Callable[[], None] | None = None) -> None:
        """Reconcile, then follow the folders until `stop` is set (or the caller is interrupted)."""
        observer = Observer()
        observer.start()
        try:
            self._refresh(observer)
            if on_started is not None:
                on_started()
            refresh_at = time.monotonic() + self._refresh_every
            while not stop.is_set():
                for key, paths in self._next_batch(stop, refresh_at).items():
                    if key in self.targets:
                        self._sync_paths(key, paths)
                if time.monotonic() >= refresh_at and not stop.is_set():
                    self._refresh(observer)
                    refresh_at = time.monotonic() + self._refresh_every
        finally:
            observer.stop()
            observer.join()

    def wake(self) -> None:
        """Have `run` look at `stop` now (call after setting it)."""
        with self._changed:
            self._changed.notify_all()

    def _refresh(self, observer: BaseObserver) -> None:
        """Follow the folders linked since, leave the ones unlinked since."""
        wanted = {target.key: target for target in self._targets_now()}
        for key in [k for k in self.targets if k not in wanted]:
            self._leave(observer, key)
        self._unwatched &= set(wanted)
        for key, target in wanted.items():
            if key not in self.targets and (key not in self._unwatched or os.path.isdir(target.folder)):
                self._follow(observer, target)

    def _unwatchable(self, target: WatchTarget, error: str) -> None:
        self._unwatched.add(target.key)
        record_sync(target.kb_path, target.folder, error=error)
        self._report(SyncReport(target.kb_name, target.folder, reconcile=True, error=error))

    def _follow(self, observer: BaseObserver, target: WatchTarget) -> None:
        """Watch a folder, then sync it whole (what changed while nothing watched); a folder
        that is gone is reported and recorded, and followed once it is back."""
        key = target.key
        if not os.path.isdir(target.folder):
            self._unwatchable(target, "the folder is gone or is not a folder: it is not watched (unlink it, or "
                                      "restore it)")
            return
        handler = _Queue(self, key)
        try:
            self._watches[key] = observer.schedule(handler, target.folder, recursive=True), handler
        except OSError as exc:  # the system's limit of watches (inotify), a folder gone meanwhile
            self._unwatchable(target, f"the folder cannot be watched ({exc.strerror or exc}): link fewer or "
                                      "smaller folders")
            return
        self._unwatched.discard(key)
        self.targets[key] = target
        log.info("following %s for '%s'", display_path(target.folder), target.kb_name)
        if self._sync(target, [Path(target.folder)], reconcile=True):
            self._later(key, {target.folder})  # the whole folder again, once the writer in the way is done

    def _leave(self, observer: BaseObserver, key: Key) -> None:
        target = self.targets.pop(key)
        watch, handler = self._watches.pop(key)
        if any(other.folder == target.folder for other in self.targets.values()):
            observer.remove_handler_for_watch(handler, watch)  # the folder is linked to another knowledge base too
        else:
            observer.unschedule(watch)
        with self._changed:
            self._pending.pop(key, None)
            self._due.pop(key, None)
        log.info("no longer following %s for '%s' (unlinked)", display_path(target.folder), target.kb_name)

    def _later(self, key: Key, paths: set[str]) -> None:
        with self._changed:  # tried again later, with whatever comes meanwhile
            self._pending.setdefault(key, set()).update(paths)
            self._due[key] = time.monotonic() + self._retry

    def _next_batch(self, stop: threading.Event, until: float) -> dict[Key, set[str]]:
        """Wait (until `until` at most) for targets whose folders have been quiet long
        enough; take their paths."""
        with self._changed:
            while not stop.is_set():
                now = time.monotonic()
                ripe = [key for key, due in self._due.items() if due <= now]
                if ripe:
                    batch = {key: self._pending.pop(key) for key in ripe}
                    for key in ripe:
                        del self._due[key]
                    return batch
                if now >= until:
                    break
                wait = min(min(self._due.values(), default=until), until) - now
                self._changed.wait(timeout=min(max(wait, 0.01), STOP_SECONDS))
        return {}

    def _sync_paths(self, key: Key, paths: set[str]) -> None:
        target = self.targets[key]
        taken: list[Path] = []
        for path in sorted(paths):
            if os.path.isdir(path) or os.path.isfile(path):
                if os.path.islink(path) and not os.path.realpath(path).startswith(os.path.join(target.folder, "")):
                    log.info("not followed: %s links outside the linked folder", display_path(path))
                    continue
                taken.append(Path(path))
        error = self._sync(target, taken, touched=sorted(paths))  # only these paths: a rename whose new
        # name comes in the next batch must not have its document removed by this one
        if error:
            self._later(key, paths)

    def _sync(self, target: WatchTarget, paths: list[Path], *, reconcile: bool = False,
              touched: Sequence[str] | None = None) -> str:
        """Index `paths`, then remove the folder's documents whose files are gone; report and
        record what happened. Returns why it could not (the error's sentence), else ""."""
        try:
            summary = target.pipeline.run(paths) if paths else IngestSummary()
            # after indexing: a file renamed within the batch is moved first, not removed and read again
            gone = target.pipeline.prune(under=[Path(target.folder)] if touched is None else [Path(p) for p in touched])
            summary.outcomes += [FileOutcome(p, FileStatus.REMOVED, "the file no longer exists") for p in gone]
        except YizhiError as exc:  # the knowledge base is busy, the disk full, the model missing: said, tried again
            log.warning("%s: %s could not be synced: %s", target.kb_name, display_path(target.folder), exc)
            record_sync(target.kb_path, target.folder, error=str(exc), touched=touched)
            self._report(SyncReport(target.kb_name, target.folder, reconcile=reconcile, error=str(exc)))
            return str(exc)
        failures = [(o.path, o.reason) for o in summary.outcomes if o.status == FileStatus.FAILED]
        record_sync(target.kb_path, target.folder, failures, touched=None if reconcile else touched)
        self._report(SyncReport(target.kb_name, target.folder, summary, reconcile=reconcile))
        return ""
