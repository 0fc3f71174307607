"""Finding the files to ingest under the paths a user gave, safely.

Folders are walked without following symbolic links out of them: a link inside the
folder to a file or folder elsewhere is reported, not read (a shared folder must not
make Yizhi index `~/.ssh`). Hidden files and folders, and the lock files Office keeps
beside an open document ("~$报告.docx"), are ignored; files of unsupported
types (old Office formats with the newer one to save them in), special files (FIFOs,
devices: reading one would hang) and broken links are reported with a reason. A path
given explicitly is taken as given, links included.
"""
from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from core.errors import UnsupportedFile
from ingest.loaders import SUPPORTED_SUFFIXES, old_format_refusal

_OFFICE_LOCK = "~$"  # "~$报告.docx": the owner file Office and WPS keep beside a document while it is open
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # incl. bidi overrides


@dataclass(frozen=True, slots=True)
class Rejected:
    path: str
    reason: str
    code: str = ""  # the error code of `reason`, as a failed file's outcome records it (core.errors)


def display_path(path: str) -> str:
    """A path safe to print on a terminal: control characters (escape sequences, bidi
    overrides, newlines) shown as \\xNN / \\uNNNN instead of acted on."""
    return _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), path)


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def regular_file_problem(path: Path) -> str | None:
    """Why `path` cannot be read as a regular file (None when it can)."""
    try:
        mode = path.stat().st_mode  # follows links
    except FileNotFoundError:
        return "cannot be read: a broken link" if path.is_symlink() else "no such file or folder"
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    if not stat.S_ISREG(mode):
        return "not a regular file (a device, pipe or socket): skipped"
    return None


def _walk(root: Path, found: list[Path], rejected: list[Rejected]) -> None:
    real_root = root.resolve()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        folder = Path(dirpath)
        kept = []
        for name in sorted(dirnames):
            if name.startswith("."):
                continue
            sub = folder / name
            if sub.is_symlink():
                if not _inside(sub.resolve(), real_root):
                    rejected.append(Rejected(os.path.abspath(sub), "not followed: a link to a folder outside "
                                                                   "the folder being indexed"))
                continue  # a link to a folder inside is walked as that folder
            kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            if name.startswith((".", _OFFICE_LOCK)):
                continue
            candidate = folder / name
            shown = os.path.abspath(candidate)
            if candidate.is_symlink() and not _inside(candidate.resolve(), real_root):
                rejected.append(Rejected(shown, "not followed: a link to a file outside the folder being indexed"))
                continue
            if (old := old_format_refusal(candidate.suffix)) is not None:
                rejected.append(Rejected(shown, str(old), old.code))
                continue
            if candidate.suffix.lower() not in SUPPORTED_SUFFIXES:
                rejected.append(Rejected(shown, f"unsupported file type '{candidate.suffix or name}'",
                                         UnsupportedFile.code))
                continue
            problem = regular_file_problem(candidate)
            if problem is not None:
                rejected.append(Rejected(shown, problem))
                continue
            found.append(candidate)


def discover_files(paths: Iterable[Path]) -> tuple[list[Path], list[Rejected]]:
    """Files to ingest under `paths` (resolved, sorted, each once), and the paths that
    will not be, with their reasons."""
    found: list[Path] = []
    rejected: list[Rejected] = []
    for given in paths:
        path = Path(given).expanduser()
        if path.is_dir():
            _walk(path, found, rejected)
            continue
        problem = regular_file_problem(path)
        if problem is not None:
            rejected.append(Rejected(os.path.abspath(path), problem))
        else:
            found.append(path)
    return sorted({p.resolve() for p in found}), rejected
