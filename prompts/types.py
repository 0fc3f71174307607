"""Dataclasses at the prompt boundary: the passages a prompt shows, what a generator is
asked, and the earlier turns of a conversation."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


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


ChatMessage = Mapping[str, str]  # {"role": "user" | "assistant" | "system", "content": …}
History = Sequence[Turn | ChatMessage]


def as_turns(history: History | None) -> list[Turn]:
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


__all__ = ["ChatMessage", "GenerationRequest", "History", "Passage", "Turn", "as_turns"]
