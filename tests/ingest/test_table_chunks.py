"""Tables cut into chunks: every chunk of a table opens with its title (and its column names),
rows are neither lost nor repeated beyond the overlap, sizes stay within the limit."""
from __future__ import annotations

from pathlib import Path

import pytest
from langchain_text_splitters import RecursiveCharacterTextSplitter

from core.types import Document
from ingest.loaders import load_file
from ingest.loaders.table_text import table_to_text
from ingest.splitter import SEPARATORS, continued, split_documents, split_text
from tests.ingest.ruled_pdf import ruled_table

HEADER = "项目 | 期末余额 | 期初余额"
ITEMS = ["货币资金", "应收票据", "应收账款", "预付款项", "其他应收款", "存货", "持有待售的资产", "其他流动资产",
         "可供出售金融资产", "长期应收款", "长期股权投资", "投资性房地产", "固定资产", "在建工程", "工程物资",
         "无形资产", "开发支出", "商誉", "长期待摊费用", "递延所得税资产", "短期借款", "应付票据", "应付账款",
         "预收款项", "应付职工薪酬", "应交税费", "应付利息", "其他应付款", "长期借款", "预计负债"]


def _rows(scale: int = 1) -> list[list[str]]:
    return [["项目", "期末余额", "期初余额"]] + [
        [item, f"{(i + 1) * 1_234_567.89 * scale:,.2f}", f"{(i + 2) * 987_654.32 * scale:,.2f}"]
        for i, item in enumerate(ITEMS)]


def _table(title: str, scale: int = 1) -> str:
    """A table as the loaders write it: its title paragraph, the unit, then the rows."""
    return f"{title}\n\n单位：元\n\n{table_to_text(_rows(scale))}"


def _body(piece: str) -> list[str]:
    """The rows of a chunk: its lines after the title, unit and column names."""
    return [line for line in piece.split("\n") if " | " in line and line != HEADER]


def _check_rows_once(pieces: list[str], expected: list[str], overlap: int) -> None:
    """The chunks hold the rows in order, each once but for the overlap between neighbours."""
    seen: list[str] = []
    for piece in pieces:
        rows = _body(piece)
        # the rows this chunk repeats: the longest run of its first rows that ends those seen
        repeated = max(n for n in range(min(len(rows), len(seen)) + 1) if seen[len(seen) - n:] == rows[:n])
        assert len("\n".join(rows[:repeated])) <= overlap
        seen += rows[repeated:]
    assert seen == expected


def test_every_chunk_of_a_long_table_opens_with_its_title():
    text = _table("合并资产负债表")
    rows = _body(text)
    assert len(rows) == 30
    pieces = split_text(text, 300, 60)
    assert len(pieces) >= 3
    assert all(len(p) <= 300 for p in pieces)  # the repeated title counts in the size
    assert pieces[0].startswith("合并资产负债表\n\n单位：元\n" + HEADER + "\n货币资金 | 期末余额: 1,234,567.89")
    for piece in pieces[1:]:
        assert piece.startswith("合并资产负债表（续）\n" + HEADER + "\n")
    _check_rows_once(pieces, rows, 60)


@pytest.mark.parametrize("size, overlap", [(120, 0), (200, 30), (400, 50), (1000, 100)])
def test_rows_are_kept_whole_and_once_at_any_size(size, overlap):
    text = _table("合并资产负债表")
    pieces = split_text(text, size, overlap)
    assert all(len(p) <= size for p in pieces)
    assert all(p.startswith("合并资产负债表") for p in pieces)
    _check_rows_once(pieces, _body(text), overlap)


def test_chunks_are_about_equally_long():
    pieces = split_text(_table("合并资产负债表"), 400, 0)
    lengths = [len(p) for p in pieces]
    assert max(lengths) - min(lengths) < 120  # no last chunk of a row or two


