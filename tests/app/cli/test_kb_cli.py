"""`python -m app kb migrate KB --to milvus|faiss`, `kb backend KB` and `kb rename OLD NEW`,
over the service: a migrated or renamed knowledge base answers the same searches, and
re-ingesting its unchanged files embeds nothing."""
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


def test_rename_as_a_user_would(env, settings, fake_embedder, capsys):
    settings = settings.with_overrides(data_dir=env / "data", score_threshold=0.0)
    docs = env / "docs"
    docs.mkdir()
    (docs / "tea.md").write_text("# 茶叶\n\n西湖龙井产于浙江杭州西湖一带。\n\n普洱茶产于云南。", encoding="utf-8")
    assert _ingest(settings, fake_embedder, docs).count("added") == 1

    assert main(["kb", "rename", "papers", "论文"]) == 0
    assert "renamed to '论文': use --kb 论文 from now on" in capsys.readouterr().out
    services = build_services(settings, embedder=fake_embedder)
    try:
        assert services.knowledge.list_knowledge_bases() == ["论文"]
        found = services.answers.search("龙井产于哪里", ["论文"], 1)
        assert found and found[0].chunk.source.endswith("tea.md")
        services.knowledge.create_knowledge_base("taken")
    finally:
        services.close()

    assert main(["kb", "rename", "papers", "x"]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["kb", "rename", "论文", "taken"]) == 2
    assert "already exists: pick another name" in capsys.readouterr().err
    assert main(["kb", "rename", "论文", "../up"]) == 2
    assert "not a valid knowledge-base name" in capsys.readouterr().err

