"""Tables whose structure is more than a grid, read from PDFs these tests draw: row labels
merged over several rows, two-level headers (ruled, or only placed over their columns),
headers that rename the columns inside a table, and tables without rules whose text
layer runs out of reading order."""
from __future__ import annotations

from pathlib import Path

import pymupdf

from ingest.loaders import load_file
from ingest.loaders.table_text import is_sub_header_row, last_columns, table_to_text
from tests.ingest.ruled_pdf import UP, grid_table


def _text(doc: pymupdf.Document, path: Path) -> str:
    doc.save(path)
    pages = load_file(path, source=str(path), content_hash="h", password=None, ocr=False, max_pages=10,
                      max_unzipped_mb=10, notes=[])
    return "\n\n".join(page.text for page in pages)


def test_sub_header_rows_may_name_columns_by_bounds():
    assert is_sub_header_row([None, "μ≤10", "10＜μ≤20", "20＜μ≤30", "μ＞30"])
    assert is_sub_header_row(["", "股份状态", "数量"])
    assert not is_sub_header_row(["八车道", "0.92", "1.26"])  # values are not names


def test_a_two_level_header_joins_the_group_and_its_columns():
    rows = [["车道数", "大型车比例μ（%）", None, None], ["车道数", "μ≤10", "10＜μ≤20", "μ＞20"],
            ["八车道", "0.92", "1.26", "1.42"]]
    assert table_to_text(rows).splitlines() == [
        "车道数 | 大型车比例μ（%）/μ≤10 | 大型车比例μ（%）/10＜μ≤20 | 大型车比例μ（%）/μ＞20",
        "八车道 | 大型车比例μ（%）/μ≤10: 0.92 | 大型车比例μ（%）/10＜μ≤20: 1.26 | 大型车比例μ（%）/μ＞20: 1.42"]


def test_a_row_laid_out_as_the_header_renames_the_columns_below_it():
    rows = [["", "本报告期", "上年同期"], ["营业收入（元）", "4,755,785.11", "5,699,227.63"],
            ["", "本报告期末", "上年度末"], ["总资产（元）", "298,608,889.04", "306,236,911.04"]]
    assert table_to_text(rows).splitlines()[2:] == ["本报告期末 | 上年度末",
                                                     "总资产（元） | 本报告期末: 298,608,889.04 | 上年度末: 306,236,911.04"]
    assert last_columns(rows) == ["", "本报告期末", "上年度末"]


def test_latin_column_names_may_be_longer_than_chinese_ones():
    rows = [["State", "Permit", "Return to Seller - Private Sale"], ["Texas", "21,550", "1"]]
    assert table_to_text(rows).splitlines()[1] == "Texas | Permit: 21,550 | Return to Seller - Private Sale: 1"


def test_a_merged_row_label_is_carried_into_every_row_it_spans(tmp_path):
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((60, 50), "表7.2 公路用地指标", fontname="china-s", fontsize=11)
    grid_table(page, 60, [["公路等级", "车道数", "用地指标基准值"], ["高速公路", "八", "2.6667"], [UP, "六", "2.1333"],
                          [UP, "四", "1.8000"], ["一级公路", "六", "2.0000"], [UP, "四", "1.6000"]], [90, 60, 120])
    text = _text(doc, tmp_path / "land.pdf")
    assert "高速公路 | 车道数: 六 | 用地指标基准值: 2.1333" in text
    assert "高速公路 | 车道数: 四 | 用地指标基准值: 1.8000" in text
    assert "一级公路 | 车道数: 四 | 用地指标基准值: 1.6000" in text


def test_a_ruled_two_level_header_labels_each_value_with_both_names(tmp_path):
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((60, 50), "表7.6 大型车比例修正系数", fontname="china-s", fontsize=11)
    grid_table(page, 60, [["车道数", "大型车比例μ（%）", None, None, None],
                          [UP, "μ≤10", "10＜μ≤20", "20＜μ≤30", "μ＞30"],
                          ["八车道", "0.92", "1.26", "1.35", "1.42"], ["六车道", "0.95", "1.18", "1.30", "1.38"]],
               [70, 70, 80, 80, 70])
    text = _text(doc, tmp_path / "factors.pdf")
    assert ("八车道 | 大型车比例μ（%）/μ≤10: 0.92 | 大型车比例μ（%）/10＜μ≤20: 1.26 | 大型车比例μ（%）/20＜μ≤30: 1.35"
            " | 大型车比例μ（%）/μ＞30: 1.42") in text
    assert "大型车比例μ（%）/10＜μ≤20: 1.18" in text


