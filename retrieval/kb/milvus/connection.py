"""Connections to Milvus and the one collection layout a knowledge base uses there.

One client per (uri, token) per process, shared by every knowledge base that names it
and counted, so that the last `release` of a Milvus Lite file stops its in-process server
and frees the file for another process (Milvus Lite is one process at a time: it holds a
lock on its folder while open). A server URI is shared by any number of processes.

The collection of a knowledge base: `id` (the chunk id, primary key), `text` (the chunk's
lexical row: Yizhi's normalised jieba tokens, space-joined) analysed by Milvus's `jieba`
tokenizer, a BM25 function from `text` into the sparse field `sparse`, and the dense
vector `dense` (inner product over normalised vectors, HNSW). Searches are Strong, so a
search sees every write before it. Every request is bounded in time and fails as
`MilvusUnavailable` (retrieval/kb/milvus/calls.py).
"""
from __future__ import annotations

import logging
import re
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import ConfigError, KnowledgeBaseBusy
from retrieval.kb.milvus.calls import CONNECT_TIMEOUT, SLOW_TIMEOUT, call, is_server, unavailable
from retrieval.kb.milvus.pymilvus_logs import route_pymilvus_logs

if TYPE_CHECKING:  # pymilvus loads only when a Milvus knowledge base is opened
    from pymilvus import MilvusClient

log = logging.getLogger(__name__)

# pymilvus pings a connection every 10 s, idle or not; a gRPC server by default allows a
# ping without data only every 5 minutes and, after two strikes, closes the connection
# ("Too many pings", seen in CI: the next request fails). Ping only while a request is
# under way, at most once a minute.
_KEEPALIVE = {"grpc.keepalive_permit_without_calls": False, "grpc.keepalive_time_ms": 60_000}

TEXT_MAX = 60_000  # bytes of a lexical row kept (a Milvus VARCHAR holds at most 65,535)
HNSW = {"M": 16, "efConstruction": 128}
_lock = threading.Lock()


@dataclass(slots=True)
class _Shared:
    client: MilvusClient
    references: int = 0


_clients: dict[tuple[str, str], _Shared] = {}  # (uri, token) -> the client and how many hold it


class _LiteNoise(logging.Filter):
    """Milvus Lite's gRPC server logs a traceback for a timestamp call pymilvus 3.0 makes and
    Lite does not implement (pymilvus then uses its own clock): not an error of ours."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Method not implemented" not in record.getMessage()


logging.getLogger("grpc._server").addFilter(_LiteNoise())


def acquire(uri: str, token: str = "") -> MilvusClient:
    """The shared client of `uri` (connecting on first use); `release(uri, token)` after."""
    import grpc
    from pymilvus.exceptions import MilvusException

    route_pymilvus_logs()
    if not is_server(uri):
        if not uri.endswith(".db"):
            raise ConfigError(f"milvus_uri {uri!r}: a Milvus Lite file must end in .db "
                              "(or give a server as http(s)://host:19530)")
        Path(uri).parent.mkdir(parents=True, exist_ok=True)
    key = (uri, token)
    with _lock:
        entry = _clients.get(key)
        if entry is None:
            try:
                client = _connect(uri, token)
            except (MilvusException, grpc.RpcError) as exc:
                if not is_server(uri) and _lite_locked(uri):
                    raise KnowledgeBaseBusy(
                        f"the Milvus Lite file {uri} is open in another process (Milvus Lite serves one "
                        "process at a time): close the other Yizhi process, or use a Milvus server") from exc
                raise unavailable(uri, "a connection", exc) from exc
            entry = _clients[key] = _Shared(client)
        entry.references += 1
        return entry.client


def _connect(uri: str, token: str) -> MilvusClient:
    """A client; a server's connection is tried twice, since the first try can land on a
    connection the server has just closed (gRPC shares one per address) and fail at once."""
    import grpc
    from pymilvus import MilvusClient
    from pymilvus.exceptions import MilvusException

    try:
        return MilvusClient(uri=uri, token=token, timeout=CONNECT_TIMEOUT, grpc_options=_KEEPALIVE)
    except (MilvusException, grpc.RpcError) as exc:
        if not is_server(uri):
            raise
        log.info("connecting to the Milvus server at %s again after: %s", uri, exc)
        return MilvusClient(uri=uri, token=token, timeout=CONNECT_TIMEOUT, grpc_options=_KEEPALIVE)


def release(uri: str, token: str = "") -> None:
    with _lock:
        entry = _clients.get((uri, token))
        if entry is None:
            return
        entry.references -= 1
        if entry.references > 0:
            return
        del _clients[(uri, token)]
    entry.client.close()
    if not is_server(uri):
        from milvus_lite.server_manager import server_manager_instance

        server_manager_instance.release_server(uri)


def _lite_locked(uri: str) -> bool:
    import fcntl
    import os

    lock = Path(uri) / "LOCK"
    if not lock.exists():
        return False
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)


def lite_in_use(uri: str) -> bool:
    """A Milvus Lite file is open, in this process or another (before moving its folder)."""
    with _lock:
        held = any(key[0] == uri for key in _clients)
    return held or _lite_locked(uri)


def new_collection_name(kb_name: str) -> str:
    """A name Milvus accepts (letters, digits, '_'), unique even for equal knowledge-base names."""
    ascii_part = re.sub(r"[^0-9A-Za-z_]", "_", kb_name)[:40].strip("_") or "kb"
    return f"yizhi_{ascii_part}_{uuid.uuid4().hex[:10]}"


def create_collection(client: MilvusClient, uri: str, name: str, dim: int) -> None:
    from pymilvus import DataType, Function, FunctionType

    schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("text", DataType.VARCHAR, max_length=65_535, enable_analyzer=True,
                     analyzer_params={"tokenizer": "jieba"})
    schema.add_field("dense", DataType.FLOAT_VECTOR, dim=dim)
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_function(Function(name="bm25", function_type=FunctionType.BM25,
                                 input_field_names=["text"], output_field_names=["sparse"]))
    index = client.prepare_index_params()
    index.add_index("dense", index_type="HNSW", metric_type="IP", params=HNSW)
    index.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
    call(uri, "creating a collection", client.create_collection, name, schema=schema, consistency_level="Strong")
    # sync=False: pymilvus would poll each index's state every 0.5 s; on an empty collection
    # the index exists once created, and loading waits for what it needs
    call(uri, "creating its indexes", client.create_index, name, index, sync=False)
    call(uri, "loading a collection", client.load_collection, name, timeout=SLOW_TIMEOUT)
    log.info("created the Milvus collection %s (dimension %d)", name, dim)
