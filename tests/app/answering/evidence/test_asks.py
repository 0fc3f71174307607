"""What a question asks for, read from its words."""
from __future__ import annotations

import pytest

from app.answering.evidence.asks import AskKind, ValueKind, analyse, ask_kind, attribute_terms, key_terms
from core.enums import Language


@pytest.mark.parametrize("question, kind, value", [
    ("设备按特性是怎么分类的？有哪几类？", AskKind.LIST, ValueKind.NONE),
    ("分词里 subword 级别的方法都有哪几种？", AskKind.LIST, ValueKind.NONE),
    ("FlashAttention 主要靠哪两种手段来减少对 HBM 的读写？", AskKind.LIST, ValueKind.NONE),
    ("試驗審查為什麼要改叫試驗和監督評價？", AskKind.REASON, ValueKind.NONE),  # Traditional script too
    ("东北电气一季度末的应收票据比期初少了将近 100%，原因是什么？", AskKind.REASON, ValueKind.NONE),
    ("一轮PSR大概持续多久？", AskKind.VALUE, ValueKind.NUMBER),
    ("东北电气 A 股是哪天复牌的？", AskKind.VALUE, ValueKind.DATE),
    ("这份季报的主管会计工作负责人是谁？", AskKind.VALUE, ValueKind.PERSON),
    ("2021 年的主体信用评级是哪家机构评的？", AskKind.VALUE, ValueKind.ORGANIZATION),
    ("TA3G 对应 ASTM 的哪个 UNS 编号？", AskKind.VALUE, ValueKind.CODE),
    ("What is the FAA's estimated average cost per operator?", AskKind.VALUE, ValueKind.NUMBER),
    ("这期超短期融资券有没有安排债项评级？", AskKind.YESNO, ValueKind.NONE),
    ("MoE 架构的核心想法是什么？", AskKind.OTHER, ValueKind.NONE),
])
def test_the_kind_of_answer_a_question_asks_for(question, kind, value):
    assert ask_kind(question) == (kind, value)


def test_key_words_are_names_codes_and_numbers_not_ordinary_words():
    assert {"农业银行", "盐城"} <= set(key_terms("盐城高新区投资集团在农业银行盐城分行的授信总额是多少？"))
    assert "ta5g" in key_terms("GB/T 3620.1 附录 B 对照表中，TA5G 对应 ASTM 的哪个 UNS 编号？")
    assert "flashattention-2" in key_terms("FlashAttention-2 相比第一代 FlashAttention 快了几倍？")
    assert {"kentucky", "october", "2015"} <= set(key_terms("How many handgun checks did Kentucky have in "
                                                          "October 2015?"))
    assert "张量" not in key_terms("张量并行切 MLP 的时候怎么切？")  # an ordinary word jieba tags as a name
    assert "how" not in key_terms("How many permit checks were run?")


def test_names_leave_out_places_and_bare_numbers():
    assert analyse("LIMA 为什么主张对齐阶段不需要大量数据？").names == ("lima",)
    assert analyse("北京英语培训学校排名").names == ()
    assert analyse("2017峰会什么时候开始").names == ()


def test_what_a_value_question_asks_the_value_of():
    assert attribute_terms("东北电气 2018 年一季度的研发费用是多少？", Language.ZH) == ("研发费用",)
    assert "batch" in attribute_terms("DPR 主实验里训练检索器（双编码器）时 batch size 设的是多少？", Language.ZH)
    assert attribute_terms("How many permit checks were run in Kentucky?", Language.EN) == ("permit", "checks")
    assert analyse("这期超短期融资券有没有安排债项评级？").focus == ("安排", "债项", "评级")
