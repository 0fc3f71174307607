"""The answer flow with a recording fake retriever and generator: refusal without the LLM,
packing, citations, what streams, and the two steps (retrieve, then generate)."""
from __future__ import annotations

import pytest

from app.answering.config import AnswerConfig
from app.answering.flow import answer_stream, generate, retrieve
from app.answering.passages import passage_of
from app.answering.types import Answer
from core.errors import ConfigError
from core.types import Chunk, ScoredChunk
from prompts.templates import render_context
from tests.app.conftest import FixedRetriever, RecordingGenerator

CONFIG = AnswerConfig()


def _scored(text: str, source: str, score: float, page: int | None = None, relevance: float = 0.9) -> ScoredChunk:
    """A search result; relevant (above `CONFIG.threshold`) unless told otherwise."""
    return ScoredChunk(Chunk(text, source, text, 0, page), score, relevance)


def _ask(question: str, retriever: FixedRetriever, generator: RecordingGenerator,
         config: AnswerConfig = CONFIG) -> list:
    return list(answer_stream(question, None, retriever, lambda: generator, config))


# --- honest refusal -----------------------------------------------------------------------
def test_nothing_relevant_refuses_without_calling_or_loading_the_llm():
    fake = RecordingGenerator()
    made = []
    items = list(answer_stream("RCEP包括哪些国家？", None, FixedRetriever([]),
                               lambda: made.append(1) or fake, CONFIG))
    answer = items[-1]
    assert isinstance(answer, Answer)
    assert answer.refused and answer.text == "根据已知信息无法回答该问题" and answer.citations == ()
    assert items[:-1] == ["根据已知信息无法回答该问题"]
    assert made == [] and fake.calls == []
    assert answer.to_dict() == {"answer": "根据已知信息无法回答该问题", "refused": True, "quoted": False,
                                "sources": [], "evidence": [], "citations": [], "cells": [],
                                "timings": answer.timings}


def test_retrieve_alone_answers_a_refusal_and_a_greeting_and_leaves_the_rest_to_the_llm():
    refused = retrieve("RCEP包括哪些国家？", None, FixedRetriever([]), CONFIG)
    assert refused.answer is not None and refused.answer.refused
    greeting = retrieve("你好！", None, FixedRetriever([]), CONFIG)
    assert greeting.answer is not None and not greeting.answer.refused and "已知" in greeting.answer.text
    pending = retrieve("大熊猫吃什么？", None, FixedRetriever([_scored("大熊猫主要吃竹子。", "panda.txt", 1.0)]),
                       CONFIG)
    assert pending.answer is None and pending.evidence and pending.evidence[0].text == "大熊猫主要吃竹子。"
    fake = RecordingGenerator("大熊猫主要吃竹子。[1]")
    answer = list(generate(pending, fake, CONFIG))[-1]
    assert "竹子" in answer.text and len(fake.calls) == 1


def test_a_model_refusal_over_weak_evidence_is_reported_as_refused():
    results = [_scored("熊猫馆今天的开放时间另行通知。", "panda.txt", 0.5)]
    answer = _ask("大熊猫吃什么？", FixedRetriever(results), RecordingGenerator("根据已知信息无法回答该问题。"))[-1]
    # refused, but the passages the model read are still shown to the user
    assert answer.refused and not answer.quoted and [c.source for c in answer.citations] == ["panda.txt"]


@pytest.mark.parametrize("reply", ["", "   ", "[2]", "[1] [2]"])
def test_an_empty_or_header_only_reply_becomes_a_refusal_when_the_evidence_is_weak(reply):
    results = [_scored("熊猫馆今天的开放时间另行通知。", "panda.txt", 0.5)]  # on topic, but no answer
    items = _ask("大熊猫吃什么？", FixedRetriever(results), RecordingGenerator(reply))
    answer = items[-1]
    assert answer.refused and answer.text == "根据已知信息无法回答该问题"
    assert [c.source for c in answer.citations] == ["panda.txt"]
    assert "".join(items[:-1]).endswith("根据已知信息无法回答该问题")


def test_an_empty_question_is_refused_before_anything_is_searched():
    retriever = FixedRetriever([])
    with pytest.raises(ConfigError, match="question is empty"):
        _ask("  ", retriever, RecordingGenerator())
    assert retriever.queries == []


# --- answering ------------------------------------------------------------------------------
def test_english_evidence_is_weighed_by_the_retrievers_embedder_and_chinese_is_not(fake_embedder):
    results = [_scored("The library opened in 1921. Its first head was Mary Hill.", "library.txt", 1.0)]
    english = _ask("Who ran the library when it opened?", FixedRetriever(results, fake_embedder),
                   RecordingGenerator(""))[-1]
    # the two sentences of the passage (the best few) were embedded beside the question
    assert fake_embedder.calls == [["The library opened in 1921.", "Its first head was Mary Hill."]]
    assert english.evidence
    fake_embedder.calls.clear()
    chinese = [_scored("图书馆于1921年开放。第一任馆长是玛丽。", "library.txt", 1.0)]
    _ask("图书馆的第一任馆长是谁？", FixedRetriever(chinese, fake_embedder), RecordingGenerator(""))
    assert fake_embedder.calls == []


def test_citations_are_limited_to_the_packed_passages():
    results = [_scored(f"第{i}段：" + "资料内容" * 20, f"doc{i}.txt", 1.0 / i, page=i) for i in range(1, 5)]
    fake = RecordingGenerator("答案在第一段。[1]")
    two = render_context([passage_of(r) for r in results[:2]])
    budget = len(two) + 10  # the fake counts one token per character: room for two passages, not three
    answer = _ask("资料讲了什么？", FixedRetriever(results), fake, AnswerConfig(token_budget=budget))[-1]
    assert [c.source for c in answer.citations] == ["doc1.txt", "doc2.txt"]
    assert [c.page for c in answer.citations] == [1, 2]
    assert answer.timings["passages"] == 2
    prompt = fake.calls[0].prompt
    assert "[2] 来源：doc2.txt，第2页" in prompt and "doc3.txt" not in prompt


def test_no_room_for_a_passage_says_how_the_window_is_spent():
    fake = RecordingGenerator("答案。")
    fake.context_window, fake.max_tokens = 300, 200  # the template alone nearly fills it
    with pytest.raises(ConfigError, match="context window"):
        _ask("资料讲了什么？", FixedRetriever([_scored("资料内容" * 50, "doc.txt", 1.0)]), fake)


def test_a_follow_up_is_searched_with_the_question_before_it():
    retriever = FixedRetriever([])
    answer = list(answer_stream("它什么时候生效？", [{"role": "user", "content": "RCEP包括哪些国家？"}],
                                retriever, RecordingGenerator, CONFIG))[-1]
    assert retriever.queries == ["RCEP包括哪些国家？ 它什么时候生效？"] and answer.query == retriever.queries[0]
