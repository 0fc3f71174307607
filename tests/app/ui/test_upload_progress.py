"""The upload's progress line says which page OCR is on (fake service: no OCR engine runs)."""
from __future__ import annotations

import pytest
import streamlit as st

from tests.app.ui.helpers import FakeService, page_test

KB_PAGE = "app.ui.kb_page"


@pytest.fixture
def progress_texts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text the page's progress bars show, in order (the page itself only keeps the last)."""
    texts: list[str] = []
    real = st.progress

    class Bar:
        def __init__(self, bar) -> None:
            self.bar = bar

        def progress(self, value, text=None):
            texts.append(text)
            return self.bar.progress(value, text=text)

    def progress(value, text=None):
        texts.append(text)
        return Bar(real(value, text=text))

    monkeypatch.setattr(st, "progress", progress)
    return texts


def _upload(at, files):
    at.get("file_uploader")[0].set_value(files).run()
    at.button(key="upload-go").click().run()
    assert not at.exception, at.exception
    return " ".join(m.value for m in at.markdown if "上次上传结果" in m.value or "Last upload" in m.value)


def test_ocr_pages_show_on_the_files_progress_line_and_in_its_result(fake_service: FakeService, progress_texts):
    fake_service.ocr_pages = 3
    at = page_test(KB_PAGE).run()
    report = _upload(at, [("说明.txt", "茶馆七点开门。".encode(), "text/plain"),
                          ("扫描件.pdf", b"%PDF-1.4 scanned", "application/pdf")])
    ocr_lines = [t for t in progress_texts if t and "OCR" in t]
    assert [line.split(" · 已用")[0] for line in ocr_lines if "扫描件.pdf" in line] == [
        f"（2/2）扫描件.pdf · OCR 第 {n}/3 页" for n in (1, 2, 3)]
    assert all(line.endswith(" 秒") for line in ocr_lines)
    assert "3 页用 OCR 读出" in report  # the file's result line counts its OCR'd pages


def test_the_ocr_progress_line_in_english(fake_service: FakeService, progress_texts):
    fake_service.ocr_pages = 2
    at = page_test(KB_PAGE)
    at.session_state["ui_lang"] = "en"
    at.run()
    report = _upload(at, [("scan.pdf", b"%PDF-1.4 scanned", "application/pdf")])
    assert any(t and t.startswith("(1/1) scan.pdf · OCR page 2/2 · ") and t.endswith(" s so far")
               for t in progress_texts), progress_texts
    assert "2 page\\(s\\) read with OCR" in report  # Markdown-escaped


def test_files_without_ocr_show_no_ocr_line(fake_service: FakeService, progress_texts):
    at = page_test(KB_PAGE).run()
    _upload(at, [("说明.txt", "茶馆七点开门。".encode(), "text/plain")])
    assert progress_texts and not [t for t in progress_texts if t and "OCR" in t]
    assert fake_service.ingested and fake_service.ingested[0].endswith("说明.txt")
