"""What every command line shares: settings built once, logging set up once, and Yizhi's
errors turned into a sentence on stderr (with this interface's how-to) and an exit code.

Exit codes: 0 done, 1 a --strict batch had failures, 2 Yizhi could not do it (the message
says what to do), 3 an unexpected error (details in the log file), 130 interrupted.
"""
from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from app.logs import setup_logging
from app.settings import Settings, load_settings
from core.errors import EmbedderMismatch, EncryptedFile, KnowledgeBaseBusy, KnowledgeBaseNotFound, YizhiError

log = logging.getLogger("yizhi.cli")

# The command line's own how-to for errors whose message only says what is wrong.
_HINTS: dict[type[YizhiError], str] = {
    EncryptedFile: "give its password with --password",
    KnowledgeBaseNotFound: "run `make ingest KB={name}` or `python -m ingest PATH --kb {name}` first",
    EmbedderMismatch: "set YIZHI_EMBED_MODEL to the model it was built with, "
                      "or index into a new knowledge base (--kb NEW_NAME)",
}
# Errors of one class that need different how-tos, told apart by their words.
_WORDED_HINTS: tuple[tuple[type[YizhiError], str, str], ...] = (
    (KnowledgeBaseBusy, "Milvus Lite", "a Milvus server serves many: set YIZHI_MILVUS_URI=http://host:19530"),
    (KnowledgeBaseBusy, "being written by another process", "raise YIZHI_LOCK_TIMEOUT to wait longer"),
)


def hint_for(exc: YizhiError) -> str:
    """The command line's how-to: its own for some errors (told apart by their words where one
    class covers several cases), else the variable that sets what the error is about (`setting`)."""
    worded = (hint for kind, words, hint in _WORDED_HINTS if isinstance(exc, kind) and words in str(exc))
    hint = next(worded, "") or next((hint for kind, hint in _HINTS.items() if isinstance(exc, kind)), "")
    if hint:
        return hint.format(name=getattr(exc, "name", ""))
    return f"see the setting YIZHI_{exc.setting.upper()}" if exc.setting else ""


def with_hint(message: str, exc: YizhiError) -> str:
    hint = hint_for(exc)
    return f"{message}: {hint}" if hint and hint not in message else message


def error_line(exc: YizhiError) -> str:
    return "error: " + with_hint(str(exc), exc)


def run_command(body: Callable[[Settings], int], *, verbose: bool = False, shorten=None,
                interrupted: str = "", **overrides: Any) -> int:
    """Build settings, set up logging, run `body(settings)`; map errors to exit codes."""
    log_file = None
    try:
        settings = load_settings(**overrides)
        log_file = setup_logging(settings.log_dir, verbose=verbose, shorten=shorten)
        return body(settings)
    except YizhiError as exc:
        print(error_line(exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        if interrupted:
            print(interrupted, file=sys.stderr)
        return 130
    except Exception as exc:  # the last net: a traceback must not reach the user
        log.exception("unexpected error")
        where = f" (details in {log_file})" if log_file else ""
        print(f"error: unexpected {type(exc).__name__}: {' '.join(str(exc).split())[:200]}{where}", file=sys.stderr)
        return 3
