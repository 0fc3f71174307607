"""The OpenAI-compatible endpoints under /v1, for the `openai` SDK, LangChain's ChatOpenAI
and chat clients.

- A knowledge base is a model: `model` names the one to answer from (several through the
  extension field `knowledge_bases`); the LLM's own id chats without retrieval.
- Answers cite inline as `[n]`; the response carries Yizhi's extension fields `sources`
  (`sources[n-1]` is `[n]`: `{"source", "page", "score", "text"}`), `refused`, `timings`
  and whatever else `ask --json` holds (`evidence`, …), on the completion or, when
  streaming, on the last chunk before `data: [DONE]`, which also carries `answer`: the
  final text, the streamed pieces joined (the quotation of the evidence first, as soon as it
  is scored, then the model's sentences as each is checked). A refusal is an ordinary answer.
"""
from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import aclosing
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import numpy as np
from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from app.answering.types import Answer
from app.api.auth import documented_key
from app.api.completion import Completion, Ending, ending, extras
from app.api.deps import collect, first_item, gate_of, generation_overrides, services_of, split_question
from app.api.errors import ApiError, from_yizhi, not_found
from app.api.gate import ClientGone, GenerationGate, answered, generate
from app.api.schemas import ChatCompletionRequest, EmbeddingRequest
from app.services import Services
from app.services.limits import knowledge_base_list
from core.errors import YizhiError

log = logging.getLogger("yizhi.api")
router = APIRouter(prefix="/v1", tags=["OpenAI-compatible"], dependencies=[documented_key])
STARTED = int(time.time())
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def llm_id(services: Services) -> str:
    """The LLM's model id: its built-in name, or its GGUF file's name."""
    name = services.models.describe_models()["llm_model"]
    return PurePath(name).name if ("/" in name or "\\" in name) else name


def model_card(name: str, kind: str) -> dict[str, Any]:
    return {"id": name, "object": "model", "created": STARTED, "owned_by": "yizhi", "kind": kind}


@router.get("/models", summary="The knowledge bases (one model each) and the LLM for plain chat")
async def list_models(request: Request) -> dict[str, Any]:
    services = services_of(request)
    names = await run_in_threadpool(services.knowledge.list_knowledge_bases)
    return {"object": "list",
            "data": [model_card(n, "knowledge_base") for n in names] + [model_card(llm_id(services), "llm")]}


@router.get("/models/{model_id}", summary="One model")
async def get_model(model_id: str, request: Request) -> dict[str, Any]:
    services = services_of(request)
    if model_id in await run_in_threadpool(services.knowledge.list_knowledge_bases):
        return model_card(model_id, "knowledge_base")
    if model_id == llm_id(services):
        return model_card(model_id, "llm")
    raise not_found("knowledge base", model_id, openai=True)


@dataclass(frozen=True, slots=True)
class Finish:
    """What a completion's ending is counted from, once its answer is known."""

    services: Services
    gate: GenerationGate
    overrides: dict[str, Any]
    messages: list[dict[str, str]]
    include_usage: bool

    async def __call__(self, answer: Answer | None, text: str) -> Ending:
        return await ending(self.services, self.gate, self.overrides, answer, text, self.messages)


def _api_error(exc: Exception) -> ApiError:
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, YizhiError):
        return from_yizhi(exc, "/v1/")
    return ApiError(500, f"unexpected {type(exc).__name__}: details are in the server's log file",
                    type="server_error", code="internal_error")


async def _events(completion: Completion, first: Any, items: AsyncIterator[Any], finish: Finish) -> AsyncIterator[str]:
    answer, pieces = None, []
    async with aclosing(items):
        yield completion.chunk({"role": "assistant", "content": ""})
        try:
            item = first
            while item is not None:
                if isinstance(item, Answer):
                    answer = item
                elif item:
                    pieces.append(item)
                    yield completion.chunk({"content": item})
                item = await anext(items, None)
        except ClientGone:
            return
        except Exception as exc:  # the status line is sent: the error becomes the stream's last event
            error = _api_error(exc)
            if error.status >= 500:
                log.exception("chat stream %s failed", completion.id)
            yield f"data: {json.dumps(error.body(), ensure_ascii=False)}\n\n"
            return
    end = await finish(answer, "".join(pieces))
    yield completion.chunk({}, end.finish_reason, extras(answer, streamed=True))
    if finish.include_usage:
        yield completion.usage_chunk(end)
    yield "data: [DONE]\n\n"


@router.post("/chat/completions", summary="Answer from a knowledge base (or chat with the LLM)")
async def chat_completions(body: ChatCompletionRequest, request: Request):
    services = services_of(request)
    overrides = generation_overrides(services, body.temperature, body.max_completion_tokens or body.max_tokens)
    messages = [m.as_message() for m in body.messages]
    plain = body.knowledge_bases is None and body.model == llm_id(services) and not services.knowledge.exists(body.model)
    kbs = [] if plain else knowledge_base_list(services.settings, body.knowledge_bases or [body.model])
    for name in kbs:
        if not services.knowledge.exists(name):
            error = not_found("knowledge base", name, openai=True)
            error.param = "knowledge_bases" if body.knowledge_bases else "model"
            raise error
    question, history = split_question(messages)
    if not question.strip():
        raise ApiError(400, "the conversation has no user message with a question", param="messages")
    if plain:
        def start(stop):
            return services.answers.chat(messages, overrides=overrides, stop=stop)
        items = generate(request, gate_of(request), start)
    else:  # searched and scored before it queues: a refusal never waits for the LLM
        prepared = await run_in_threadpool(services.answers.prepare, question, kbs, history, overrides=overrides)
        items = answered(request, gate_of(request), prepared)
    completion = Completion(body.model)
    finish = Finish(services, gate_of(request), overrides, messages,
                    bool(body.stream_options and body.stream_options.include_usage))
    if body.stream:
        first = await first_item(items)
        return StreamingResponse(_events(completion, first, items, finish),
                                 media_type="text/event-stream", headers=SSE_HEADERS)
    text, answer = await collect(items)
    return completion.whole(answer.text if answer else text, await finish(answer, text), extras(answer))


def _encode(vector: list[float], fmt: str) -> list[float] | str:
    if fmt == "base64":  # what the openai SDK asks for by default: little-endian float32
        return base64.b64encode(np.asarray(vector, dtype="<f4").tobytes()).decode("ascii")
    return vector


@router.post("/embeddings", summary="Vectors by the knowledge bases' embedding model")
async def embeddings(body: EmbeddingRequest, request: Request) -> dict[str, Any]:
    services = services_of(request)
    embed_id = services.models.describe_models()["embed_model"]
    if body.model != embed_id and not services.knowledge.exists(body.model):
        raise ApiError(404, f"the model '{body.model}' does not exist: use '{embed_id}' (the embedding model) "
                            "or a knowledge base's name", code="model_not_found", param="model")
    texts = [body.input] if isinstance(body.input, str) else body.input
    if not texts or not all(t.strip() for t in texts):
        raise ApiError(400, "input must be one or more non-empty texts", param="input")
    vectors = await run_in_threadpool(services.models.embed, texts)
    if body.dimensions is not None and vectors and body.dimensions != len(vectors[0]):
        raise ApiError(400, f"this model makes {len(vectors[0])}-dimensional vectors, not {body.dimensions}",
                       param="dimensions")
    return {"object": "list", "model": body.model,
            "data": [{"object": "embedding", "index": i, "embedding": _encode(v, body.encoding_format)}
                     for i, v in enumerate(vectors)],
            "usage": {"prompt_tokens": 0, "total_tokens": 0}}  # the embedder does not count tokens
