"""Evidence selection: which sentence of the retrieved passages answers the question."""
from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest

from app.answering.evidence.scoring import (
    DEFAULT_WEIGHTS,
    Weights,
    passage_sentences,
    select_evidence,
    sentence_candidates,
)
from app.answering.types import Evidence
from core.types import Chunk, ScoredChunk


def result(text: str, *, source: str = "doc.md", page: int | None = None, chunk_id: int = 1,
           heading: str = "", relevance: float = 0.8) -> ScoredChunk:
    chunk = Chunk(text=text, source=source, retrieval_text=text, position=0, page=page, heading=heading,
                  chunk_id=chunk_id)
    return ScoredChunk(chunk=chunk, score=1.0, relevance=relevance)


PSR = ("5.3.2 定期安全评价\n5.3.2.1 准备阶段\n营运单位应成立评价小组，收集核电厂的设计和运行资料。\n"
       "核电厂定期安全评价（PSR）是对核电厂安全状况的全面审查。核电厂PSR通常每10年左右开展一次。")


def test_the_sentence_with_the_answer_beats_the_heading():
    question = "核电厂定期安全评价（PSR）通常多久开展一次？"
    evidence = select_evidence(question, [result(PSR, source="standard.docx", page=12, chunk_id=7)])
    best = evidence[0]
    assert best.text == "核电厂PSR通常每10年左右开展一次。"
    assert PSR[best.start:best.end] == best.text
    assert (best.passage, best.source, best.page, best.chunk_id) == (1, "standard.docx", 12, 7)
    assert best.span == "10年左右" and PSR[best.span_start:best.span_end] == "10年左右"
    assert all(e.text != "5.3.2.1 准备阶段" for e in evidence[:2])


def test_a_sentence_about_the_passage_topic_counts_without_naming_it():
    text = ("大熊猫是中国特有的熊科动物，毛色黑白相间。大熊猫的幼崽出生时只有一百多克。"
            "它们主要栖息在四川、陕西和甘肃的山区竹林里。大熊猫每天要吃十几公斤竹子。")
    best = select_evidence("大熊猫分布在什么地方？", [result(text, heading="大熊猫")])[0]
    assert best.text == "它们主要栖息在四川、陕西和甘肃的山区竹林里。"


def test_date_cue_picks_the_dated_sentence():
    text = ("这家公司是一家通信设备制造商。公司成立于1998年，总部设在深圳。"
            "公司的主要产品是通信设备和手机。")
    best = select_evidence("这家公司是哪一年成立的？", [result(text)])[0]
    assert best.text == "公司成立于1998年，总部设在深圳。" and best.span == "1998年"


def test_the_sentence_after_a_question_heading_is_the_answer():
    text = "常见问题\n扫描版 PDF 能用吗？\n能用：已知会用 OCR 识别扫描页上的文字，再建立索引。\n其他问题请看手册。"
    evidence = select_evidence("扫描版 PDF 能用吗？", [result(text)])
    assert evidence[0].text == "能用：已知会用 OCR 识别扫描页上的文字，再建立索引。"


def test_a_section_headed_by_the_question_answers_it_as_a_whole():
    # "这个应用" points at the product, which the guide calls by its name: the section
    # "已知能做什么" is the answer although no sentence in it says "能做".
    text = ("- 支持的文件格式有 PDF、Word 和 Markdown，这些文件都可以建成知识库。\n"
            "- 用中文或英文提问，回答以流式方式逐字出现。\n- 所有模型都在本机 CPU 上运行。")
    evidence = select_evidence("这个应用能做什么？", [result(text, heading="已知用户指南 > 已知能做什么")])
    assert evidence[0].score >= 0.9
    assert evidence[0].text.startswith("- 支持的文件格式有")