def _grouped_header_table(page) -> None:
    """A table like the FBI's: its header row is ruled only around groups of columns; the
    group's name stands on a first line, the columns' names on a second, each over its
    column."""
    lefts = [60, 140, 190, 240, 290, 340, 390, 450]
    top, band, height = 60, 30, 20
    rows = [["北京", "120", "35", "12", "3", "1", "171"], ["上海", "98", "40", "10", "2", "0", "150"]]
    bottom = top + band + height * len(rows)
    for y in [top, top + band] + [top + band + height * (i + 1) for i in range(len(rows))]:
        page.draw_line((lefts[0], y), (lefts[-1], y))
    for x in lefts:  # group edges through the header, every column edge through the data
        page.draw_line((x, top if x in (60, 140, 290, 390, 450) else top + band), (x, bottom))
    page.insert_text((300, top + 11), "典当", fontname="china-s", fontsize=9)
    for x, name in [(65, "地区"), (145, "许可"), (195, "手枪"), (245, "长枪"), (295, "手枪"), (345, "长枪"), (395, "合计")]:
        page.insert_text((x, top + 25), name, fontname="china-s", fontsize=9)
    for i, row in enumerate(rows):
        for x, cell in zip(lefts, row):
            page.insert_text((x + 5, top + band + height * i + 14), cell, fontname="china-s", fontsize=9)


def test_header_names_placed_over_unruled_columns_are_taken_apart(tmp_path):
    doc = pymupdf.open()
    _grouped_header_table(doc.new_page())
    text = _text(doc, tmp_path / "checks.pdf")
    assert "地区 | 许可 | 手枪 | 长枪 | 典当/手枪 | 典当/长枪 | 合计" in text
    assert "北京 | 许可: 120 | 手枪: 35 | 长枪: 12 | 典当/手枪: 3 | 典当/长枪: 1 | 合计: 171" in text


def _lab_report(page, order: list[int]) -> None:
    """A lab report drawn without rules, each row's pieces written in `order` (by column)."""
    page.insert_text((50, 60), "血常规检验报告单", fontname="china-s", fontsize=14)
    lefts = [50, 170, 230, 300, 400]
    rows = [["项目", "结果", "单位", "参考范围", "方法"],
            ["血红蛋白(HGB)", "159", "g/L", "[130-175]", "仪器法"],
            ["红细胞计数(RBC)", "5.21", "10^12/L", "[4.3-5.8]", "仪器法"],
            ["白细胞计数(WBC)", "6.8", "10^9/L", "[3.5-9.5]", "仪器法"]]
    for i, row in enumerate(rows):
        for j in (order if i else range(5)):
            font = "helv" if row[j].isascii() else "china-s"
            page.insert_text((lefts[j], 100 + 20 * i), row[j], fontname=font, fontsize=10)
    page.insert_text((50, 200), "检验者：张三", fontname="china-s", fontsize=10)


def test_a_table_without_rules_written_out_of_order_is_rebuilt_from_positions(tmp_path):
    doc = pymupdf.open()
    _lab_report(doc.new_page(), order=[4, 1, 2, 3, 0])
    text = _text(doc, tmp_path / "lab.pdf")
    assert "仪器法159" not in text
    assert text.splitlines() == [
        "血常规检验报告单", "",
        "项目 | 结果 | 单位 | 参考范围 | 方法",
        "血红蛋白(HGB) | 结果: 159 | 单位: g/L | 参考范围: [130-175] | 方法: 仪器法",
        "红细胞计数(RBC) | 结果: 5.21 | 单位: 10^12/L | 参考范围: [4.3-5.8] | 方法: 仪器法",
        "白细胞计数(WBC) | 结果: 6.8 | 单位: 10^9/L | 参考范围: [3.5-9.5] | 方法: 仪器法", "",
        "检验者：张三"]


def test_text_in_columns_written_right_column_first_stays_text(tmp_path):
    doc = pymupdf.open()
    page = doc.new_page()
    lines = ["本章介绍知识库的建立方法与", "检索流程，以及问答时如何引", "用原文中的证据来回答问题。"]
    for x in (400, 230, 60):  # the right column is written first: rows out of order, columns whole
        for i, line in enumerate(lines):
            page.insert_text((x, 100 + 16 * i), line, fontname="china-s", fontsize=10)
    assert " | " not in _text(doc, tmp_path / "columns.pdf")
