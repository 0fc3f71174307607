"""The parts of an answer: when evidence is strong enough to quote, the quotation, a short answer's label."""
from __future__ import annotations

from app.answering.compose import checked_quotation, is_short, quoted_evidence, source_label
from app.answering.evidence.strength import STRENGTH, is_strong
from app.answering.types import Evidence
from core.text import Script

BRIDGE = "The bridge was opened to traffic in May 1937."
LEAVE = "员工每年可享受15天带薪年假。"


def evidence(text: str, score: float, passage: int = 1, start: int = 0) -> Evidence:
    return Evidence(passage=passage, source="doc.md", page=None, chunk_id=passage, text=text, start=start,
                    end=start + len(text), score=score)


def test_english_evidence_is_strong_on_its_own_lower_scale():
    # English sentences share fewer word pairs with the question: 0.75 is strong in English only
    assert STRENGTH["en"].strong < STRENGTH["zh"].strong
    assert is_strong([evidence(BRIDGE, 0.75)], [0.5], "en")
    assert not is_strong([evidence(LEAVE, 0.75)], [0.5], "zh")
    # a fair score counts in a relevant passage, in either language
    assert is_strong([evidence(LEAVE, 0.75)], [0.7], "zh")
    assert not is_strong([evidence(BRIDGE, 0.45)], [0.9], "en")
    assert not is_strong([], [], "en")


def test_english_evidence_is_quoted_in_straight_quotes_with_its_mark():
    text, checks = checked_quotation([evidence(BRIDGE, 0.75)], "en", "When was the bridge opened?", [BRIDGE])
    assert text == f'"{BRIDGE}" [1]'
    assert all(s.supported for s in checks)


def test_a_close_second_sentence_is_quoted_too_in_the_documents_order():
    first, second = "病假每年最多30天。", "员工每年可享受15天带薪年假。"
    chosen = quoted_evidence([evidence(second, 1.0, start=10), evidence(first, 0.8, start=0)], "假期有多少天？")
    assert [e.text for e in chosen] == [first, second]
    alone = quoted_evidence([evidence(second, 1.0, start=10), evidence(first, 0.5, start=0)], "假期有多少天？")
    assert [e.text for e in alone] == [second]


def test_two_quoted_sentences_without_full_stops_are_each_checked_against_their_own_passage():
    # web text and list items often end without a full stop: "…比较多”[1]“你好…" is two claims
    first, second = "一般给予迪巧钙的比较多", "我家宝宝吃的是迪巧的小儿钙，去医院体检不缺钙哦"
    passages = [f"问：钙片哪个好？答：{first}", f"网友回答：{second}"]
    evidence_pair = [evidence(first, 1.0, passage=1, start=8), evidence(second, 0.9, passage=2, start=5)]
    text, checks = checked_quotation(evidence_pair, "zh", "迪巧钙好不好？", passages)
    assert text == f"“{first}”[1]“{second}”[2]"
    assert [(s.passage, s.supported) for s in checks] == [(1, True), (2, True)]


def test_a_short_answer_is_bare_in_either_language_and_its_label_follows_the_script():
    # English spends about three times the characters on the same words: "May 1937" is as bare as "15天"
    assert is_short("15天[1]", "zh") and not is_short("员工每年可享受15天带薪年假。", "zh")
    assert is_short("It was opened in May 1937.[1]", "en")
    assert not is_short("The bridge was opened to traffic in May 1937.[1]", "en")
    assert source_label("zh", Script.SIMPLIFIED) == " 原文：" and source_label("zh", Script.TRADITIONAL) == " 原文："
    assert source_label("en", Script.LATIN) == " From the source: "
