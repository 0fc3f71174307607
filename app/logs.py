"""Logging, set up once per process by whichever entry point starts it.

The terminal (stderr) gets warnings, one line each (info with --verbose); the log file
`<data>/logs/yizhi.log` gets everything from INFO up, with tracebacks, for every
interface (the CLIs, the Streamlit UI, the HTTP API). Calling it again (tests, the UI's
reruns) replaces Yizhi's handlers instead of adding more.
"""
from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

LOG_NAME = "yizhi.log"
_MARK = "_yizhi_handler"
_FILE_FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"


class OneLine(logging.Formatter):
    """One line per record on the terminal; tracebacks go to the log file only."""

    def __init__(self, shorten=None) -> None:
        super().__init__()
        self._shorten = shorten or (lambda text: text)

    def format(self, record: logging.LogRecord) -> str:
        return self._shorten(f"{record.levelname.lower()}: {record.getMessage()}")


def setup_logging(log_dir: Path, *, verbose: bool = False, console: bool = True,
                  shorten=None) -> Path | None:
    """Install Yizhi's handlers on the root logger; returns the log file (None if unwritable)."""
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    for handler in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(handler)
        handler.close()
    if console:
        stream = logging.StreamHandler(sys.stderr)
        setattr(stream, _MARK, True)
        stream.setLevel(logging.INFO if verbose else logging.WARNING)
        stream.setFormatter(OneLine(shorten))
        root.addHandler(stream)
    log_file = Path(log_dir) / LOG_NAME
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(log_file, maxBytes=5 << 20, backupCount=3, encoding="utf-8")
    except OSError as exc:
        logging.getLogger(__name__).warning("cannot write the log file %s (%s): details are not kept", log_file, exc)
        return None
    setattr(handler, _MARK, True)
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter(_FILE_FORMAT))
    root.addHandler(handler)
    return log_file
