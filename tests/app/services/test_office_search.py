"""PowerPoint, Excel and CSV files made here, ingested through the services and searched
with the real default embedder: the right passage comes back with its page, and a
spreadsheet row is quoted with its column names."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app.cli.ingest_cli import print_summary
from app.services import Services, build_services
from core.errors import OldExcelFile

openpyxl = pytest.importorskip("openpyxl")
pptx = pytest.importorskip("pptx")
pytestmark = pytest.mark.slow  # the real default embedder

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英", "霞",
         "平", "刚"]
DEPARTMENTS = ["财务部", "市场部", "研发部", "人力资源部", "采购部"]


def _staff_name(i: int) -> str:
    """Sixty different names."""
    return SURNAMES[i % 20] + GIVEN[(7 * i + i // 20) % 20]


@pytest.fixture
def services(settings, use_embedder):
    svc = build_services(settings, embedder=use_embedder)
    yield svc
    svc.close()


def _staff_workbook(path: Path) -> Path:
    """Two sheets: a sales table under a merged two-level header, and 60 staff, more than a chunk holds."""
    book = openpyxl.Workbook()
    sales = book.active
    sales.title = "分店销售"
    sales.append(["分店", "2023年", None, "2024年", None])
    sales.append([None, "上半年", "下半年", "上半年", "下半年"])
    for merged in ("A1:A2", "B1:C1", "D1:E1"):
        sales.merge_cells(merged)
    for store, values in {"东街店": (310, 355, 402, 420), "西湖店": (280, 301, 333, 350),
                          "滨江店": (150, 188, 240, 251)}.items():
        sales.append([store, *values])
    staff = book.create_sheet("员工名单")
    staff.append(["姓名", "部门", "职位", "分机号", "入职日期"])
    for i in range(60):
        staff.append([_staff_name(i), DEPARTMENTS[i % 5], "主管" if i % 10 == 0 else "专员", 8100 + i,
                      dt.datetime(2015 + i % 9, 1 + i % 12, 1 + i % 28)])
        staff.cell(row=i + 2, column=5).number_format = "yyyy-mm-dd"
    book.save(path)
    return path


def test_an_excel_row_is_found_and_quoted_with_its_column_names(services: Services, tmp_path):
    path = _staff_workbook(tmp_path / "公司台账.xlsx")
    outcome = services.knowledge.ingest("kb", [path]).outcomes[0]
    assert outcome.status == "added" and outcome.pages == 2 and outcome.chunks >= 4

    name = _staff_name(37)  # a row in the middle of the sheet
    row = f"{name} | 部门: 研发部 | 职位: 专员 | 分机号: 8137 | 入职日期: 2016-02-10"
    hits = services.answers.search(f"{name}的分机号是多少？", ["kb"], k=3)
    top = hits[0].chunk
    assert (top.page, top.heading) == (2, "员工名单") and row in top.text.split("\n")
    if not top.text.startswith("员工名单\n"):  # a later chunk of the sheet: its title and column names again
        assert top.text.startswith("员工名单（续）\n姓名 | 部门 | 职位 | 分机号 | 入职日期\n")

    hits = services.answers.search("西湖店2024年下半年的销售额", ["kb"], k=3)
    top = hits[0].chunk
    assert (top.page, top.heading) == (1, "分店销售")
    assert ("西湖店 | 2023年/上半年: 280 | 2023年/下半年: 301 | 2024年/上半年: 333 | 2024年/下半年: 350"
            in top.text.split("\n"))


def test_a_slide_and_its_notes_are_found_on_their_page(services: Services, tmp_path):
    deck = pptx.Presentation()
    topics = {"公司简介": "望月茶馆创立于2009年，总部位于青石镇东街。",
              "会员制度": "会员分为银卡、金卡两级，金卡享受九折优惠并可免费预约包间。",
              "新品计划": "下季度推出桂花乌龙冷泡茶和陈皮白茶两款新品。"}
    for title, body in topics.items():
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = title
        slide.placeholders[1].text = body
    deck.slides[1].notes_slide.notes_text_frame.text = "提醒：金卡年费为三百元，开卡即送一盒龙井。"
    path = tmp_path / "茶馆介绍.pptx"
    deck.save(path)
    services.knowledge.ingest("kb", [path])

    top = services.answers.search("金卡的年费是多少？", ["kb"], k=3)[0].chunk
    assert (top.page, top.heading) == (2, "会员制度") and "金卡年费为三百元" in top.text
    top = services.answers.search("下季度有什么新品？", ["kb"], k=3)[0].chunk
    assert (top.page, top.heading) == (3, "新品计划") and "陈皮白茶" in top.text


def test_a_gbk_csv_row_is_found_with_its_column_names(services: Services, tmp_path):
    rows = ["合同编号,客户名称,签约日期,金额（万元）,负责人"]
    customers = ["杭州西湖茶业有限公司", "云南普洱茶厂", "福建安溪铁观音合作社", "黄山毛峰茶叶公司", "信阳毛尖茶场",
                 "武夷山大红袍茶业", "湖南安化黑茶厂", "江苏碧螺春茶庄"]
    for i, customer in enumerate(customers * 4):
        rows.append(f"HT-{i + 1:03d},{customer}{i // len(customers) + 1}号店,2023-{1 + i % 12:02d}-15,{10 + i * 3},"
                    f"{SURNAMES[i % 20]}经理")
    path = tmp_path / "合同台账.csv"
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("gbk"))
    outcome = services.knowledge.ingest("kb", [path]).outcomes[0]
    assert outcome.status == "added" and outcome.chunks >= 2

    top = services.answers.search("信阳毛尖茶场3号店的合同金额", ["kb"], k=3)[0].chunk
    assert top.page == 1 and top.heading == "合同台账"
    assert ("合同编号: HT-021 | 客户名称: 信阳毛尖茶场3号店 | 签约日期: 2023-09-15 | 金额（万元）: 70 | 负责人: 王经理"
            in top.text.split("\n"))


def test_old_office_files_are_refused_on_upload_and_in_folders(services: Services, tmp_path, capsys):
    services.knowledge.create_knowledge_base("kb")
    with pytest.raises(OldExcelFile, match=r"台账\.xls: this is an old Excel \.xls file; save it as \.xlsx"):
        services.knowledge.save_upload("kb", "台账.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)
    assert "xls" in services.knowledge.old_format_types() and "xlsx" in services.knowledge.upload_types()
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "汇报.ppt").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)
    summary = services.knowledge.ingest("kb", [folder])
    [outcome] = summary.outcomes
    assert (outcome.status, outcome.code) == ("failed", "old_ppt")
    assert outcome.reason == "this is an old PowerPoint .ppt file; save it as .pptx"
    print_summary(summary, "kb", 0)  # what `python -m ingest` prints
    assert f"failed   {folder / '汇报.ppt'}: this is an old PowerPoint .ppt file; save it as .pptx\n" in (
        capsys.readouterr().out)
