"""The tables of the shared evaluation PDFs read by row and column (skipped when ../shared is
absent): the FBI's two-level header, the quarterly report's pages of tables without their
running header, the national standard's and the bond prospectus's tables as before."""
from __future__ import annotations

from functools import cache

from core.types import Document
from ingest.loaders import load_file
from tests.conftest import require_shared

RUNNING_HEADER = "东北电气发展股份有限公司2018 年第一季度报告全文"


@cache
def _pages(name: str) -> tuple[Document, ...]:
    path = require_shared("evaldata", "pdfs", "zh" if name.startswith("zh_") else "en", name)
    return tuple(load_file(path, source=str(path), content_hash="h", password=None, ocr=False, max_pages=100,
                           max_unzipped_mb=10, notes=[]))


def _page(name: str, number: int) -> str:
    return next(d.text for d in _pages(name) if d.page == number)


def test_every_value_of_the_nics_table_carries_its_two_level_column_name():
    text = _page("en_fbi_nics_table.pdf", 1)
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("State / Territory | "))
    assert header.split(" | ")[1:8] == ["Permit", "Handgun", "Long Gun", "*Other", "**Multiple", "Admin",
                                         "Pre-Pawn/Handgun"]
    assert header.endswith("Return to Seller - Private Sale/*Other | Totals")
    kentucky = next(line for line in lines if line.startswith("Kentucky | "))
    assert kentucky.startswith("Kentucky | Permit: 264,140 | Handgun: 12,155 | Long Gun: 14,847 | ")
    assert "| Pre-Pawn/Handgun: 9 | Pre-Pawn/Long Gun: 11 | Pre-Pawn/*Other: 0 |" in kentucky
    assert kentucky.endswith("| Totals: 295,891")
    assert "Texas | Permit: 21,550 |" in text and "| Totals: 146,982" in text
    states = [line for line in lines if " | Permit: " in line]
    assert len(states) == 56  # 55 states and territories, and the totals row
    assert all(line.count(": ") == line.count(" | ") for line in states)  # every value named


def test_quarterly_report_pages_of_tables_lose_the_running_header(fake_embedder, settings):
    from ingest.pipeline import IngestPipeline
    from retrieval.kb.opening import open_knowledge_base

    pages = _pages("zh_quarterly_report_2018Q1.pdf")
    assert [d.page for d in pages if RUNNING_HEADER in d.text] == []
    assert _page("zh_quarterly_report_2018Q1.pdf", 10).startswith("一、财务报表1、合并资产负债表（续）\n项目 | 期末余额 | 期初余额")
    path = require_shared("evaldata", "pdfs", "zh", "zh_quarterly_report_2018Q1.pdf")
    with open_knowledge_base(settings.kb_root, "report", create=True) as kb:
        IngestPipeline(kb, fake_embedder, settings.ingest_config(), progress=False).run([path])
        chunks = list(kb.chunks(list(range(1, 500))).values())
    assert chunks and not any(RUNNING_HEADER in c.text for c in chunks)


def test_quarterly_report_tables_read_by_row_and_column():
    name = "zh_quarterly_report_2018Q1.pdf"
    assert "营业收入（元） | 本报告期: 4,755,785.11 | 上年同期: 5,699,227.63 | 本报告期比上年同期增减: -16.55%" in _page(name, 3)
    # The second header inside the table renames its columns for the rows below it.
    assert ("总资产（元） | 本报告期末: 298,608,889.04 | 上年度末: 306,236,911.04 | 本报告期末比上年度末增减: -2.49%"
            in _page(name, 3))
    # A row label merged over two rows is written in both.
    assert "重大诉讼仲裁情况 | 披露日期: 2017 年10 月19 日 |" in _page(name, 8)
    assert ("北京海鸿源投资管理有限公司 | 股东性质: 境内非国有法人 | 持股比例: 9.33% | 持股数量: 81,494,850 | "
            "质押或冻结情况/股份状态: 质押 | 质押或冻结情况/数量: 81,494,850") in _page(name, 4)


def test_national_standard_and_bond_prospectus_tables_read_as_before():
    standard = _page("zh_GBT3620.1-2016_national_standard.pdf", 10)
    assert "表B.1 本标准表2中工业纯钛与ASTM 标准体系纯钛牌号对应关系\n\n本标准 | ASTM 标准\n" in standard
    assert "TA3G | ASTM 标准: Grade3(UNSNumberR50550)" in standard
    bond = _page("zh_bond_prospectus_tables.pdf", 1)
    assert "年份 | 主体信用评级 | 涵义 | 评级机构 | 评级展望" in bond
    assert "年份: 2021 | 主体信用评级: AA+ |" in bond and "评级机构: 联合资信评估有限公司 | 评级展望: 稳定" in bond
    assert ("序号: 3 | 金融机构名称: 兴业银行盐城分行 | 授信总额: 302,600.00 | 已使用情况: 110,600.00 | "
            "剩余额度: 192,000.00") in bond


def test_text_in_columns_is_not_taken_for_a_table_without_rules():
    # Page 3 of the Federal Register has rows out of order in its text layer, written column by column.
    assert ("A subsequent activation of MCAS would be possible only after the airplane returns to a low AOA state"
            in _page("en_us_federal_register_2020.pdf", 3))
    assert not any(" | " in page.text for page in _pages("en_paper_dpr_multicolumn.pdf"))
