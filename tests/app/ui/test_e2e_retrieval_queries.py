"""End to end in a real browser (issue 24): the retrieval test page after two different
queries. The passage picked under the first query does not stay in the selector of the
second: it starts again on the second query's best passage. Screenshots at 1280×800 go
where test_e2e_browser.py puts them.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.app.ui.test_e2e_browser import (  # noqa: F401  (app_url: a fixture)
    DOC_NAME,
    DOC_TEXT,
    _settled,
    _shoot,
    app_url,
    zh_page,
)
from tests.app.ui.test_e2e_newcomer import _create

pytestmark = pytest.mark.slow

KB = "检索测试资料"
TOWN = ("青石镇志.md", "# 青石镇\n\n青石镇的银杏树有一百年了，每年十一月叶子变黄。\n\n"
                    "镇上的汽车站在南边，每天有六班车开往县城。\n")


def _search(page, expect, question: str) -> None:
    box = page.get_by_label("问题")
    box.fill(question)
    expect(box).to_have_value(question)
    page.get_by_role("button", name="检索", exact=True).click()
    expect(page.get_by_text(f"「{question}」的")).to_be_visible(timeout=60_000)
    _settled(page)


def _selector(page):
    return page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').last


@pytest.mark.timeout(900)
def test_the_passage_selector_follows_the_query(app_url: str, tmp_path: Path):  # noqa: F811
    from playwright.sync_api import expect

    shots = Path(os.environ.get("E2E_SHOTS_DIR") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    files = [tmp_path / DOC_NAME, tmp_path / TOWN[0]]
    files[0].write_text(DOC_TEXT, encoding="utf-8")
    files[1].write_text(TOWN[1], encoding="utf-8")
    with zh_page(tmp_path, 1280, 800) as page:
        page.goto(app_url)
        page.get_by_role("link", name="知识库").click()
        _create(page, expect, KB)
        page.locator("input[type=file]").set_input_files([str(f) for f in files])
        upload = page.get_by_role("button", name="上传并索引")
        expect(upload).to_be_enabled(timeout=30_000)
        upload.click()
        expect(page.get_by_text("上次上传结果")).to_be_visible(timeout=180_000)

        page.get_by_role("link", name="命中测试").click()
        expect(page.get_by_role("heading", name="命中测试")).to_be_visible(timeout=30_000)
        _settled(page)
        _search(page, expect, "望月茶馆几点开门？")
        picker = _selector(page)
        picker.scroll_into_view_if_needed()
        expect(picker.locator("input")).to_have_value(re.compile(r"^1\. "))
        picker.locator("input").click()
        picker.locator("input").fill("2.")
        page.keyboard.press("Enter")
        _settled(page)
        expect(picker.locator("input")).to_have_value(re.compile(r"^2\. "))
        _shoot(page, shots, "zh-retrieval-first-query-picked")

        _search(page, expect, "银杏树有多少年了？")
        picker = _selector(page)
        picker.scroll_into_view_if_needed()
        expect(picker.locator("input")).to_have_value(re.compile(r"^1\. "))  # not the one picked before
        first = page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').first
        expect(first).to_be_visible()
        _shoot(page, shots, "zh-retrieval-second-query")
        assert page.locator('[data-testid="stException"]').count() == 0
