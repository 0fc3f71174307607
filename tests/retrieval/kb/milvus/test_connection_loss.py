"""A Milvus server that goes away while a knowledge base is open: every request fails soon
as Yizhi's `MilvusUnavailable` (a `YizhiError` naming YIZHI_MILVUS_URI), never as a raw
pymilvus or gRPC exception nor as a hang; a write that failed leaves the catalogue ahead,
and once the server is back the knowledge base is brought level with it. A real
`milvus_lite server` of this test's own, stopped, killed, frozen and started again."""
from __future__ import annotations

import signal
import time

import numpy as np
import pytest

from bench.milvus_server import MilvusLiteServer
from core.config import StoreConfig
from core.errors import VectorStoreUnavailable, YizhiError
from core.types import Chunk
from retrieval.kb.milvus import calls
from retrieval.kb.milvus.calls import MilvusUnavailable
from retrieval.kb.opening import open_knowledge_base
from retrieval.lexical import query_tokens


def _chunks(source: str, texts: list[str]) -> list[Chunk]:
    return [Chunk(text=t, source=source, retrieval_text=t, position=i, page=1) for i, t in enumerate(texts)]


def _vectors(n: int, seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, 8)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.fixture
def server(tmp_path):
    with MilvusLiteServer(tmp_path / "milvus") as running:
        yield running
    running.kill()  # a frozen one does not stop by Ctrl-C


def _fails_soon(action, seconds: float) -> MilvusUnavailable:
    started = time.monotonic()
    with pytest.raises(MilvusUnavailable) as caught:
        action()
    assert time.monotonic() - started < seconds, "it waited instead of failing"
    exc = caught.value
    assert isinstance(exc, VectorStoreUnavailable) and isinstance(exc, YizhiError) and exc.setting == "milvus_uri"
    assert "YIZHI_MILVUS_URI" in str(exc)
    return exc


@pytest.mark.parametrize("stop", ["stop", "kill"])
def test_a_stopped_server_fails_as_our_error_and_is_caught_up_after_a_restart(tmp_path, server, stop):
    config = StoreConfig(vector_store="milvus", milvus_uri=server.uri)
    a, b = _vectors(2, 1), _vectors(2, 2)
    with open_knowledge_base(tmp_path / "kb", "kb", config, create=True) as kb:
        kept = kb.replace_document("/d/a.txt", "ha", _chunks("/d/a.txt", ["北京是首都", "上海是港口"]), a, model_name="m")
        getattr(server, stop)()

        # the catalogue commits first: b is stored there, and its Milvus insert fails
        exc = _fails_soon(lambda: kb.replace_document("/d/b.txt", "hb", _chunks("/d/b.txt", ["杭州有西湖", "苏州有园林"]),
                                                      b, model_name="m"), 10)
        assert server.uri in str(exc) and "an insert" in str(exc)
        assert kb.chunk_count() == 4
        _fails_soon(lambda: kb.dense_search(a[0], 3), 10)
        _fails_soon(lambda: kb.lexical_search(query_tokens("北京"), 3), 10)
        # a write after a failure fails before its commit (the collection is looked up first)
        _fails_soon(lambda: kb.replace_document("/d/c.txt", "hc", _chunks("/d/c.txt", ["广州有早茶"]), a[:1],
                                                model_name="m"), 10)
        assert kb.document("/d/c.txt") is None

        server.start()  # the same folder, the same port
        deadline = time.monotonic() + 15  # this open handle's channel reconnects by itself
        while True:
            try:
                assert kb.dense_search(a[0], 1)[0][0] == kept[0]
                break
            except MilvusUnavailable:
                assert time.monotonic() < deadline, "the open knowledge base never reached the restarted server"
                time.sleep(0.2)

    with open_knowledge_base(tmp_path / "kb", "kb", config) as kb:  # brought level on open
        report = kb.check()
        assert report.ok, report.summary()
        assert report.chunks == report.dense_vectors == 4
        (hit, _), = kb.lexical_search(query_tokens("西湖"), 1)
        assert kb.chunks([hit])[hit].source == "/d/b.txt"
        assert kb.chunks([kb.dense_search(b[1], 1)[0][0]])[kb.dense_search(b[1], 1)[0][0]].source == "/d/b.txt"


def test_a_server_that_does_not_answer_times_out(tmp_path, server, monkeypatch):
    config = StoreConfig(vector_store="milvus", milvus_uri=server.uri)
    a = _vectors(2, 3)
    with open_knowledge_base(tmp_path / "kb", "kb", config, create=True) as kb:
        kb.replace_document("/d/a.txt", "ha", _chunks("/d/a.txt", ["北京是首都", "上海是港口"]), a, model_name="m")
        monkeypatch.setattr(calls, "REQUEST_TIMEOUT", 1.0)  # 30 s in use
        server.process.send_signal(signal.SIGSTOP)  # accepts connections, answers nothing
        try:
            exc = _fails_soon(lambda: kb.dense_search(a[0], 3), 8)
            assert "no answer in time" in str(exc)
        finally:
            server.process.send_signal(signal.SIGCONT)
        assert kb.dense_search(a[0], 1)  # answered again once it is thawed
