"""`make run` leaves `git status` as it found it: the sample indexing, the logs and the saved
conversations all land in git-ignored parts of the data folder (the conversations database
used to be a tracked file, so using the app showed up in `git status` and could be
committed or overwritten by a pull).

Runs the real `make run` in this checkout, with this interpreter (`PY=`) and the install
step taken as done (`STAMP=`), on a free loopback port; asks a question in Chromium (the
exchange is saved as a conversation), then stops it.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.app.ui.test_e2e_browser import CHROMIUM, FLAGS, _ask, _free_port, _wait_healthy
from tests.conftest import ROOT, git_status

pytestmark = pytest.mark.slow


@pytest.mark.timeout(900)
def test_make_run_leaves_git_status_clean(tmp_path: Path):
    before = git_status()
    if before is None or shutil.which("make") is None or not CHROMIUM.exists():
        pytest.skip("needs a git checkout, make and /usr/bin/chromium")
    from playwright.sync_api import expect, sync_playwright

    stamp = tmp_path / "installed"
    stamp.touch()  # newer than requirements.txt: `make setup` has nothing to do
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("YIZHI_", "STREAMLIT_", "MAKEFLAGS"))}
    log = open(tmp_path / "make-run.log", "wb")
    make = subprocess.Popen(["make", "run", f"PY={sys.executable}", f"STAMP={stamp}", "HOST=127.0.0.1",
                             f"PORT={port}"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)  # its own process group: make and the server stop together
    try:
        _wait_healthy(f"http://127.0.0.1:{port}", make, timeout=600)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
            page = browser.new_page(locale="zh-CN")
            page.goto(f"http://127.0.0.1:{port}")
            expect(page.get_by_role("button", name="新对话")).to_be_visible(timeout=60_000)
            _ask(page, expect, "火星上的沙尘暴一般持续多久？", 0)  # refused from the sample documents: no LLM needed
            # listed in the history (.first: an earlier run of `make run` here may have asked it too)
            expect(page.get_by_role("button", name="火星上的沙尘暴一般持续多久？").first).to_be_visible(timeout=30_000)
            browser.close()
    finally:
        os.killpg(make.pid, signal.SIGTERM)
        try:
            make.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(make.pid, signal.SIGKILL)
            make.wait()
        log.close()
    time.sleep(0.5)
    output = (tmp_path / "make-run.log").read_text(errors="replace")
    assert "bootstrap:" in output, output[-3000:]
    assert (ROOT / "data" / "state" / "conversations.sqlite").is_file()
    assert sorted(git_status() - before) == [], output[-2000:]
