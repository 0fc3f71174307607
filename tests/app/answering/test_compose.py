"""From draft and evidence to the answer a user reads: when evidence is strong enough to quote."""
from __future__ import annotations

from app.answering.compose import compose, quoted_evidence
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


def test_strong_english_evidence_is_quoted_instead_of_refusing():
    composed = compose("When was the bridge opened?", "", [evidence(BRIDGE, 0.75)], [BRIDGE],
                       language="en", script=Script.LATIN, refusal="cannot answer", relevances=[0.5])
    assert not composed.refused and composed.quoted
    assert composed.text == f'"{BRIDGE}" [1]'
    assert all(s.supported for s in composed.sentences)


def test_weak_chinese_evidence_still_refuses():
    composed = compose("年假有几天？", "", [evidence(LEAVE, 0.6)], [LEAVE], language="zh",
                       script=Script.SIMPLIFIED, refusal="根据已知信息无法回答该问题", relevances=[0.6])
    assert composed.refused and composed.text == "根据已知信息无法回答该问题"


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
    composed = compose("迪巧钙好不好？", "", evidence_pair, passages, language="zh", script=Script.SIMPLIFIED,
                       refusal="根据已知信息无法回答该问题", relevances=[0.9, 0.9])
    assert composed.quoted and composed.text == f"“{first}”[1]“{second}”[2]"
    assert [(s.passage, s.supported) for s in composed.sentences] == [(1, True), (2, True)]


def test_a_short_draft_is_followed_by_the_sentence_it_comes_from_in_either_language():
    zh = compose("员工每年有几天年假？", "15天[1]", [evidence(LEAVE, 1.2)], [LEAVE], language="zh",
                 script=Script.SIMPLIFIED, refusal="根据已知信息无法回答该问题", relevances=[0.9])
    assert zh.text == f"15天[1] 原文：“{LEAVE}”[1]" and zh.quoted
    # English spends about three times the characters on the same words: "May 1937" is as bare as "15天"
    en = compose("When was the bridge opened?", "It was opened in May 1937.[1]", [evidence(BRIDGE, 0.9)], [BRIDGE],
                 language="en", script=Script.LATIN, refusal="cannot answer", relevances=[0.9])
    assert en.text == f'It was opened in May 1937.[1] From the source: "{BRIDGE}" [1]'
    assert all(s.supported for s in en.sentences)
    long_draft = "The bridge was opened to traffic in May 1937.[1]"  # a whole sentence stands alone
    alone = compose("When was the bridge opened?", long_draft, [evidence(BRIDGE, 0.9)], [BRIDGE],
                    language="en", script=Script.LATIN, refusal="cannot answer", relevances=[0.9])
    assert alone.text == long_draft and not alone.quoted
