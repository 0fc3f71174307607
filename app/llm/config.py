"""How the LLM is loaded (or reached) and sampled: the typed configuration `app.settings` builds."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

from core.config import as_enum, check


class PromptStyle(StrEnum):
    """How a model is prompted: its chat template, a completion prompt, or decided per model."""

    AUTO = "auto"
    CHAT = "chat"
    COMPLETION = "completion"


class ExtraBuffers(StrEnum):
    """llama.cpp's repacked (AMX) weight buffers: on, off, or off on AMX CPUs (auto)."""

    AUTO = "auto"
    ON = "on"
    OFF = "off"


@dataclass(frozen=True, slots=True)
class LlmConfig:
    """`model`: a GGUF path or a built-in name ("" = the default); `data_dir` is where a
    built-in model is assembled (its `models/` folder); `threads` 0 = the physical cores;
    `temperature` 0 = greedy (reproducible answers).

    `url` set: answers come from an OpenAI-compatible chat server there (app/llm/remote.py),
    `model` names the server's model ("" = the first it lists), `api_key` is sent as a
    bearer token, and `context` is the server model's context window in tokens (servers
    do not report it uniformly). Empty `url` (the default): the in-process GGUF.

    `keep_prompt_head`: the in-process model keeps its state after the prompt's fixed
    instructions and reads only what follows them (app/llm/prefix.py); off only to measure."""

    model: str = ""
    data_dir: Path = Path("data")
    n_ctx: int = 2048
    threads: int = 0
    temperature: float = 0.0
    seed: int = 42
    max_tokens: int = 200
    repeat_penalty: float = 1.1
    prompt_style: PromptStyle = PromptStyle.AUTO
    extra_buffers: ExtraBuffers = ExtraBuffers.AUTO
    url: str = ""
    api_key: str = field(default="", repr=False)
    context: int = 4096
    keep_prompt_head: bool = True

    def __post_init__(self) -> None:
        check(self.n_ctx >= 256, "n_ctx", f"must be at least 256 tokens (got {self.n_ctx})")
        check(self.threads >= 0, "threads", f"must not be negative (got {self.threads})")
        check(0 <= self.temperature <= 2, "temperature", f"must be between 0 and 2 (got {self.temperature})")
        check(self.seed >= 0, "seed", f"must not be negative (got {self.seed})")
        check(self.max_tokens >= 1, "max_tokens", f"must be at least 1 (got {self.max_tokens})")
        check(self.repeat_penalty >= 1, "repeat_penalty", f"must be at least 1 (got {self.repeat_penalty})")
        check(self.max_tokens < self.n_ctx, "max_tokens",
              f"({self.max_tokens}) must be smaller than the context window n_ctx ({self.n_ctx})")
        object.__setattr__(self, "url", self.url.strip().rstrip("/"))
        parts = urlsplit(self.url)
        check(not self.url or (parts.scheme in ("http", "https") and bool(parts.netloc)), "url",
              f"must be an http:// or https:// address such as http://127.0.0.1:11434 (got {self.url!r})")
        check(self.context >= 256, "context", f"must be at least 256 tokens (got {self.context})")
        check(not self.url or self.max_tokens < self.context, "max_tokens",
              f"({self.max_tokens}) must be smaller than the server model's context window ({self.context})")
        object.__setattr__(self, "prompt_style", as_enum(PromptStyle, self.prompt_style, "prompt_style"))
        object.__setattr__(self, "extra_buffers", as_enum(ExtraBuffers, self.extra_buffers, "extra_buffers"))
