"""The folders a knowledge base is linked to, kept in sync with it (`python -m ingest --link`).

Stored beside the knowledge base's catalogue, in its own folder, as `links.json` (plain JSON,
written whole and atomically; never a pickle), so a knowledge base renamed or copied keeps
its links. Each link records when the folder was last synced and what failed then.
Read-modify-write happens under `links.lock` (a file lock, as the write lock of the
knowledge base is), so a watcher recording a sync and a command adding a link do not lose
each other's change.
"""
from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from filelock import FileLock

from core.enums import LinkProblem
from core.errors import ConfigError, FolderNotLinkable

LINKS_FILE = "links.json"
_LOCK_FILE = "links.lock"
_VERSION = 1
MAX_FAILURES_KEPT = 50  # the failures of a sync that are recorded (the count is always kept)
MAX_LINKS = 20  # folders linked to one knowledge base at most (each is watched: the system limits watches)


@dataclass(frozen=True, slots=True)
class LinkedFolder:
    """One folder linked to a knowledge base. `last_synced` is 0.0 until its first sync;
    `failures` are (path, reason) of the files that could not be indexed when last synced, and
    `error` says why the folder itself could not be synced (gone, unreadable), else ""."""

    folder: str
    linked_at: float
    last_synced: float = 0.0
    failed: int = 0
    failures: tuple[tuple[str, str], ...] = ()
    error: str = ""


def folder_key(folder: Path | str) -> str:
    """How a linked folder is recorded: absolute, links resolved (as documents' paths are)."""
    return str(Path(folder).expanduser().resolve())


def load_links(kb_path: Path) -> list[LinkedFolder]:
    """The folders linked to the knowledge base in `kb_path` (none when it has no links file)."""
    path = Path(kb_path) / LINKS_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        raise ConfigError(f"the linked folders of the knowledge base in {kb_path} cannot be read ({path}: {exc}): "
                          f"fix or delete that file and link the folders again") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("links"), list):
        raise ConfigError(f"{path} is not a file of linked folders: fix or delete it and link the folders again")
    try:
        return [LinkedFolder(str(item["folder"]), float(item["linked_at"]), float(item.get("last_synced", 0.0)),
                             int(item.get("failed", 0)),
                             tuple((str(p), str(r)) for p, r in item.get("failures", ())),
                             str(item.get("error", ""))) for item in raw["links"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{path} has a link that cannot be read ({exc!r}): fix or delete it") from exc


def _save(kb_path: Path, links: Sequence[LinkedFolder]) -> None:
    path = Path(kb_path) / LINKS_FILE
    temporary = path.with_name(f".{LINKS_FILE}.{os.getpid()}.tmp")
    data = {"version": _VERSION, "links": [asdict(link) | {"failures": [list(f) for f in link.failures]}
                                           for link in links]}
    temporary.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(temporary, path)


def _update(kb_path: Path, change: Callable[[list[LinkedFolder]], list[LinkedFolder]]) -> list[LinkedFolder]:
    with FileLock(str(Path(kb_path) / _LOCK_FILE)):
        links = change(load_links(kb_path))
        _save(kb_path, links)
    return links


def _inside(path: str, top: str) -> bool:
    return path == top or path.startswith(os.path.join(top, ""))


def check_linkable(folder: Path | str, data_dir: Path | None = None, *, absolute: bool = False) -> str:
    """The key of a folder that can be linked (see `folder_key`); FolderNotLinkable says why
    not: it is missing, not a folder, cannot be listed, or is Yizhi's own data folder (`data_dir`),
    inside it or holds it (its own writes would be followed). `absolute`: a relative path is
    refused (the app's, read from wherever it was started) rather than resolved."""
    given = Path(folder).expanduser()
    if absolute and not given.is_absolute():
        raise FolderNotLinkable(f"'{folder}' is not a full path: give the folder's whole path", LinkProblem.NOT_ABSOLUTE)
    key = folder_key(given)
    if not os.path.exists(key):
        raise FolderNotLinkable(f"'{folder}' does not exist: it is not a folder to link", LinkProblem.MISSING)
    if not os.path.isdir(key):
        raise FolderNotLinkable(f"'{folder}' is not a folder: link a folder of documents", LinkProblem.NOT_FOLDER)
    try:
        with os.scandir(key) as entries:
            next(entries, None)
    except OSError as exc:
        raise FolderNotLinkable(f"'{folder}' cannot be read ({exc.strerror or exc}): check its permissions",
                                LinkProblem.UNREADABLE) from exc
    if data_dir is not None:
        data = folder_key(data_dir)
        if _inside(key, data) or _inside(data, key):
            raise FolderNotLinkable(f"'{folder}' is or holds Yizhi's own data folder ({data}): link a folder of "
                                    "documents outside it", LinkProblem.DATA_FOLDER)
    return key


def add_link(kb_path: Path, folder: Path | str, data_dir: Path | None = None, *,
             absolute: bool = False) -> LinkedFolder:
    """Link a folder (see `check_linkable`) to the knowledge base, at most MAX_LINKS of them;
    linking it again changes nothing."""
    key = check_linkable(folder, data_dir, absolute=absolute)

    def add(links: list[LinkedFolder]) -> list[LinkedFolder]:
        if any(link.folder == key for link in links):
            return links
        if len(links) >= MAX_LINKS:
            raise FolderNotLinkable(f"the knowledge base already has {len(links)} linked folders, the most it can "
                                    "have: unlink one first", LinkProblem.TOO_MANY)
        return [*links, LinkedFolder(key, time.time())]

    links = _update(kb_path, add)
    return next(link for link in links if link.folder == key)


def remove_link(kb_path: Path, folder: Path | str) -> bool:
    """Unlink a folder (its documents stay indexed); whether it was linked."""
    key, given = folder_key(folder), str(folder)
    found: list[LinkedFolder] = []

    def drop(links: list[LinkedFolder]) -> list[LinkedFolder]:
        found.extend(link for link in links if link.folder in (key, given))
        return [link for link in links if link.folder not in (key, given)]

    _update(kb_path, drop)
    return bool(found)


def record_sync(kb_path: Path, folder: str, failures: Sequence[tuple[str, str]] = (), error: str = "",
                touched: Sequence[str] | None = None) -> None:
    """Note that `folder` was synced now, with the files that failed as (path, reason), or why
    it could not be synced (`error`). `touched`: the paths a watcher's batch looked at (under
    them earlier failures are replaced; elsewhere they stand); None for a whole sync."""
    def note(links: list[LinkedFolder]) -> list[LinkedFolder]:
        changed = []
        for link in links:
            if link.folder == folder:
                kept = [] if touched is None else [f for f in link.failures
                                                   if not any(_inside(f[0], t) for t in touched)]
                now = [*kept, *failures]
                link = replace(link, last_synced=time.time(), failed=len(now),
                               failures=tuple(now[:MAX_FAILURES_KEPT]), error=error)
            changed.append(link)
        return changed

    _update(kb_path, note)
