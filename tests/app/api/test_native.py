"""The native API (/api/v1) through httpx against a real server: knowledge bases, uploads as
jobs, documents, search and ask in the CLI's JSON shapes, and bad input of every kind."""
from __future__ import annotations

import time
from pathlib import Path

from tests.app.api.conftest import upload_tiny_kb
from tests.app.conftest import TINY_DOCS


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"message", "type", "code", "param"}, body
    return body["error"]


def test_upload_search_ask_delete_as_a_client_would(serve, settings):
    server = serve()
    with server.client() as client:
        assert client.get("/api/v1/knowledge_bases").json() == {"knowledge_bases": []}
        job = upload_tiny_kb(client)
        assert job["status"] == "done" and job["done"] == job["total"] == 2 and job["progress"] == 1.0
        assert [(f["name"], f["status"]) for f in job["files"]] == [(n, "indexed") for n in TINY_DOCS]
        assert client.get("/api/v1/knowledge_bases").json()["knowledge_bases"] == [
            {"name": "kb", "documents": 2, "chunks": 2}]

        results = client.post("/api/v1/search", json={"query": "RCEP包括哪些国家", "knowledge_bases": ["kb"]}).json()
        hit = results["results"][0]
        assert Path(hit["source"]).name == "rcep.txt"
        # The same shape as `python -m app search --json`: the one to_dict of core.types.
        expected = server.services.answers.search("RCEP包括哪些国家", ["kb"])[0].to_dict()
        assert hit == expected

        answer = client.post("/api/v1/ask", json={"question": "RCEP包括哪些国家？", "knowledge_bases": ["kb"],
                                                  "history": [{"role": "user", "content": "你好"},
                                                              {"role": "assistant", "content": "你好！"}]})
        assert answer.status_code == 200
        body = answer.json()
        assert set(body) >= {"answer", "refused", "sources", "timings"} and body["refused"] is False
        assert "[1]" in body["answer"] and Path(body["sources"][0]["source"]).name == "rcep.txt"
        assert client.post("/api/v1/ask", json={"question": "火星上有几座火山？", "knowledge_bases": ["kb"]}
                           ).json()["refused"] is True

        docs = client.get("/api/v1/knowledge_bases/kb/documents").json()["documents"]
        panda = next(d for d in docs if d["path"].endswith("panda.txt"))
        assert set(panda) >= {"doc_id", "path", "status", "chunks", "pages"} and panda["status"] == "ok"
        deleted = client.delete(f"/api/v1/knowledge_bases/kb/documents/{panda['doc_id']}")
        assert deleted.status_code == 200 and not Path(panda["path"]).exists()
        assert [d["doc_id"] for d in client.get("/api/v1/knowledge_bases/kb/documents").json()["documents"]] == [
            d["doc_id"] for d in docs if d is not panda]
        assert client.delete(f"/api/v1/knowledge_bases/kb/documents/{panda['doc_id']}").status_code == 404

        assert client.delete("/api/v1/knowledge_bases/kb").json() == {"deleted": "kb"}
        assert not (settings.kb_root / "kb").exists()
        assert error_of(client.get("/api/v1/knowledge_bases/kb"))["code"] == "knowledge_base_not_found"


