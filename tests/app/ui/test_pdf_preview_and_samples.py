"""PDF page previews, the sample documents, and first-run bootstrapping."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pymupdf
import pytest

from app.cli.bootstrap_cli import bootstrap
from app.services import build_services
from app.ui.pdf_preview import PreviewUnavailable, marked_boxes, match_spans, render_page
from ingest.loaders import load_file

ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "data" / "docs"
SAMPLE_PDF = DOCS / "yizhi_guide_zh.pdf"


def test_match_spans_whole_passage_or_its_sentences():
    page = "甲乙丙丁。戊己庚辛，壬癸子丑。"
    assert match_spans(page, "戊己庚辛，\n壬癸子丑") == [(5, 14)]  # whitespace (joined lines) ignored
    assert match_spans(page, "甲乙丙丁。") == [(0, 5)]
    # a passage cut short or with parts not on the page: its sentences are found one by one
    assert match_spans(page, "不在页面上的句子。戊己庚辛，壬癸子丑…") == [(5, 9), (10, 14)]
    assert match_spans(page, "完全没有") == []


def test_the_evidence_is_looked_for_inside_the_passage_first():
    page = "证据句。甲乙丙丁。证据句。戊己庚辛。"
    plain, strong = marked_boxes(page, "甲乙丙丁。证据句。戊己", ["证据句。"])
    assert strong == set(range(9, 13))  # the occurrence inside the passage, not the one before it
    assert plain == set(range(4, 9)) | {13, 14}
    assert marked_boxes(page, "不在页上的段落", ["戊己庚辛。"]) == (set(), set(range(13, 18)))


def test_render_page_marks_the_evidence_more_strongly():
    docs = load_file(SAMPLE_PDF, source=str(SAMPLE_PDF), content_hash="")
    page = next(d for d in docs if "扫描版 PDF 能用吗" in d.text)  # the FAQ's page
    text = page.text
    at = text.find("扫描版 PDF 能用吗")
    passage, sentence = text[max(0, at - 100):at + 200], text[at:text.find("。", at + 20) + 1]
    png, marked = render_page(SAMPLE_PDF, page.page, passage, evidence=[sentence])
    _, plain_only = render_page(SAMPLE_PDF, page.page, passage)
    assert png.startswith(b"\x89PNG") and marked > plain_only >= 3  # the evidence lines are marked apart


def test_render_page_marks_the_passage_on_the_sample_pdf():
    docs = load_file(SAMPLE_PDF, source=str(SAMPLE_PDF), content_hash="")
    passage = docs[0].text[60:260]
    png, marked = render_page(SAMPLE_PDF, 1, passage)
    assert png.startswith(b"\x89PNG") and marked >= 3
    _, none = render_page(SAMPLE_PDF, 1, "这段话不在这一页上出现过")
    assert none == 0
    with pytest.raises(PreviewUnavailable, match="no page 9"):
        render_page(SAMPLE_PDF, 9, passage)


def test_render_page_refuses_encrypted_and_broken_files(tmp_path: Path):
    locked = tmp_path / "locked.pdf"
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "secret")
    doc.save(locked, encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="o", user_pw="u")
    with pytest.raises(PreviewUnavailable, match="password"):
        render_page(locked, 1, "secret")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"not a pdf at all")
    with pytest.raises(PreviewUnavailable, match="cannot be opened"):
        render_page(broken, 1, "x")


def test_sample_documents_are_there_and_readable():
    assert sorted(p.name for p in DOCS.iterdir()) == ["yizhi_guide_en.md", "yizhi_guide_zh.md", "yizhi_guide_zh.pdf"]
    pages = load_file(SAMPLE_PDF, source=str(SAMPLE_PDF), content_hash="")
    text = "".join(d.text for d in pages)
    assert len(pages) >= 2 and "已知" in text and "make run" in text
    assert any(d.heading for d in pages)  # the outline gives the PDF loader section headings


def test_sample_pdf_is_reproducible_from_the_guide(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    spec = importlib.util.spec_from_file_location("make_sample_pdf", ROOT / "data" / "make_sample_pdf.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "make_sample_pdf", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    out = tmp_path / "guide.pdf"
    assert module.make_pdf(DOCS / "yizhi_guide_zh.md", out) >= 2
    with pymupdf.open(out) as made, pymupdf.open(SAMPLE_PDF) as committed:
        assert [p.get_text() for p in made] == [p.get_text() for p in committed], \
            "data/docs/yizhi_guide_zh.pdf is stale: run .venv/bin/python data/make_sample_pdf.py"


def test_bootstrap_fills_an_empty_knowledge_base_once(settings, fake_embedder, tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("# 茶馆\n\n望月茶馆每天早上七点开门。", encoding="utf-8")
    service = build_services(settings, embedder=fake_embedder)
    try:
        assert bootstrap(service.knowledge, tmp_path / "missing", "default").startswith("no sample documents")
        line = bootstrap(service.knowledge, docs, "default")
        assert line.startswith("indexed 1 document(s)") and "'default'" in line
        assert bootstrap(service.knowledge, docs, "default") == "knowledge base 'default' already has 1 document(s): nothing to do"
    finally:
        service.close()
