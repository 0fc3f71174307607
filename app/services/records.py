"""Plain records the services hand the interfaces besides the core dataclasses: what a
knowledge base holds at a glance, and saved conversations."""
from __future__ import annotations

from dataclasses import dataclass, field

from core.answers import Answer


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
    evidence, per-sentence support) so it is shown again as it was."""

    role: str  # user | assistant
    content: str
    answer: Answer | None = None
    kb_names: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    created_at: float = 0.0


@dataclass(frozen=True, slots=True)
class Conversation:
    info: ConversationInfo
    turns: tuple[StoredTurn, ...] = field(default_factory=tuple)


__all__ = ["Conversation", "ConversationInfo", "KnowledgeOverview", "StoredTurn"]