def test_two_tables_keep_their_own_titles():
    text = "第四节财务报表\n\n" + _table("1、合并资产负债表") + "\n\n法定代表人：苏江华\n\n" + _table("2、母公司资产负债表", 2)
    pieces = split_text(text, 300, 40)
    consolidated = set(_body(_table("1、合并资产负债表")))
    parent = set(_body(_table("2、母公司资产负债表", 2)))
    firsts = []
    for piece in pieces:
        rows = set(_body(piece))
        head = piece.split("\n" + HEADER)[0]  # what comes before the column names
        assert not (rows & consolidated and rows & parent)
        if rows & consolidated:
            assert "1、合并资产负债表" in head and "母公司" not in head
        if rows & parent:
            assert "2、母公司资产负债表" in head and "合并" not in head
        if rows:
            firsts.append(head.endswith("（续）"))
    assert firsts.count(False) == 2  # each table's first chunk holds its title paragraph, the others "（续）"
    assert any("法定代表人：苏江华" in p for p in pieces)


def test_a_table_continued_from_the_page_before_keeps_one_mark():
    text = "公司2018 年第一季度报告全文\n\n" + table_to_text(_rows()[1:], columns=["项目", "期末余额", "期初余额"],
                                                       caption="1、合并资产负债表（续）")
    pieces = split_text(text, 250, 0)
    assert len(pieces) >= 3
    assert pieces[0] == "公司2018 年第一季度报告全文"  # a running header stays out of the table's chunks
    assert all(p.startswith("1、合并资产负债表（续）\n" + HEADER + "\n") for p in pieces[1:])
    assert not any("（续）（续）" in p for p in pieces)


def test_new_column_names_inside_a_table_open_the_chunks_after_them():
    rows = [["前10 名股东持股情况", None, None], ["股东名称", "持股比例", "持股数量"]]
    rows += [[f"股东{i}", f"{i}.00%", f"{i},000,000"] for i in range(1, 11)]
    rows += [["前10 名无限售条件股东持股情况", None, None], ["股东名称", "股份种类", "数量"]]
    rows += [[f"股东{i}", "人民币普通股", f"{i},000,000"] for i in range(1, 11)]
    text = "二、股东持股情况表\n\n" + table_to_text(rows)
    pieces = split_text(text, 200, 0)
    for piece in pieces[1:]:
        lines = piece.split("\n")
        assert lines[0] == "二、股东持股情况表（续）"
        if "人民币普通股" in piece:
            assert "前10 名无限售条件股东持股情况\n股东名称 | 股份种类 | 数量" in piece
            assert "持股比例" not in piece
        assert not lines[-1].startswith(("前10 名", "股东名称 |"))  # column names never end a chunk


def test_a_row_longer_than_a_chunk_is_cut_and_sizes_hold():
    rows = [["事项", "说明"], ["关联关系", "前十名股东之间不存在关联关系，也不属于一致行动人。" * 12], ["融资融券", "无。"]]
    text = "表5 其他说明\n\n" + table_to_text(rows)
    pieces = split_text(text, 120, 20)
    assert all(len(p) <= 120 for p in pieces)
    assert all(p.startswith("表5 其他说明") for p in pieces)
    assert "融资融券 | 说明: 无。" in pieces[-1]


def test_text_without_a_table_is_split_as_before():
    text = "第一段讲的是知识库问答。" * 10 + "\n\n" + "第二段 | 不是表格。\n只有一行 | 有竖线。" + "\n\n" + "第三段。" * 30
    langchain = RecursiveCharacterTextSplitter(separators=SEPARATORS, chunk_size=80, chunk_overlap=10,
                                               keep_separator="end", strip_whitespace=True)
    assert split_text(text, 80, 10) == langchain.split_text(text)


def test_a_table_that_opens_a_section_takes_the_heading_as_its_title():
    docs = [Document(text=table_to_text(_rows()), source="report.docx", title="年报", heading="财务报表 > 合并资产负债表"),
            Document(text="第二页。", source="report.pdf", page=2, title="年报")]
    chunks = split_documents(docs, 250, 30)
    table = [c for c in chunks if c.heading.endswith("合并资产负债表")]
    assert len(table) >= 3
    assert table[0].text.startswith("合并资产负债表\n" + HEADER)
    assert all(c.text.startswith("合并资产负债表（续）\n" + HEADER) for c in table[1:])
    assert [c.position for c in chunks] == list(range(len(chunks)))
    assert chunks[-1].page == 2 and chunks[-1].text == "第二页。"


