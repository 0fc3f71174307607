"""What the passages answer, decided before any model writes: the value asked for or "not
given", the whole list, the reason first, and a definition pinned on the wrong thing."""
from __future__ import annotations

from app.answering.evidence.asks import analyse
from app.answering.evidence.findings import FindingKind, find_answer
from app.answering.evidence.lists import find_list, list_blocks
from app.answering.evidence.scoring import select_evidence
from app.answering.evidence.support import supported_by
from core.types import Chunk, ScoredChunk
from retrieval.relevance import query_terms

PSR = ("核电厂定期安全评价（PSR）是对核电厂安全状况的全面审查。营运单位应在评价启动前向国家核安全局报送PSR工作计划。"
       "PSR工作计划应包括评价的范围、进度安排和组织机构。")
DEVICES = ("5.2 设备分类\n设备按特性分为以下几类：\n（一）能动设备；\n（二）非能动设备；\n（三）长寿命设备；\n（四）短寿命设备。\n"
           "设备按安全等级另有分类，见附录B。")
RENAME = ("3.4 试验和监督评价\n本次修订将“试验审查”改为“试验和监督评价”。"
          "理由：原来的审查只覆盖定期试验，而监督大纲的评价同样需要纳入，因此名称需要反映两部分内容。")
LEAVE = "员工每年可享受带薪年假15天，入职满一年后开始计算。员工每年可享受病假30天，需提供二级以上医院的证明。"


def _results(*texts: str, relevance: float = 0.9) -> list[ScoredChunk]:
    chunks = []
    for i, text in enumerate(texts):
        heading, _, body = text.partition("\n") if "\n" in text[:20] else ("", "", text)
        chunks.append(ScoredChunk(Chunk(body, f"doc{i + 1}.docx", body, 0, None, heading=heading), 1.0 / (i + 1),
                                  relevance))
    return chunks


def _find(question: str, *texts: str):
    results = _results(*texts)
    evidence = select_evidence(question, results, limit=16)
    whole = {r.chunk.source: r.chunk.text for r in results}
    return find_answer(analyse(question), results, evidence, lambda source: whole[source], threshold=0.55)


def test_a_number_question_gets_the_sentence_with_its_number_and_no_other():
    found = _find("员工每年有几天年假？", LEAVE)
    assert found.kind == FindingKind.VALUE
    assert [e.text for e in found.evidence] == ["员工每年可享受带薪年假15天，入职满一年后开始计算。"]


def test_a_number_the_passages_do_not_give_is_said_to_be_missing_not_quoted():
    # the sentence about the plan has no number: quoting it would not answer "多少个月"
    found = _find("PSR总体评价报告必须在评价启动后多少个月内报送？", PSR)
    assert found.kind == FindingKind.NOT_GIVEN and found.missing == "number"
    assert found.evidence == ()


def test_a_list_question_gathers_every_item_after_its_lead():
    found = _find("设备按特性是怎么分类的？有哪些类？", DEVICES)
    assert found.kind == FindingKind.LIST and found.block is not None
    assert found.block.items == ("能动设备；", "非能动设备；", "长寿命设备；", "短寿命设备。")


def test_an_inline_enumeration_is_one_block_and_the_lead_that_holds_the_subject_wins():
    text = "数字藏品具有意义互动性强、贬值风险高、用户感知度好等主要特征。普通商品具有价格透明、流通快、易替代等特征。"
    blocks = list_blocks(text, "", 1)
    assert [b.inline for b in blocks] == [True, True]
    best = find_list(query_terms("数字藏品有哪些主要特征"), _results(text))
    assert best is not None and best.lead.startswith("数字藏品具有")


def test_a_reason_question_quotes_the_cause_not_the_sentence_announcing_the_change():
    found = _find("试验审查为什么要改叫试验和监督评价？", RENAME)
    assert found.kind == FindingKind.SENTENCE
    assert found.evidence[0].text.startswith("理由：原来的审查只覆盖定期试验")


def test_a_question_about_a_name_no_passage_holds_is_not_answered_from_a_neighbour():
    found = _find("中国农业银行2019年营业收入是多少？", "兴业银行2019年营业收入为1813亿元，同比增长14.5%。")
    assert found.kind == FindingKind.NOT_GIVEN and found.missing == "中国农业银行"


def test_a_definition_pinned_on_the_other_term_is_not_supported():
    passage = ("安全偏差是指低于现行安全标准或实践的差异项。"
               "安全缺陷是指可能影响核安全、需要采取纠正行动的薄弱环节。")
    question = "安全缺陷和安全偏差有什么区别？"
    assert supported_by("安全偏差是低于现行安全标准或实践的差异项。", [passage], question=question)[0] == 1
    number, _ = supported_by("安全缺陷是低于现行安全标准或实践的差异项。", [passage], question=question)
    assert number is None  # the document gives that definition to 安全偏差 only


def test_a_day_of_the_week_answers_which_day():
    found = _find("图书馆哪天闭馆？", "青石镇图书馆每周一闭馆，其余日子上午九点开放。借书证可以在一楼服务台办理。")
    assert found.kind == FindingKind.VALUE and "每周一闭馆" in found.evidence[0].text


def test_what_the_file_is_named_for_need_not_be_repeated_by_the_sentence():
    text = ("3.2.2 其他元素一般包括：Al、V、Sn、Mo、Cr、Mn、Zr、Ni、Cu、Si、Y。Y 含量为不大于0.005%。"
            "用户有其他特殊要求时，应经双方协商。")
    results = [ScoredChunk(Chunk(text, "docs/GBT3620.1-2016.pdf", text, 0, 3), 1.0, 0.9)]
    question = "GB/T 3620.1-2016 对“其他元素”里的 Y 含量上限是多少？"
    found = find_answer(analyse(question), results, select_evidence(question, results, limit=16),
                        lambda source: text, threshold=0.55)
    assert found.kind == FindingKind.VALUE and "0.005%" in found.evidence[0].text


def test_a_sentence_that_says_all_a_yes_no_question_asks_answers_it():
    text = "2021年主体信用评级为AA+，评级机构为联合资信评估有限公司。本次发行不引用主体评级，未进行债项评级安排。"
    found = _find("这期超短期融资券有没有安排债项评级？", text)
    assert found.kind == FindingKind.SENTENCE and "未进行债项评级安排" in found.evidence[0].text


def test_a_number_about_another_expense_does_not_answer():
    text = "管理费用 | 2018 年1-3 月: 7,764,789.98 | 2017 年1-3 月: 15,753,158.14 | 增减%: -50.71%"
    found = _find("东北电气 2018 年一季度的研发费用是多少？", "东北电气一季度报告\n" + text)
    assert found.kind != FindingKind.VALUE and found.kind != FindingKind.TABLE
