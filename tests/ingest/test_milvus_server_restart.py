"""The Milvus server dies while `python -m ingest` writes to it: the command ends soon with
Yizhi's own error line naming YIZHI_MILVUS_URI (no traceback, no hang); once the server is
back, the same command again finishes the job and nothing is half indexed."""
from __future__ import annotations

import re

import pytest

from bench.milvus_server import MilvusLiteServer
from core.config import StoreConfig
from retrieval.kb.opening import open_knowledge_base
from retrieval.lexical import query_tokens
from tests.ingest.ingest_proc import committed, env_for, make_docs, start_ingest, wait_for

KB = "restart"
N_FILES = 30


@pytest.mark.slow
def test_the_server_dies_mid_ingest_and_a_rerun_completes(tmp_path):
    paths = make_docs(tmp_path / "docs", N_FILES, "restart")
    with MilvusLiteServer(tmp_path / "milvus") as server:
        env = env_for(tmp_path / "data", YIZHI_VECTOR_STORE="milvus", YIZHI_MILVUS_URI=server.uri)
        db_path = tmp_path / "data" / "kb" / KB / "kb.sqlite"
        proc = start_ingest(tmp_path / "docs", KB, env)
        assert wait_for(proc, db_path, 2) and proc.poll() is None, "the run ended before the server was killed"
        server.kill()
        out, err = proc.communicate(timeout=120)  # the 30 s request timeout never comes into it: refused at once
        assert proc.returncode == 2, out + err
        assert "error:" in err and "YIZHI_MILVUS_URI" in err and server.uri in err, err
        assert "Traceback" not in out + err and "MilvusException" not in err, err
        done = committed(db_path)
        assert 0 < done < N_FILES

        server.start()
        again = start_ingest(tmp_path / "docs", KB, env)
        out, err = again.communicate(timeout=300)
        assert again.returncode == 0, err
        added, updated, unchanged, failed = map(int, re.search(
            r"(\d+) added, (\d+) updated, (\d+) unchanged, (\d+) failed", out).groups())
        assert (added + unchanged, updated, failed) == (N_FILES, 0, 0) and unchanged == done

        with open_knowledge_base(tmp_path / "data" / "kb", KB, StoreConfig(vector_store="milvus",
                                                                          milvus_uri=server.uri)) as kb:
            report = kb.check()
            assert report.ok, report.summary()
            assert report.chunks == report.dense_vectors == report.lexical_rows
            for path in paths:
                hits = kb.lexical_search(query_tokens(path.stem), 1)
                assert hits and kb.chunks([hits[0][0]])[hits[0][0]].source == str(path), path.stem