def test_continued_titles():
    assert continued("合并资产负债表") == "合并资产负债表（续）"
    assert continued("合并资产负债表（续）") == "合并资产负债表（续）"
    assert continued("Table 2: Results") == "Table 2: Results (continued)"
    assert continued("") == ""


def _ruled_table_pdf(path: Path, title: str, rows: list[list[str]]) -> Path:
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((60, 50), title, fontname="china-s", fontsize=12)
    page.insert_text((60, 70), "单位：元", fontname="china-s", fontsize=9)
    ruled_table(page, 80, rows, width=160, height=22, fontsize=10, baseline=15)
    doc.save(path)
    doc.close()
    return path


def test_a_pdf_table_split_over_chunks_keeps_its_title(tmp_path):
    pytest.importorskip("pymupdf")
    path = _ruled_table_pdf(tmp_path / "report.pdf", "2、母公司资产负债表", _rows())
    docs = load_file(path, source=str(path), content_hash="h", ocr=False)
    chunks = split_documents(docs, 300, 50)
    held = [c for c in chunks if "期末余额:" in c.text]
    assert len(held) >= 3
    assert held[0].text.startswith("2、母公司资产负债表")
    assert all(c.text.startswith("2、母公司资产负债表（续）\n" + HEADER) for c in held[1:])
    assert all(len(c.text) <= 300 and c.page == 1 for c in chunks)
    assert [c.position for c in chunks] == list(range(len(chunks)))
    _check_rows_once([c.text for c in held], _body(table_to_text(_rows())), 50)


def test_a_docx_table_with_a_caption_keeps_it_in_every_chunk(tmp_path):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_heading("财务报表", level=1)
    document.add_paragraph("下表列出母公司的资产。")
    rows = _rows()
    table = document.add_table(rows=len(rows), cols=3)
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            table.cell(i, j).text = value
    document.add_paragraph("表2 母公司资产负债表", style="Caption")  # Word's caption, here below the table
    document.add_paragraph("以上数据未经审计。")
    path = tmp_path / "report.docx"
    document.save(path)
    docs = load_file(path, source=str(path), content_hash="h")
    assert "表2 母公司资产负债表\n" + HEADER in docs[0].text  # the caption opens the table block
    assert docs[0].text.count("表2 母公司资产负债表") == 1
    chunks = split_documents(docs, 300, 40)
    held = [c for c in chunks if "期末余额:" in c.text]
    assert len(held) >= 3
    assert "表2 母公司资产负债表\n" + HEADER in held[0].text
    assert all(c.text.startswith("表2 母公司资产负债表（续）\n" + HEADER) for c in held[1:])
    assert all(len(c.text) <= 300 and c.heading == "财务报表" for c in chunks)
    _check_rows_once([c.text for c in held], _body(table_to_text(rows)), 40)
    assert any("以上数据未经审计。" in c.text for c in chunks)


def test_a_row_wider_than_a_chunk_is_cut_between_cells_and_each_part_keeps_its_label():
    names = ["许可", "手枪", "长枪", "其他", "多支", "典当/手枪", "典当/长枪", "赎回/手枪", "赎回/长枪", "私人交易/手枪",
             "私人交易/长枪", "退回卖方/手枪", "退回卖方/长枪", "合计"]
    values = [f"{(k + 3) * 7_919:,}" for k in range(len(names))]
    rows = [["州", *names], ["得克萨斯", *values], ["犹他", *values[::-1]]]
    text = "表2 背景调查统计\n\n" + table_to_text(rows)
    pieces = split_text(text, 120, 20)
    assert all(len(p) <= 120 for p in pieces)
    parts = [line for p in pieces for line in p.split("\n") if line.startswith(("得克萨斯 | ", "犹他 | "))]
    assert len(parts) >= 4 and all(" | " in part for part in parts)
    texas = [part.split(" | ", 1)[1] for part in parts if part.startswith("得克萨斯")]
    assert " | ".join(texas) == " | ".join(f"{n}: {v}" for n, v in zip(names, values))  # every cell once, whole
    assert texas[-1].endswith(f"合计: {values[-1]}")
