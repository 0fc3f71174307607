"""Tables as tables: each value with its column name, headers carried over page breaks,
banded rows split, equal values kept."""
from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from ingest.loaders import load_file
from ingest.loaders.pdf_tables import split_bands
from ingest.loaders.table_text import column_names, is_header_row, is_numeric_cell, last_columns, table_to_text
from tests.ingest.ruled_pdf import ruled_table


@pytest.mark.parametrize("cell, numeric", [
    ("4,755,785.11", True), ("-16.55%", True), ("2017 年06 月05 日", True), ("-", True), ("—", True),
    ("人民币普通股", False), ("上升5.72 个百分点", False), ("TA1", False), ("", False),
])
def test_numeric_cells(cell, numeric):
    assert is_numeric_cell(cell) == numeric


def test_header_rows():
    assert is_header_row(["项目", "期末余额", "期初余额"])
    assert is_header_row(["项目", "2018 年1-3 月", "2017 年1-3 月", "增减%"])  # periods name columns
    assert not is_header_row(["货币资金", "40,962,331.62", "45,175,761.77"])
    assert not is_header_row(["新增发行H 股", "2017 年06 月05 日"])  # a date is a value
    assert not is_header_row(["流动资产：", "", ""])
    assert not is_header_row(["说明", "就本公司知晓的范围内，前十名股东中的法人股东之间不存在关联关系"])


def test_merged_header_names_every_column_it_spans():
    header = [["股东名称", "持股数量", "质押或冻结情况", None], [None, None, "股份状态", "数量"]]
    assert column_names(header, 4) == ["股东名称", "持股数量", "质押或冻结情况/股份状态", "质押或冻结情况/数量"]


def test_each_value_keeps_its_column_name():
    rows = [["项目", "期末余额", "期初余额"],
            ["流动资产：", "", ""],
            ["货币资金", "40,962,331.62", "45,175,761.77"],
            ["股本", "873,370,000.00", "873,370,000.00"],  # equal values in two columns both stay
            ["可供出售金融资产", "", "31,760,858.70"]]  # an empty cell keeps the value under its column
    assert table_to_text(rows).splitlines() == [
        "项目 | 期末余额 | 期初余额",
        "流动资产：",
        "货币资金 | 期末余额: 40,962,331.62 | 期初余额: 45,175,761.77",
        "股本 | 期末余额: 873,370,000.00 | 期初余额: 873,370,000.00",
        "可供出售金融资产 | 期初余额: 31,760,858.70",
    ]
    years = [["年份", "主体信用评级", "评级展望"], ["2023", "AA+", "稳定"]]
    assert table_to_text(years).splitlines()[1] == "年份: 2023 | 主体信用评级: AA+ | 评级展望: 稳定"


def test_a_title_row_inside_a_table_opens_a_new_header():
    rows = [["前10 名股东持股情况", None, None], ["股东名称", "持股比例", "持股数量"], ["杨琴秀", "3.20%", "27,955,752"],
            ["前10 名无限售条件股东持股情况", None, None], ["股东名称", "股份种类", "数量"], ["胡立", "人民币普通股", "2,172,360"]]
    lines = table_to_text(rows).splitlines()
    assert "杨琴秀 | 持股比例: 3.20% | 持股数量: 27,955,752" in lines
    assert "胡立 | 股份种类: 人民币普通股 | 数量: 2,172,360" in lines
    assert last_columns(rows) == ["股东名称", "股份种类", "数量"]


def test_rows_of_words_are_data_once_the_header_is_known():
    rows = [["参数", "默认值", "含义"], ["KB", "default", "知识库名称"], ["K", "5", "返回条数"]]
    assert table_to_text(rows).splitlines()[1:] == ["KB | 默认值: default | 含义: 知识库名称",
                                                     "K | 默认值: 5 | 含义: 返回条数"]


def test_a_table_continued_from_the_page_before_gets_its_names_and_title():
    text = table_to_text([["长期股权投资", "19,215,223.76", "19,463,641.61"]], columns=["项目", "期末余额", "期初余额"],
                         caption="合并资产负债表（续）")
    assert text.splitlines() == ["合并资产负债表（续）", "项目 | 期末余额 | 期初余额",
                                 "长期股权投资 | 期末余额: 19,215,223.76 | 期初余额: 19,463,641.61"]


def test_banded_rows_are_split_one_per_line():
    rows = [["State", "Permit", "Handgun"], ["Alabama\nAlaska\nArizona", "18,870\n209\n2,303", "23,022\n3,062\n12,382"],
            ["备注", "两行\n文字", "一行"]]
    assert split_bands(rows) == [["State", "Permit", "Handgun"], ["Alabama", "18,870", "23,022"],
                                 ["Alaska", "209", "3,062"], ["Arizona", "2,303", "12,382"], ["备注", "两行\n文字", "一行"]]


def test_a_table_over_a_page_break_keeps_its_header_and_title(tmp_path: Path):
    doc = pymupdf.open()
    first = doc.new_page()
    first.insert_text((60, 60), "表3 各分店营业时间", fontname="china-s", fontsize=11)
    ruled_table(first, 80, [["分店", "开门", "关门"], ["西湖店", "7:00", "22:00"], ["灵隐店", "8:00", "21:00"]])
    second = doc.new_page()
    second.insert_text((60, 30), "第 2 页", fontname="china-s", fontsize=9)
    ruled_table(second, 50, [["河坊街店", "9:30", "23:00"], ["龙井村店", "6:30", "18:00"]])
    second.insert_text((60, 200), "以上时间节假日另行通知。", fontname="china-s", fontsize=11)
    path = tmp_path / "hours.pdf"
    doc.save(path)
    pages = load_file(path, source=str(path), content_hash="h", password=None, ocr=False, max_pages=10,
                      max_unzipped_mb=10, notes=[])
    assert "西湖店 | 开门: 7:00 | 关门: 22:00" in pages[0].text
    assert "表3 各分店营业时间（续）\n分店 | 开门 | 关门\n河坊街店 | 开门: 9:30 | 关门: 23:00" in pages[1].text
    assert "龙井村店 | 开门: 6:30 | 关门: 18:00" in pages[1].text
