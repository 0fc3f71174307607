"""The LLM: a `Generator` protocol and its llama-cpp-python implementation.

`LlmConfig.model` is the path of any GGUF file; empty means the default, which ships
through the package index (see `app.llm.gguf`). Instruction-tuned models are prompted
through their own chat template; base models get a completion-style prompt ending in an
answer cue and are stopped by stop sequences. Each model file is loaded once per
process and shared by every generator that names it.
"""
from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol, runtime_checkable

from app.llm.config import LlmConfig, PromptStyle
from app.llm.gguf import (
    BUILTIN_MODELS,
    DEFAULT_LLM,
    check_gguf,
    load_llama,
    resolve_model_path,
    use_extra_buffers,
)
from app.llm.prefix import HeadUse, prepare
from core.cpu import physical_cores
from prompts.templates import fixed_head
from prompts.types import GenerationRequest

log = logging.getLogger(__name__)


@runtime_checkable
class Generator(Protocol):
    """Streams an answer; counts tokens with the model's own tokenizer.

    `chat` is True for models prompted through their chat template, whose answers stream
    as generated; a base model is prompted completion-style (reading it may load the
    model). `context_window` and `max_tokens` bound the prompt: passages fill what the
    window leaves beside the answer.
    """

    name: str

    @property
    def chat(self) -> bool: ...

    @property
    def context_window(self) -> int: ...

    @property
    def max_tokens(self) -> int: ...

    def count_tokens(self, text: str) -> int: ...

    def stream(self, request: GenerationRequest) -> Iterator[str]: ...


def wants_chat_template(metadata: dict[str, str], filename: str, style: PromptStyle = PromptStyle.AUTO) -> bool:
    """Chat template for instruction-tuned models, completion prompt for base ones.

    `auto`: use the chat template when the GGUF carries one, unless the model says it is
    a base model.
    """
    if style != PromptStyle.AUTO:
        return style == PromptStyle.CHAT
    if not metadata.get("tokenizer.chat_template"):
        return False
    names = " ".join([filename, metadata.get("general.name", ""), metadata.get("general.finetune", "")])
    return not re.search(r"(?<![a-z])base(?![a-z])", names.lower())


def until_stop(pieces: Iterable[str], stops: Sequence[str]) -> Iterator[str]:
    """Stream `pieces` without leading whitespace, ending before the first stop sequence.

    Done here rather than by llama.cpp so that stops only count once the answer has
    begun (base models often open with a blank line) and so that "\n" can be a stop.
    Only a tail that could be the start of a stop sequence is held back, so text flows
    as soon as it is generated.
    """
    buf = ""
    started = False
    for piece in pieces:
        if not started:
            piece = piece.lstrip()
            if not piece:
                continue
            started = True
        buf += piece
        cut = min((i for i in (buf.find(s) for s in stops) if i >= 0), default=-1)
        if cut >= 0:
            if buf[:cut]:
                yield buf[:cut]
            return
        hold = _stop_prefix_len(buf, stops)
        if len(buf) > hold:
            yield buf[:len(buf) - hold]
            buf = buf[len(buf) - hold:]
    if buf:
        yield buf


def _stop_prefix_len(text: str, stops: Sequence[str]) -> int:
    """Length of the longest tail of `text` that begins some stop sequence."""
    best = 0
    for stop in stops:
        for n in range(min(len(stop) - 1, len(text)), best, -1):
            if stop.startswith(text[-n:]):
                best = n
                break
    return best


class LlamaCppGenerator:
    """A `Generator` over any GGUF file. Cheap to build; the model loads on first use."""

    def __init__(self, config: LlmConfig | None = None) -> None:
        self.config = config or LlmConfig()
        self.n_threads = self.config.threads or physical_cores()
        self.name = (self.config.model or DEFAULT_LLM).strip()
        self._llama: Any = None
        self._use_lock: threading.Lock | None = None
        self._chat: bool | None = None
        self._lock = threading.Lock()
        self.head_use = HeadUse.NONE  # what the last `stream` did with its prompt's fixed head

    @property
    def context_window(self) -> int:
        return self.config.n_ctx

    @property
    def max_tokens(self) -> int:
        return self.config.max_tokens

    @property
    def llama(self) -> Any:
        """The loaded `llama_cpp.Llama` (loads it on first access)."""
        with self._lock:
            if self._llama is None:
                path = resolve_model_path(self.config.model, self.config.data_dir)
                self._llama, self._use_lock = load_llama(path, self.config.n_ctx, self.n_threads,
                                                         use_extra_buffers(self.config.extra_buffers))
                self._chat = wants_chat_template(self._llama.metadata, path.name, self.config.prompt_style)
                self.name = path.name
                log.info("%s: %s prompting", path.name, "chat-template" if self._chat else "completion")
            return self._llama

    @property
    def chat(self) -> bool:
        """True when prompts go through the model's chat template (loads the model)."""
        _ = self.llama
        return bool(self._chat)

    def count_tokens(self, text: str) -> int:
        if not text:
            return 0
        return len(self.llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        llama = self.llama
        assert self._use_lock is not None
        c = self.config
        params = dict(max_tokens=c.max_tokens, temperature=c.temperature, seed=c.seed,
                      repeat_penalty=c.repeat_penalty, stream=True)
        with self._use_lock:
            head = fixed_head(request.prompt) if c.keep_prompt_head else ""
            self.head_use = prepare(llama, head, self._prime)
            if self._chat:
                chunks = llama.create_chat_completion(
                    messages=[{"role": "user", "content": request.prompt}], **params)
                for chunk in chunks:
                    piece = chunk["choices"][0]["delta"].get("content")
                    if piece:
                        yield piece
            else:
                chunks = llama.create_completion(request.prompt + request.answer_cue, **params)
                try:
                    yield from until_stop((c["choices"][0]["text"] for c in chunks), request.stop)
                finally:
                    chunks.close()  # stops generation when the answer ended at a stop sequence


    def _prime(self, head: str) -> None:
        """Evaluate `head` as `stream` evaluates a prompt (app/llm/prefix.py keeps the state)."""
        if self._chat:
            self.llama.create_chat_completion(messages=[{"role": "user", "content": head}], max_tokens=1,
                                              temperature=0.0)
        else:
            self.llama.create_completion(head, max_tokens=1, temperature=0.0)


def make_generator(config: LlmConfig) -> Generator:
    return LlamaCppGenerator(config)


__all__ = ["BUILTIN_MODELS", "DEFAULT_LLM", "GenerationRequest", "Generator", "LlamaCppGenerator",
           "check_gguf", "load_llama", "make_generator", "resolve_model_path",
           "until_stop", "use_extra_buffers", "wants_chat_template"]
