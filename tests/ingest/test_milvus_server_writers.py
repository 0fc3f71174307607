"""A knowledge base on a Milvus server, as a team runs it: two `python -m ingest` processes
write it at once (different files) while this process searches it. A Milvus Lite file
would refuse the second process; the server serves them all. The writers take turns by the
knowledge base's write lock; the searches never fail, and afterwards every file's marker
word is found, by BM25 and by its vector."""
from __future__ import annotations

import time

import pytest

from core.config import StoreConfig
from retrieval.kb.opening import open_knowledge_base
from retrieval.lexical import query_tokens
from tests.ingest.ingest_proc import committed, env_for, make_docs, start_ingest

KB = "team"
N_FILES = 12  # per writer: enough that the second asks for the lock while the first writes


def _search_once(kb, marker: str) -> None:
    hits = kb.lexical_search(query_tokens(marker), 3)
    if hits:
        vector = kb.embeddings([hits[0][0]])[hits[0][0]]
        assert kb.dense_search(vector, 5)


def _found(kb, marker: str) -> None:
    hits = kb.lexical_search(query_tokens(marker), 3)
    assert hits, f"{marker}: no BM25 hit"
    chunk = kb.chunks([hits[0][0]])[hits[0][0]]
    assert chunk.source.endswith(f"{marker}.txt"), (marker, chunk.source)
    vector = kb.embeddings([hits[0][0]])[hits[0][0]]
    top = kb.dense_search(vector, 3)
    assert any(kb.chunks([i])[i].source == chunk.source for i, _ in top), f"{marker}: its vector finds another file"


@pytest.mark.slow
def test_two_ingest_processes_write_one_knowledge_base_on_the_server_while_it_is_searched(tmp_path, milvus_server):
    alpha = make_docs(tmp_path / "a", N_FILES, "alpha")
    beta = make_docs(tmp_path / "b", N_FILES, "beta")
    env = env_for(tmp_path / "data", YIZHI_VECTOR_STORE="milvus", YIZHI_MILVUS_URI=milvus_server.uri)
    kb_root = tmp_path / "data" / "kb"
    config = StoreConfig(vector_store="milvus", milvus_uri=milvus_server.uri)
    markers = [p.stem for p in alpha + beta]

    with open_knowledge_base(kb_root, KB, config, create=True) as kb:
        writers = [start_ingest(tmp_path / "a", KB, env), start_ingest(tmp_path / "b", KB, env)]
        searches, seen_growing = 0, set()
        deadline = time.monotonic() + 300
        while any(w.poll() is None for w in writers) and time.monotonic() < deadline:
            _search_once(kb, markers[searches % len(markers)])  # must not raise while they write
            seen_growing.add(committed(kb_root / KB / "kb.sqlite"))
            searches += 1
            time.sleep(0.02)
        results = [w.communicate(timeout=60) for w in writers]
        for writer, (out, err) in zip(writers, results):
            assert writer.returncode == 0, err
            assert "Traceback" not in out + err
        waited = [err for _, err in results if "being written by another process: waiting" in err]
        assert len(waited) == 1, "the two writers did not run at once"  # the second took its turn
        assert searches > 10 and len(seen_growing) > 2, (searches, seen_growing)  # it searched during the writes

        report = kb.check()
        assert report.ok, report.summary()
        assert report.chunks == report.dense_vectors == report.lexical_rows
        assert committed(kb_root / KB / "kb.sqlite") == 2 * N_FILES
        for marker in markers:
            _found(kb, marker)
