"""Pages read in OCR worker processes: a worker that dies fails the pages it held, no hang,
and the next file gets new workers (real OCR)."""
from __future__ import annotations

from pathlib import Path

import pytest

pymupdf = pytest.importorskip("pymupdf")
psutil = pytest.importorskip("psutil")
pytest.importorskip("rapidocr")

from ingest.loaders import load_file, ocr_pool  # noqa: E402

LINES = ["扫描的页面没有文字层，需要光学字符识别才能检索。", "每一页都由工作进程读出。"]


def _scanned_pdf(path: Path, pages: int) -> Path:
    source = pymupdf.open()
    page = source.new_page(width=595, height=842)
    for row in range(12):
        page.insert_text((40, 60 + 40 * row), LINES[row % 2], fontname="china-s", fontsize=16)
    scan = page.get_pixmap(dpi=150)
    doc = pymupdf.open()
    for _ in range(pages):
        doc.new_page(width=595, height=842).insert_image(pymupdf.Rect(0, 0, 595, 842), pixmap=scan)
    doc.save(path)
    return path


def _kill_workers() -> int:
    workers = [p for p in psutil.Process().children() if any("spawn_main" in part for part in p.cmdline())]
    for worker in workers:
        worker.kill()
    return len(workers)


@pytest.mark.slow
def test_a_worker_that_dies_fails_its_pages_not_the_file(tmp_path):
    if ocr_pool.worker_count() < 2:
        pytest.skip("one core: pages are read in this process")
    path = _scanned_pdf(tmp_path / "scan.pdf", 5)
    killed: list[int] = []

    def on_page(n: int, total: int) -> None:
        if n == 1:  # pages 1-4 are in flight now (two ahead per worker)
            killed.append(_kill_workers())

    notes: list[str] = []
    docs = load_file(path, source="s", content_hash="h", notes=notes, on_page=on_page)
    assert killed and killed[0] >= 1
    assert notes and notes[0].startswith("OCR failed on pages 1, 2, 3, 4"), notes
    assert all("识别" in d.text for d in docs)  # page 5 went to new workers, or failed too
    # The next file is read by a new pool, whole.
    again = load_file(path, source="s", content_hash="h")
    assert [d.page for d in again] == [1, 2, 3, 4, 5]
