"""Dataclasses at the answering boundary: the passages a prompt shows, what a generator is
asked, and the `Answer` the services hand the CLI, the UI and the API."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.types import SourceRef

SNIPPET_CHARS = 120


@dataclass(frozen=True, slots=True)
class Turn:
    """One earlier exchange of a conversation."""

    question: str
    answer: str = ""


@dataclass(frozen=True, slots=True)
class Passage:
    """One retrieved chunk as the prompt shows it."""

    text: str
    source: str
    page: int | None = None


@dataclass(frozen=True, slots=True)
class GenerationRequest:
    """What to generate from.

    `prompt` is the filled template (the user's turn). `answer_cue` is appended, and
    `stop` applied, only when the model is prompted completion-style (base models).
    """

    prompt: str
    answer_cue: str = ""
    stop: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Citation:
    """A passage the model was given, numbered as in the prompt (`[index]`); `also_in` names
    the other files (and pages) holding the same text (retrieval/duplicates.py)."""

    index: int
    source: str
    page: int | None
    score: float
    text: str
    relevance: float = 0.0
    heading: str = ""
    also_in: tuple[SourceRef, ...] = ()

    @property
    def snippet(self) -> str:
        flat = " ".join(self.text.split())
        return flat if len(flat) <= SNIPPET_CHARS else flat[:SNIPPET_CHARS - 1] + "…"

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "page": self.page, "score": round(self.score, 6), "text": self.text,
                "also_in": [ref.to_dict() for ref in self.also_in]}


@dataclass(frozen=True, slots=True)
class Answer:
    """The answer to one question.

    `refused` is True when nothing relevant was retrieved (the LLM is not called) or when
    the model itself said the documents do not answer; `citations` are then empty.
    `timings` holds milliseconds (`retrieval_ms`, `first_token_ms`, `total_ms`, …) and
    token counts; `query` is what was searched (the question, joined to the previous one
    for short or anaphoric follow-ups).
    """

    question: str
    text: str
    refused: bool
    citations: tuple[Citation, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)
    language: str = "zh"
    query: str = ""
    evidence: tuple[Any, ...] = ()  # retrieval.evidence Evidence: the sentences that answer, best first
    sentences: tuple[Any, ...] = ()  # SentenceSupport per sentence of `text`: its [n] and whether it is backed
    quoted: bool = False  # `text` quotes the documents (the model's draft was not supported)

    @property
    def supported(self) -> bool:
        """Every sentence of the answer is backed by a passage (a refusal counts as backed)."""
        return self.refused or all(s.supported for s in self.sentences)

    def to_dict(self) -> dict[str, Any]:
        """The `--json` shape of DESIGN.md."""
        return {"answer": self.text, "refused": self.refused, "quoted": self.quoted,
                "sources": [c.to_dict() for c in self.citations],
                "evidence": [e.to_dict() for e in self.evidence],
                "citations": [s.to_dict() for s in self.sentences], "timings": dict(self.timings)}


def as_turns(history: Sequence[Turn | Mapping[str, str]] | None) -> list[Turn]:
    """Accept `Turn`s or chat messages (`{"role": "user"|"assistant", "content": …}`)."""
    turns: list[Turn] = []
    for item in history or ():
        if isinstance(item, Turn):
            turns.append(item)
        elif item.get("role") == "user":
            turns.append(Turn(str(item.get("content", ""))))
        elif item.get("role") == "assistant" and turns:
            turns[-1] = Turn(turns[-1].question, str(item.get("content", "")))
    return turns


__all__ = ["Answer", "Citation", "GenerationRequest", "Passage", "SourceRef", "Turn", "as_turns"]
