"""Plain records the services hand the interfaces besides the core dataclasses: a question
prepared for answering, what a knowledge base holds at a glance, and saved conversations."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from app.answering.flow import Retrieved
from app.answering.numbering import opening_numbered
from app.answering.types import Answer
from app.llm.stoppable import Stop
from core.types import Chunk


class Finish(Protocol):
    """The rest of an answer: its pieces, then the `Answer` (`opened`: without the opening)."""

    def __call__(self, stop: Stop | None, opened: bool = False) -> Iterator[str | Answer]: ...


@dataclass(frozen=True, slots=True)
class PreparedAnswer:
    """A question searched and its evidence scored, before the LLM (`AnswerService.prepare`).

    `ready` is the answer when no LLM is needed (a refusal, a greeting): an interface can
    give it at once, without waiting for the LLM. `opening` is the text that can be shown
    before the LLM is free (the quotation of the evidence; "" when none). `stream(stop)`
    yields the answer's text pieces, then the `Answer`; it runs the LLM unless the answer
    is ready; `rest(stop)` is the same without the opening, for an interface that showed it.
    """

    retrieved: Retrieved
    finish: Finish

    @property
    def ready(self) -> Answer | None:
        return self.retrieved.answer

    @property
    def opening(self) -> str:
        quote = self.retrieved.quote
        if quote is None or self.ready is not None:
            return ""
        return opening_numbered(quote.text, len(self.retrieved.results))  # as the rest is numbered

    def stream(self, stop: Stop | None = None) -> Iterator[str | Answer]:
        return self.finish(stop)

    def rest(self, stop: Stop | None = None) -> Iterator[str | Answer]:
        return self.finish(stop, opened=True) if self.opening else self.finish(stop)

    def answer_whole(self) -> Answer:
        """`stream()` run to its end: just the `Answer`."""
        for item in self.stream():
            if isinstance(item, Answer):
                return item
        raise AssertionError("an answer stream always ends with its Answer")


@dataclass(frozen=True, slots=True)
class KbMatch:
    """A knowledge base where a question finds a passage that reaches the threshold, and the
    best such passage's relevance (`AnswerService.matches_in`)."""

    kb_name: str
    relevance: float


@dataclass(frozen=True, slots=True)
class KnowledgeOverview:
    """What one knowledge base holds. `headings` are distinct section headings in document
    order (the last part of a heading path, or a file's title); `questions` are sentences of
    the documents that are questions themselves (an FAQ's "扫描版 PDF 能用吗？")."""

    name: str
    documents: int
    failed: int
    chunks: int
    pages: int
    ocr_pages: int
    updated_at: float  # the newest document's indexing time (epoch seconds), 0 when empty
    headings: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PassageWindow:
    """One stored passage of a knowledge base with its neighbours in the same document:
    `before` and `after` in document order, at most `radius` each (fewer at its edges)."""

    kb_name: str
    passage: Chunk
    before: tuple[Chunk, ...] = ()
    after: tuple[Chunk, ...] = ()


@dataclass(frozen=True, slots=True)
class ConversationInfo:
    """One saved conversation as the sidebar lists it."""

    conversation_id: str
    title: str
    kb_names: tuple[str, ...]
    created_at: float
    updated_at: float
    turns: int = 0


@dataclass(frozen=True, slots=True)
class StoredTurn:
    """One message of a saved conversation; an assistant's carries its `Answer` (citations,
    evidence, per-sentence support) so it is shown again as it was. `stopped`: an answer cut
    short (the user asked something else while it came), kept as far as it was shown."""

    role: str  # user | assistant
    content: str
    answer: Answer | None = None
    kb_names: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    created_at: float = 0.0
    stopped: bool = False


@dataclass(frozen=True, slots=True)
class Conversation:
    info: ConversationInfo
    turns: tuple[StoredTurn, ...] = field(default_factory=tuple)


__all__ = ["Conversation", "ConversationInfo", "Finish", "KnowledgeOverview", "PassageWindow", "PreparedAnswer",
           "StoredTurn"]
