"""jieba in a process of its own, so ingestion tokenises while it embeds.

Tokenising (pure Python) in a thread beside the embedder made them take turns on the
GIL: on 2 cores the embedder ran 10-15% slower inside the pipeline than alone. In a
child process the two really run at once (bench/ingest_bench.py measures the ratio).

The child (`python -m retrieval.lexical_worker`) reads one JSON line per request on
stdin, `{"texts": [...], "vocabulary": fingerprint, "terms": [...]}`, and answers one
JSON line (the texts' `lexical_rows` with that knowledge base's `Vocabulary`) on stdout;
the terms are sent only when the child does not hold that vocabulary yet. It exits when
stdin closes, so it never outlives its parent, even one that was killed. One worker
serves the whole process, started on first use; requests take turns.
"""
from __future__ import annotations

import atexit
import json
import logging
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import NoReturn

from core.errors import WorkerError
from retrieval.lexical import EMPTY_VOCABULARY, Vocabulary

log = logging.getLogger(__name__)

_PROJECT_ROOT = Path(__file__).resolve().parents[1]


class PendingRows:
    """The answer to one request; `result()` waits for it (exactly once)."""

    def __init__(self, worker: LexicalWorker, count: int) -> None:
        self._worker = worker
        self._count = count
        self._done = False

    def result(self) -> list[str]:
        if self._done:
            raise RuntimeError("result() was already taken")
        self._done = True
        return self._worker._receive(self._count)


class LexicalWorker:
    """A child process that turns texts into FTS5 rows (see `retrieval.lexical`)."""

    def __init__(self) -> None:
        self._process: subprocess.Popen | None = None
        self._turn = threading.Lock()  # held from submit() until its result() is read
        self._child_vocabulary = ""  # the fingerprint of the vocabulary the child holds

    def submit(self, texts: list[str], vocabulary: Vocabulary = EMPTY_VOCABULARY) -> PendingRows:
        """Send texts to the child and return at once. Always call `result()` on the
        answer, even when the work meanwhile failed: the next request waits for it."""
        self._turn.acquire()
        try:
            self._send(texts, vocabulary)
        except BaseException:
            self._turn.release()
            raise
        return PendingRows(self, len(texts))

    def _send(self, texts: list[str], vocabulary: Vocabulary) -> None:
        process = self._running()
        request: dict = {"texts": texts, "vocabulary": vocabulary.fingerprint}
        if vocabulary.fingerprint != self._child_vocabulary:
            request["terms"] = sorted(vocabulary.terms)
        try:
            # ensure_ascii: any str (even a lone surrogate from a damaged file) travels intact
            process.stdin.write(json.dumps(request).encode("ascii") + b"\n")
            process.stdin.flush()
        except (OSError, ValueError) as exc:
            self._fail(f"could not send it work ({exc})")
        self._child_vocabulary = vocabulary.fingerprint

    def _receive(self, count: int) -> list[str]:
        try:
            return self._read(count)
        finally:
            self._turn.release()

    def _read(self, count: int) -> list[str]:
        try:
            line = self._process.stdout.readline()
        except (OSError, ValueError) as exc:
            self._fail(f"its answer could not be read ({exc})")
        if not line:
            self._fail("it stopped")
        try:
            rows = json.loads(line)
        except ValueError as exc:
            self._fail(f"its answer could not be read ({exc})")
        if not isinstance(rows, list) or len(rows) != count:
            self._fail(f"it answered {len(rows) if isinstance(rows, list) else 'something else'} "
                       f"rows for {count} texts")
        return rows

    def _running(self) -> subprocess.Popen:
        if self._process is None or self._process.poll() is not None:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "retrieval.lexical_worker"], cwd=_PROJECT_ROOT,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            self._child_vocabulary = ""
            log.debug("lexical worker started (pid %d)", self._process.pid)
        return self._process

    def _fail(self, what: str) -> NoReturn:
        process, self._process = self._process, None
        code = None
        if process is not None:
            process.kill()
            code = process.wait()
        log.error("lexical worker failed: %s (exit code %s)", what, code)
        raise WorkerError(f"the tokenizer process failed: {what} (exit code {code}); "
                          "the files indexed so far are kept: run the ingest again to finish")

    def close(self) -> None:
        """Stop the child (it exits when its stdin closes)."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.stdin.close()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


_shared: LexicalWorker | None = None
_shared_lock = threading.Lock()


def shared_worker() -> LexicalWorker:
    """The process's worker (the child itself starts on the first request)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = LexicalWorker()
            atexit.register(_shared.close)
        return _shared


def serve() -> None:
    """The child's loop: a JSON request of texts in, a JSON list of rows out, until EOF."""
    from retrieval.lexical import lexical_rows

    # Ctrl-C in a terminal reaches the whole process group: the parent decides what to
    # do, and this child ends when the parent closes its stdin (or dies).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    vocabulary = EMPTY_VOCABULARY
    try:
        for line in sys.stdin.buffer:
            request = json.loads(line)
            if isinstance(request, list):  # texts alone
                request = {"texts": request, "vocabulary": ""}
            if "terms" in request:
                vocabulary = Vocabulary(frozenset(request["terms"]))
            if vocabulary.fingerprint != request["vocabulary"]:  # never: the parent sends the terms
                raise SystemExit(f"lexical worker: vocabulary {request['vocabulary']!r} was not sent")
            rows = lexical_rows(request["texts"], vocabulary)
            sys.stdout.buffer.write(json.dumps(rows).encode("ascii") + b"\n")
            sys.stdout.buffer.flush()
    except BrokenPipeError:  # the parent died before reading the answer: nobody to tell
        os._exit(0)


if __name__ == "__main__":
    serve()
