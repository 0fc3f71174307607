"""Spreadsheet cells as a person reads them, and a grid of them as table text (pure functions,
hand-written Chinese inputs)."""
from __future__ import annotations

import datetime as dt

import pytest

from core.errors import LoaderError
from ingest.loaders.cell_values import cell_text
from ingest.loaders.sheet_table import CellBudget, MergedRange, apply_merges, grid_to_text
from ingest.loaders.xlsx_layout import merged_range


@pytest.mark.parametrize(("value", "number_format", "shown"), [
    (0.1 + 0.2, "General", "0.3"),  # not 0.30000000000000004
    (3.0, "General", "3"),
    (1 / 3, "General", "0.333333333333333"),  # Excel's 15 significant digits
    (1e16, "General", "1E+16"),
    (0.153, "0.0%", "15.3%"),
    (1, "0%", "100%"),
    (1234567.5, "#,##0.00", "1,234,567.50"),
    (1234.5, '"¥"#,##0.00;[Red]-"¥"#,##0.00', "1,234.50"),  # the currency sign is decoration
    (1234.5, "_(* #,##0.00_);_(* (#,##0.00);_(* \"-\"??_);_(@_)", "1,234.50"),  # accounting
    (1.5, "0.0#", "1.5"),
    (1.257, "0.0#", "1.26"),
    (123456.0, "0.00E+00", "1.23E+05"),
    (42, "@", "42"),
    (True, "General", "TRUE"),
    ("  原样的文字 ", "General", "  原样的文字 "),
    (None, "General", ""),
    (dt.datetime(2023, 1, 1), "yyyy-mm-dd h:mm:ss", "2023-01-01"),  # not 2023-01-01 00:00:00
    (dt.datetime(2023, 1, 1, 14, 30), "yyyy/m/d h:mm", "2023-01-01 14:30"),
    (dt.datetime(2023, 1, 5), 'yyyy"年"m"月"d"日"', "2023年1月5日"),
    (dt.datetime(2023, 1, 5), 'm"月"d"日"', "1月5日"),
    (dt.datetime(2023, 3, 1), "yyyy年m月", "2023年3月"),
    (dt.date(2024, 2, 29), "General", "2024-02-29"),
    (dt.time(9, 5), "h:mm", "09:05"),
    (dt.timedelta(hours=26, minutes=30), "[h]:mm", "26:30"),
])
def test_cells_read_as_excel_shows_them(value, number_format, shown):
    assert cell_text(value, number_format) == shown


def test_a_merged_header_gives_two_level_column_names_and_a_merged_label_every_row():
    grid = [["2023年华东区销售统计", "", "", "", ""],
            ["", "", "", "", ""],
            ["城市", "2023年", "", "2024年", ""],
            ["", "一季度", "二季度", "一季度", "二季度"],
            ["杭州", "120", "130", "140", "150"],
            ["", "99", "98", "", "96"]]
    apply_merges(grid, [MergedRange(0, 0, 0, 4), MergedRange(2, 0, 3, 0), MergedRange(2, 1, 2, 2),
                        MergedRange(2, 3, 2, 4), MergedRange(4, 0, 5, 0)])
    assert grid_to_text(grid).split("\n") == [
        "2023年华东区销售统计",  # the title row, where the splitter finds the table's title
        "城市 | 2023年/一季度 | 2023年/二季度 | 2024年/一季度 | 2024年/二季度",
        "杭州 | 2023年/一季度: 120 | 2023年/二季度: 130 | 2024年/一季度: 140 | 2024年/二季度: 150",
        "杭州 | 2023年/一季度: 99 | 2023年/二季度: 98 | 2024年/二季度: 96",  # the merged label, again
    ]


def test_a_title_with_its_unit_and_a_header_whose_group_spans_the_rest():
    grid = [["2023年报表", "", "", "", "单位：万元"],
            ["地区", "2023年", "", "", ""],
            ["", "一季度", "二季度", "三季度", "四季度"],
            ["华北", "1", "2", "3", "4"]]
    apply_merges(grid, [MergedRange(1, 0, 2, 0), MergedRange(1, 1, 1, 4)])
    assert grid_to_text(grid).split("\n") == [
        "2023年报表，单位：万元",
        "地区 | 2023年/一季度 | 2023年/二季度 | 2023年/三季度 | 2023年/四季度",
        "华北 | 2023年/一季度: 1 | 2023年/二季度: 2 | 2023年/三季度: 3 | 2023年/四季度: 4"]


def test_a_header_cell_of_two_lines_names_its_column_on_one():
    assert grid_to_text([["姓名", "金额\n（万元）"], ["张伟", "12"]]) == "姓名 | 金额（万元）\n张伟 | 金额（万元）: 12"


def test_the_first_non_empty_row_names_the_columns_and_empty_columns_go():
    grid = [[], ["", "姓名", "", "部门", "电话"],
            ["", "张伟", "", "财务部", "13800000001"],
            ["", "", "", "", ""],
            ["", "王芳", "", "", "13800000002"]]
    assert grid_to_text(grid) == ("姓名 | 部门 | 电话\n张伟 | 部门: 财务部 | 电话: 13800000001\n"
                                  "王芳 | 电话: 13800000002")


def test_a_row_of_words_below_the_header_stays_a_row():
    # in a PDF table this row could open a new table; in a sheet the header is known
    grid = [["项目", "负责人", "状态"], ["合计", "", ""], ["官网改版", "李娜", "进行中"]]
    assert grid_to_text(grid).split("\n")[-1] == "官网改版 | 负责人: 李娜 | 状态: 进行中"


def test_a_single_column_is_a_list_not_a_title():
    assert grid_to_text([["名单"], ["张三"], ["李四"]]) == "名单\n张三\n李四"
    assert grid_to_text([[""], [None]]) == ""


def test_merges_are_cut_to_the_grid():
    grid = [["标题", ""], ["a", "b"]]
    apply_merges(grid, [MergedRange(0, 0, 1_048_575, 16_383), MergedRange(5, 0, 6, 1)])
    assert grid == [["标题", None], ["标题", None]]


@pytest.mark.parametrize(("ref", "expected"), [
    ("B2:D3", MergedRange(1, 1, 2, 3)),
    ("$A$1:$AA$10", MergedRange(0, 0, 9, 26)),
    ("C5", MergedRange(4, 2, 4, 2)),
    ("D3:B2", None),
    ("not a ref", None),
])
def test_merged_range_references(ref, expected):
    assert merged_range(ref) == expected


def test_the_cell_budget_is_a_setting():
    budget = CellBudget(limit=10)
    budget.spend(10, 10)
    with pytest.raises(LoaderError, match="more than 10 cells with values") as refused:
        budget.spend(1, 1)
    assert refused.value.setting == "max_table_cells"
    with pytest.raises(LoaderError, match="mostly empty"):
        CellBudget(limit=10).spend(1, 10_000)
