"""PDF loader: pages, Chinese text, tables, encryption and damaged files (real PyMuPDF)."""
from __future__ import annotations

from pathlib import Path

import pytest

pymupdf = pytest.importorskip("pymupdf")

from core.errors import EncryptedFile, LoaderError  # noqa: E402
from ingest.loaders import load_file  # noqa: E402
from tests.ingest.ruled_pdf import ruled_table  # noqa: E402

SHARED_PDFS = Path("/work/shared/evaldata/pdfs")


def _load(path: Path, **kwargs):
    return load_file(path, source=path.name, content_hash="h", **kwargs)


def _chinese_pdf(path: Path, pages: list[list[str]], **save_kwargs) -> Path:
    doc = pymupdf.open()
    for lines in pages:
        page = doc.new_page()
        if lines:  # one call: the lines form one text block, like a wrapped paragraph
            page.insert_text((72, 72), "\n".join(lines), fontname="china-s", fontsize=12)
    doc.set_metadata({"title": "测试文档"})
    doc.save(path, **save_kwargs)
    doc.close()
    return path


def test_chinese_pages_numbered_from_one(tmp_path):
    path = _chinese_pdf(tmp_path / "zh.pdf", [
        ["第一页：知识库问答系统可以离线运行。"],
        [],  # an empty page yields no document
        ["第三页：它只根据已知信息回答问题，", "否则拒绝回答。"],
    ])
    docs = _load(path)
    assert [d.page for d in docs] == [1, 3]
    assert "知识库问答系统可以离线运行" in docs[0].text
    # Lines of one paragraph join without a space in Chinese.
    assert "它只根据已知信息回答问题，否则拒绝回答。" in docs[1].text
    assert all(d.title == "测试文档" and d.source == "zh.pdf" and d.content_hash == "h" for d in docs)


def test_title_falls_back_to_file_stem(tmp_path):
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "Hello world", fontsize=12)
    doc.save(tmp_path / "report.pdf")
    docs = _load(tmp_path / "report.pdf")
    assert docs[0].title == "report"
    assert docs[0].text == "Hello world"


def test_outline_gives_page_headings(tmp_path):
    path = _chinese_pdf(tmp_path / "toc.pdf", [["安装说明"], ["下载步骤"], ["配置步骤"]])
    doc = pymupdf.open(path)
    doc.set_toc([[1, "安装", 1], [2, "下载", 2], [2, "配置", 3]])
    doc.save(tmp_path / "toc2.pdf")
    docs = _load(tmp_path / "toc2.pdf")
    assert [d.heading for d in docs] == ["安装", "安装 > 下载", "安装 > 配置"]


def test_wrapped_lines_in_separate_blocks_join_but_headings_stay(tmp_path):
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "第一章 概述", fontname="china-s", fontsize=12)
    line1 = "知识库问答系统在笔记本电脑上离线运行，只根据检索到的已知信息来回答用户提"
    page.insert_text((72, 100), line1, fontname="china-s", fontsize=12)
    page.insert_text((72, 116), "出的问题。", fontname="china-s", fontsize=12)
    page.insert_text((72, 150), "Section 4.", fontsize=12)
    doc.save(tmp_path / "wrap.pdf")
    text = _load(tmp_path / "wrap.pdf")[0].text
    assert text.startswith("第一章概述\n")  # a space between Chinese characters goes
    assert line1 + "出的问题。" in text


def _table_pdf(path: Path) -> Path:
    rows = [["牌号", "抗拉强度", "延伸率"], ["TA1", "240 MPa", "24%"], ["TC4", "4,755,785.11", "-16.55%"]]
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 60), "表1 钛合金的力学性能如下。", fontname="china-s", fontsize=11)
    ruled_table(page, 80, rows, width=160)
    page.insert_text((72, 200), "以上数据仅供参考。", fontname="china-s", fontsize=11)
    doc.save(path)
    doc.close()
    return path


