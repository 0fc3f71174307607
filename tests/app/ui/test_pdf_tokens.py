"""PDF highlights cover whole tokens (issue 24): a number with its decimals and unit, a Latin
word; Chinese characters one by one. Hand-written page texts (whitespace already removed,
as the preview sees a page), their gaps where the page had a space."""
from __future__ import annotations

from app.ui.pdf_preview import marked_boxes, tokens, whole_tokens


def _marked(text: str, marked: set[int]) -> str:
    return "".join(f"[{c}]" if i in marked else c for i, c in enumerate(text))


def test_a_number_is_one_token_with_its_decimals_separators_and_unit():
    page = "设计压力为2.5000MPa，流量1,000m³/h，7:30开门，合格率98.5%。"
    found = [page[s:e] for s, e in tokens(page)]
    assert "2.5000MPa" in found and "1,000m" in found and "7:30" in found and "98.5%" in found
    assert "设" in found and "，" in found and "。" in found  # Chinese and punctuation stand alone


def test_a_mark_ending_inside_a_number_covers_the_whole_number():
    page = "设计压力为2.5000MPa。"
    at = page.index("5000")
    widened = whole_tokens(set(range(at, at + 4)), page)  # "2.[5000]" as the issue saw it
    assert page[min(widened):max(widened) + 1] == "2.5000MPa"
    assert whole_tokens({0, 1}, page) == {0, 1}  # Chinese characters are not widened


def test_gaps_keep_english_words_apart():
    # "opens at 7.30 daily." without its spaces; the gaps say where words began
    page = "Theteahouseopensat7.30daily."
    gaps = {3, 11, 16, 18, 22}
    assert [page[s:e] for s, e in tokens(page, gaps)][:6] == ["The", "teahouse", "opens", "at", "7.30", "daily"]
    at = page.index("house")
    assert _marked(page, whole_tokens({at, at + 1}, page, gaps)) == "The[t][e][a][h][o][u][s][e]opensat7.30daily."
    # a sentence's full stop before the next sentence is not joined to it
    two = "Itcloseslate.Itopensearly."
    assert [two[s:e] for s, e in tokens(two, {2, 8, 13, 15, 20})][:4] == ["It", "closes", "late", "."]


def test_marked_boxes_mark_the_evidence_number_whole():
    page = "额定压力：2.5000MPa，最高温度：120℃。"
    # the evidence as a loader gave it, split at its full stop: "2." and "5000MPa…" apart
    plain, strong = marked_boxes(page, page, ["5000MPa，最高温度"])
    assert _marked(page, strong).startswith("额定压力：[2][.][5][0][0][0][M][P][a]")
    assert not plain & strong and plain | strong == set(range(len(page)))
