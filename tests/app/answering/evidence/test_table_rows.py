"""Table rows as the loaders now write them, read back by the answering code
(evidence/tables.py `table_rows`): two-level column names, row labels carried down."""
from __future__ import annotations

from app.answering.evidence.tables import table_rows
from ingest.loaders import load_file
from ingest.loaders.table_text import table_to_text
from tests.conftest import require_shared


def test_joined_two_level_names_and_carried_labels_read_back_by_row_and_column():
    text = "表7.6 大型车比例修正系数\n" + table_to_text([
        ["公路等级", "车道数", "大型车比例μ（%）", None], ["公路等级", "车道数", "μ≤10", "10＜μ≤20"],
        ["高速公路", "八", "0.92", "1.26"], ["高速公路", "六", "0.95", "1.18"]])
    rows = table_rows(text)
    assert [(r.label, r.cells) for r in rows] == [
        ("高速公路", (("车道数", "八"), ("大型车比例μ（%）/μ≤10", "0.92"), ("大型车比例μ（%）/10＜μ≤20", "1.26"))),
        ("高速公路", (("车道数", "六"), ("大型车比例μ（%）/μ≤10", "0.95"), ("大型车比例μ（%）/10＜μ≤20", "1.18")))]
    assert rows[0].caption == "表7.6 大型车比例修正系数"


def test_the_nics_table_reads_back_each_state_by_its_columns():
    path = require_shared("evaldata", "pdfs", "en", "en_fbi_nics_table.pdf")
    [page] = load_file(path, source=str(path), content_hash="h", password=None, ocr=False, max_pages=10,
                       max_unzipped_mb=10, notes=[])
    rows = {row.label: dict(row.cells) for row in table_rows(page.text)}
    assert rows["Kentucky"]["Permit"] == "264,140"
    assert rows["Kentucky"]["Pre-Pawn/Long Gun"] == "11"
    assert rows["Texas"]["Totals"] == "146,982"


def test_a_chunk_of_a_wide_table_without_its_column_names_still_gives_its_rows():
    chunk = ("NICS Firearm Background Checks November - 2015 (continued)\n"
             "Texas | Permit: 21,550 | Handgun: 56,941\n"
             "Texas | Return to Seller - Private Sale/*Other: 0 | Totals: 146,982\n"
             "Note: these statistics are not sales.")  # a line of prose is not a row
    rows = table_rows(chunk)
    assert [(r.label, r.cells) for r in rows] == [
        ("Texas", (("Permit", "21,550"), ("Handgun", "56,941"))),
        ("Texas", (("Return to Seller - Private Sale/*Other", "0"), ("Totals", "146,982")))]
    assert rows[0].caption == "NICS Firearm Background Checks November - 2015"
