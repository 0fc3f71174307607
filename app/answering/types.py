"""Dataclasses at the answering boundary: the evidence sentences, each answer sentence's
support, the sources a user is shown, and the `Answer` the services hand every interface."""
from __future__ import annotations

from dataclasses import dataclass, field

from core.enums import Language
from core.types import SourceRef

SNIPPET_CHARS = 120

JsonValue = str | int | float | bool | None | list["JsonValue"] | dict[str, "JsonValue"]
JsonObject = dict[str, JsonValue]


@dataclass(frozen=True, slots=True)
class Evidence:
    """One evidence sentence. `passage` is the 1-based rank of its chunk among the results
    (the `[n]` of the prompt); `start`/`end` are offsets in `chunk.text`; `span` is the
    candidate answer of the expected type inside the sentence ("" when none), with its
    offsets in `chunk.text` (None when none)."""

    passage: int
    source: str
    page: int | None
    chunk_id: int | None
    text: str
    start: int
    end: int
    score: float
    span: str = ""
    span_start: int | None = None
    span_end: int | None = None

    def to_dict(self) -> JsonObject:
        return {"passage": self.passage, "source": self.source, "page": self.page, "chunk_id": self.chunk_id,
                "text": self.text, "start": self.start, "end": self.end, "score": round(self.score, 4),
                "span": self.span}


@dataclass(frozen=True, slots=True)
class SentenceSupport:
    """One sentence of an answer: `cited` are the [n] it carries; `passage` is the passage
    that supports it (a cited one when any does), None when none does; `score` is the best
    overlap found (0..1)."""

    text: str
    cited: tuple[int, ...]
    supported: bool
    passage: int | None
    score: float = 0.0

    def to_dict(self) -> JsonObject:
        return {"text": self.text, "cited": list(self.cited), "supported": self.supported,
                "passage": self.passage, "score": round(self.score, 3)}


@dataclass(frozen=True, slots=True)
class TableCell:
    """A table cell an answer gives: the table's caption, the row's label, the column's
    name, the value and the table's unit, where it was found (`passage` is its [n])."""

    caption: str
    row: str
    column: str
    value: str
    unit: str
    source: str
    page: int | None
    passage: int

    def to_dict(self) -> JsonObject:
        return {"caption": self.caption, "row": self.row, "column": self.column, "value": self.value,
                "unit": self.unit, "source": self.source, "page": self.page, "passage": self.passage}


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

    def to_dict(self) -> JsonObject:
        return {"source": self.source, "page": self.page, "score": round(self.score, 6), "text": self.text,
                "also_in": [ref.to_dict() for ref in self.also_in]}


@dataclass(frozen=True, slots=True)
class Answer:
    """The answer to one question.

    `refused` is True when nothing relevant was retrieved (the LLM is not called) or when
    neither the model's draft nor the evidence answers; the passages found stay in
    `citations` then. `timings` holds milliseconds (`retrieval_ms`, `first_token_ms`,
    `total_ms`, …) and token counts; `query` is what was searched (the question, joined to
    the previous one for short or anaphoric follow-ups). `evidence` are the sentences that
    answer, best first; `sentences` each sentence of `text` with its [n] and whether a
    passage backs it; `quoted`: `text` quotes the documents (the draft was not used);
    `cells`: the table cells the answer gives, with their row and column.
    """

    question: str
    text: str
    refused: bool
    citations: tuple[Citation, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)
    language: Language = Language.ZH
    query: str = ""
    evidence: tuple[Evidence, ...] = ()
    sentences: tuple[SentenceSupport, ...] = ()
    quoted: bool = False
    cells: tuple[TableCell, ...] = ()

    @property
    def supported(self) -> bool:
        """Every sentence of the answer is backed by a passage (a refusal counts as backed)."""
        return self.refused or all(s.supported for s in self.sentences)

    def to_dict(self) -> JsonObject:
        """The `--json` shape of DESIGN.md."""
        return {"answer": self.text, "refused": self.refused, "quoted": self.quoted,
                "sources": [c.to_dict() for c in self.citations],
                "evidence": [e.to_dict() for e in self.evidence],
                "citations": [s.to_dict() for s in self.sentences], "timings": dict(self.timings),
                "cells": [c.to_dict() for c in self.cells]}


__all__ = ["Answer", "Citation", "Evidence", "JsonObject", "SentenceSupport", "SourceRef", "TableCell"]
