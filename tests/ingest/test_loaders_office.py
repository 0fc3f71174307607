"""PowerPoint, Excel and CSV loaders on files the tests make: pages, headings, reading order,
rows with their column names; old Office formats refused with the format to save them in."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from core.errors import EncryptedFile, LoaderError, OldExcelFile, OldPowerPointFile, OldWordFile
from ingest.discovery import discover_files
from ingest.loaders import load_file
from ingest.uploads import check_upload

openpyxl = pytest.importorskip("openpyxl")
pptx = pytest.importorskip("pptx")
from pptx.util import Inches  # noqa: E402  (after the skip)


def _load(path: Path, **limits):
    return load_file(path, source=path.name, content_hash="h", **limits)


# --- PowerPoint -------------------------------------------------------------------------

def _deck(path: Path) -> Path:
    deck = pptx.Presentation()
    cover = deck.slides.add_slide(deck.slide_layouts[0])
    cover.shapes.title.text = "望月茶馆年度汇报"
    cover.placeholders[1].text = "市场部 · 2024年1月"
    slide = deck.slides.add_slide(deck.slide_layouts[5])  # title only
    slide.shapes.title.text = "门店\v销售"  # a line break in the title
    # added right box first: reading order comes from the positions, not the order in the file
    slide.shapes.add_textbox(Inches(5), Inches(1.6), Inches(4), Inches(1)).text_frame.text = "右栏：西湖店"
    left = slide.shapes.add_textbox(Inches(0.5), Inches(1.5), Inches(4), Inches(1))
    left.text_frame.text = "左栏：东街店"
    # a shape of no kind python-pptx knows (no geometry, not marked a text box), as some tools write
    left._element.spPr.remove(left._element.spPr.prstGeom)
    left._element.nvSpPr.cNvSpPr.attrib.pop("txBox")
    table = slide.shapes.add_table(3, 3, Inches(0.5), Inches(3), Inches(8), Inches(1.5)).table
    for i, row in enumerate([["茶品", "单价", "月销量"], ["桂花乌龙", "68", "1,200"], ["西湖龙井", "128", "860"]]):
        for j, value in enumerate(row):
            table.cell(i, j).text = value
    group = slide.shapes.add_group_shape()
    group.shapes.add_textbox(Inches(0.5), Inches(5), Inches(4), Inches(0.5)).text_frame.text = "组合里的说明"
    slide.notes_slide.notes_text_frame.text = "讲到这里提一下桂花乌龙的复购率。"
    deck.slides.add_slide(deck.slide_layouts[6])  # blank: no Document
    hidden = deck.slides.add_slide(deck.slide_layouts[1])
    hidden.shapes.title.text = "旧价格"
    hidden.placeholders[1].text = "桂花乌龙 58 元（已作废）"
    hidden._element.set("show", "0")
    deck.save(path)
    return path


def test_a_slide_is_a_page_with_its_title_as_heading_in_reading_order(tmp_path):
    notes: list[str] = []
    docs = _load(_deck(tmp_path / "汇报.pptx"), notes=notes)
    assert [(d.page, d.heading) for d in docs] == [(1, "望月茶馆年度汇报"), (2, "门店销售")]
    assert {d.title for d in docs} == {"望月茶馆年度汇报"}  # no Title property: the first slide's title
    assert docs[0].text == "市场部 · 2024年1月"
    text = docs[1].text
    assert text.split("\n\n") == [
        "左栏：东街店", "右栏：西湖店",
        "茶品 | 单价 | 月销量\n桂花乌龙 | 单价: 68 | 月销量: 1,200\n西湖龙井 | 单价: 128 | 月销量: 860",
        "组合里的说明",
        "讲到这里提一下桂花乌龙的复购率。",  # the speaker notes, after the slide
    ]
    assert notes == ["hidden slides not read: 4"]
    assert not any("作废" in d.text for d in docs)


def test_a_slide_table_with_merged_cells(tmp_path):
    deck = pptx.Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[6])
    table = slide.shapes.add_table(4, 3, Inches(0.5), Inches(0.5), Inches(8), Inches(2)).table
    table.cell(0, 1).merge(table.cell(0, 2))
    table.cell(2, 0).merge(table.cell(3, 0))
    for (i, j), value in {(0, 0): "门店", (0, 1): "2023年", (1, 0): "门店", (1, 1): "上半年", (1, 2): "下半年",
                          (2, 0): "东街店", (2, 1): "310", (2, 2): "355", (3, 1): "12", (3, 2): "15"}.items():
        table.cell(i, j).text = value
    deck.save(tmp_path / "merged.pptx")
    [doc] = _load(tmp_path / "merged.pptx")
    assert doc.text.split("\n") == ["门店 | 2023年/上半年 | 2023年/下半年",
                                    "东街店 | 2023年/上半年: 310 | 2023年/下半年: 355",
                                    "东街店 | 2023年/上半年: 12 | 2023年/下半年: 15"]


# --- Excel ------------------------------------------------------------------------------

def _workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    sales = book.active
    sales.title = "分店销售"
    sales.append(["2023年分店销售统计（万元）"])
    sales.merge_cells("A1:E1")
    sales.append([])
    sales.append(["分店", "2023年", None, "增长率", "备注"])
    sales.append([None, "一季度", "二季度", None, None])
    for merged in ("A3:A4", "B3:C3", "D3:D4", "E3:E4"):
        sales.merge_cells(merged)
    sales.append(["东街店", 120.5, 0.1 + 0.2, 0.153, "新开"])
    sales.append(["西湖店", 98, 101, -0.02, "=B6*2"])  # a formula without a saved result
    sales["D5"].number_format = sales["D6"].number_format = "0.0%"
    staff = book.create_sheet("员工")
    staff.append(["姓名", None, "入职日期", "月薪"])
    staff.append(["张伟", None, dt.datetime(2023, 1, 5), 12345.5])
    staff["D2"].number_format = "#,##0.00"
    book.create_sheet("空表")
    lists = book.create_sheet("下拉选项")
    lists.append(["部门", "财务部"])
    lists.sheet_state = "hidden"
    book.save(path)
    return path


def test_a_sheet_is_a_page_and_each_row_has_its_column_names(tmp_path):
    notes: list[str] = []
    docs = _load(_workbook(tmp_path / "销售.xlsx"), notes=notes)
    assert [(d.page, d.heading, d.title) for d in docs] == [(1, "分店销售", "销售"), (2, "员工", "销售")]
    assert docs[0].text.split("\n") == [
        "2023年分店销售统计（万元）",
        "分店 | 2023年/一季度 | 2023年/二季度 | 增长率 | 备注",
        "东街店 | 2023年/一季度: 120.5 | 2023年/二季度: 0.3 | 增长率: 15.3% | 备注: 新开",
        "西湖店 | 2023年/一季度: 98 | 2023年/二季度: 101 | 增长率: -2.0%",
    ]
    assert docs[1].text == "姓名 | 入职日期 | 月薪\n张伟 | 入职日期: 2023-01-05 | 月薪: 12,345.50"
    assert notes == ["sheet '分店销售': 1 formula without a saved result (the file was not saved by Excel or WPS), "
                     "read as empty", "hidden sheets not read: '下拉选项'"]


def test_a_large_workbook_is_refused_by_a_setting(tmp_path):
    book = openpyxl.Workbook()
    for i in range(30):
        book.active.append([f"项目{i}", i, i * 2])
    book.save(tmp_path / "big.xlsx")
    assert len(_load(tmp_path / "big.xlsx", max_table_cells=90)) == 1
    with pytest.raises(LoaderError, match="more than 89 cells with values") as refused:
        _load(tmp_path / "big.xlsx", max_table_cells=89)
    assert refused.value.setting == "max_table_cells"


def test_an_old_or_encrypted_file_named_xlsx_or_pptx(tmp_path):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    (tmp_path / "renamed.xlsx").write_bytes(ole)
    with pytest.raises(OldExcelFile, match=r"old Excel \.xls file; save it as \.xlsx"):
        _load(tmp_path / "renamed.xlsx")
    (tmp_path / "locked.pptx").write_bytes(ole + "EncryptionInfo".encode("utf-16-le"))
    with pytest.raises(EncryptedFile, match="remove its password in PowerPoint"):
        _load(tmp_path / "locked.pptx")
    (tmp_path / "text.xlsx").write_text("不是表格", encoding="utf-8")
    with pytest.raises(LoaderError, match=r"not a \.xlsx file"):
        _load(tmp_path / "text.xlsx")


# --- CSV and TSV ------------------------------------------------------------------------

CONTRACTS = ("合同编号,客户名称,签约日期,金额（万元）\n"
             "HT-001,杭州西湖茶业有限公司,2023-03-15,120.5\n"
             "HT-002,\"云南普洱茶厂，第二分厂\",2023-04-01,88\n"
             "HT-003,\"多行\n备注的客户\",2023-05-20,7\n")


def test_a_gbk_csv_is_one_page_of_rows_with_column_names(tmp_path):
    path = tmp_path / "合同.csv"
    path.write_bytes(CONTRACTS.encode("gbk"))  # what Excel on a Chinese Windows saves
    [doc] = _load(path)
    assert (doc.page, doc.heading, doc.title) == (1, "合同", "合同")
    assert doc.text.split("\n") == [
        "合同编号 | 客户名称 | 签约日期 | 金额（万元）",
        "合同编号: HT-001 | 客户名称: 杭州西湖茶业有限公司 | 签约日期: 2023-03-15 | 金额（万元）: 120.5",
        "合同编号: HT-002 | 客户名称: 云南普洱茶厂，第二分厂 | 签约日期: 2023-04-01 | 金额（万元）: 88",
        "合同编号: HT-003 | 客户名称: 多行备注的客户 | 签约日期: 2023-05-20 | 金额（万元）: 7",
    ]


@pytest.mark.parametrize(("name", "data"), [
    ("semicolon.csv", "名称;产地;价格\n龙井;杭州;128\n普洱;云南;96\n".encode("utf-8-sig")),
    ("tabs.tsv", "名称\t产地\t价格\n龙井\t杭州\t128\n普洱\t云南\t96\n".encode()),
    ("hint.csv", "sep=;\n名称;产地;价格\n龙井;杭州;128\n普洱;云南;96\n".encode("gb18030")),
])
def test_the_delimiter_is_found(tmp_path, name, data):
    (tmp_path / name).write_bytes(data)
    [doc] = _load(tmp_path / name)
    assert doc.text.split("\n")[:2] == ["名称 | 产地 | 价格", "龙井 | 产地: 杭州 | 价格: 128"]


def test_a_large_csv_is_refused_by_a_setting(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("编号,名称\n" + "".join(f"{i},条目{i}\n" for i in range(100)), encoding="utf-8")
    with pytest.raises(LoaderError, match="more than 150 cells") as refused:
        _load(path, max_table_cells=150)
    assert refused.value.setting == "max_table_cells"


# --- old Office formats -----------------------------------------------------------------

@pytest.mark.parametrize(("name", "error", "newer"), [
    ("报告.doc", OldWordFile, ".docx"), ("公文.wps", OldWordFile, ".docx"),
    ("台账.xls", OldExcelFile, ".xlsx"), ("台账.et", OldExcelFile, ".xlsx"),
    ("汇报.ppt", OldPowerPointFile, ".pptx"), ("汇报.DPS", OldPowerPointFile, ".pptx"),
])
def test_old_office_files_are_refused_with_the_newer_format(tmp_path, name, error, newer):
    path = tmp_path / name
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)
    with pytest.raises(error, match=f"save it as \\{newer}$"):
        _load(path)
    with pytest.raises(error, match=f"^{name}: this is an old .* file; save it as \\{newer}$"):
        check_upload(name, 100, max_mb=1)
    [rejected] = discover_files([tmp_path])[1]
    assert rejected.code == error.code and rejected.reason.endswith(f"save it as {newer}")


def test_office_lock_files_are_not_documents(tmp_path):
    (tmp_path / "销售.xlsx").write_bytes(b"PK")  # stands for a workbook
    (tmp_path / "~$销售.xlsx").write_bytes(b"\x05owner" + b"\x00" * 150)  # while 销售.xlsx is open in Excel
    assert discover_files([tmp_path]) == ([(tmp_path / "销售.xlsx").resolve()], [])
