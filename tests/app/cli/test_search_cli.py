"""The command-line contract, run as a user would: real subprocesses, real default model."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def run(args, data_dir, check=True, env=None):
    env = {**os.environ, "YIZHI_DATA_DIR": str(data_dir), **(env or {})}
    proc = subprocess.run([sys.executable, "-m", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"{args} exited {proc.returncode}: {proc.stderr}")
    return proc


@pytest.fixture
def docs(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "高铁.md").write_text("# 中国高铁\n\n京沪高速铁路全长1318公里，于2011年6月30日开通运营。\n", encoding="utf-8")
    (folder / "gbk.txt").write_bytes("敦煌莫高窟始建于十六国的前秦时期，是世界上现存规模最大的佛教艺术地。".encode("gbk"))
    return folder


def test_errors_are_sentences_with_a_non_zero_exit(tmp_path):
    missing = run(["app", "search", "问题", "--kb", "nokb"], tmp_path / "data", check=False)
    assert missing.returncode == 2 and "make ingest" in missing.stderr and "Traceback" not in missing.stderr
    empty = run(["app", "search", "  "], tmp_path / "data", check=False)
    assert empty.returncode == 2 and "empty" in empty.stderr
    bad_kb = run(["ingest", str(tmp_path), "--kb", "../escape"], tmp_path / "data", check=False)
    assert bad_kb.returncode == 2 and "not a valid knowledge-base name" in bad_kb.stderr


@pytest.mark.slow
def test_ingest_then_search_as_a_user_would(tmp_path, docs):
    data = tmp_path / "data"
    first = run(["ingest", str(docs), "--kb", "papers", "-q"], data)
    assert "2 added" in first.stdout and "0 failed" in first.stdout
    again = run(["ingest", str(docs), "--kb", "papers", "-q"], data)
    assert "2 unchanged" in again.stdout and "0 chunks" in again.stdout

    out = run(["app", "search", "京沪高铁有多长", "--kb", "papers", "--json"], data)
    results = json.loads(out.stdout)["results"]
    assert Path(results[0]["source"]).name == "高铁.md" and "1318" in results[0]["text"]
    assert set(results[0]) >= {"source", "page", "score", "text"}

    text = run(["app", "search", "莫高窟是什么时候建的", "--kb", "papers", "-k", "1"], data)
    assert "gbk.txt" in text.stdout and "莫高窟" in text.stdout

    removed = run(["ingest", "--remove", str(docs / "gbk.txt"), "--kb", "papers"], data)
    assert "removed" in removed.stdout
    after = json.loads(run(["app", "search", "莫高窟", "--kb", "papers", "--json"], data).stdout)["results"]
    assert all(Path(r["source"]).name != "gbk.txt" for r in after)
