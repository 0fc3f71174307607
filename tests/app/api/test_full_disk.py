"""A full disk, made real: the server's data folder on a small tmpfs (mounted by the test, as
root; skipped where mounting is not permitted), filled by a file the test then removes.

An upload that fills the disk used to fail as a whole ("unexpected OSError"), leave its
half-indexed file in `files/` and the rolled-back transaction's WAL filling the disk, so
every later upload failed and creating a knowledge base answered 500 until a restart. Now
each file has its outcome, nothing half written stays, the database and its WAL stay small
and writable, and once space is freed the same server goes on, no restart. The command line
says the disk is full in the user's language.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.app.api.test_native import error_of
from tests.app.cli.test_search_cli import run

MB = 1024 * 1024
TEXT = "".join(f"第{i}段：大熊猫是中国特有的动物，主要生活在四川、陕西和甘肃的山区，每天要吃十几公斤竹子。\n\n"
               for i in range(4000))  # about 500 KB: a few MB of chunks, vectors and FTS rows once indexed


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 32 MB file system of its own (tmpfs), unmounted after the test."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root")
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode(errors='replace').strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path, leave_bytes: int) -> Path:
    """A file that takes all the space of `disk` but `leave_bytes`."""
    filler = disk / "filler"
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    with open(filler, "ab") as fh:
        for _ in range(max(0, free - leave_bytes) // MB):
            fh.write(b"\0" * MB)
        fh.write(b"\0" * (max(0, free - leave_bytes) % MB))
    return filler


def test_a_full_disk_fails_per_file_and_the_server_heals_when_space_is_freed(small_disk, serve):
    data = small_disk / "data"
    server = serve(data_dir=data)
    kb_folder = data / "kb" / "kb"
    with server.client(timeout=120) as client:
        assert client.post("/api/v1/knowledge_bases", json={"name": "kb"}).status_code == 201
        filler = fill(small_disk, leave_bytes=3 * MB)
        files = [("files", (f"熊猫{i}.txt", (TEXT + str(i)).encode(), "text/plain")) for i in range(3)]
        job = client.post("/api/v1/knowledge_bases/kb/documents", files=files, params={"wait": "true"}).json()
        assert job["status"] == "done" and job["error"] == "" and len(job["files"]) == 3, job
        failed = [f for f in job["files"] if f["status"] == "failed"]
        assert failed and all("the disk is full" in f["note"] for f in failed), job["files"]
        indexed = {f["name"] for f in job["files"] if f["status"] == "indexed"}

        # nothing half written: no file of a failed upload, no temporary file; the WAL emptied
        assert {p.name for p in (kb_folder / "files").iterdir()} == indexed
        wal = kb_folder / "kb.sqlite-wal"
        assert not wal.exists() or wal.stat().st_size < MB, wal.stat().st_size
        documents = client.get("/api/v1/knowledge_bases/kb/documents").json()["documents"]
        assert {Path(d["path"]).name for d in documents} == indexed

        # the disk entirely full: creating a knowledge base says so, and leaves nothing behind
        fill(small_disk, leave_bytes=0)
        full = client.post("/api/v1/knowledge_bases", json={"name": "other"})
        assert full.status_code == 507 and error_of(full)["code"] == "disk_full", full.text
        assert not (data / "kb" / "other").exists()
        assert client.get("/api/v1/knowledge_bases").status_code == 200  # still serving

        # space freed: the same server goes on
        filler.unlink()
        assert client.post("/api/v1/knowledge_bases", json={"name": "other"}).status_code == 201
        again = client.post("/api/v1/knowledge_bases/kb/documents", files=files, params={"wait": "true"}).json()
        assert {f["name"]: f["status"] for f in again["files"]} == {
            name: "skipped" if name in indexed else "indexed" for name, _ in ((f[1][0], 0) for f in files)}
        hits = client.post("/api/v1/search", json={"query": "大熊猫吃什么", "knowledge_bases": ["kb"]}).json()
        assert hits["results"]


def test_the_command_line_says_the_disk_is_full_in_the_users_language(small_disk, tmp_path):
    data = small_disk / "data"
    docs = tmp_path / "docs"
    docs.mkdir()
    short = TEXT[:len(TEXT) // 20]  # the real embedder reads these: a few hundred chunks, a few MB indexed
    for i in range(3):
        (docs / f"熊猫{i}.txt").write_text(short + str(i), encoding="utf-8")
    run(["ingest", str(docs / "熊猫0.txt"), "--kb", "kb", "-q"], data)
    filler = fill(small_disk, leave_bytes=256 * 1024)
    result = run(["ingest", str(docs), "--kb", "kb", "-q"], data, check=False, env={"LANG": "zh_CN.UTF-8"})
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "磁盘已满" in result.stdout and "2 failed" in result.stdout, result.stdout
    filler.unlink()
    healed = run(["ingest", str(docs), "--kb", "kb", "-q"], data, env={"LANG": "en_US.UTF-8"})
    assert "2 added" in healed.stdout and "1 unchanged" in healed.stdout, healed.stdout