def test_table_rows_in_page_text(tmp_path):
    docs = _load(_table_pdf(tmp_path / "table.pdf"))
    assert len(docs) == 1
    text = docs[0].text
    assert "牌号 | 抗拉强度 | 延伸率" in text
    assert "TC4 | 抗拉强度: 4,755,785.11 | 延伸率: -16.55%" in text  # each value with its column name
    # Text before and after the table keeps its place around the rows.
    assert text.index("力学性能") < text.index("TA1 | 抗拉强度: 240 MPa") < text.index("仅供参考")
    assert text.count("4,755,785.11") == 1  # the cells are not repeated as loose blocks


def test_encrypted_pdf_needs_password(tmp_path):
    path = _chinese_pdf(tmp_path / "enc.pdf", [["机密内容：口令是必需的。"]],
                        encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="pw", owner_pw="owner")
    with pytest.raises(EncryptedFile, match="password is needed") as needed:
        _load(path)
    assert needed.value.code == "encrypted"  # each interface adds its own how-to for this code
    with pytest.raises(EncryptedFile, match="wrong") as wrong:
        _load(path, password="nope")
    assert wrong.value.code == "wrong_password"
    docs = _load(path, password="pw")
    assert "机密内容" in docs[0].text


def test_shared_encrypted_pdf():
    path = SHARED_PDFS / "broken" / "enc_user_password_test.pdf"
    if not path.exists():
        pytest.skip(f"shared eval data not present: {path}")
    with pytest.raises(EncryptedFile):
        _load(path)
    docs = _load(path, password="test", ocr=False)  # its diagrams would be OCR'd: not what this tests
    assert docs and docs[0].page == 1
    assert sum(len(d.text) for d in docs) > 100


def test_owner_password_only_pdf_opens_without_password():
    path = SHARED_PDFS / "broken" / "enc_owner_password_copy_protected.pdf"
    if not path.exists():
        pytest.skip(f"shared eval data not present: {path}")
    docs = _load(path)
    assert sum(len(d.text) for d in docs) > 1000


@pytest.mark.parametrize("name, expected", [
    ("bad_empty_zero_bytes.pdf", "file is empty"),
    ("bad_fuzzed_unopenable.pdf", "cannot be read"),
    ("bad_page_tree_cycle.pdf", 1),  # MuPDF repairs it: the one readable page is kept
])
def test_damaged_pdfs_give_one_line_reason(name, expected):
    path = SHARED_PDFS / "broken" / name
    if not path.exists():
        pytest.skip(f"shared eval data not present: {path}")
    if isinstance(expected, int):
        docs = _load(path)
        assert len({d.page for d in docs}) == expected and all(d.text.strip() for d in docs)
        return
    with pytest.raises(LoaderError) as raised:
        _load(path)
    message = str(raised.value)
    assert expected in message and "\n" not in message


def test_repairable_pdf_is_read():
    path = SHARED_PDFS / "broken" / "bad_xref_keyword_missing.pdf"
    if not path.exists():
        pytest.skip(f"shared eval data not present: {path}")
    assert _load(path)


def test_not_a_pdf(tmp_path):
    path = tmp_path / "fake.pdf"
    path.write_text("this is not a pdf at all", encoding="utf-8")
    with pytest.raises(LoaderError, match="cannot be read"):
        _load(path)


def test_image_only_page_yields_nothing(tmp_path):
    doc = pymupdf.open()
    page = doc.new_page()
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 20, 20), False)
    pix.clear_with(200)
    page.insert_image(pymupdf.Rect(72, 72, 172, 172), pixmap=pix)
    doc.save(tmp_path / "scan.pdf")
    assert _load(tmp_path / "scan.pdf") == []


def test_shared_chinese_table_pdf():
    path = SHARED_PDFS / "zh" / "zh_bond_prospectus_tables.pdf"
    if not path.exists():
        pytest.skip(f"shared eval data not present: {path}")
    docs = _load(path)
    assert len(docs) == 1 and docs[0].page == 1
    assert " | " in docs[0].text
