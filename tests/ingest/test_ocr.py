"""OCR where it is needed, and only there (real rapidocr on a few pages)."""
from __future__ import annotations

import difflib
from pathlib import Path

import pytest

pymupdf = pytest.importorskip("pymupdf")
pytest.importorskip("rapidocr")

from core.errors import LoaderError  # noqa: E402
from ingest.loaders import load_file  # noqa: E402
from ingest.loaders.ocr import OcrLine, lines_to_text, ocr_text  # noqa: E402
from ingest.loaders.pdf import _MUPDF_ERRORS  # noqa: E402
from ingest.loaders.pdf_quality import is_garbage, plan_ocr  # noqa: E402
from ingest.loaders.pdf_text import read_page  # noqa: E402
from ingest.pipeline import IngestPipeline  # noqa: E402
from retrieval.kb.opening import open_knowledge_base  # noqa: E402
from tests.conftest import require_shared  # noqa: E402

SCANNED = ["扫描的页面没有文字层，", "需要光学字符识别才能检索。"]
TYPED = "这一页有正常的文字层，不需要识别。"


def _similar(expected: str, text: str) -> float:
    return difflib.SequenceMatcher(None, expected, "".join(text.split())).ratio()


def _scan_pdf(path: Path) -> Path:
    """Page 1: an image of Chinese text (rendered from a text page), no text layer.
    Page 2: ordinary text."""
    source = pymupdf.open()
    page = source.new_page(width=420, height=200)
    for i, line in enumerate(SCANNED):
        page.insert_text((30, 60 + 30 * i), line, fontname="china-s", fontsize=18)
    pixmap = page.get_pixmap(dpi=150)
    doc = pymupdf.open()
    doc.new_page(width=420, height=200).insert_image(pymupdf.Rect(0, 0, 420, 200), pixmap=pixmap)
    doc.new_page(width=420, height=200).insert_text((30, 60), TYPED, fontname="china-s", fontsize=14)
    doc.save(path)
    return path


@pytest.mark.slow
def test_image_only_page_is_read_with_ocr_and_typed_page_is_not(tmp_path):
    docs = load_file(_scan_pdf(tmp_path / "scan.pdf"), source="s", content_hash="h")
    by_page = {d.page: d for d in docs}
    assert by_page[1].ocr and _similar("".join(SCANNED), by_page[1].text) > 0.85, by_page[1].text
    assert not by_page[2].ocr and by_page[2].text == TYPED
    assert len(docs) == 2


def test_ocr_off_says_how_to_read_scans(tmp_path):
    path = _scan_pdf(tmp_path / "scan.pdf")
    notes: list[str] = []
    docs = load_file(path, source="s", content_hash="h", ocr=False, notes=notes)
    assert [d.page for d in docs] == [2]
    assert notes and "OCR is off" in notes[0] and "pages 1" in notes[0]


@pytest.mark.slow
def test_pipeline_counts_ocr_pages_and_marks_chunks(tmp_path, settings, fake_embedder):
    path = _scan_pdf(tmp_path / "scan.pdf")
    with open_knowledge_base(settings.kb_root, "ocr", create=True) as kb:
        summary = IngestPipeline(kb, fake_embedder, settings.ingest_config(), progress=False).run([path])
        assert summary.pages == 2 and summary.ocr_pages == 1
        assert kb.document(str(path.resolve())).ocr_pages == 1
        chunks = kb.chunks(list(range(1, 20))).values()
        assert {(c.page, c.ocr) for c in chunks} == {(1, True), (2, False)}


@pytest.mark.slow
def test_scanned_chinese_book_page_becomes_searchable_text():
    path = require_shared("evaldata", "pdfs", "zh", "zh_scanned_book_small_ocr.pdf")
    with pymupdf.open(path) as doc:
        page = doc[0]
        layer = read_page(page, _MUPDF_ERRORS)
        plan = plan_ocr(page, layer.raw, layer.line_boxes, layer.rotation)
        assert layer.text == "" and plan.full
        text = ocr_text(page)
    assert len(text) > 500
    for phrase in ("商品体本身", "使用价值", "交换价值首先表现为量的关系"):
        assert phrase in text, phrase
    # lines of one paragraph are joined: no line break inside this sentence
    assert "物的有用性使物成为使用价值。" in text


