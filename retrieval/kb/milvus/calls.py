"""Every request to Milvus goes through `call`: bounded in time, and failing as Yizhi's own
`MilvusUnavailable`, never as a raw pymilvus or gRPC exception, nor as a hang.

Without a timeout pymilvus retries a request to a server that does not answer (stopped by
SIGSTOP, a dead host, a network partition) about 75 times with back-off: over a minute per
request. With `timeout=` it gives up after that many seconds, and then raises gRPC's own
`RpcError` (DEADLINE_EXCEEDED), not a `MilvusException`, so both are caught here. A server
that refuses connections (stopped) fails at once.

A failed write leaves the catalogue ahead of the collection (the catalogue commits first);
the next open, or the next commit, brings the collection level from the stored embeddings
(retrieval/kb/milvus/index.py), so a re-run after the server is back completes the work.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from core.errors import VectorStoreUnavailable

T = TypeVar("T")

# A request to a healthy server (a search, an insert of 1,000 rows, a count) takes milliseconds
# to about a second; 30 s leaves room for a busy cluster and still ends a wait on a dead one.
REQUEST_TIMEOUT = 30.0
# Flushing sealed segments and loading a collection into memory grow with the collection.
SLOW_TIMEOUT = 300.0
# Making the first connection (pymilvus waits for the channel to be ready).
CONNECT_TIMEOUT = 10.0
SETTING = "milvus_uri"  # the setting that names where Milvus is: YIZHI_MILVUS_URI


class MilvusUnavailable(VectorStoreUnavailable):
    """Milvus could not be reached, did not answer in time, or refused a request."""


def is_server(uri: str) -> bool:
    return uri.startswith(("http://", "https://", "tcp://", "grpc://", "unix:"))


def describe(uri: str) -> str:
    return f"the Milvus server at {uri}" if is_server(uri) else f"the Milvus Lite file {uri}"


def unavailable(uri: str, what: str, exc: BaseException) -> MilvusUnavailable:
    """The error to raise (`from exc`) when `what` (a request, named as a noun) failed on `uri`."""
    reason = _reason(exc)
    if is_server(uri) and _unreachable(exc):
        return MilvusUnavailable(
            f"{describe(uri)} cannot be reached for {what} ({reason}): is it running? Start it again (nothing is "
            "lost: the knowledge base is brought level with its catalogue when next used), or see the setting "
            "YIZHI_MILVUS_URI", setting=SETTING)
    return MilvusUnavailable(f"{describe(uri)} refused {what} ({reason}); see the setting YIZHI_MILVUS_URI",
                             setting=SETTING)


def call(uri: str, what: str, fn: Callable[..., T], *args: object, timeout: float | None = None,
         **kwargs: object) -> T:
    """`fn(*args, **kwargs, timeout=…)`, a MilvusClient method; `what` names the request in the error."""
    import grpc
    from pymilvus.exceptions import MilvusException

    try:
        return fn(*args, timeout=REQUEST_TIMEOUT if timeout is None else timeout, **kwargs)
    except (MilvusException, grpc.RpcError) as exc:
        raise unavailable(uri, what, exc) from exc


def _unreachable(exc: BaseException) -> bool:
    """No answer at all (refused, reset, timed out), as opposed to an answer that is an error."""
    import grpc

    if isinstance(exc, grpc.RpcError) and hasattr(exc, "code"):
        return exc.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
    return any(words in str(exc) for words in ("Fail connecting", "server unavailable", "Retry timeout",
                                               "Deadline Exceeded", "UNAVAILABLE"))


def _reason(exc: BaseException) -> str:
    import grpc

    if isinstance(exc, grpc.RpcError) and hasattr(exc, "code"):
        if exc.code() == grpc.StatusCode.DEADLINE_EXCEEDED:
            return "no answer in time"
        return f"{exc.code().name.lower()}: {exc.details()}"
    message = getattr(exc, "message", "") or str(exc)
    return message.strip() or type(exc).__name__
