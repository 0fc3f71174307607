"""Request bodies of the HTTP API (what /docs shows). Responses reuse the CLI's `--json`
shapes (`Answer.to_dict()`, `ScoredChunk.to_dict()`), so they are plain dicts."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str = "text"
    text: str = ""


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(part.text for part in self.content if part.type == "text")
        return self.content or ""

    def as_message(self) -> dict[str, str]:
        role = "system" if self.role == "developer" else self.role
        return {"role": role, "content": self.text()}


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")
    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    """OpenAI's chat request; fields Yizhi does not use (top_p, tools, …) are ignored."""

    model_config = ConfigDict(extra="ignore")
    model: str = Field(description="a knowledge base's name (GET /v1/models), or the LLM's id for plain chat "
                                   "without retrieval")
    messages: list[ChatMessage] = Field(min_length=1, description="the last user message is the question, "
                                                                  "earlier turns are the history")
    stream: bool = False
    stream_options: StreamOptions | None = Field(None, description="`include_usage: true`: a last chunk with "
                                                                   "`usage` before `data: [DONE]`")
    temperature: float | None = Field(None, description="0..2 (YIZHI_LLM_TEMPERATURE by default)")
    max_tokens: int | None = Field(None, ge=1, description="capped at half the LLM's context window")
    max_completion_tokens: int | None = Field(None, ge=1, description="the newer name of max_tokens")
    n: int | None = Field(None, ge=1, le=1, description="only 1 is supported")
    knowledge_bases: list[str] | None = Field(
        None, min_length=1, description="Yizhi's extension (the `extra_body` of the openai SDK): answer from these "
                                        "knowledge bases together instead of the one named by `model`")


class EmbeddingRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    model: str = Field(description="the embedding model's id or a knowledge base's name (same model)")
    input: str | list[str] = Field(description="a text or a list of texts (at most YIZHI_MAX_EMBED_INPUTS, each "
                                                 "at most YIZHI_MAX_EMBED_CHARS characters)")
    encoding_format: Literal["float", "base64"] = "float"
    dimensions: int | None = Field(None, ge=1, description="must equal the model's dimension if given")


class CreateKnowledgeBase(BaseModel):
    name: str = Field(description="letters, digits, '_', '-' or '.'", examples=["papers"])


class RenameKnowledgeBase(BaseModel):
    name: str = Field(description="the new name: letters, digits, '_', '-' or '.'", examples=["papers-2024"])


class SearchRequest(BaseModel):
    query: str = Field(examples=["RCEP包括哪些国家？"])
    knowledge_bases: list[str] = Field(default_factory=lambda: ["default"], min_length=1)
    k: int | None = Field(None, ge=1, le=100, description="how many passages (default: YIZHI_TOP_K)")


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: str


class AskRequest(BaseModel):
    question: str = Field(examples=["RCEP包括哪些国家？"])
    knowledge_bases: list[str] = Field(default_factory=lambda: ["default"], min_length=1)
    history: list[Turn] = Field(default_factory=list, description="earlier turns, oldest first")
    temperature: float | None = None
    max_tokens: int | None = Field(None, ge=1)

    def history_dicts(self) -> list[dict[str, Any]]:
        return [turn.model_dump() for turn in self.history]
