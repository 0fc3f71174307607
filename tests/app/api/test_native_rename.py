"""`PATCH /api/v1/knowledge_bases/{kb}` renames a knowledge base: it answers under the new
name (here and as an OpenAI "model"), the old one is gone, and conflicts say why."""
from __future__ import annotations

from pathlib import Path

from tests.app.api.conftest import upload_tiny_kb


def _error(response) -> dict:
    return response.json()["error"]


def test_rename_then_search_under_the_new_name(serve):
    server = serve(score_threshold=0.0)
    with server.client() as client:
        upload_tiny_kb(client)
        client.post("/api/v1/knowledge_bases", json={"name": "taken"})
        renamed = client.patch("/api/v1/knowledge_bases/kb", json={"name": "资料"})
        assert renamed.status_code == 200
        assert renamed.json() == {"name": "资料", "documents": 2, "chunks": 2, "renamed_from": "kb"}
        assert [kb["name"] for kb in client.get("/api/v1/knowledge_bases").json()["knowledge_bases"]] == [
            "taken", "资料"]
        results = client.post("/api/v1/search", json={"query": "RCEP包括哪些国家", "knowledge_bases": ["资料"]}).json()
        hit = results["results"][0]
        assert Path(hit["source"]).name == "rcep.txt" and "/资料/files/" in hit["source"] and hit["also_in"] == []
        assert "资料" in [m["id"] for m in client.get("/v1/models").json()["data"]]

        assert client.get("/api/v1/knowledge_bases/kb").status_code == 404
        missing = client.patch("/api/v1/knowledge_bases/kb", json={"name": "x"})
        assert missing.status_code == 404 and _error(missing)["code"] == "knowledge_base_not_found"
        taken = client.patch("/api/v1/knowledge_bases/资料", json={"name": "taken"})
        assert taken.status_code == 409 and _error(taken)["code"] == "already_exists"
        bad = client.patch("/api/v1/knowledge_bases/资料", json={"name": "../etc"})
        assert bad.status_code == 400 and "not a valid knowledge-base name" in _error(bad)["message"]
        assert client.patch("/api/v1/knowledge_bases/资料", json={}).status_code == 422
