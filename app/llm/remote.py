"""An answering model served elsewhere: any OpenAI-compatible chat server (Ollama, LM Studio,
llama.cpp's server, vLLM) at `LlmConfig.url` (YIZHI_LLM_URL).

The server is asked `POST {url}/v1/chat/completions` with `stream: true` and answers in
server-sent events; pieces are yielded as they arrive. It is always a chat model: the filled
prompt is the user's message, as an in-process model's chat template gets it, so the answer
cue and stop sequences (which `GenerationRequest` keeps for completion-style prompting) are
not sent. Sampling (`max_tokens`, `temperature`, `seed`) comes from `LlmConfig`; llama.cpp's
`repeat_penalty` has no OpenAI-compatible spelling and is left to the server.

Closing the stream (the answer flow stops reading: a client went away, app/llm/stoppable.py)
closes the HTTP response, and the server stops generating when its connection drops.

The URL is the user's explicit choice, the one way an answer leaves this computer (README:
security). Every failure is an `LlmUnavailable` naming YIZHI_LLM_URL: nothing falls back
to the in-process model.
"""
from __future__ import annotations

import json
import logging
import math
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from app.llm.config import LlmConfig
from app.llm.gguf import BUILTIN_MODELS
from core.errors import LlmUnavailable
from prompts.types import GenerationRequest

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 5.0
# Seconds to wait for the next piece of an answer. Generous on purpose: before its first token a
# server reads the whole prompt (tens of seconds on a CPU for 2000 tokens), and Ollama or LM Studio
# may first load the model from disk. A server silent for longer is taken as gone.
READ_TIMEOUT_S = 120.0
LIST_TIMEOUT_S = 10.0  # listing the server's models (GET /v1/models) is quick or broken

# count_tokens without the server's tokenizer: each CJK character (Han, kana, Hangul) 1 token,
# each run of Latin letters or digits 1.3 tokens (a word is 1-2 tokens in BPE vocabularies),
# every other non-space character (punctuation, symbols) 1. A little above what Qwen, Llama or
# Gemma tokenizers count for Chinese text, so the prompt stays inside the context window.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003ffff]")
_WORD = re.compile(r"[^\W_]+")
_OTHER = re.compile(r"[^\w\s]|_")
WORD_TOKENS = 1.3
SERVER_DEFAULT = "server-default"  # the model's name until the server says which one it lists first


def approx_tokens(text: str) -> int:
    """Tokens of `text` as a typical BPE tokenizer counts them, roughly (see above)."""
    if not text:
        return 0
    cjk = len(_CJK.findall(text))
    rest = _CJK.sub(" ", text)
    return cjk + math.ceil(len(_WORD.findall(rest)) * WORD_TOKENS) + len(_OTHER.findall(rest))


def served_remotely(config: LlmConfig) -> bool:
    """True when the chat server answers: a URL is set, and `model` is not a built-in name or a
    GGUF file on this computer (picked from the model list beside the server's: those run
    in-process, as the user chose)."""
    name = config.model.strip()
    return bool(config.url) and not (name in BUILTIN_MODELS or (name and Path(name).expanduser().is_file()))


def server_base(url: str) -> str:
    """The server's address without a trailing /v1 (OpenAI clients' base URLs include it)."""
    url = url.strip().rstrip("/")
    return url.removesuffix("/v1")


def _advice(url: str) -> str:
    return f"check YIZHI_LLM_URL ({url}), or unset it to answer with the in-process model"


def unavailable(url: str, exc: httpx.HTTPError, read_timeout: float = READ_TIMEOUT_S) -> LlmUnavailable:
    """The project's error for a transport failure talking to the chat server at `url`."""
    if isinstance(exc, httpx.ConnectTimeout):
        why = f"no connection within {CONNECT_TIMEOUT_S:g} s"
    elif isinstance(exc, httpx.ConnectError):
        why = "it cannot be reached (connection refused or unknown host): is the server running?"
    elif isinstance(exc, httpx.ReadTimeout):
        why = f"it sent nothing for {read_timeout:g} s"
    elif isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        why = "it closed the connection in the middle of an answer (stopped or crashed?)"
    else:
        why = f"{type(exc).__name__}: {exc}"
    return LlmUnavailable(f"the chat server at {url} failed: {why}; {_advice(url)}")


def _server_message(response: httpx.Response) -> str:
    """What the server said about its refusal (OpenAI's {"error": {"message": …}} or plain text)."""
    try:
        body: Any = response.json()
    except ValueError:
        return response.text.strip()[:200]
    error = body.get("error", body) if isinstance(body, dict) else body
    if isinstance(error, dict):
        error = error.get("message") or error.get("detail") or error
    return str(error)[:200]


def refused(url: str, response: httpx.Response, model: str) -> LlmUnavailable:
    """The project's error for an HTTP error status from the chat server (the body already read)."""
    said = _server_message(response)
    status = response.status_code
    if status in (401, 403):
        advice = "set YIZHI_LLM_API_KEY to a key the server accepts"
    elif status == 404:
        advice = (f"check that YIZHI_LLM_MODEL ({model or 'unset'}) names one of the server's models "
                  f"({url}/v1/models) and that YIZHI_LLM_URL is an OpenAI-compatible server's address")
    else:
        advice = _advice(url)
    return LlmUnavailable(f"the chat server at {url} answered HTTP {status}"
                          f"{': ' + said if said else ''}; {advice}")