@pytest.mark.slow
def test_image_of_text_beside_a_text_layer_is_read():
    path = require_shared("evaldata", "pdfs", "zh", "zh_tiny_image_text_ocr_test.pdf")
    docs = load_file(path, source="t", content_hash="h")
    typed = [d for d in docs if not d.ocr]
    read = [d for d in docs if d.ocr]
    assert typed and typed[0].text == "我是文字"
    assert read and "横向文本框" in read[0].text and "竖向文本框" in read[0].text and "English" in read[0].text


def test_scanned_file_without_ocr_is_refused_with_advice():
    path = require_shared("evaldata", "pdfs", "en", "en_scanned_image_only.pdf")
    with pytest.raises(LoaderError, match="scanned images, and OCR is off") as refused:
        load_file(path, source="e", content_hash="h", ocr=False)
    assert refused.value.setting == "ocr"  # the CLI names YIZHI_OCR


@pytest.mark.parametrize("text, garbage", [
    ("! !!\"#$%!!&'(!&%)%*+,-'./01 9: ?9 | 9: >9 | 9: ;9", True),
    ("\ufffd\ufffd\ufffd\ufffd\ufffd 第一章", True),
    ("\ue001\ue002\ue003\ue004\ue005\ue006\ue007 abc", True),
    ("营业收入（元） | 4,755,785.11 | 5,699,227.63 | -16.55%", False),
    ("The dense retriever (DPR) uses two BERT encoders; see Eq. (1).", False),
    ("钛及钛合金牌号和化学成分", False),
    ("A!", False),
])
def test_garbage_detector(text, garbage):
    assert is_garbage(text) is garbage


def test_ocr_lines_become_paragraphs_and_columns():
    h = 20.0

    def line(x0, y0, x1, text):
        return OcrLine(x0, y0, x1, y0 + h, text)

    single = [line(40, 0, 600, "知识库问答系统在笔记本电脑上离线运行，只根据已知"),
              line(0, 30, 600, "信息回答问题。"),
              line(40, 60, 600, "第二段从这里开始。")]
    assert lines_to_text(single) == "知识库问答系统在笔记本电脑上离线运行，只根据已知信息回答问题。\n\n第二段从这里开始。"
    columns = [line(0, 0, 900, "标题横跨两栏"),
               *[line(0, 40 + 30 * i, 400, f"左栏第{i}行") for i in range(4)],
               *[line(500, 40 + 30 * i, 900, f"右栏第{i}行") for i in range(4)]]
    text = lines_to_text(columns)
    assert text.startswith("标题横跨两栏")
    assert text.index("左栏第3行") < text.index("右栏第0行")


@pytest.mark.slow
def test_short_text_layer_over_a_picture_is_kept_not_replaced(tmp_path):
    doc = pymupdf.open()
    page = doc.new_page(width=420, height=300)
    picture = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 210, 150), False)
    picture.clear_with(90)  # a dark photo-like picture covering the page, no text in it
    page.insert_image(page.rect, pixmap=picture)
    page.insert_text((40, 60), "封面标题：二〇二四年度报告", fontname="china-s", fontsize=20, color=(1, 1, 1))
    doc.save(tmp_path / "cover.pdf")
    docs = load_file(tmp_path / "cover.pdf", source="c", content_hash="h")
    assert [(d.text, d.ocr) for d in docs] == [("封面标题：二〇二四年度报告", False)]


def test_ocr_table_rows_stay_together():
    cells = [OcrLine(x, 30.0 * r, x + 60, 30.0 * r + 20, f"r{r}c{x // 200}") for r in range(4) for x in (0, 200, 400)]
    assert lines_to_text(cells) == "\n".join(f"r{r}c0 | r{r}c1 | r{r}c2" for r in range(4))
