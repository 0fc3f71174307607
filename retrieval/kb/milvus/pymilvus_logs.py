"""pymilvus's log records go where Yizhi's own go, as details (INFO), not onto the terminal.

On import pymilvus gives its "pymilvus" logger a handler of its own that writes to stderr
and stops propagation, and it logs every failed request at ERROR with a full traceback
(and a failed reconnect at WARNING with another). Each of those failures reaches the caller
as `MilvusUnavailable` (retrieval/kb/milvus/calls.py), whose message says what happened and
what to do; the traceback beside it would read as a crash. So its handlers are replaced by
one that hands each record to the root logger at INFO at most: into the log file the
interfaces set up (app/logs.py), on the console only with --verbose.
"""
from __future__ import annotations

import logging

_LOGGERS = ("pymilvus", "pymilvus.milvus_client", "pymilvus.bulk_writer")


class _AsDetail(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno > logging.INFO:
            record.levelno, record.levelname = logging.INFO, logging.getLevelName(logging.INFO)
        root = logging.getLogger()
        if root.isEnabledFor(record.levelno):
            root.handle(record)


_handler = _AsDetail()


def route_pymilvus_logs() -> None:
    """Call after pymilvus is imported (its import installs its handlers); idempotent."""
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            if handler is not _handler:
                logger.removeHandler(handler)
        if _handler not in logger.handlers:
            logger.addHandler(_handler)
        logger.propagate = False  # the handler above passes each record on once
