"""What the command line prints cannot act on the terminal: a file name or passage holding an
escape sequence is shown escaped (it was printed raw, so a file named ESC[2J… cleared the
screen); a question over YIZHI_MAX_QUESTION_CHARS is refused in the user's language."""
from __future__ import annotations

import json

import pytest

from tests.app.cli.test_search_cli import run

EVIL = "\x1b[2J\x1b[31m茶馆\x9b7m.md"


@pytest.fixture
def evil_kb(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / EVIL).write_text("# 茶馆\n\n望月茶馆每天早上七点开门。\x1b]0;pwned\x07\n", encoding="utf-8")
    data = tmp_path / "data"
    run(["ingest", str(folder), "--kb", "kb", "-q"], data)
    return data


@pytest.mark.slow
def test_search_and_ask_print_control_characters_escaped(evil_kb):
    found = run(["app", "search", "望月茶馆几点开门", "--kb", "kb"], evil_kb).stdout
    assert "\\x1b[2J\\x1b[31m茶馆\\x9b7m.md" in found
    assert "\x1b" not in found and "\x9b" not in found and "\x07" not in found
    as_json = run(["app", "search", "望月茶馆几点开门", "--kb", "kb", "--json"], evil_kb).stdout
    assert "\x1b" not in as_json and "\x9b" not in as_json
    assert json.loads(as_json)["results"][0]["source"].endswith(EVIL)  # the JSON still says what the name is
    answered = run(["app", "ask", "望月茶馆每天几点开门？", "--kb", "kb"], evil_kb).stdout
    assert "\x1b" not in answered and "\x9b" not in answered and "茶馆" in answered


def test_a_question_over_the_limit_is_refused_in_the_users_language(tmp_path):
    env = {"YIZHI_MAX_QUESTION_CHARS": "10", "LANG": "zh_CN.UTF-8"}
    refused = run(["app", "search", "大熊猫" * 10, "--kb", "kb"], tmp_path / "data", check=False, env=env)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "输入超出了长度上限" in refused.stderr and "YIZHI_MAX_QUESTION_CHARS" in refused.stderr
    english = run(["app", "ask", "x" * 11], tmp_path / "data", check=False, env={**env, "LANG": "en_GB.UTF-8"})
    assert english.returncode == 2 and "the input is over its limit" in english.stderr
