"""Running headers, footers and page numbers of PDFs left out of the text (ingest.loaders.pdf_margins)."""
from __future__ import annotations

from pathlib import Path

import pytest

from ingest.loaders.pdf_margins import is_page_number, margin_rows, running_title, strip_margins


@pytest.mark.parametrize("row", [
    "3", "12", "- 3 -", "— 3 —", "—3—", "– 12 –", "·3·", "（3）", "[3]", "第3页", "第 3 页", "第三页",
    "第 3 页 共 10 页", "第3页/共10页", "共10页 第3页", "３", "第 ３ 页", "Page 3", "page 3 of 10", "p. 3",
    "3 / 10", "3/10", "3 of 10", "iv", "xii", "1 0",
])
def test_page_numbers_in_their_common_forms(row):
    assert is_page_number(row)


@pytest.mark.parametrize("row", [
    "", "第一章 总则", "3. 安装步骤", "2023年5月1日", "共 3 个步骤", "表 3", "图3 系统结构", "营业收入 1,234.56",
    "3.5", "IV", "mix", "第 3 章", "本页共 3 项", "Page three",
])
def test_other_rows_are_not_page_numbers(row):
    assert not is_page_number(row)


SENTENCES = ["知识库问答系统可以离线运行。", "它只根据检索到的已知信息回答。", "回答附有出处：文件名和页码。",
             "扫描版的页面用光学字符识别读出。", "表格按行写成文字。", "同名文件可以选择替换。",
             "内容相同的文件会被跳过。", "删除文档后索引随之更新。", "检索先取向量和词项的结果。",
             "两路结果按名次融合。", "低于阈值时拒绝回答。", "界面有中文和英文两种语言。"]


def body(n: int) -> list[str]:
    """Two rows of body text, other ones on every page."""
    return [SENTENCES[(2 * n) % len(SENTENCES)], SENTENCES[(2 * n + 1) % len(SENTENCES)]]


def _report(pages: int, header: str = "某某公司年度报告", footer: str = "— {n} —") -> list[list[str]]:
    return [[header.format(n=n), f"第{n}节 经营情况", *body(n), f"本节共有{n + 2}项内容。", footer.format(n=n)]
            for n in range(1, pages + 1)]


def test_running_header_and_page_number_footer_are_dropped():
    assert margin_rows(_report(4)) == [{0, 5}] * 4


def test_header_with_a_page_number_that_goes_up_is_running():
    assert margin_rows(_report(5, header="某某公司年度报告 第 {n} 页", footer="")) == [{0}] * 5
    assert margin_rows(_report(5, header="{n} | 第一章 总则", footer="")) == [{0}] * 5
    assert margin_rows(_report(5, header="某某公司 {n} 内部资料", footer="")) == [{0}] * 5
    # Numbers inside the words ("第1节", "共有3项") are not page numbers, whatever they do.
    assert margin_rows([[f"第{n}节经营情况", *body(n), f"本节共有{n + 2}项内容。"] for n in range(6)]) == [set()] * 6


def test_ocr_of_a_scanned_book_with_page_numbers_glued_to_the_running_title():
    # As OCR reads a scanned book: even pages "12第一篇商品和货币", odd pages "第一章商品13".
    pages = [[f"{n}第一篇商品和货币" if n % 2 == 0 else f"第一章商品{n}", *body(n)] for n in range(12, 20)]
    assert margin_rows(pages) == [{0}] * 8


def test_numbers_that_do_not_follow_the_page_are_content():
    # A register: every page starts with its date; the dates are not page numbers.
    dates = ["2023-01-05", "2023-03-17", "2023-02-02", "2023-07-30"]
    pages = [[f"日期：{d}", *body(n), f"记录 {d}"] for n, d in enumerate(dates)]
    assert margin_rows(pages) == [set()] * 4


def test_rows_of_numbers_only_never_count_as_running():
    pages = [[*body(n), "1,234.56", "2023"] for n in range(5)]
    assert margin_rows(pages) == [{3}] * 5  # "2023" alone is read as a page number; the amount is kept


def test_alternating_headers_of_even_and_odd_pages():
    pages = [["某某公司年度报告" if n % 2 else "第二章 财务报告", *body(n), str(n)] for n in range(1, 11)]
    assert margin_rows(pages) == [{0, 3}] * 10


