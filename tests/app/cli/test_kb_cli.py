"""`python -m app kb migrate KB --to milvus|faiss` and `kb backend KB`, over the service:
a migrated knowledge base answers the same searches, and re-ingesting its unchanged files
embeds nothing."""
from __future__ import annotations

import pytest

from app.cli.app_cli import main
from app.services import build_services


@pytest.fixture
def env(monkeypatch, tmp_path, milvus_lite_uri):
    monkeypatch.setenv("YIZHI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("YIZHI_MILVUS_URI", milvus_lite_uri)
    monkeypatch.chdir(tmp_path)  # no project .env
    return tmp_path


def _ingest(settings, embedder, docs):
    services = build_services(settings, embedder=embedder)
    try:
        return services.knowledge.ingest("papers", [docs])
    finally:
        services.close()


def test_migrate_there_and_back(env, settings, fake_embedder, capsys):
    settings = settings.with_overrides(data_dir=env / "data")
    docs = env / "docs"
    docs.mkdir()
    (docs / "tea.md").write_text("# 茶叶\n\n西湖龙井产于浙江杭州西湖一带。\n\n普洱茶产于云南。", encoding="utf-8")
    (docs / "panda.txt").write_text("大熊猫主要生活在四川的山区，以竹子为食。", encoding="utf-8")
    assert _ingest(settings, fake_embedder, docs).count("added") == 2

    assert main(["kb", "migrate", "papers", "--to", "milvus"]) == 0
    assert "moved from faiss to milvus" in capsys.readouterr().out
    assert main(["kb", "backend", "papers"]) == 0
    assert capsys.readouterr().out.strip() == "milvus"

    fake_embedder.calls.clear()
    again = _ingest(settings, fake_embedder, docs)  # the catalogue moved with it: nothing to redo
    assert again.count("skipped") == 2 and fake_embedder.calls == []
    services = build_services(settings, embedder=fake_embedder)
    try:
        found = services.answers.search("龙井产于哪里", ["papers"], 1)
        assert found and found[0].chunk.source.endswith("tea.md")
    finally:
        services.close()

    assert main(["kb", "migrate", "papers", "--to", "faiss"]) == 0
    assert "moved from milvus to faiss" in capsys.readouterr().out
    main(["kb", "backend", "papers"])
    assert capsys.readouterr().out.strip() == "faiss"
    assert main(["kb", "migrate", "nokb", "--to", "milvus"]) == 2
    assert "does not exist" in capsys.readouterr().err
