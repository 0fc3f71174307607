"""The questions a new user asks of the sample documents that `make run` indexes, answered
by the real default models (the guide to Yizhi itself)."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.services import build_services
from tests.app.conftest import share_default_model

DOCS = Path(__file__).resolve().parents[2] / "data" / "docs"

# question, history, words the answer must hold (any one of each tuple)
QUESTIONS = [
    ("已知支持哪些文件格式？", [], [("PDF",), ("Markdown", "HTML")]),
    ("How do I create a knowledge base?", [], [("Create",), ("name",)]),
    ("怎么新建知识库？", [], [("创建",)]),
    ("那怎么删除呢？", ["怎么新建知识库？"], [("删除",)]),
    ("扫描版 PDF 能用吗？", [], [("OCR",)]),
    ("数据保存在哪里？", [], [("data",), ("YIZHI_DATA_DIR",)]),
    # the app by a demonstrative, not by its name: the section "已知能做什么" answers it
    ("这个应用能做什么？", [], [("PDF", "提问", "CPU", "来源")]),
]


@pytest.mark.slow
def test_the_guides_questions_are_answered_from_the_guide(settings, use_embedder, assembled_default_model):
    share_default_model(assembled_default_model, settings.data_dir)
    services = build_services(settings, embedder=use_embedder)
    services.knowledge.ingest("default", [DOCS])
    try:
        for question, history, expected in QUESTIONS:
            answer = services.answers.ask(question, ["default"], history=[{"role": "user", "content": h}
                                                                          for h in history])
            assert not answer.refused, (question, answer.text)
            for alternatives in expected:
                assert any(word in answer.text for word in alternatives), (question, answer.text)
            assert answer.supported, (question, answer.sentences)
            assert answer.text.strip() != question and "1. 1." not in answer.text
    finally:
        services.close()