def test_a_document_title_alone_does_not_make_every_sentence_an_answer():
    # every sentence of an article is about its title; only a section's own heading answers
    text = "潘淑是孙权的妃子。她出身贫寒。孙权病倒后，她照顾孙权，劳累成疾。"
    question = "潘淑是怎么死的？"
    titled = select_evidence(question, [result(text, heading="潘淑")])
    sectioned = select_evidence(question, [result(text, heading="三国人物 > 潘淑怎么死的")])
    assert [e.text for e in titled][0] == "潘淑是孙权的妃子。"
    assert min(e.score for e in sectioned) > max(e.score for e in titled[1:])


def test_a_question_in_the_documents_is_never_the_best_evidence():
    text = ("常见问题\n别人能访问我的已知吗\n不能：已知只监听本机地址，局域网里的其他电脑访问不到。\n"
            "请问数据保存在哪里\n在项目的 data 文件夹。")
    evidence = select_evidence("别人能访问我的已知吗？", [result(text)])
    assert evidence[0].text == "不能：已知只监听本机地址，局域网里的其他电脑访问不到。"
    assert all(not e.text.startswith("请问") for e in evidence[:2])


def test_english_question():
    text = ("The bridge crosses the river near the old town. Construction began in 1933 and took four years. "
            "The bridge was opened to traffic in May 1937. It is painted orange.")
    best = select_evidence("When was the bridge opened to traffic?", [result(text)])[0]
    assert best.text == "The bridge was opened to traffic in May 1937." and best.span == "May 1937"


def test_passage_numbers_and_rank_and_duplicates():
    shared = "长城西起嘉峪关，东至山海关。"
    first = result("长城是中国古代的军事防御工程。" + shared, source="a.md", chunk_id=1)
    second = result(shared + "全长两万多公里。", source="b.md", chunk_id=2)
    third = result("嘉峪关在甘肃省。", source="c.md", chunk_id=3)
    evidence = select_evidence("长城西边的终点在哪里？", [first, second, third], limit=5)
    texts = [e.text for e in evidence]
    assert texts.count(shared) == 1  # the overlap between chunks is given once
    assert evidence[0].text == shared and evidence[0].passage == 1
    assert {e.passage for e in evidence} <= {1, 2, 3}
    assert all(isinstance(e, Evidence) for e in evidence) and len(evidence) <= 5
    assert evidence[0].score >= evidence[-1].score


def test_limit_and_empty_inputs():
    assert select_evidence("问题？", []) == []
    assert select_evidence("", [result("有字。")]) == []
    assert len(select_evidence("长城在哪里？", [result("一。二。三。四。五。")], limit=2)) == 2


def test_sentence_vectors_add_similarity_and_must_align():
    text = "甲句没有相同的字。乙句也没有。"
    results = [result(text)]
    sentences = passage_sentences(results)
    assert [s.text for s in sentences[0]] == ["甲句没有相同的字。", "乙句也没有。"]
    query = np.array([1.0, 0.0])
    vectors = [np.array([[0.0, 1.0], [1.0, 0.0]])]
    weights = Weights(dense=1.0)
    best = select_evidence("天气怎样？", results, query_vector=query, sentence_vectors=vectors, weights=weights)[0]
    assert best.text == "乙句也没有。"
    with pytest.raises(ValueError):
        select_evidence("天气怎样？", results, query_vector=query, sentence_vectors=[vectors[0][:1]])
    with pytest.raises(ValueError):
        select_evidence("天气怎样？", results, query_vector=query, sentence_vectors=[])


def test_features_are_bounded():
    candidates = sentence_candidates("核电厂PSR通常多久开展一次？", [result(PSR)])
    for c in candidates:
        assert set(c.features) == {f.name for f in fields(DEFAULT_WEIGHTS)}
        assert all(0.0 <= v <= 1.0 for v in c.features.values())


def test_evidence_to_dict():
    best = select_evidence("核电厂PSR通常多久开展一次？", [result(PSR)])[0]
    data = best.to_dict()
    assert data["text"] == best.text and data["passage"] == 1 and data["span"] == "10年左右"
