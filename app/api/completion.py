"""One chat completion in OpenAI's shapes: its id and model, the whole response or its
streamed chunks, Yizhi's extension fields, and how it ended (`finish_reason`, `usage`).

As OpenAI defines them: `finish_reason` is "length" when the answer was cut by the token
limit (`max_tokens`, else YIZHI_LLM_MAX_TOKENS) and "stop" otherwise; `usage` counts the
prompt's and the answer's tokens with the LLM's own tokenizer. A streamed response carries
`usage` only when asked (`stream_options: {"include_usage": true}`), in one last chunk with
no choices. An answer made without the LLM (a refusal, a greeting) used no tokens.
"""
from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from app.answering.types import Answer
from app.api.gate import GenerationGate
from app.services import Services


class FinishReason(StrEnum):
    STOP = "stop"
    LENGTH = "length"


@dataclass(frozen=True, slots=True)
class Ending:
    finish_reason: FinishReason
    prompt_tokens: int
    completion_tokens: int

    def usage(self) -> dict[str, int]:
        return {"prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens,
                "total_tokens": self.prompt_tokens + self.completion_tokens}


def extras(answer: Answer | None, *, streamed: bool = False) -> dict[str, Any]:
    """Yizhi's extension fields: the `ask --json` object; its `answer` (the final text, the
    pieces joined) only when streaming."""
    if answer is None:
        return {"sources": [], "refused": False}
    out = answer.to_dict()
    if not streamed:
        out.pop("answer", None)
    return out


async def ending(services: Services, gate: GenerationGate, overrides: Mapping[str, Any], answer: Answer | None,
                 text: str, messages: Sequence[Mapping[str, str]]) -> Ending:
    """How a completion ended: from the answer's own counts, or (plain chat, no `Answer`) by
    counting the conversation and the reply in the LLM's thread (llama.cpp is not thread-safe)."""
    limit = int(overrides.get("llm_max_tokens", services.settings.llm_max_tokens))
    if answer is not None:
        prompt = int(answer.timings.get("prompt_tokens", 0))
        completion = int(answer.timings.get("answer_tokens", 0))
    else:
        loop = asyncio.get_running_loop()
        conversation = "\n".join(m.get("content", "") for m in messages if m.get("content"))
        prompt = await loop.run_in_executor(gate.thread, services.models.count_tokens, conversation)
        completion = await loop.run_in_executor(gate.thread, services.models.count_tokens, text)
    return Ending(FinishReason.LENGTH if completion >= limit else FinishReason.STOP, prompt, completion)


class Completion:
    """One response's id, time and model, and its JSON in OpenAI's shapes."""

    def __init__(self, model: str) -> None:
        self.id, self.created, self.model = f"chatcmpl-{uuid.uuid4().hex}", int(time.time()), model

    def _head(self, kind: str) -> dict[str, Any]:
        return {"id": self.id, "object": kind, "created": self.created, "model": self.model}

    def whole(self, text: str, end: Ending, extra: dict[str, Any]) -> dict[str, Any]:
        choice = {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": str(end.finish_reason)}
        return {**self._head("chat.completion"), "choices": [choice], "usage": end.usage(), **extra}

    def chunk(self, delta: dict[str, Any], finish: FinishReason | None = None,
              extra: dict[str, Any] | None = None) -> str:
        body = {**self._head("chat.completion.chunk"),
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish and str(finish)}], **(extra or {})}
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    def usage_chunk(self, end: Ending) -> str:
        """The last chunk of a stream that asked for usage: no choices, the counts."""
        body = {**self._head("chat.completion.chunk"), "choices": [], "usage": end.usage()}
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


__all__ = ["Completion", "Ending", "FinishReason", "ending", "extras"]