def test_only_the_first_and_last_two_rows_are_looked_at():
    # A sentence in the middle of every page is body text, and so is a number there.
    pages = [["某某公司年度报告", *body(n), "重复的正文句子。", "7", *body(n + 3), f"- {n} -"] for n in range(1, 5)]
    assert margin_rows(pages) == [{0, 7}] * 4


def test_short_documents_lose_only_their_page_numbers():
    pages = [["某某公司年度报告", *body(1), "— 1 —"], ["某某公司年度报告", *body(2), "第 2 页 共 2 页"]]
    assert margin_rows(pages) == [{3}, {3}]
    assert margin_rows([["某某公司年度报告", *body(1), "1"]]) == [{3}]


def test_a_header_on_a_page_with_nothing_else_stays():
    pages = [*_report(3), ["某某公司年度报告", "— 4 —"]]
    assert margin_rows(pages)[3] == {1}


def test_a_header_on_a_page_whose_only_other_content_is_a_table_goes():
    pages = [*_report(3), ["某某公司年度报告", "— 4 —"]]
    assert margin_rows(pages, tables=[0, 0, 0, 1])[3] == {0, 1}


def test_a_row_on_too_few_pages_is_kept():
    pages = [["某某公司年度报告" if n < 3 else f"附录{'甲乙丙丁戊己庚'[n - 3]}", *body(n), f"正文结束于第{n}节。"]
             for n in range(10)]
    assert margin_rows(pages) == [set()] * 10  # on 3 of 10 pages: under the share that makes it running


def test_whitespace_and_full_width_forms_compare_equal():
    pages = [["某某公司 年度报告", *body(1)], ["某某公司年度报告", *body(2)], ["某某公司\u3000年度报告", *body(3)]]
    assert margin_rows(pages) == [{0}] * 3


def test_missing_pages_keep_the_numbers_in_step():
    pages = [["某某公司年度报告 " + str(n), *body(n)] for n in (1, 4, 7, 10)]  # the pages between are scans
    assert margin_rows(pages, numbers=[1, 4, 7, 10]) == [{0}] * 4
    assert margin_rows(pages) == [set()] * 4  # taken for pages one after another, the numbers do not follow


def test_strip_margins_of_ocr_text_keeps_paragraphs():
    texts = [f"某某公司年度报告\n\n第{n}页的正文，识别出来的段落。\n\n{SENTENCES[n]}\n\n{n}" for n in range(1, 4)]
    assert strip_margins(texts) == [f"第{n}页的正文，识别出来的段落。\n\n{SENTENCES[n]}" for n in range(1, 4)]


# --- a real PDF ---------------------------------------------------------------------------
pymupdf = pytest.importorskip("pymupdf")

HEADER = "某某公司年度报告"
PARAGRAPHS = [
    "第{n}节：本公司主营业务为知识库软件的研发与销售，报告期内营业收入稳定增长。",
    "董事会认为，第{n}节所述的离线问答产品在政府和企业市场仍有较大空间。",
]


def _annual_report(path: Path) -> Path:
    """Four A4 pages: the running header at the top, the body, "— n —" at the bottom."""
    doc = pymupdf.open()
    for n in range(1, 5):
        page = doc.new_page(width=595, height=842)
        page.insert_text((230, 40), HEADER, fontname="china-s", fontsize=10)
        for i, paragraph in enumerate(PARAGRAPHS):
            page.insert_text((72, 120 + 40 * i), paragraph.format(n=n), fontname="china-s", fontsize=11)
        page.insert_text((285, 810), f"— {n} —", fontname="china-s", fontsize=10)
    doc.save(path)
    doc.close()
    return path


