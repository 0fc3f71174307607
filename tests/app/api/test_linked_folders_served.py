"""The running server keeps linked folders in sync: a file saved into a folder linked
before the server started is found by a search through the API, and one deleted is gone;
a folder linked while it runs is followed too, without a restart."""
from __future__ import annotations

import time
from pathlib import Path

from app.services import build_services


def _found(client, query: str) -> list[str]:
    results = client.post("/api/v1/search", json={"query": query, "knowledge_bases": ["notes"]}).json()["results"]
    return [Path(r["source"]).name for r in results]


def _until(condition, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


def test_a_folder_linked_before_the_server_started_is_followed_while_it_serves(serve, settings, fake_embedder,
                                                                             tmp_path):
    folder = tmp_path / "笔记"
    folder.mkdir()
    (folder / "茶馆.md").write_text("# 望月茶馆\n\n望月茶馆每天早上七点开门。\n", encoding="utf-8")
    linking = build_services(settings, embedder=fake_embedder)
    linking.knowledge.link_folder("notes", folder)
    linking.close()

    server = serve()
    with server.client() as client:
        assert _found(client, "望月茶馆几点开门") == ["茶馆.md"]
        (folder / "书店.md").write_text("# 青石书店\n\n青石书店在东街，周一闭店。\n", encoding="utf-8")
        assert _until(lambda: "书店.md" in _found(client, "青石书店周一闭店"))
        (folder / "书店.md").unlink()
        assert _until(lambda: "书店.md" not in _found(client, "青石书店周一闭店"))


def test_a_folder_linked_while_the_server_runs_is_followed_without_a_restart(serve, settings, fake_embedder,
                                                                           tmp_path):
    folder = tmp_path / "新笔记"
    folder.mkdir()
    (folder / "茶馆.md").write_text("# 望月茶馆\n\n望月茶馆每天早上七点开门。\n", encoding="utf-8")
    server = serve()
    with server.client() as client:
        assert client.post("/api/v1/knowledge_bases", json={"name": "notes"}).status_code == 201
        linking = build_services(settings, embedder=fake_embedder)  # as the knowledge-base page of the app links
        linking.knowledge.add_folder_link("notes", folder)  # nothing indexed by the linking itself
        linking.close()
        assert _until(lambda: "茶馆.md" in _found(client, "望月茶馆几点开门"))  # reconciled by the server's follower
        (folder / "书店.md").write_text("# 青石书店\n\n青石书店在东街，周一闭店。\n", encoding="utf-8")
        assert _until(lambda: "书店.md" in _found(client, "青石书店周一闭店"))
