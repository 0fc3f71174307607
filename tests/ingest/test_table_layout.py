"""A table's structure from where its text stands (loaders/table_layout.py): pieces of a
line, header cells taken apart by column, row labels carried down, tables without rules
rebuilt. Hand-placed glyphs, as a page gives them (10-point text, 10 wide a character)."""
from __future__ import annotations

from ingest.loaders.table_layout import (
    Glyph,
    Piece,
    carry_labels,
    pieces,
    split_header_cell,
    table_runs,
    visual_rows,
)


def _glyphs(text: str, x: float, y: float, width: float = 10) -> list[Glyph]:
    """A line of glyphs `width` wide (a space a third of that) from x on."""
    out = []
    for ch in text:
        step = width / 3 if ch == " " else width
        out.append(Glyph(ch, x, y, x + step, y + 10))
        x += step
    return out


def _piece(text: str, x: float, y: float, order: int) -> Piece:
    return Piece(text, x, y, x + 10 * len(text), y + 10, order)


def test_a_line_is_cut_at_wide_gaps_not_at_spaces():
    line = _glyphs("血红蛋白(HGB)", 50, 100) + _glyphs("159", 200, 100) + _glyphs("Long Gun", 260, 100, width=5)
    assert [p.text for p in pieces(line)] == ["血红蛋白(HGB)", "159", "Long Gun"]
    assert pieces(_glyphs("  ", 0, 0)) == []


def test_a_merged_header_cell_names_each_column_under_its_group():
    columns = [(130, 200), (200, 280), (280, 360)]
    cell = (_glyphs("大型车比例μ（%）", 190, 62)
            + _glyphs("μ≤10", 135, 76) + _glyphs("10＜μ≤20", 205, 76) + _glyphs("20＜μ≤30", 285, 76))
    split = split_header_cell(cell, columns)
    assert split is not None
    assert split.parent == "大型车比例μ（%）"
    assert split.names == ("μ≤10", "10＜μ≤20", "20＜μ≤30")


def test_sub_names_without_a_group_and_a_column_left_unnamed():
    columns = [(100, 150), (150, 200), (200, 250)]
    split = split_header_cell(_glyphs("许可", 105, 70) + _glyphs("手枪", 205, 70), columns)
    assert split is not None and split.parent == "" and split.names == ("许可", "", "手枪")


def test_a_title_over_the_columns_is_not_taken_apart():
    columns = [(100, 150), (150, 200), (200, 250)]
    # One piece (its words a space apart) standing over all three columns.
    assert split_header_cell(_glyphs("退回卖方 私人交易", 110, 70), columns) is None
    # Nor is a word spaced out over them, nor pieces straddling a column's edge.
    assert split_header_cell(_glyphs("项", 130, 70) + _glyphs("目", 160, 70), columns) is None
    assert split_header_cell(_glyphs("手枪", 140, 70) + _glyphs("长枪", 195, 70), columns) is None


def test_a_row_label_merged_down_is_written_in_every_row_it_spans():
    rows = [["公路等级", "车道数", "用地指标基准值"],
            ["高速公路", "八", "2.6667"], [None, "六", "2.1333"], [None, "四", "1.8000"],
            ["一级公路", "六", "2.0000"], [None, "四", "1.6000"]]
    carried = carry_labels(rows, {(2, 0): 1, (3, 0): 1, (5, 0): 4})
    assert carried[2] == ["高速公路", "六", "2.1333"]
    assert carried[3] == ["高速公路", "四", "1.8000"]
    assert carried[5] == ["一级公路", "四", "1.6000"]
    assert rows[2][0] is None  # the rows given are left as they were


def test_values_and_cells_right_of_values_are_not_carried():
    rows = [["项目", "金额", "备注"], ["甲", "100", "已核对"], ["乙", None, None]]
    assert carry_labels(rows, {(2, 1): 1, (2, 2): 1}) == [["项目", "金额", "备注"], ["甲", "100", "已核对"],
                                                          ["乙", None, None]]


def test_a_scrambled_table_without_rules_is_rebuilt_as_printed():
    # The text layer writes each row as method, result, unit, range, then the item.
    printed = [["项目", "结果", "单位", "参考范围", "方法"],
               ["血红蛋白(HGB)", "159", "g/L", "[130-175]", "仪器法"],
               ["红细胞计数(RBC)", "5.21", "10^12/L", "[4.3-5.8]", "仪器法"]]
    xs = [50, 180, 240, 330, 440]
    found, order = [], 0
    for i, row in enumerate(printed):
        for j in ([4, 1, 2, 3, 0] if i else range(5)):
            order += 1
            found.append(_piece(row[j], xs[j], 100 + 20 * i, order))
    found.append(_piece("检验者：张三", 50, 200, order + 1))  # a line of its own ends the table
    rows = visual_rows(found)
    runs = table_runs(rows)
    assert len(runs) == 1 and (runs[0].first, runs[0].last) == (0, 2)
    assert runs[0].cells == printed


def test_two_columns_of_text_are_not_a_table():
    found = [_piece(text, x, 100 + 14 * i, i) for i in range(4) for text, x in (("第一栏的正文", 50), ("第二栏的正文", 300))]
    assert table_runs(visual_rows(found)) == []
