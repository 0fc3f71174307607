"""`python -m ingest DIR --prune`: the folder is indexed before what is gone is pruned, so a
file renamed in it keeps its chunks and vectors (found by its bytes), nothing re-embedded."""
from __future__ import annotations

import pytest

from app.cli import ingest_cli
from app.services import build_services
from tests.app.conftest import write_docs


@pytest.fixture
def run(settings, fake_embedder, monkeypatch, capsys):
    """The command's main, over the test's data folder, embedding with the recording embedder."""
    monkeypatch.setenv("YIZHI_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.setattr(ingest_cli, "build_services", lambda s: build_services(s, embedder=fake_embedder))

    def main(*argv: str) -> str:
        assert ingest_cli.main([*argv, "--kb", "合同", "-q"]) == 0
        return capsys.readouterr().out
    return main


def test_a_file_renamed_in_a_folder_is_re_pointed_by_prune_not_re_embedded(run, settings, fake_embedder, tmp_path):
    docs = tmp_path / "合同"
    write_docs(docs, {"租赁合同.txt": "甲方将青石镇东街三号的铺面租给乙方，租期三年。",
                      "采购合同.txt": "乙方每月向甲方供应桂花乌龙二十斤。"})
    run(str(docs))
    assert len(fake_embedder.calls) == 2
    (docs / "租赁合同.txt").rename(docs / "租赁合同-2024.txt")
    (docs / "采购合同.txt").unlink()

    said = run(str(docs), "--prune")

    assert len(fake_embedder.calls) == 2  # the renamed file: moved, not read and embedded again
    assert "1 moved (nothing re-embedded)" in said and "pruned (file is gone): " in said and "采购合同.txt" in said
    services = build_services(settings, embedder=fake_embedder)
    try:
        assert [d.path for d in services.knowledge.documents("合同")] == [str((docs / "租赁合同-2024.txt").resolve())]
    finally:
        services.close()
