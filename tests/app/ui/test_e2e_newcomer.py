"""End to end in a real browser, a newcomer's walk (issue 24): create two knowledge bases,
upload into the second, go to the chat and ask without touching its selector: the chat
has followed to the new knowledge base, says so, and answers from it. Screenshots go where
test_e2e_browser.py puts them.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.app.ui.test_e2e_browser import (  # noqa: F401  (app_url: a fixture)
    DOC_NAME,
    DOC_TEXT,
    _ask,
    _open_sources,
    _settled,
    _shoot,
    app_url,
    zh_page,
)

pytestmark = pytest.mark.slow

OTHER_KB = "其他资料"
BROKEN = "损坏的文件.pdf"
MODEL_NAMES = ("qwen2.5-1.5b-instruct", "gemma3-270m", "Gemma 3 270M", "python -m app models pull",  # and commands
               "python -m ingest --link", "python -m ingest --watch", "--kb")
# English a Chinese page may show: format and product names, units, settings
ALLOWED_WORDS = {"PDF", "Word", "PowerPoint", "Excel", "CSV", "TSV", "Markdown", "MARKDOWN", "HTML", "OCR", "MB",
                 "DOCX", "XLSX", "PPTX", "MD", "TXT", "HTM", "DOC", "XLS", "PPT", "WPS", "UTF", "YIZHI", "MAX",
                 "FILE", "md", "pdf", "txt", "English", "API",
                 "PNG", "SVG", "default", "Language"}  # the language switch's name is the same in both


def english_words(page, *names: str) -> list[str]:
    """English words a user reads or hears on the page (the main area's and the sidebar's
    text, placeholders, accessible names) outside file names (and `names`: a folder's path),
    icons and the allowed words."""
    said = _said(page)
    for name in (*names, DOC_NAME, BROKEN, *MODEL_NAMES):
        said = said.replace(name, " ")
    return sorted({f"{m.group()} in …{said[max(0, m.start() - 20):m.end() + 20]}…"  # with its context
                   for m in re.finditer(r"[A-Za-z][A-Za-z0-9]*", said) if m.group() not in ALLOWED_WORDS})


def _said(page) -> str:
    """The main area's and the sidebar's text (icons left out), placeholders and accessible names."""
    return page.evaluate("""() => {
        const parts = [];
        for (const area of document.querySelectorAll('[data-testid="stMain"], [data-testid="stSidebar"]')) {
            // icons (ligature names such as "folder") hidden while the text is read, then shown again
            const icons = [...area.querySelectorAll('[translate="no"]')].filter(icon => icon.style.display !== 'none');
            for (const icon of icons) icon.style.display = 'none';
            parts.push(area.innerText);
            for (const icon of icons) icon.style.display = '';
        }
        for (const el of document.querySelectorAll('[placeholder], [aria-label], [title]')) {
            if (el.closest('[aria-hidden="true"]')) continue;
            parts.push(...['placeholder', 'aria-label', 'title'].map(a => el.getAttribute(a) || ''));
        }
        return parts.join(' ');
    }""")


KB = "新茶馆资料"
# the user's own words an English page may show: knowledge-base and file names, the document,
# the question asked (in the retrieval test's box and its results)
USERS_WORDS = (KB, OTHER_KB, DOC_NAME, BROKEN, *(line.lstrip("# ") for line in DOC_TEXT.split("\n")), "望月茶馆几点开门？", "望月茶馆每天几点开门？",
               "中文")  # the language switch names each language in its own
HAN = re.compile(r"[\u3400-\u9fff]+")


def chinese_words(page) -> list[str]:
    """Chinese words a user reads or hears on an English page outside their own names,
    documents and questions (read as `english_words` reads a page)."""
    said = _said(page)
    for words in sorted((w.strip() for w in USERS_WORDS if w.strip()), key=len, reverse=True):
        said = said.replace(words, " ")
    return sorted({f"{m.group()} in …{said[max(0, m.start() - 20):m.end() + 20]}…" for m in HAN.finditer(said)})


def _create(page, expect, name: str) -> None:
    page.get_by_label("新建知识库", exact=True).fill(name)
    page.get_by_role("button", name="创建").click()
    expect(page.get_by_text(f"已创建知识库：{name}")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("heading", name=name)).to_be_visible(timeout=30_000)
    _settled(page)  # the previous knowledge base's upload widget is gone


@pytest.mark.timeout(1200)
def test_the_chat_follows_the_knowledge_base_just_filled(app_url: str, tmp_path: Path):  # noqa: F811
    from playwright.sync_api import expect

    shots = Path(os.environ.get("E2E_SHOTS_DIR") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    doc = tmp_path / DOC_NAME
    doc.write_text(DOC_TEXT, encoding="utf-8")
    with zh_page(tmp_path, 1400, 1000) as page:
        page.goto(app_url)
        expect(page.get_by_text("还没有知识库")).to_be_visible(timeout=30_000)
        page.get_by_role("link", name="知识库").click()
        _create(page, expect, OTHER_KB)  # the chat asks this one first …
        _create(page, expect, KB)  # … and follows to this one
        page.locator("input[type=file]").set_input_files(str(doc))
        upload = page.get_by_role("button", name="上传并索引")
        expect(upload).to_be_enabled(timeout=30_000)
        upload.click()
        expect(page.get_by_text("上次上传结果")).to_be_visible(timeout=180_000)
        expect(page.get_by_text("已索引").first).to_be_visible()

        page.get_by_role("link", name="问答").click()
        expect(page.get_by_text(f"问答已切换到知识库「{KB}」")).to_be_visible(timeout=30_000)
        chips = page.locator('[data-testid="stMultiSelect"]').first
        expect(chips).to_contain_text(KB)
        assert OTHER_KB not in chips.inner_text()
        _shoot(page, shots, "zh-followed")
        leaked = english_words(page)  # the chat's first screen, its chips and their buttons too
        assert leaked == [], leaked
        _ask(page, expect, "望月茶馆每天几点开门？", 0)  # the selector untouched
        _open_sources(page)
        expect(page.get_by_text(f"[1] {DOC_NAME}").first).to_be_visible(timeout=30_000)
        _shoot(page, shots, "zh-followed-answer")

        _ask(page, expect, "量子计算机的原理是什么？", 1)  # nothing in the documents: a refusal …
        expect(page.get_by_text(f"已检索的知识库：{KB}")).to_be_visible()  # … that says where it looked
        page.get_by_text("最接近的段落（相关度都低于阈值").click()  # … and what came closest
        expect(page.get_by_text("没有达到阈值")).to_be_visible(timeout=30_000)
        expect(page.get_by_text(f"[1] {DOC_NAME}").last).to_be_visible()
        _shoot(page, shots, "zh-refusal-near-misses")

        page.get_by_role("link", name="知识库").click()  # opens on the chat's knowledge base
        expect(page.get_by_role("heading", name=KB)).to_be_visible(timeout=30_000)

        # one language at a time: a damaged PDF's outcome, the page's placeholders and labels
        broken = tmp_path / BROKEN
        broken.write_bytes(b"not a pdf at all")
        page.locator("input[type=file]").set_input_files(str(broken))
        page.get_by_role("button", name="上传并索引").click()
        expect(page.get_by_text("不是有效的 PDF，或已损坏").first).to_be_visible(timeout=120_000)
        picker = page.locator('[data-testid="stMain"] [data-testid="stSelectbox"] input').first
        picker.click()
        picker.fill("没有这个知识库")  # an empty drop-down list
        expect(page.get_by_text("没有可选的项", exact=False).first).to_be_attached(timeout=10_000)
        _settled(page)
        page.screenshot(path=str(shots / "zh-kb-failed-upload-1400x1000.png"), full_page=True)
        leaked = english_words(page)
        assert leaked == [], leaked
        page.keyboard.press("Escape")
        assert page.locator('[data-testid="stException"]').count() == 0

        # asked of the other (empty) knowledge base, the refusal points to the one that answers
        page.get_by_role("link", name="问答").click()
        page.get_by_role("button", name="新对话").click()
        expect(page.get_by_text("耗时", exact=True)).to_have_count(0, timeout=30_000)  # the new one is open
        _settled(page)
        chips = page.locator('[data-testid="stMultiSelect"]').first
        chips.get_by_label(f"移除 {KB}").click()
        _settled(page)
        chips.locator("input").click()
        chips.locator("input").fill(OTHER_KB)
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        _settled(page)
        expect(chips).to_contain_text(OTHER_KB)
        assert KB not in chips.inner_text()
        _ask(page, expect, "望月茶馆每天几点开门？", 0)
        expect(page.get_by_text(f"已检索的知识库：{OTHER_KB}")).to_be_visible(timeout=30_000)
        there = page.get_by_role("button", name=re.compile(f"在「{KB}」中提问（相关度 0\\.\\d\\d）"))
        expect(there).to_be_visible(timeout=60_000)
        _shoot(page, shots, "zh-refusal-ask-elsewhere")
        there.click()
        expect(page.get_by_text("耗时", exact=True).nth(1)).to_be_visible(timeout=300_000)
        expect(chips).to_contain_text(KB)
        _open_sources(page)
        expect(page.get_by_text(f"[1] {DOC_NAME}").first).to_be_visible(timeout=30_000)
        _shoot(page, shots, "zh-asked-elsewhere-answer")

        # the retrieval test page, its chart and table too, says nothing in English
        page.get_by_role("link", name="命中测试").click()
        expect(page.get_by_role("heading", name="命中测试")).to_be_visible(timeout=30_000)
        _settled(page)
        question = page.get_by_label("问题")
        question.fill("望月茶馆几点开门？")
        expect(question).to_have_value("望月茶馆几点开门？")
        question.press("Enter")
        expect(page.get_by_text("个候选段落")).to_be_visible(timeout=60_000)
        _settled(page)
        leaked = english_words(page)
        assert leaked == [], leaked

        # and the English pages say nothing in Chinese but the user's own names and documents
        page.get_by_text("English", exact=True).click()
        expect(page.get_by_role("heading", name="Retrieval test")).to_be_visible(timeout=30_000)
        _settled(page)
        assert chinese_words(page) == [], chinese_words(page)
        page.get_by_role("link", name="Knowledge bases").click()
        expect(page.get_by_text("Folders kept in sync")).to_be_visible(timeout=30_000)
        _settled(page)
        _shoot(page, shots, "en-kb-after-walk")
        assert chinese_words(page) == [], chinese_words(page)
