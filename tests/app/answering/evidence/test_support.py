"""Support checking: answer sentences against the passages they cite."""
from __future__ import annotations

import importlib.util

import pytest

from app.answering.evidence.support import (
    SentenceSupport,
    check_citations,
    cited_numbers,
    is_echo,
    split_answer_sentences,
    support_score,
    supported_by,
)
from core.types import Chunk, ScoredChunk
from prompts.types import Passage

PSR = ("5.3.2.1 准备阶段\n营运单位应成立评价小组，收集核电厂的设计和运行资料。\n"
       "核电厂定期安全评价（PSR）是对核电厂安全状况的全面审查。核电厂PSR通常每10年左右开展一次。")
PANDA = "大熊猫主要生活在四川、陕西和甘肃的山区。它们每天要吃十几公斤竹子，也吃少量竹笋。"
QUESTION = "核电厂定期安全评价（PSR）通常多久开展一次？"


def test_a_quoted_sentence_is_supported_by_its_passage():
    assert supported_by("核电厂PSR通常每10年左右开展一次。", [PANDA, PSR]) == (2, 1.0)


def test_an_answer_that_restates_the_question_is_supported():
    number, score = supported_by("核电厂定期安全评价通常每10年左右开展一次", [PSR], question=QUESTION)
    assert number == 1 and score >= 0.6


def test_an_invented_sentence_is_not_supported():
    assert supported_by("PSR由国家核安全局每年审批一次。", [PSR, PANDA], question=QUESTION)[0] is None
    assert supported_by("大熊猫主要生活在云南的热带雨林。", [PANDA])[0] is None  # a place swapped in


def test_a_changed_number_is_not_supported():
    assert supported_by("核电厂PSR通常每5年左右开展一次。", [PSR])[0] is None


def test_short_answers_need_to_occur_verbatim():
    assert supported_by("10年", [PANDA, PSR])[0] == 2
    assert supported_by("竹子", [PSR, PANDA])[0] == 2
    assert supported_by("20年", [PSR])[0] is None
    assert supported_by("France", ["Normandy is a region in France."])[0] == 1


def test_width_case_and_script_are_folded():
    assert supported_by("核电厂ＰＳＲ通常每１０年左右开展一次", [PSR])[0] == 1
    assert supported_by("THE BRIDGE OPENED IN MAY 1937.", ["The bridge opened in May 1937 after four years."])[0] == 1


@pytest.mark.skipif(importlib.util.find_spec("opencc") is None, reason="OpenCC is not installed")
def test_traditional_and_simplified_compare_equal():
    assert supported_by("核電廠PSR通常每10年左右開展一次。", [PSR])[0] == 1
    assert supported_by("大熊猫主要生活在四川", ["大熊貓主要生活在四川、陝西和甘肅的山區。"])[0] == 1


def test_an_echo_of_the_question_is_not_a_supported_claim():
    assert supported_by("核电厂定期安全评价（PSR）通常多久开展一次", [PSR], question=QUESTION)[0] is None
    assert is_echo("核电厂定期安全评价（PSR）通常多久开展一次？[1]", QUESTION)
    assert not is_echo("核电厂PSR通常每10年左右开展一次。[1]", QUESTION)


def test_lead_ins_state_nothing():
    assert support_score("根据已知信息，核电厂PSR通常每10年左右开展一次。", PSR) == 1.0


def test_split_answer_sentences_keeps_markers_with_their_sentence():
    answer = "核电厂PSR通常每10年左右开展一次。[1] 大熊猫吃竹子[2]。\n[2]\nThe end. [1, 3] Next one【2】"
    assert split_answer_sentences(answer) == ["核电厂PSR通常每10年左右开展一次。[1]", "大熊猫吃竹子[2]。[2]",
                                              "The end.[1, 3]", "Next one【2】"]
    assert cited_numbers("甲[1][3]乙[1, 2]丙【4】") == (1, 3, 2, 4)
    assert split_answer_sentences("") == []


def test_check_citations_verifies_each_sentence_and_its_marker():
    answer = ("核电厂PSR通常每10年左右开展一次。[2] "  # right passage
              "大熊猫每天要吃十几公斤竹子[2]。"          # wrong [n]: passage 1 supports it
              "PSR由国家核安全局每年审批一次[2]。"      # invented
              "大熊猫也吃少量竹笋。")                   # no marker, supported
    report = check_citations(answer, [PANDA, PSR], question=QUESTION)
    assert [r.text for r in report] == ["核电厂PSR通常每10年左右开展一次。[2]", "大熊猫每天要吃十几公斤竹子[2]。",
                                        "PSR由国家核安全局每年审批一次[2]。", "大熊猫也吃少量竹笋。"]
    assert [(r.cited, r.supported, r.passage) for r in report] == [
        ((2,), True, 2), ((2,), True, 1), ((2,), False, None), ((), True, 1)]
    assert report[0].to_dict() == {"text": "核电厂PSR通常每10年左右开展一次。[2]", "cited": [2], "supported": True,
                                   "passage": 2, "score": 1.0}


def test_a_marker_outside_the_passages_is_ignored():
    report = check_citations("核电厂PSR通常每10年左右开展一次。[7]", [PSR])
    assert report == [SentenceSupport("核电厂PSR通常每10年左右开展一次。[7]", (7,), True, 1, 1.0)]


def test_passages_as_objects():
    chunk = Chunk(text=PSR, source="standard.docx", retrieval_text=PSR, position=0)
    passages = [Passage(text=PANDA, source="panda.md"), ScoredChunk(chunk=chunk, score=1.0, relevance=0.9)]
    report = check_citations("核电厂PSR通常每10年左右开展一次。[2]", passages)
    assert report[0].supported and report[0].passage == 2
    assert check_citations("任何内容。", []) == [SentenceSupport("任何内容。", (), False, None, 0.0)]
