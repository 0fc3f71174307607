"""End to end in a real browser, the second walk: upload a scanned PDF and watch the OCR
progress line and the OCR page count; upload the same text as Markdown and as plain text
and see one source that names both files; rename the knowledge base and find the chat
still asking it under its new name. Screenshots go where test_e2e_browser.py puts them.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.app.ui.test_e2e_browser import _ask, _shoot, app_url, zh_page  # noqa: F401  (a fixture)

pymupdf = pytest.importorskip("pymupdf")
pytestmark = pytest.mark.slow

KB = "扫描资料"
RENAMED = "扫描资料库"
SCAN_LINES = [["青石镇图书馆每周一闭馆，", "其余日子上午九点开放。"], ["借书证可以在一楼服务台办理，", "办理时需要带身份证。"],
              ["每人每次最多借五本书，", "借期为三十天。"]]
SHARED = "青石镇图书馆的阅览室在三楼，共有两百个座位，周末常常坐满。\n"


def _scanned_pdf(path: Path) -> Path:
    """Image-only pages (no text layer): each is read with OCR."""
    doc = pymupdf.open()
    for lines in SCAN_LINES:
        source = pymupdf.open()
        typed = source.new_page(width=420, height=200)
        for i, line in enumerate(lines):
            typed.insert_text((30, 60 + 30 * i), line, fontname="china-s", fontsize=18)
        doc.new_page(width=420, height=200).insert_image(pymupdf.Rect(0, 0, 420, 200),
                                                          pixmap=typed.get_pixmap(dpi=150))
    doc.save(path)
    return path


@pytest.mark.timeout(1200)
def test_ocr_progress_duplicate_sources_and_rename_in_a_real_browser(app_url: str, tmp_path: Path):  # noqa: F811
    from playwright.sync_api import expect

    shots = Path(os.environ.get("E2E_SHOTS_DIR") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    files = [_scanned_pdf(tmp_path / "馆规扫描件.pdf"), tmp_path / "阅览室.md", tmp_path / "阅览室说明.txt"]
    files[1].write_text("# 阅览室\n\n" + SHARED, encoding="utf-8")
    files[2].write_text("阅览室说明\n\n" + SHARED, encoding="utf-8")
    with zh_page(tmp_path, 1400, 1000) as page:
        page.goto(app_url)
        page.get_by_role("link", name="知识库").click()
        page.get_by_label("新建知识库", exact=True).fill(KB)
        page.get_by_role("button", name="创建").click()
        expect(page.get_by_text(f"已创建知识库：{KB}")).to_be_visible(timeout=30_000)
        page.locator("input[type=file]").set_input_files([str(f) for f in files])
        upload = page.get_by_role("button", name="上传并索引")
        expect(upload).to_be_enabled(timeout=30_000)
        upload.click()
        # the progress line names the page being read, and the time so far
        expect(page.get_by_text("OCR 第", exact=False).first).to_be_visible(timeout=120_000)
        progress = page.get_by_text("OCR 第", exact=False).first.inner_text()
        assert "馆规扫描件.pdf" in progress and "/3 页" in progress and "已用" in progress, progress
        page.screenshot(path=str(shots / "zh-ocr-progress-1400x1000.png"))
        expect(page.get_by_text("上次上传结果")).to_be_visible(timeout=300_000)
        expect(page.get_by_text("3 页用 OCR 读出").first).to_be_visible()
        _shoot(page, shots, "zh-kb-ocr")

        # rename: the knowledge-base page and the chat both follow
        page.get_by_text("重命名这个知识库").click()
        page.get_by_role("textbox", name="新名称").fill(RENAMED)
        page.keyboard.press("Tab")  # Streamlit takes the value when the box loses focus
        page.get_by_role("button", name="重命名", exact=True).click()
        expect(page.get_by_text(f"已将知识库 {KB} 重命名为 {RENAMED}")).to_be_visible(timeout=30_000)
        page.get_by_role("link", name="问答").click()
        chips = page.locator('[data-testid="stMultiSelect"]').first
        expect(chips).to_contain_text(RENAMED, timeout=30_000)

        # the same paragraph from two files is one source that names the other file
        _ask(page, expect, "阅览室有多少个座位？", 0)
        expect(page.get_by_text("也见于").first).to_be_visible(timeout=30_000)
        expect(page.get_by_text("两百个座位").first).to_be_visible()
        expect(page.get_by_text(re.compile(r"\[1\] 阅览室")).first).to_be_visible(timeout=30_000)
        _shoot(page, shots, "zh-chat-also-in")
        # and the scanned pages answer too
        _ask(page, expect, "图书馆哪天闭馆？", 1)
        expect(page.get_by_text("馆规扫描件.pdf").last).to_be_visible(timeout=30_000)
        _shoot(page, shots, "zh-chat-ocr")
        assert page.locator('[data-testid="stException"]').count() == 0
