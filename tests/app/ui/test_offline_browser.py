"""The real app in Chromium, as a user meets it, over a knowledge base holding the sample
PDF guide (real embedder and LLM, an empty data folder):

- nothing the pages load comes from another host: chat with an answer, its sources and the
  PDF page view, the knowledge-base page and the retrieval test page ask this machine only
  (the tab icon came from fonts.gstatic.com);
- a question typed while the previous answer is still coming is answered, and neither is
  lost: the previous answer is saved as far as it was shown, marked as stopped (both
  questions and the first answer used to be lost, in the page and in the database). It runs
  first, while the models still load, so the second question surely comes during the first.
"""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from core.hosts import is_loopback
from tests.app.ui.test_e2e_browser import (
    CHROMIUM,
    FLAGS,
    ROOT,
    _ask,
    _open_sources,
    link_default_model,
    served_app,
)

pytestmark = pytest.mark.slow

GUIDE = ROOT / "data" / "docs" / "yizhi_guide_zh.pdf"
KB = "指南"


def outside(url: str) -> bool:
    """True for a request to any host but this machine (data: and blob: URLs stay inside)."""
    parts = urlsplit(url)
    return parts.scheme not in ("data", "blob", "about") and not is_loopback(parts.hostname or "")


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent: apt-get install chromium fonts-noto-cjk (done by .ci/run)")
    tmp = tmp_path_factory.mktemp("offline-app")
    data = tmp / "data"
    link_default_model(data)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("YIZHI_", "STREAMLIT_"))}
    # long answers: the second question surely arrives while the first is generated
    env.update(YIZHI_DATA_DIR=str(data), YIZHI_LLM_MAX_TOKENS="160")
    subprocess.run([sys.executable, "-m", "ingest", str(GUIDE), "--kb", KB, "-q"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=600)
    with served_app(tmp, env) as url:
        yield url, data


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        requested: list[str] = []
        context.on("request", lambda request: requested.append(request.url))
        page = context.new_page()
        page.on("websocket", lambda socket: requested.append(socket.url))
        try:
            yield page, requested
        finally:
            browser.close()


@pytest.mark.timeout(900)
def test_a_question_asked_while_an_answer_comes_is_not_lost(app, browser_page):
    from playwright.sync_api import expect

    url, data = app
    page, _ = browser_page
    page.goto(url)
    first, second = "已知支持哪些文件格式？", "已知需要显卡吗？"
    box = page.get_by_placeholder("输入问题…")
    expect(box).to_be_enabled(timeout=60_000)
    box.fill(first)
    box.press("Enter")
    # the first question's run has begun (first in this module: the models are still loading)
    expect(page.get_by_text(first).first).to_be_visible(timeout=60_000)
    time.sleep(0.3)
    box.fill(second)
    box.press("Enter")
    expect(page.get_by_text("耗时", exact=True).first).to_be_visible(timeout=300_000)
    page.wait_for_timeout(1500)
    expect(page.get_by_text(first).first).to_be_visible()
    expect(page.get_by_text(second).first).to_be_visible()
    expect(page.get_by_text("回答已停止", exact=False)).to_be_visible()

    with sqlite3.connect(data / "state" / "conversations.sqlite") as db:
        conversation = db.execute("SELECT conversation_id FROM turns WHERE content = ?", (first,)).fetchone()
        assert conversation is not None, "the first question was not saved"
        turns = db.execute("SELECT role, content, stopped FROM turns WHERE conversation_id = ? ORDER BY turn_id",
                           conversation).fetchall()
    assert [(role, stopped) for role, _, stopped in turns] == [("user", 0), ("assistant", 1), ("user", 0),
                                                                ("assistant", 0)], turns
    assert turns[0][1] == first and turns[2][1] == second and turns[3][1]


@pytest.mark.timeout(900)
def test_no_page_asks_any_host_but_this_machine(app, browser_page):
    from playwright.sync_api import expect

    url, _ = app
    page, requested = browser_page
    page.goto(url)
    _ask(page, expect, "已知支持哪些文件格式？", 0)
    _open_sources(page)
    page.get_by_text("在原文中查看").first.click()  # the PDF page, rendered with the passage marked
    expect(page.get_by_text("黄色：引用的段落", exact=False)).to_be_visible(timeout=60_000)
    page.get_by_role("link", name="知识库").click()
    expect(page.get_by_text("当前知识库")).to_be_visible(timeout=30_000)
    page.get_by_role("link", name="命中测试").click()
    page.get_by_label("问题").fill("支持哪些文件格式")
    page.get_by_role("button", name="检索").click()
    expect(page.get_by_text("个候选段落")).to_be_visible(timeout=60_000)
    page.wait_for_timeout(1000)
    assert requested and any(r.startswith(url) for r in requested)
    assert [r for r in requested if outside(r)] == []
