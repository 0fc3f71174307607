"""The API on a Milvus server that stops: a search answers 503 with Retry-After and a message
naming YIZHI_MILVUS_URI (not a 500, not a hang), and the same API process searches again
once the server is back, without a restart (a real `milvus_lite server` of this test's own)."""
from __future__ import annotations

import time

from bench.milvus_server import MilvusLiteServer
from tests.app.api.conftest import upload_tiny_kb
from tests.app.api.test_native import error_of


def test_search_answers_503_while_milvus_is_down_and_works_again_after(serve, tmp_path):
    with MilvusLiteServer(tmp_path / "milvus") as milvus:
        server = serve(vector_store="milvus", milvus_uri=milvus.uri)
        query = {"query": "RCEP包括哪些国家", "knowledge_bases": ["kb"]}
        with server.client(timeout=60) as http:
            upload_tiny_kb(http, "kb")
            assert http.post("/api/v1/search", json=query).status_code == 200

            milvus.kill()
            started = time.monotonic()
            down = http.post("/api/v1/search", json=query)
            assert time.monotonic() - started < 10
            assert down.status_code == 503 and int(down.headers["Retry-After"]) > 0
            error = error_of(down)
            assert error["code"] == "vector_store_unavailable" and "YIZHI_MILVUS_URI" in error["message"]
            assert milvus.uri in error["message"] and "Traceback" not in error["message"]

            milvus.start()
            deadline = time.monotonic() + 15
            while (back := http.post("/api/v1/search", json=query)).status_code == 503:
                assert time.monotonic() < deadline, error_of(back)
                time.sleep(0.2)
            assert back.status_code == 200 and back.json()["results"], back.text
