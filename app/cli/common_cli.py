"""What every command line shares: settings built once, logging set up once, and Yizhi's
errors turned into a sentence on stderr (with this interface's how-to) and an exit code.

Exit codes: 0 done, 1 a --strict batch had failures, 2 Yizhi could not do it (the message
says what to do), 3 an unexpected error (details in the log file), 130 interrupted.
"""
from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Callable
from typing import Any, TextIO

from app.logs import setup_logging
from app.settings import Settings, load_settings
from core.errors import (
    DiskFull,
    EmbedBackendMismatch,
    EmbedderMismatch,
    EncryptedFile,
    InputTooLarge,
    KnowledgeBaseBusy,
    KnowledgeBaseNotFound,
    YizhiError,
)
from core.text import escape_controls

log = logging.getLogger("yizhi.cli")

# The command line's own how-to for errors whose message only says what is wrong.
_HINTS: dict[type[YizhiError], str] = {
    EncryptedFile: "give its password with --password",
    KnowledgeBaseNotFound: "run `make ingest KB={name}` or `python -m ingest PATH --kb {name}` first",
    EmbedBackendMismatch: "set YIZHI_EMBED_BACKEND to the backend it was built with, "
                          "or index into a new knowledge base (--kb NEW_NAME)",
    EmbedderMismatch: "set YIZHI_EMBED_MODEL to the model it was built with, "
                      "or index into a new knowledge base (--kb NEW_NAME)",
}
# Errors of one class that need different how-tos, told apart by their words.
_WORDED_HINTS: tuple[tuple[type[YizhiError], str, str], ...] = (
    (KnowledgeBaseBusy, "Milvus Lite", "a Milvus server serves many: set YIZHI_MILVUS_URI=http://host:19530"),
    (KnowledgeBaseBusy, "being written by another process", "raise YIZHI_LOCK_TIMEOUT to wait longer"),
)


def show(text: str = "", *, file: TextIO | None = None, end: str = "\n") -> None:
    """Print `text` with its control characters escaped: a file name or passage holding a
    terminal's escape sequence (ESC[2J clears the screen) is shown, never obeyed."""
    print(escape_controls(text), file=file or sys.stdout, end=end, flush=end == "")


_C1 = re.compile(r"[\x80-\x9f\ud800-\udfff]")


def show_json(value: Any) -> None:
    """`value` as indented JSON; characters JSON would pass raw that a terminal obeys (C1
    controls) or cannot print (lone surrogates) as \\u escapes, so it stays valid JSON."""
    text = json.dumps(value, ensure_ascii=False, indent=2)
    print(_C1.sub(lambda found: f"\\u{ord(found.group()):04x}", text))


# What the command line says first, in the user's language (the locale's), for the errors a
# user meets by what they typed or where they stand; the error's own sentence follows.
_IN_LANGUAGE: dict[str, dict[str, str]] = {  # by error code (a failed file's outcome records it too)
    DiskFull.code: {"zh": "磁盘已满：请腾出空间后再运行同一命令（写了一半的文件已删除，知识库保持原样）",
               "en": "the disk is full: free some space and run the same command again (what was half written "
                     "was removed; the knowledge base is as it was)"},
    InputTooLarge.code: {"zh": "输入超出了长度上限", "en": "the input is over its limit"},
}


def user_language() -> str:
    """"zh" when the locale (LC_ALL, LC_MESSAGES, LANG) is Chinese, else "en"."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


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


def in_language(code: str) -> str:
    """What the command line says first about an error with this code, in the user's
    language, followed by ": "; "" when it says nothing more than the error's sentence."""
    said = _IN_LANGUAGE.get(code)
    return f"{said[user_language()]}: " if said else ""


def error_line(exc: YizhiError) -> str:
    return "error: " + in_language(exc.code) + with_hint(str(exc), exc)


def run_command(body: Callable[[Settings], int], *, verbose: bool = False, shorten=None,
                interrupted: str = "", **overrides: Any) -> int:
    """Build settings, set up logging, run `body(settings)`; map errors to exit codes."""
    log_file = None
    try:
        settings = load_settings(**overrides)
        log_file = setup_logging(settings.log_dir, verbose=verbose, shorten=shorten)
        return body(settings)
    except YizhiError as exc:
        show(error_line(exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        if interrupted:
            show(interrupted, file=sys.stderr)
        return 130
    except Exception as exc:  # the last net: a traceback must not reach the user
        log.exception("unexpected error")
        where = f" (details in {log_file})" if log_file else ""
        show(f"error: unexpected {type(exc).__name__}: {' '.join(str(exc).split())[:200]}{where}", file=sys.stderr)
        return 3
