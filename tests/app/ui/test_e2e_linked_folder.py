"""End to end in a real browser: link a folder on the knowledge-base page of the running app
(nothing else runs: no API server, no `python -m ingest --watch`); the app's own follower
indexes it; a file saved into the folder afterwards is found on the retrieval test page
without a restart. Screenshots go where test_e2e_browser.py puts them.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.app.ui.test_e2e_browser import (  # noqa: F401  (app_url: a fixture)
    DOC_NAME,
    DOC_TEXT,
    _settled,
    app_url,
    zh_page,
)
from tests.app.ui.test_e2e_newcomer import _create, english_words

pytestmark = pytest.mark.slow

KB = "同步的资料"
LATER_NAME = "青石书店.md"
LATER_TEXT = "# 青石书店\n\n青石书店在青石镇西街，每周一闭店，其余日子早上九点开门。\n"


def _shoot_at(page, shots: Path, name: str, anchor) -> None:
    """The screen (1280×800) with `anchor` in view: the linked folders sit below the documents."""
    _settled(page)
    anchor.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.screenshot(path=str(shots / f"{name}-1280x800.png"))


def _search(page, expect, question: str) -> None:
    box = page.get_by_label("问题")
    box.fill(question)
    expect(box).to_have_value(question)
    box.press("Enter")
    expect(page.get_by_text("个候选段落")).to_be_visible(timeout=60_000)
    _settled(page)


@pytest.mark.timeout(900)
def test_a_folder_linked_on_the_page_is_followed_by_the_app_itself(app_url: str, tmp_path: Path):  # noqa: F811
    from playwright.sync_api import expect

    shots = Path(os.environ.get("E2E_SHOTS_DIR") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    folder = tmp_path / "我的笔记"
    folder.mkdir()
    (folder / DOC_NAME).write_text(DOC_TEXT, encoding="utf-8")
    with zh_page(tmp_path, 1280, 800) as page:
        page.goto(app_url)
        page.get_by_role("link", name="知识库").click()
        _create(page, expect, KB)
        expect(page.get_by_text("还没有关联的文件夹")).to_be_visible()

        path = page.get_by_role("textbox", name="关联一个文件夹（完整路径）")
        path.fill(str(tmp_path / "没有这个文件夹"))
        page.get_by_role("button", name="关联", exact=True).click()
        refused = page.get_by_text("无法关联：这个文件夹不存在：请检查路径")
        expect(refused).to_be_visible(timeout=30_000)
        _shoot_at(page, shots, "zh-link-refused", refused)

        path.fill(str(folder))
        page.get_by_role("button", name="关联", exact=True).click()
        expect(page.get_by_text("已关联文件夹：")).to_be_visible(timeout=30_000)
        # indexed by the app's follower in the background; the list looks again until it is synced
        expect(page.get_by_text("上次同步：")).to_be_visible(timeout=240_000)
        table = page.locator('[data-testid="stDataFrame"]')  # the documents table (drawn on a canvas)
        expect(table.get_by_text(DOC_NAME)).to_be_attached(timeout=30_000)
        expect(path).to_have_value("")  # emptied for the next one
        _shoot_at(page, shots, "zh-linked-folder", path)
        leaked = english_words(page, str(folder))
        assert leaked == [], leaked

        (folder / LATER_NAME).write_text(LATER_TEXT, encoding="utf-8")  # saved while the app runs
        page.get_by_role("link", name="命中测试").click()
        expect(page.get_by_role("heading", name="命中测试")).to_be_visible(timeout=30_000)
        _settled(page)
        found = page.locator('[data-testid="stDataFrame"]').get_by_text(LATER_NAME)
        deadline = time.monotonic() + 120
        while True:  # the follower waits for the folder to be quiet, then indexes the file
            _search(page, expect, "青石书店哪天闭店？")
            if found.count() or time.monotonic() > deadline:
                break
            page.wait_for_timeout(2000)
        expect(found.first).to_be_attached()
        expect(page.get_by_text("青石书店在青石镇西街").first).to_be_visible()  # the first passage, read
        _shoot_at(page, shots, "zh-linked-file-found", page.get_by_text("青石书店在青石镇西街").first)
        assert page.locator('[data-testid="stException"]').count() == 0
    log = (tmp_path / "server.log").read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in log, log[-3000:]
