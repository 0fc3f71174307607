"""An answer's sources name every file holding their text (`also_in`): in `ask --json`, in a
saved conversation's JSON (app/answering/codec.py), and back."""
from __future__ import annotations

import json

from app.answering.codec import answer_from_json, answer_to_json
from app.answering.types import Answer, Citation
from core.types import SourceRef

TEA = "望月茶馆每天早上七点开门，招牌是桂花乌龙。"


def _answer() -> Answer:
    citations = (Citation(1, "/docs/guide.md", None, 0.03, TEA, 0.71, "茶馆",
                          also_in=(SourceRef("/docs/guide.pdf", 2), SourceRef("/docs/旧版/guide.docx"))),
                 Citation(2, "/docs/hours.txt", None, 0.01, "营业时间：七点至二十二点。", 0.42))
    return Answer("茶馆几点开门？", "七点开门。[1]", False, citations, {"total_ms": 5.0}, "zh", "茶馆几点开门？")


def test_ask_json_lists_where_else_each_source_is():
    sources = _answer().to_dict()["sources"]
    assert sources[0]["also_in"] == [{"source": "/docs/guide.pdf", "page": 2},
                                     {"source": "/docs/旧版/guide.docx", "page": None}]
    assert sources[1]["also_in"] == []
    assert {"source", "page", "score", "text"} <= set(sources[0])  # DESIGN.md's shape, extended


def test_a_saved_answer_keeps_its_other_places_through_json():
    stored = json.dumps(answer_to_json(_answer()), ensure_ascii=False)  # what conversations.sqlite holds
    assert json.loads(stored)["citations"][0]["also_in"][0] == {"source": "/docs/guide.pdf", "page": 2}
    again = answer_from_json(json.loads(stored))
    assert again.citations == _answer().citations
    assert again.citations[0].also_in[0] == SourceRef("/docs/guide.pdf", 2)


def test_an_answer_saved_before_also_in_existed_still_loads():
    old = answer_to_json(_answer())
    for citation in old["citations"]:
        del citation["also_in"]
    old["citations"][1]["also_in"] = None
    loaded = answer_from_json(old)
    assert [c.also_in for c in loaded.citations] == [(), ()]
    assert loaded.citations[0].text == TEA
