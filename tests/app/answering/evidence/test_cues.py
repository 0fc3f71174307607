"""Answer-type cues: the question's expected type and the candidate spans of a sentence."""
from __future__ import annotations

import pytest

from app.answering.evidence.cues import AnswerType, answer_type, cue_score, cue_spans


@pytest.mark.parametrize(("question", "kind"), [
    ("这家公司是哪一年成立的？", AnswerType.DATE),
    ("北京奥运会什么时候开幕？", AnswerType.DATE),
    ("他何时去世？", AnswerType.DATE),
    ("春节一般在几月？", AnswerType.DATE),
    ("在哪一年发生了地震？", AnswerType.DATE),
    ("核电厂定期安全评价（PSR）通常多久开展一次？", AnswerType.NUMBER),
    ("施工用了多长时间？", AnswerType.NUMBER),
    ("中国有多少人口？", AnswerType.NUMBER),
    ("这座塔有多高？", AnswerType.NUMBER),
    ("他几岁上学？", AnswerType.NUMBER),
    ("谁发明了电话？", AnswerType.PERSON),
    ("哪位皇帝修建了长城？", AnswerType.PERSON),
    ("长城西边的终点在哪里？", AnswerType.PLACE),
    ("大熊猫生活在哪个国家？", AnswerType.PLACE),
    ("总部位于哪座城市？", AnswerType.PLACE),
    ("大熊猫主要吃什么？", AnswerType.OTHER),
    ("为什么新火化炉改用煤气？", AnswerType.REASON),
    ("这种鸟被称为什么？", AnswerType.OTHER),
    ("Why did the engine fail?", AnswerType.REASON),
    ("Who was the leader when the Franks arrived?", AnswerType.PERSON),
    ("几乎所有人都同意吗？", AnswerType.OTHER),
    ("When did the bridge open to traffic?", AnswerType.DATE),
    ("In what year was it founded?", AnswerType.DATE),
    ("How long does the battery last?", AnswerType.NUMBER),
    ("How many people live in Paris?", AnswerType.NUMBER),
    ("Who wrote the first version of the compiler?", AnswerType.PERSON),
    ("Where is Normandy located?", AnswerType.PLACE),
    ("What country is Normandy in?", AnswerType.PLACE),
    ("What do koalas eat?", AnswerType.OTHER),
])
def test_answer_type(question, kind):
    assert answer_type(question) == kind


def spans(sentence: str, kind: AnswerType, question: str = "") -> list[str]:
    found = cue_spans(sentence, kind, question)
    for s in found:
        assert sentence[s.start:s.end] == s.text
    return [s.text for s in found]


def test_date_spans():
    sentence = "2008年8月8日，北京奥运会开幕。二〇〇八年是闰年。秦始皇于公元前221年统一六国。19世纪末，清朝衰落。"
    assert spans(sentence, AnswerType.DATE) == ["2008年8月8日", "二〇〇八年", "公元前221年", "19世纪末", "清朝"]
    assert spans("会议定于3月5日召开", AnswerType.DATE) == ["3月5日"]
    assert spans("The bridge opened on May 27, 1937, in the 20th century.", AnswerType.DATE) == [
        "May 27, 1937", "20th century"]


def test_number_spans_with_units_and_chinese_numerals():
    sentence = "长城全长两万多公里，人口约3.5亿，增长15%，花费300万元，有一个人。"
    assert spans(sentence, AnswerType.NUMBER) == ["两万多公里", "约3.5亿", "15%", "300万元"]
    assert spans("About 2.1 million people live there.", AnswerType.NUMBER)[0] == "About 2.1 million"


def test_section_numbers_are_not_quantities():
    assert spans("5.3.2.1 准备阶段", AnswerType.NUMBER) == []
    score, found = cue_score("核电厂PSR通常每10年左右开展一次", AnswerType.NUMBER)
    assert score == 1.0 and found[0].text == "10年左右"


def test_spans_the_question_holds_are_not_answers():
    question = "1998年成立的这家公司总部在哪一年搬迁？"
    assert spans("公司1998年成立，2005年迁往深圳。", AnswerType.DATE, question) == ["2005年"]


def test_place_spans():
    found = spans("长城东起山海关，西至嘉峪关，位于中国北京市。", AnswerType.PLACE)
    assert "嘉峪关" in found and "中国北京市" in found
    assert "France" in spans("Normandy is a region in France.", AnswerType.PLACE)


def test_person_spans_are_weak_but_found():
    score, found = cue_score("电话由亚历山大·格拉汉姆·贝尔发明。", AnswerType.PERSON)
    assert [s.text for s in found] == ["亚历山大·格拉汉姆·贝尔"] and score == 1.0
    score, found = cue_score("Hamlet was written by William Shakespeare.", AnswerType.PERSON)
    assert "William Shakespeare" in [s.text for s in found] and score == 0.5


def test_reason_spans_are_clauses():
    assert spans("由于地形多变，这里是野外考察的对象。", AnswerType.REASON) == ["地形多变"]
    assert spans("物质带有等量的正负电荷，因此不带电。", AnswerType.REASON) == ["物质带有等量的正负电荷"]
    assert spans("It failed because the engine broke.", AnswerType.REASON) == ["the engine broke"]


def test_place_clause_and_ranges_are_merged():
    assert "瑞典斯德哥尔摩" in spans("该公司总部设在瑞典斯德哥尔摩，在美国也有工厂。", AnswerType.PLACE)
    assert spans("每年从10月到次年4月刮风。", AnswerType.DATE) == ["10月到次年4月"]
    assert spans("栖息在水深0.5至10公尺的礁区。", AnswerType.NUMBER) == ["0.5至10公尺"]


def test_no_cue_no_score():
    assert cue_score("大熊猫吃竹子。", AnswerType.OTHER) == (0.0, [])
    assert cue_score("没有数字的句子。", AnswerType.NUMBER) == (0.0, [])
