"""What the tools return: plain dataclasses, sent as JSON (a tool's `structuredContent`,
and the same JSON as its text for clients that read only text).

A passage is named by its knowledge base and its chunk id, "kb:42": chunk ids are
numbered per knowledge base (and never reused), so the id alone would be ambiguous when
several are searched together.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from core.errors import ConfigError
from core.types import Chunk

PASSAGE_ID_PATTERN = r"^[A-Za-z0-9_\-][A-Za-z0-9_.\-]{0,63}:[0-9]{1,18}$"
_PASSAGE_ID = re.compile(PASSAGE_ID_PATTERN)


def passage_id(kb_name: str | None, chunk: Chunk) -> str | None:
    """The id of a stored passage (None when its knowledge base is not known)."""
    return f"{kb_name}:{chunk.chunk_id}" if kb_name is not None and chunk.chunk_id is not None else None


def parse_passage_id(value: str) -> tuple[str, int]:
    """(knowledge base, chunk id) of a passage id; ConfigError when it is not one."""
    if not _PASSAGE_ID.match(value):
        raise ConfigError(f"'{value[:80]}' is not a passage id: use one that search or ask returned, "
                          "such as 'default:42'", "passage_id")
    kb_name, _, number = value.rpartition(":")
    return kb_name, int(number)


class Result:
    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]


@dataclass(frozen=True, slots=True)
class KnowledgeBaseInfo(Result):
    name: str
    documents: int
    passages: int
    documents_uri: str  # the resource listing its documents


@dataclass(frozen=True, slots=True)
class KnowledgeBaseList(Result):
    knowledge_bases: tuple[KnowledgeBaseInfo, ...]


@dataclass(frozen=True, slots=True)
class Passage(Result):
    """One passage of a document. `score` orders search results (higher is better) and
    `relevance` (0..1) is what the server's threshold compares; both are 0 for a passage
    read by id."""

    passage_id: str | None
    knowledge_base: str | None
    file: str
    page: int | None
    heading: str
    text: str
    score: float = 0.0
    relevance: float = 0.0


@dataclass(frozen=True, slots=True)
class SearchResult(Result):
    query: str
    passages: tuple[Passage, ...]


@dataclass(frozen=True, slots=True)
class Source(Result):
    """A passage the answer was made from; `index` is its [n] in the answer's text."""

    index: int
    passage: Passage


@dataclass(frozen=True, slots=True)
class Sentence(Result):
    """One sentence of the answer: `supported` when a passage backs it (`source`, an
    index of `sources`; None when none does); `cited`: the [n] it carries."""

    text: str
    supported: bool
    source: int | None
    cited: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class AskResult(Result):
    """Yizhi's answer. `refused`: the knowledge bases hold nothing that answers it (the
    text then says so); `supported`: every sentence is backed by a source."""

    question: str
    answer: str
    refused: bool
    supported: bool
    sources: tuple[Source, ...]
    sentences: tuple[Sentence, ...]


@dataclass(frozen=True, slots=True)
class PassageResult(Result):
    """A passage by id, with the passages around it in its document, in order."""

    passage: Passage
    before: tuple[Passage, ...]
    after: tuple[Passage, ...]


@dataclass(frozen=True, slots=True)
class DocumentInfo(Result):
    file: str
    status: str
    passages: int
    pages: int
    error: str = ""


@dataclass(frozen=True, slots=True)
class DocumentList(Result):
    knowledge_base: str
    documents: tuple[DocumentInfo, ...]


__all__ = ["AskResult", "DocumentInfo", "DocumentList", "KnowledgeBaseInfo", "KnowledgeBaseList", "Passage",
           "PassageResult", "SearchResult", "Sentence", "Source", "parse_passage_id", "passage_id"]
