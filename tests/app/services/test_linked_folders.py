"""`python -m ingest --link DIR / --unlink DIR / --links / --watch`: the knowledge service's part."""
from __future__ import annotations

import threading

import pytest

from app.cli.ingest_cli import main, parse_args
from app.services import build_services
from core.errors import ConfigError
from tests.app.conftest import write_docs


def test_the_commands_parse():
    args = parse_args(["--link", "docs", "--kb", "papers"])
    assert [str(p) for p in args.link] == ["docs"] and args.kb == "papers"
    watch = parse_args(["--watch"])
    assert watch.watch and watch.watch_kb is None and watch.kb == "default"
    assert parse_args(["--links", "--kb", "x"]).links


def test_link_ingests_lists_and_unlinks(settings, fake_embedder, fake_generator, tmp_path):
    docs = tmp_path / "docs"
    write_docs(docs, {"menu.txt": "招牌菜是龙井虾仁。", "old.doc": "x"})
    svc = build_services(settings, embedder=fake_embedder, generator=fake_generator)
    try:
        summary = svc.knowledge.link_folder("kb", docs)
        assert summary.count("added") == 1
        [link] = svc.knowledge.linked_folders("kb")
        assert link.folder == str(docs.resolve()) and link.last_synced > 0
        assert link.failed == 1 and link.failures[0][0].endswith("old.doc")
        assert svc.knowledge.unlink_folder("kb", docs) and svc.knowledge.linked_folders("kb") == []
        with pytest.raises(ConfigError, match="no folder is linked"):
            svc.knowledge.watch("kb", threading.Event())
        with pytest.raises(ConfigError, match="not a folder"):
            svc.knowledge.link_folder("kb", tmp_path / "missing")
    finally:
        svc.close()


def test_links_are_listed_by_the_command(settings, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("YIZHI_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    assert main(["--links", "--kb", "nothing-here"]) == 2  # no such knowledge base
    assert "nothing-here" in capsys.readouterr().err
