"""Answers on real documents, end to end: a Word file and a PDF with a ruled table are
uploaded to a real server, indexed with the bundled embedder, and asked through the HTTP
API the way people ask: the table's cell with its row, column and page; a list whole; the
reason, not the sentence that announces the change; and no quotation for a number the
documents do not give. The model is a recording fake that writes nothing, so what is
tested is what the documents answer by themselves."""
from __future__ import annotations

from pathlib import Path

import docx
import pymupdf
import pytest

from tests.app.conftest import RecordingGenerator
from tests.ingest.ruled_pdf import UP, grid_table

pytestmark = pytest.mark.slow

PARAGRAPHS = [
    ("Heading 1", "核电厂定期安全评价导则"),
    ("Heading 2", "1 设备分类"),
    (None, "设备按特性分为以下几类："),
    (None, "（一）能动设备；"),
    (None, "（二）非能动设备；"),
    (None, "（三）长寿命设备；"),
    (None, "（四）短寿命设备。"),
    ("Heading 2", "2 试验和监督评价"),
    (None, "本次修订将“试验审查”改为“试验和监督评价”。"),
    (None, "理由：原来的审查只覆盖定期试验，而监督大纲的评价同样需要纳入，因此名称需要反映两部分内容。"),
    ("Heading 2", "3 报送"),
    (None, "营运单位应在评价启动前向国家核安全局报送PSR工作计划，工作计划应包括评价的范围和进度安排。"),
]


def _word_file(path: Path) -> Path:
    document = docx.Document()
    for style, text in PARAGRAPHS:
        if style:
            document.add_heading(text, level=int(style[-1]))
        else:
            document.add_paragraph(text)
    document.save(path)
    return path


def _table_pdf(path: Path) -> Path:
    doc = pymupdf.open()
    doc.new_page()
    page = doc.new_page()  # the table on page 2
    page.insert_text((60, 50), "表3 服务区用地指标基准值（公顷/处）", fontname="china-s", fontsize=11)
    grid_table(page, 60, [["公路等级", "车道数", "用地指标基准值"], ["高速公路", "八", "2.6667"], [UP, "六", "2.1333"],
                          [UP, "四", "1.8000"], ["一级公路", "六", "2.0000"], [UP, "四", "1.6000"]], [90, 60, 120])
    doc.save(path)
    return path


def test_documents_answer_by_their_cells_lists_and_reasons_through_the_api(serve, use_embedder, tmp_path):
    model = RecordingGenerator("")
    server = serve(generator=model, embedder=use_embedder)
    files = [_word_file(tmp_path / "评价导则.docx"), _table_pdf(tmp_path / "用地指标.pdf")]
    with server.client(timeout=120) as client:
        assert client.post("/api/v1/knowledge_bases", json={"name": "docs"}).status_code == 201
        upload = [("files", (f.name, f.read_bytes(), "application/octet-stream")) for f in files]
        indexed = client.post("/api/v1/knowledge_bases/docs/documents", files=upload, params={"wait": "true"})
        assert indexed.status_code == 200, indexed.text

        def ask(question: str) -> dict:
            response = client.post("/api/v1/ask", json={"question": question, "knowledge_bases": ["docs"]})
            assert response.status_code == 200, response.text
            return response.json()

        cell = ask("六车道高速公路服务区的用地指标基准值是多少？")
        assert not cell["refused"] and "2.1333" in cell["answer"] and "2.6667" not in cell["answer"]
        assert cell["cells"] and cell["cells"][0]["value"] == "2.1333"
        assert cell["sources"][0]["source"].endswith("用地指标.pdf") and cell["sources"][0]["page"] == 2

        listed = ask("设备按特性分为哪几类？")
        assert all(item in listed["answer"] for item in ("能动设备", "非能动设备", "长寿命设备", "短寿命设备"))

        reason = ask("试验审查为什么要改叫试验和监督评价？")
        assert "原来的审查只覆盖定期试验" in reason["answer"]

        missing = ask("PSR总体评价报告必须在评价启动后多少个月内报送？")
        assert missing["refused"] and "工作计划" not in missing["answer"]