def test_pdf_pages_lose_running_header_and_footer_but_keep_their_body(tmp_path, settings, fake_embedder):
    from ingest.loaders import load_file
    from ingest.pipeline import IngestPipeline
    from retrieval.kb.opening import open_knowledge_base

    path = _annual_report(tmp_path / "report.pdf")
    docs = load_file(path, source="report.pdf", content_hash="h")
    assert [d.page for d in docs] == [1, 2, 3, 4]
    for n, doc in enumerate(docs, start=1):
        assert HEADER not in doc.text and "—" not in doc.text, doc.text
        assert doc.text == "\n\n".join(p.format(n=n) for p in PARAGRAPHS)
    with open_knowledge_base(settings.kb_root, "margins", create=True) as kb:
        summary = IngestPipeline(kb, fake_embedder, settings.ingest_config(), progress=False).run([path])
        assert summary.pages == 4 and summary.ocr_pages == 0
        chunks = list(kb.chunks(list(range(1, 50))).values())
    assert chunks and all(HEADER not in c.text and "— " not in c.text for c in chunks)
    assert {c.page for c in chunks} == {1, 2, 3, 4}
    for c in chunks:  # each chunk's text is on the page it says
        assert c.text.replace("\n", "") in "".join(p.format(n=c.page) for p in PARAGRAPHS) or f"第{c.page}节" in c.text


def test_pdf_of_two_pages_keeps_its_header_but_not_its_page_numbers(tmp_path):
    from ingest.loaders import load_file

    doc = pymupdf.open()
    for n in (1, 2):
        page = doc.new_page(width=595, height=842)
        page.insert_text((230, 40), HEADER, fontname="china-s", fontsize=10)
        page.insert_text((72, 120), PARAGRAPHS[0].format(n=n), fontname="china-s", fontsize=11)
        page.insert_text((285, 810), f"第 {n} 页", fontname="china-s", fontsize=10)
    doc.save(tmp_path / "short.pdf")
    texts = [d.text for d in load_file(tmp_path / "short.pdf", source="s", content_hash="h")]
    assert texts == [f"{HEADER}\n\n{PARAGRAPHS[0].format(n=n)}" for n in (1, 2)]


def test_pdf_text_repeated_in_the_middle_of_the_page_is_body(tmp_path):
    """A row repeated on every page but standing mid-page is not a margin, even as a page's last row."""
    from ingest.loaders import load_file

    doc = pymupdf.open()
    for n in range(1, 5):
        page = doc.new_page(width=595, height=842)
        page.insert_text((230, 40), HEADER, fontname="china-s", fontsize=10)
        page.insert_text((72, 120), PARAGRAPHS[0].format(n=n), fontname="china-s", fontsize=11)
        page.insert_text((72, 400), "本页以下空白。", fontname="china-s", fontsize=11)
    doc.save(tmp_path / "blank_below.pdf")
    texts = [d.text for d in load_file(tmp_path / "blank_below.pdf", source="b", content_hash="h")]
    assert texts == [f"{PARAGRAPHS[0].format(n=n)}\n\n本页以下空白。" for n in range(1, 5)]


def test_pdf_pages_of_tables_alone_lose_their_running_header(tmp_path):
    """Pages whose only content besides the running header is a table (a balance sheet going
    on over pages) lose the header as pages of text do: a table is content."""
    from ingest.loaders import load_file
    from tests.ingest.ruled_pdf import ruled_table

    doc = pymupdf.open()
    for n in range(1, 5):
        page = doc.new_page(width=595, height=842)
        page.insert_text((230, 40), HEADER, fontname="china-s", fontsize=10)
        ruled_table(page, 120, [["项目", "期末余额", "期初余额"], [f"第{n}项资产", f"{n},000.00", f"{n},500.00"]])
    doc.save(tmp_path / "tables.pdf")
    texts = [d.text for d in load_file(tmp_path / "tables.pdf", source="t", content_hash="h")]
    assert texts == [f"项目 | 期末余额 | 期初余额\n第{n}项资产 | 期末余额: {n},000.00 | 期初余额: {n},500.00"
                     for n in range(1, 5)]


def test_the_running_header_that_names_the_document_is_its_title():
    header = "东北电气发展股份有限公司2018 年第一季度报告全文"
    pages = [[header, f"第{n}节的正文", f"第{n}节的第二段正文", f"{n}"] for n in range(1, 7)]
    assert running_title(pages, margin_rows(pages)) == header
    watermark = [["标准网 www.biaozhun.org", f"第{n}条的正文", f"第{n}条的第二段", f"{n}"] for n in range(1, 7)]
    assert running_title(watermark, margin_rows(watermark)) == ""  # a site's watermark names no document
    assert running_title([["正文第一页"], ["正文第二页"]], [set(), set()]) == ""
