"""Nothing the app writes is tracked by git: saved conversations live in `<data>/state/`
(git-ignored), the file earlier Yizhis kept at `<data>/conversations.sqlite` (which the
repository tracked) is moved there with its turns, and every path the app writes under the
default data folder is ignored. `make run` itself leaving `git status` clean is checked in
tests/app/ui/test_make_run_git_status.py; the whole test run, by tests/conftest.py."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from app.services.conversations import SqliteConversationService, conversations_path
from app.settings import Settings
from tests.conftest import ROOT


def test_saved_conversations_move_from_the_tracked_file_into_the_state_folder(tmp_path: Path):
    data = tmp_path / "data"
    old = SqliteConversationService(data / "conversations.sqlite")
    conversation = old.create_conversation("大熊猫吃什么？", ["kb"])
    old.append_turn(conversation, "user", "大熊猫吃什么？", kb_names=["kb"])
    path = conversations_path(data)
    assert path == data / "state" / "conversations.sqlite" and path.is_file()
    assert not (data / "conversations.sqlite").exists()
    moved = SqliteConversationService(path).load_conversation(conversation)
    assert moved is not None and [t.content for t in moved.turns] == ["大熊猫吃什么？"]
    assert conversations_path(data) == path  # the second time: nothing to move


def _ignored(path: str) -> bool:
    return subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT).returncode == 0


def test_every_file_the_app_writes_under_the_default_data_folder_is_ignored_by_git():
    if subprocess.run(["git", "rev-parse"], cwd=ROOT, capture_output=True).returncode != 0:
        pytest.skip("not a git checkout")
    settings = Settings(_env_file=None)
    written = [conversations_path(Path("data")).with_name("conversations.sqlite-wal"),
               conversations_path(Path("data")), settings.log_dir / "yizhi.log", settings.log_dir / "yizhi.log.1",
               settings.kb_root / "default" / "kb.sqlite", settings.kb_root / "default" / "files" / "a.pdf",
               settings.data_dir / "models" / "gemma.gguf", settings.data_dir / "eval" / "x" / "kb.sqlite",
               Path("yizhi.egg-info") / "PKG-INFO", Path("data") / "conversations.sqlite-wal"]
    assert [str(p) for p in written if not _ignored(str(p))] == []
    tracked = subprocess.run(["git", "ls-files", "data"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert "data/conversations.sqlite" not in tracked
    assert all(p.startswith(("data/docs/", "data/make_sample_pdf.py")) for p in tracked), tracked