def test_an_upload_job_reports_progress_and_every_files_outcome(serve, settings):
    server = serve(max_file_mb=1)
    with server.client() as client:
        client.post("/api/v1/knowledge_bases", json={"name": "kb"})
        files = [("files", ("rcep.txt", TINY_DOCS["rcep.txt"].encode(), "text/plain")),
                 ("files", ("../../escape.md", "# 越狱\n\n大熊猫主要吃竹子。".encode(), "text/markdown")),
                 ("files", ("big.txt", b"a" * (1024 * 1024 + 1), "text/plain")),
                 ("files", ("tool.exe", b"MZ\x90\x00", "application/octet-stream")),
                 ("files", ("copy.txt", TINY_DOCS["rcep.txt"].encode(), "text/plain"))]
        started = client.post("/api/v1/knowledge_bases/kb/documents", files=files)
        assert started.status_code == 202 and started.headers["location"] == f"/api/v1/jobs/{started.json()['id']}"
        job = started.json()
        deadline = time.monotonic() + 20
        while job["status"] in ("queued", "running"):
            assert time.monotonic() < deadline, job
            time.sleep(0.05)
            job = client.get(started.headers["location"]).json()
        assert (job["status"], job["total"], job["done"], job["failed"]) == ("done", 5, 5, 2)
        outcome = {f["name"]: f for f in job["files"]}
        assert outcome["rcep.txt"]["status"] == "indexed"
        assert outcome["../../escape.md"]["status"] == "indexed"
        assert outcome["big.txt"]["status"] == "failed" and "1 MB limit" in outcome["big.txt"]["note"]
        assert outcome["tool.exe"]["status"] == "failed" and "unsupported" in outcome["tool.exe"]["note"]
        assert outcome["copy.txt"]["status"] == "skipped" and "rcep.txt" in outcome["copy.txt"]["note"]
        # A `../` name never leaves the knowledge base's folder.
        stored = sorted(p.name for p in (settings.kb_root / "kb" / "files").iterdir())
        assert stored == ["escape.md", "rcep.txt"]
        everywhere = settings.data_dir.parent.rglob("*escape*")
        assert [p.resolve() for p in everywhere] == [(settings.kb_root / "kb" / "files" / "escape.md").resolve()]

        again = client.post("/api/v1/knowledge_bases/kb/reindex", params={"wait": "true"}).json()
        assert again["status"] == "done" and {f["status"] for f in again["files"]} == {"added"}
        assert error_of(client.get("/api/v1/jobs/nope"))["code"] == "job_not_found"


def test_bad_requests_get_a_status_and_a_sentence(serve):
    server = serve(api_max_body_mb=1)
    with server.client() as client:
        empty = client.post("/api/v1/search", content=b"", headers={"Content-Type": "application/json"})
        assert empty.status_code == 400 and error_of(empty)["code"] == "empty_body"
        malformed = client.post("/api/v1/search", content=b'{"query": ', headers={"Content-Type": "application/json"})
        assert malformed.status_code == 400 and error_of(malformed)["code"] == "invalid_json"
        wrong = client.post("/api/v1/search", json={"query": "x", "k": "many"})
        assert wrong.status_code == 422 and error_of(wrong)["param"] == "k"
        assert client.post("/api/v1/search", json={"query": "RCEP", "knowledge_bases": ["nokb"]}).status_code == 404
        client.post("/api/v1/knowledge_bases", json={"name": "kb"})
        blank = client.post("/api/v1/search", json={"query": "  ", "knowledge_bases": ["kb"]})
        assert blank.status_code == 400 and "empty" in error_of(blank)["message"]

        for name, status in (("../etc", 400), ("kb", 409), ("", 400)):
            assert client.post("/api/v1/knowledge_bases", json={"name": name}).status_code == status, name
        unknown = client.post("/api/v1/ask", json={"question": "问题", "knowledge_bases": ["nokb"]})
        assert unknown.status_code == 404 and "nokb" in error_of(unknown)["message"]
        files = [("files", ("a.txt", b"hello", "text/plain"))]
        assert client.post("/api/v1/knowledge_bases/nokb/documents", files=files).status_code == 404
        assert client.post("/api/v1/knowledge_bases/kb/documents").status_code in (400, 422)  # no files

        huge = [("files", ("huge.txt", b"x" * (1024 * 1024 + 100), "text/plain"))]
        too_large = client.post("/api/v1/knowledge_bases/kb/documents", files=huge)
        assert too_large.status_code == 413 and "YIZHI_API_MAX_BODY_MB" in error_of(too_large)["message"]

        def chunked():  # no Content-Length: counted as it arrives
            yield b'{"query": "'
            for _ in range(5 * 1024):
                yield b"x" * 1024
            yield b'"}'
        streamed = client.post("/api/v1/search", content=chunked(), headers={"Content-Type": "application/json"})
        assert streamed.status_code == 413 and error_of(streamed)["code"] == "body_too_large"
        assert client.get("/api/v1/nothing").status_code == 404
        assert client.get("/api/v1/knowledge_bases").status_code == 200  # still answering


def test_an_error_about_a_setting_names_the_servers_variable():
    from app.api.errors import from_yizhi
    from core.errors import LoaderError

    error = from_yizhi(LoaderError("file is larger than the 1 MB limit", setting="max_file_mb"))
    assert error.status == 400 and error.message.endswith("(server setting YIZHI_MAX_FILE_MB)")
