"""Chit-chat through the answering service: a fixed reply, no retrieval, no LLM call."""
from __future__ import annotations

import pytest

from app.answering.types import Answer
from app.services import build_services
from tests.app.conftest import RecordingGenerator, write_docs
from tests.conftest import RecordingEmbedder


class StrictEmbedder(RecordingEmbedder):
    """Records queries too, so a test can prove nothing was searched."""

    def __init__(self) -> None:
        super().__init__()
        self.queries: list[str] = []

    def embed_query(self, text: str):
        self.queries.append(text)
        return super().embed_query(text)


@pytest.fixture
def service(settings, tmp_path):
    embedder, generator = StrictEmbedder(), RecordingGenerator()
    svc = build_services(settings, embedder=embedder, generator=generator)
    svc.knowledge.ingest("kb", write_docs(tmp_path / "docs"))
    embedder.calls.clear()
    yield svc, embedder, generator
    svc.close()


@pytest.mark.parametrize("message, language, word", [
    ("你好！", "zh", "已知"), ("谢谢", "zh", "不客气"), ("謝謝～", "zh", "不客氣"), ("hello 👋", "en", "Yizhi"),
    ("Thanks a lot!", "en", "welcome"), ("再见", "zh", "再见"),
])
def test_chitchat_is_answered_without_retrieval_or_the_llm(service, message, language, word):
    svc, embedder, generator = service
    items = list(svc.answers.ask_stream(message, ["kb"]))
    answer = items[-1]
    assert isinstance(answer, Answer)
    assert items[:-1] == [answer.text] and word in answer.text
    assert (answer.question, answer.refused, answer.citations, answer.language) == (message.strip(), False, (),
                                                                                      language)
    assert embedder.calls == [] and embedder.queries == []  # nothing embedded, nothing searched
    assert generator.calls == []  # the LLM was not asked


def test_chitchat_needs_no_knowledge_base(service):
    svc, embedder, generator = service
    assert svc.answers.ask("hi", []).text.startswith("Hello")
    assert generator.calls == [] and embedder.queries == []


def test_a_question_that_starts_with_a_greeting_is_answered_from_the_documents(service):
    svc, embedder, generator = service
    answer = svc.answers.ask("你好，RCEP由多少个国家签署？", ["kb"])
    assert embedder.queries and not answer.refused and answer.citations
