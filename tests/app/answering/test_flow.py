"""The answer flow with a recording fake retriever and generator: refusal without the LLM,
packing, citations, what streams, and the two steps (retrieve, then generate)."""
from __future__ import annotations

import pytest

from app.answering.config import AnswerConfig
from app.answering.flow import Retrieved, answer_stream, generate, retrieve
from app.answering.passages import passage_of
from app.answering.types import Answer
from core.enums import Language
from core.errors import ConfigError
from core.text import Script
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


# --- what streams -------------------------------------------------------------------------
PANDA = "大熊猫主要吃竹子，也吃一些水果和小动物。大熊猫每天要花十几个小时进食。"


class _Watched(RecordingGenerator):
    """Records, for each piece it yields, the items the flow had already given out."""

    def __init__(self, reply: str, given: list) -> None:
        super().__init__(reply)
        self.given, self.seen = given, []

    def stream(self, request):
        for piece in super().stream(request):
            self.seen.append(len(self.given))
            yield piece


def test_the_quotation_streams_before_the_model_runs_and_checked_sentences_follow_it():
    pending = retrieve("大熊猫吃什么？", None, FixedRetriever([_scored(PANDA, "panda.txt", 1.0)]), CONFIG)
    assert pending.quote is not None and pending.quote.text.startswith("“大熊猫主要吃竹子")
    given: list = []
    fake = _Watched("大熊猫是一种鸟类。大熊猫吃竹子，也吃水果。[1]", given)
    for item in generate(pending, fake, CONFIG):
        given.append(item)
    *pieces, answer = given
    assert pieces[0] == pending.quote.text and fake.seen[0] == 1  # shown before the model's first token
    # the bird is dropped (no passage backs it), the rest follows the quotation with its mark
    assert pieces[1:] == ["大熊猫吃竹子，也吃水果。[1]"]
    assert answer.text == "".join(pieces) and answer.quoted and not answer.refused and answer.supported
    assert answer.timings["first_text_ms"] <= answer.timings["model_first_token_ms"] <= answer.timings["total_ms"]


def test_quoting_alone_answers_without_the_model_and_an_opened_quotation_is_not_given_twice():
    results = [_scored(PANDA, "panda.txt", 1.0)]
    alone = retrieve("大熊猫吃什么？", None, FixedRetriever(results), AnswerConfig(drafting="quote"))
    assert alone.answer is not None and alone.answer.quoted and alone.answer.text.startswith("“大熊猫主要吃竹子")
    assert alone.answer.timings["first_text_ms"] == alone.answer.timings["total_ms"]
    pending = retrieve("大熊猫吃什么？", None, FixedRetriever(results), CONFIG)
    items = list(generate(pending, RecordingGenerator("大熊猫吃竹子，也吃水果。"), CONFIG, opened=True))
    assert items[:-1] == ["大熊猫吃竹子，也吃水果。[1]"]  # the caller showed the quotation itself
    assert items[-1].text == pending.quote.text + items[0] == alone.answer.text + items[0]


def test_without_evidence_the_models_supported_sentences_stream_and_nothing_supported_is_a_refusal():
    results = (_scored(PANDA, "panda.txt", 1.0),)
    bare = Retrieved("大熊猫吃什么？", Language.ZH, Script.SIMPLIFIED, "大熊猫吃什么？", results)
    items = list(generate(bare, RecordingGenerator("大熊猫主要吃竹子。大熊猫会飞。"), CONFIG))
    assert items[:-1] == ["大熊猫主要吃竹子。[1]"] and items[-1].text == items[0] and not items[-1].quoted
    refused = list(generate(bare, RecordingGenerator("大熊猫会飞。"), CONFIG))
    assert refused[:-1] == ["根据已知信息无法回答该问题"] and refused[-1].refused
    assert [c.source for c in refused[-1].citations] == ["panda.txt"]
