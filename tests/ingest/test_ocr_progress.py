"""OCR reports its progress page by page, from the PDF loader up through the pipeline."""
from __future__ import annotations

from pathlib import Path

import pytest

pymupdf = pytest.importorskip("pymupdf")

from ingest.loaders import load_file  # noqa: E402
from ingest.pipeline import IngestPipeline  # noqa: E402
from retrieval.kb.opening import open_knowledge_base  # noqa: E402

TYPED = "这一页有正常的文字层，不需要识别。"
LINES = ["扫描的页面没有文字层，", "需要光学字符识别才能检索。"]


def _scan(lines: list[str]) -> pymupdf.Pixmap:
    source = pymupdf.open()
    page = source.new_page(width=420, height=200)
    for i, line in enumerate(lines):
        page.insert_text((30, 60 + 30 * i), line, fontname="china-s", fontsize=18)
    return page.get_pixmap(dpi=150)


def _scanned_pdf(path: Path, scans: list[list[str]], typed_after: int | None = None) -> Path:
    """Image-only pages (no text layer), with a typed page after the `typed_after`-th."""
    doc = pymupdf.open()
    for i, lines in enumerate(scans, start=1):
        doc.new_page(width=420, height=200).insert_image(pymupdf.Rect(0, 0, 420, 200), pixmap=_scan(lines))
        if i == typed_after:
            doc.new_page(width=420, height=200).insert_text((30, 60), TYPED, fontname="china-s", fontsize=14)
    doc.save(path)
    return path


@pytest.fixture
def fake_ocr(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """OCR that "reads" a running header, the page's body and its number; records the pages it
    read. It runs in this process: no worker processes (they would not see the fake)."""
    import ingest.loaders.ocr as ocr
    import ingest.loaders.ocr_pool as ocr_pool

    monkeypatch.setattr(ocr_pool, "worker_count", lambda: 1)

    read: list[int] = []

    def ocr_text(page, clip=None, rotation=None, known_text=""):
        number = page.number + 1
        read.append(number)
        return f"某某公司年度报告\n\n第{number}页扫描的正文，识别出来的段落。\n\n— {number} —"

    monkeypatch.setattr(ocr, "ocr_text", ocr_text)
    return read


def test_the_loader_reports_each_page_it_reads_with_ocr(tmp_path, fake_ocr):
    path = _scanned_pdf(tmp_path / "scan.pdf", [LINES] * 3, typed_after=1)
    calls: list[tuple[int, int]] = []
    docs = load_file(path, source="s", content_hash="h", on_page=lambda n, total: calls.append((n, total)))
    assert calls == [(1, 3), (2, 3), (3, 3)]
    assert fake_ocr == [1, 3, 4]  # page 2 has a text layer
    by_page = {d.page: d for d in docs}
    assert [p for p, d in sorted(by_page.items()) if d.ocr] == [1, 3, 4]
    # Text read by OCR loses its running header and page number too.
    assert by_page[3].text == "第3页扫描的正文，识别出来的段落。"
    assert by_page[2].text == TYPED and not by_page[2].ocr


def test_no_progress_without_ocr(tmp_path, fake_ocr):
    path = _scanned_pdf(tmp_path / "scan.pdf", [LINES] * 2, typed_after=2)
    calls: list[tuple[int, int]] = []
    docs = load_file(path, source="s", content_hash="h", ocr=False, on_page=lambda n, total: calls.append((n, total)))
    assert calls == [] and fake_ocr == [] and [d.page for d in docs] == [3]


def test_text_pdfs_report_nothing(tmp_path, fake_ocr):
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), TYPED, fontname="china-s", fontsize=12)
    doc.save(tmp_path / "typed.pdf")
    calls: list[tuple[int, int]] = []
    load_file(tmp_path / "typed.pdf", source="t", content_hash="h", on_page=lambda n, total: calls.append((n, total)))
    assert calls == []


def test_the_pipeline_passes_progress_on_with_the_file(tmp_path, settings, fake_embedder, fake_ocr):
    scan = _scanned_pdf(tmp_path / "scan.pdf", [LINES] * 2)
    note = tmp_path / "note.txt"
    note.write_text("没有需要识别的页面。", encoding="utf-8")
    calls: list[tuple[str, int, int]] = []
    with open_knowledge_base(settings.kb_root, "progress", create=True) as kb:
        pipeline = IngestPipeline(kb, fake_embedder, settings.ingest_config(), progress=False)
        summary = pipeline.run([scan, note], on_page=lambda path, n, total: calls.append((path, n, total)))
        assert summary.ocr_pages == 2
        assert pipeline.run([scan]).count("skipped") == 1  # without on_page, as before
    assert [(Path(p).name, n, total) for p, n, total in calls] == [("scan.pdf", 1, 2), ("scan.pdf", 2, 2)]


@pytest.mark.slow
def test_real_ocr_reports_its_pages(tmp_path):
    pytest.importorskip("rapidocr")
    path = _scanned_pdf(tmp_path / "scan.pdf", [["扫描的页面没有文字层，", "需要光学字符识别才能检索。"],
                                                ["第二张扫描页，", "同样要识别。"]])
    calls: list[tuple[int, int]] = []
    docs = load_file(path, source="s", content_hash="h", on_page=lambda n, total: calls.append((n, total)))
    assert calls == [(1, 2), (2, 2)]
    assert [d.page for d in docs if d.ocr] == [1, 2]
    assert "识别" in docs[0].text
