"""Plain chat without retrieval (the HTTP API's model named after the LLM): a conversation
written out as a transcript, as data like the 已知信息 templates.

Instruction-tuned models get the transcript as their user turn; base models continue it
after the assistant's cue and are stopped where they would start the user's next turn.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from core.enums import Language
from prompts.types import GenerationRequest

ROLE_LABELS: dict[str, dict[str, str]] = {
    "zh": {"system": "说明", "user": "用户", "assistant": "助手"},
    "en": {"system": "Instructions", "user": "User", "assistant": "Assistant"},
}
_COLON = {"zh": "：", "en": ": "}
CHAT_STOPS: dict[str, tuple[str, ...]] = {
    "zh": ("\n用户：", "\n说明：", "\n\n"),
    "en": ("\nUser:", "\nInstructions:", "\n\n"),
}


def _line(role: str, content: str, language: Language) -> str:
    return ROLE_LABELS[language][role] + _COLON[language] + " ".join(content.split())


def render_chat(messages: Sequence[Mapping[str, str]], language: Language = "zh") -> GenerationRequest | None:
    """The request for a conversation ending in a user message; None when it has none.

    Messages are `{"role": "system"|"user"|"assistant", "content": …}`; other roles
    and empty contents are skipped, and anything after the last user message is dropped.
    """
    kept = [(m.get("role", ""), str(m.get("content") or "").strip()) for m in messages]
    kept = [(role, content) for role, content in kept if role in ROLE_LABELS[language] and content]
    last_user = max((i for i, (role, _) in enumerate(kept) if role == "user"), default=-1)
    if last_user < 0:
        return None
    prompt = "\n".join(_line(role, content, language) for role, content in kept[:last_user + 1])
    cue = "\n" + ROLE_LABELS[language]["assistant"] + _COLON[language].rstrip()
    return GenerationRequest(prompt=prompt, answer_cue=cue, stop=CHAT_STOPS[language])


__all__ = ["CHAT_STOPS", "ROLE_LABELS", "render_chat"]
