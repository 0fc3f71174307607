"""The bounds on what one request may ask, checked where every interface enters the services.

A question of millions of characters, a history of thousands of turns or a list of
thousands of knowledge bases used to be accepted, and one such request could grow the
server to gigabytes. The limits are settings (`YIZHI_MAX_QUESTION_CHARS`, …, see
app/settings.py); a text over its limit is refused with `InputTooLarge` naming the
setting, a text with characters nothing can store (lone surrogates, control characters)
with `UnusableText`. The interfaces show the same limits before sending (the chat box's
`max_chars`), and the UI sends only the history that fits (`recent_history`).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from app.settings import Settings
from core.errors import InputTooLarge, UnusableText
from core.text import first_unusable
from prompts.types import History, Turn


def check_text(text: str, what: str, limit: int, setting: str) -> str:
    """`text` when it is at most `limit` characters and holds only usable characters."""
    if len(text) > limit:
        raise InputTooLarge(f"the {what} is {len(text):,} characters long, more than the {limit:,} allowed",
                            setting=setting)
    bad = first_unusable(text)
    if bad is not None:
        raise UnusableText(f"the {what} holds the character U+{ord(bad):04X}, which cannot be stored or shown: "
                           "remove it")
    return text


def check_question(settings: Settings, text: str, what: str = "question") -> str:
    return check_text(text, what, settings.max_question_chars, "max_question_chars")


def _content(item: Turn | Mapping[str, str]) -> str:
    if isinstance(item, Turn):
        return item.question + item.answer
    return str(item.get("content") or "")


def _count(item: Turn | Mapping[str, str]) -> int:
    """Messages in one history item: a `Turn` is a question and its answer."""
    return 2 if isinstance(item, Turn) else 1


def check_history(settings: Settings, history: History | None) -> History:
    """The earlier messages sent with a question, within `max_history_turns` messages and
    `max_history_chars` characters."""
    history = list(history or ())
    messages = sum(_count(item) for item in history)
    if messages > settings.max_history_turns:
        raise InputTooLarge(f"the conversation sent {messages:,} earlier messages, more than the "
                            f"{settings.max_history_turns:,} allowed: send only the recent ones",
                            setting="max_history_turns")
    total = 0
    for item in history:
        content = _content(item)
        total += len(content)
        if total > settings.max_history_chars:
            raise InputTooLarge(f"the earlier messages sent with the question are longer than the "
                                f"{settings.max_history_chars:,} characters allowed: send only the recent ones",
                                setting="max_history_chars")
        check_text(content, "conversation", settings.max_history_chars, "max_history_chars")
    return history


def recent_history(settings: Settings, history: Sequence[Mapping[str, str]]) -> list[Mapping[str, str]]:
    """The most recent messages of a conversation that fit the history limits (what the UI
    sends with a follow-up: a long conversation goes on, its oldest turns left out)."""
    kept: list[Mapping[str, str]] = []
    total = 0
    for message in reversed(history):
        total += len(_content(message))
        if len(kept) >= settings.max_history_turns or total > settings.max_history_chars:
            break
        kept.append(message)
    return kept[::-1]


def knowledge_base_list(settings: Settings, names: Sequence[str]) -> list[str]:
    """The knowledge bases one request asks, each once (in the order given), at most
    `max_knowledge_bases`."""
    unique = list(dict.fromkeys(names))
    if len(unique) > settings.max_knowledge_bases:
        raise InputTooLarge(f"{len(unique):,} knowledge bases were named, more than the "
                            f"{settings.max_knowledge_bases:,} one question may ask", setting="max_knowledge_bases")
    return unique


def check_embed_inputs(settings: Settings, texts: Sequence[str]) -> list[str]:
    """The texts of one embeddings request: at most `max_embed_inputs`, each at most
    `max_embed_chars` characters."""
    if len(texts) > settings.max_embed_inputs:
        raise InputTooLarge(f"{len(texts):,} texts were sent to embed, more than the {settings.max_embed_inputs:,} "
                            "one request may hold", setting="max_embed_inputs")
    return [check_text(text, "text to embed", settings.max_embed_chars, "max_embed_chars") for text in texts]


def check_upload_count(settings: Settings, count: int) -> None:
    if count > settings.max_upload_files:
        raise InputTooLarge(f"{count:,} files were sent in one upload, more than the {settings.max_upload_files:,} "
                            "allowed: send them in several uploads", setting="max_upload_files")


__all__ = ["check_embed_inputs", "check_history", "check_question", "check_text", "check_upload_count",
           "knowledge_base_list", "recent_history"]
