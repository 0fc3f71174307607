"""Tables read as tables: rows back from their text, and the cell a question names."""
from __future__ import annotations

import pytest

from app.answering.evidence.asks import analyse
from app.answering.evidence.tables import find_cells, named_share, table_rows

CREDIT = """表7-2：截至2023 年3 月末发行人授信及使用情况
单位：万元
序号 | 金融机构名称 | 授信总额 | 已使用情况 | 剩余额度
序号: 1 | 金融机构名称: 工商银行 | 授信总额: 330,435.30 | 已使用情况: 234,850.00 | 剩余额度: 95,585.30
序号: 4 | 金融机构名称: 民生银行盐城分行 | 授信总额: 262,000.00 | 已使用情况: 88,500.00 | 剩余额度: 173,500.00
序号: 7 | 金融机构名称: 杭州银行 | 授信总额: 109,000.00 | 已使用情况: 32,690.00 | 剩余额度: 76,310.00"""
RATINGS = """表7-1：发行人历史评级情况
年份 | 主体信用评级 | 评级机构 | 评级展望
年份: 2022 | 主体信用评级: AA+ | 评级机构: 中诚信国际信用评级有限责任公司 | 评级展望: 稳定
年份: 2021 | 主体信用评级: AA | 评级机构: 联合资信评估有限公司 | 评级展望: 正面"""
INCOME = """4、母公司利润表
项目 | 本期发生额 | 上期发生额
一、营业收入 | 本期发生额: 4,755,785.11 | 上期发生额: 5,699,227.63
加：营业外收入 | 本期发生额: 3,260,981.25 | 上期发生额: 0.00"""
HOLDERS = """前10 名股东持股情况
股东名称 | 持股比例 | 持股数量 | 质押或冻结情况/股份状态 | 质押或冻结情况/数量
北京海鸿源投资管理有限公司 | 持股比例: 9.33% | 持股数量: 81,494,850 | 质押或冻结情况/股份状态: 质押 | 质押或冻结情况/数量: 81,494,850"""


def _cells(question: str, text: str):
    ask = analyse(question)
    wanted = "reason" if ask.kind.value == "reason" else ask.value.value
    found = find_cells(question, ask.subject, ask.keys, table_rows(text), wanted)
    return None if found is None else found.cells


def test_rows_come_back_with_their_caption_columns_and_unit():
    rows = table_rows(CREDIT)
    assert len(rows) == 3 and rows[2].caption == "表7-2：截至2023 年3 月末发行人授信及使用情况"
    assert rows[2].unit == "万元" and ("金融机构名称", "杭州银行") in rows[2].cells
    assert table_rows(INCOME)[0].label == "一、营业收入"
    assert table_rows("一段没有表格的文字。\n另一段。") == []


def test_the_column_asked_in_other_words():
    assert _cells("盐城高新区投资集团在杭州银行的授信已经用掉多少了？", CREDIT) == (("已使用情况", "32,690.00"),)
    assert _cells("民生银行盐城分行那边还剩多少授信额度没用？", CREDIT) == (("剩余额度", "173,500.00"),)


def test_a_row_named_by_a_year_and_the_column_of_organisations():
    assert _cells("2021 年的主体信用评级是哪家机构评的？", RATINGS) == (("评级机构", "联合资信评估有限公司"),)
    assert _cells("2022 年的主体信用评级是什么级别，展望如何？", RATINGS) == (("主体信用评级", "AA+"),
                                                                  ("评级展望", "稳定"))


def test_the_row_label_spelled_out_not_a_longer_one_sharing_its_words():
    assert named_share("营业外收入", "营业收入是多少") < 0.6 <= named_share("一、营业收入", "营业收入是多少")
    assert _cells("母公司利润表里本期营业外收入是多少？", INCOME) == (("本期发生额", "3,260,981.25"),)


def test_a_question_in_two_parts_gets_a_cell_for_each():
    cells = dict(_cells("北京海鸿源投资管理有限公司持股比例多少？质押了多少股？", HOLDERS))
    assert cells["持股比例"] == "9.33%" and cells["质押或冻结情况/数量"] == "81,494,850"


def test_no_row_is_named_when_the_question_names_none_of_them():
    assert _cells("盐城高新区投资集团在农业银行的授信总额是多少？", RATINGS) is None
    assert _cells("2019 年的主体信用评级是什么级别？", RATINGS) is None


LAND = """表3 服务区用地指标基准值（公顷/处）
公路等级 | 车道数 | 用地指标基准值
高速公路 | 车道数: 八 | 用地指标基准值: 2.6667
高速公路 | 车道数: 六 | 用地指标基准值: 2.1333
一级公路 | 车道数: 六 | 用地指标基准值: 2.0000
一级公路 | 车道数: 四 | 用地指标基准值: 1.6000"""


@pytest.mark.parametrize("question, value", [("六车道高速公路服务区的用地指标基准值是多少？", "2.1333"),
                                             ("一级公路车道数为四时用地指标基准值是多少？", "1.6000")])
def test_a_row_named_by_its_label_and_a_one_character_condition(question, value):
    ask = analyse(question)
    found = find_cells(question, ask.subject, ask.keys, table_rows(LAND), ask.value.value)
    assert found is not None and found.cells == (("用地指标基准值", value),)


def test_a_chinese_question_names_the_totals_column_of_an_english_table():
    text = ("NICS Firearm Background Checks November - 2015\n"
            "Texas | Permit: 21,550 | Handgun: 60,000 | Return to Seller - Private Sale/Long Gun: 5 | Totals: 146,982")
    question = "2015 年 11 月的 NICS 枪支背景调查统计里，德克萨斯州（Texas）的总数是多少？"
    ask = analyse(question)
    found = find_cells(question, ask.subject, ask.keys, table_rows(text), ask.value.value)
    assert found is not None and found.cells == (("Totals", "146,982"),)


def test_a_section_line_inside_a_table_is_not_its_title():
    text = ("5、合并现金流量表（续）\n项目 | 本期发生额 | 上期发生额\n四、汇率变动对现金及现金等价物的影响\n"
            "六、期末现金及现金等价物余额 | 本期发生额: 4,182,017.79 | 上期发生额: 62,116,555.39")
    assert [row.caption for row in table_rows(text)] == ["5、合并现金流量表"]


def test_a_label_after_its_qualifier_is_named_whole():
    assert named_share("其中：营业收入", "东北电气2018年一季度营业收入是多少？") == 1.0


def test_the_row_whose_other_characters_the_question_holds_breaks_a_tie():
    text = ("5、合并现金流量表（续）\n项目 | 本期发生额 | 上期发生额\n"
            "加：期初现金及现金等价物余额 | 本期发生额: 8,408,461.77 | 上期发生额: 27,600,371.44\n"
            "六、期末现金及现金等价物余额 | 本期发生额: 4,182,017.79 | 上期发生额: 62,116,555.39")
    question = "一季度末的现金及现金等价物余额是多少？"
    ask = analyse(question)
    found = find_cells(question, ask.subject, ask.keys, table_rows(text), ask.value.value)
    assert found is not None and found.cells == (("本期发生额", "4,182,017.79"),)