def server_models(url: str, api_key: str = "", client: httpx.Client | None = None) -> list[str]:
    """The model ids the server lists (GET {url}/v1/models), in its order."""
    base = server_base(url)
    own = client is None
    client = client or httpx.Client(headers=_headers(api_key),
                                    timeout=httpx.Timeout(LIST_TIMEOUT_S, connect=CONNECT_TIMEOUT_S))
    try:
        response = client.get(f"{base}/v1/models")
        if response.is_error:
            raise refused(base, response, "")
        data = response.json().get("data")
        return [str(m["id"]) for m in data]
    except httpx.HTTPError as exc:
        raise unavailable(base, exc) from exc
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise LlmUnavailable(f"the chat server at {base} listed its models in a form that is not OpenAI's "
                             f"({{'data': [{{'id': …}}]}}); {_advice(base)}") from exc
    finally:
        if own:
            client.close()


def _headers(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key.strip()}"} if api_key.strip() else {}


class RemoteChatGenerator:
    """A `Generator` over an OpenAI-compatible chat server. Cheap to build: nothing is asked of
    the server until the first answer (which first lists its models when `model` is unset)."""

    def __init__(self, config: LlmConfig, *, read_timeout: float = READ_TIMEOUT_S) -> None:
        if not config.url:
            raise ValueError("RemoteChatGenerator needs LlmConfig.url")
        self.config = config
        self.url = server_base(config.url)
        self.name = config.model.strip() or SERVER_DEFAULT
        self._model = config.model.strip()
        self._read_timeout = read_timeout
        self._lock = threading.Lock()
        self._client = httpx.Client(headers=_headers(config.api_key),
                                    timeout=httpx.Timeout(read_timeout, connect=CONNECT_TIMEOUT_S))

    @property
    def chat(self) -> bool:
        return True

    @property
    def context_window(self) -> int:
        return self.config.context

    @property
    def max_tokens(self) -> int:
        return self.config.max_tokens

    def count_tokens(self, text: str) -> int:
        return approx_tokens(text)

    @property
    def model(self) -> str:
        """The server's model that answers: the setting, else the first the server lists."""
        with self._lock:
            if not self._model:
                models = server_models(self.url, client=self._client)
                if not models:
                    raise LlmUnavailable(f"the chat server at {self.url} lists no models: load or pull one "
                                         "there, or set YIZHI_LLM_MODEL")
                self._model = self.name = models[0]
                log.info("answering with %s on %s (the first model it lists)", self._model, self.url)
            return self._model

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        c = self.config
        body = {"model": self.model, "messages": [{"role": "user", "content": request.prompt}], "stream": True,
                "max_tokens": c.max_tokens, "temperature": c.temperature, "seed": c.seed}
        try:
            with self._client.stream("POST", f"{self.url}/v1/chat/completions", json=body) as response:
                if response.is_error:
                    response.read()
                    raise refused(self.url, response, self._model)
                kind = response.headers.get("content-type", "")
                if "text/event-stream" not in kind:
                    raise LlmUnavailable(f"the chat server at {self.url} did not answer with an event stream "
                                         f"(content-type {kind or 'none'}); {_advice(self.url)}")
                yield from self._pieces(response)
        except httpx.HTTPError as exc:
            raise unavailable(self.url, exc, self._read_timeout) from exc

    def _pieces(self, response: httpx.Response) -> Iterator[str]:
        """The answer's text from the server-sent events: `data: {chunk}` lines until `data: [DONE]`."""
        finished = False
        for line in response.iter_lines():
            if not line.startswith("data:"):
                continue  # blank separators, `: keep-alive` comments, `event:` lines
            data = line[5:].strip()
            if data == "[DONE]":
                return
            try:
                chunk = json.loads(data)
                if "error" in chunk:
                    raise LlmUnavailable(f"the chat server at {self.url} failed mid-answer: "
                                         f"{str(chunk['error'])[:200]}; {_advice(self.url)}")
                choices = chunk["choices"]
                choice = choices[0] if choices else {}
                piece = (choice.get("delta") or {}).get("content")
            except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
                raise LlmUnavailable(f"the chat server at {self.url} sent a malformed answer stream "
                                     f"({data[:80]!r}); {_advice(self.url)}") from exc
            if piece:
                yield piece
            finished = finished or bool(choice.get("finish_reason"))
        if not finished:
            raise LlmUnavailable(f"the chat server at {self.url} ended the answer stream before the answer "
                                 f"did; {_advice(self.url)}")

    def close(self) -> None:
        self._client.close()


__all__ = ["CONNECT_TIMEOUT_S", "READ_TIMEOUT_S", "SERVER_DEFAULT", "RemoteChatGenerator", "approx_tokens", "served_remotely",
           "server_base", "server_models"]
