"""What the routes share: the services and gate of the app, per-request overrides, and
running the gate's generator to the end."""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Any

from starlette.requests import Request

from app.answering.types import Answer
from app.api.gate import GenerationGate
from app.api.jobs import JobRunner
from app.services import Services


def services_of(request: Request) -> Services:
    return request.app.state.services


def gate_of(request: Request) -> GenerationGate:
    return request.app.state.gate


def jobs_of(request: Request) -> JobRunner:
    return request.app.state.jobs


def generation_overrides(services: Services, temperature: float | None, max_tokens: int | None) -> dict[str, Any]:
    """A request's sampling settings, validated now (ConfigError → 400 before queueing);
    `max_tokens` is capped at half the context window so passages keep their room."""
    overrides: dict[str, Any] = {}
    if temperature is not None:
        overrides["llm_temperature"] = temperature
    if max_tokens is not None:
        overrides["llm_max_tokens"] = min(max_tokens, services.settings.llm_n_ctx // 2)
    services.settings.with_overrides(overrides)
    return overrides


def split_question(messages: list[dict[str, str]]) -> tuple[str, list[dict[str, str]]]:
    """The last user message (the question) and the user/assistant turns before it."""
    last = max((i for i, m in enumerate(messages) if m["role"] == "user"), default=-1)
    if last < 0:
        return "", []
    history = [m for m in messages[:last] if m["role"] in ("user", "assistant")]
    return messages[last]["content"], history


async def collect(items: AsyncIterator[Any]) -> tuple[str, Answer | None]:
    """Run a generation to its end: the streamed text and the final `Answer` (if any)."""
    pieces: list[str] = []
    answer = None
    async with aclosing(items):
        async for item in items:
            if isinstance(item, Answer):
                answer = item
            else:
                pieces.append(item)
    return "".join(pieces).strip(), answer


async def first_item(items: AsyncIterator[Any]) -> Any:
    """The first item, before a streaming response starts (so errors and 429 are statuses);
    None when there is none. Closes the generator if it fails."""
    try:
        return await anext(items)
    except StopAsyncIteration:
        return None
    except BaseException:
        await items.aclose()
        raise
