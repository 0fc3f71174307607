"""Search and answering over one or more knowledge bases: the one search path and the one
threshold of every interface (CLI, UI, HTTP API).

`overrides` change settings for one call (the UI's sidebar, an API request's
`temperature`); they are validated like the environment, and models stay shared.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from app.answering import answer_stream, detect_language
from app.llm import Generator
from app.services.protocols import History, Overrides, Stop
from app.services.resources import Resources
from app.settings import Settings
from core.answers import Answer, GenerationRequest
from core.errors import ConfigError, KnowledgeBaseNotFound
from core.types import ScoredChunk
from prompts.chat import render_chat
from prompts.chitchat import chitchat_language, is_chitchat
from retrieval.duplicates import duplicate_of
from retrieval.kb.opening import knowledge_base_exists
from retrieval.lexical import query_tokens
from retrieval.search import HybridSearcher, merge_ranked, search_many

log = logging.getLogger(__name__)


class Stoppable:
    """A generator that ends its stream early once `stop()` says so (a client went away),
    checked between tokens, so the LLM is free again within one token. Everything else,
    `chat` included, is the wrapped generator's."""

    def __init__(self, generator: Generator, stop: Callable[[], bool]) -> None:
        self._generator, self._stop = generator, stop

    def __getattr__(self, name: str) -> Any:
        return getattr(self._generator, name)

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        pieces = self._generator.stream(request)
        try:
            for piece in pieces:
                if self._stop():
                    log.info("generation stopped: nobody is waiting for it any more")
                    return
                yield piece
        finally:
            close = getattr(pieces, "close", None)
            if close is not None:
                close()


def _chitchat_stream(question: str, reply: str) -> Iterator[str | Answer]:
    """The stream of a chit-chat reply: its text, then its `Answer` (no sources, not a refusal)."""
    t0 = time.perf_counter()
    yield reply
    timings = {"retrieval_ms": 0.0, "total_ms": round((time.perf_counter() - t0) * 1000, 1)}
    yield Answer(question, reply, refused=False, citations=(), timings=timings,
                 language=chitchat_language(question), query="")


class AnswersService:
    def __init__(self, resources: Resources) -> None:
        self._res = resources

    def _settings(self, overrides: Overrides | None) -> Settings:
        return self._res.settings.with_overrides(overrides)

    def _search(self, query: str, kb_names: Sequence[str], k: int | None, settings: Settings) -> list[ScoredChunk]:
        if not query or not query.strip():
            raise ConfigError("the question is empty: type a question")
        if not kb_names:
            raise ConfigError("no knowledge base selected")
        config = settings.search_config()
        searchers = []
        for name in kb_names:
            if not knowledge_base_exists(settings.kb_root, name):
                raise KnowledgeBaseNotFound(name)
            searchers.append(HybridSearcher(self._res.knowledge_base(name), self._res.embedder, config))
        return search_many(searchers, query, k or config.top_k)

    def candidates(self, query: str, kb_names: Sequence[str], *,
                   overrides: Overrides | None = None) -> list[ScoredChunk]:
        """The whole candidate pool of `query`, before the threshold: every fused candidate
        with its relevance and its vector and BM25 ranks (ranks are per knowledge base),
        best first by score. For showing what the threshold keeps and drops (the UI's
        retrieval test); `search` is what answering uses."""
        settings = self._settings(overrides)
        if not query or not query.strip():
            raise ConfigError("the question is empty: type a question")
        if not kb_names:
            raise ConfigError("no knowledge base selected")
        config = settings.search_config()
        pools = []
        qvec = None
        for name in kb_names:
            if not knowledge_base_exists(settings.kb_root, name):
                raise KnowledgeBaseNotFound(name)
            searcher = HybridSearcher(self._res.knowledge_base(name), self._res.embedder, config)
            if qvec is None:
                qvec = self._res.embedder.embed_query(query)
            pools.append(searcher.candidates(query, query_vector=qvec, pool=config.top_k))
        return merge_ranked(pools, sum(len(p) for p in pools))

    def search(self, query: str, kb_names: Sequence[str], k: int | None = None, *,
               overrides: Overrides | None = None) -> list[ScoredChunk]:
        """The best chunks for `query` whose relevance reaches the threshold, best first."""
        return self._search(query, kb_names, k, self._settings(overrides))

    def _generator(self, settings: Settings, stop: Stop | None) -> Generator:
        generator = self._res.generator_for(settings)
        return generator if stop is None else Stoppable(generator, stop)  # type: ignore[return-value]

    def ask_stream(self, question: str, kb_names: Sequence[str], history: History | None = None, *,
                   overrides: Overrides | None = None, stop: Stop | None = None) -> Iterator[str | Answer]:
        """Yield the answer's text as it is generated, then the `Answer` with its citations.
        `stop()` returning True ends the generation early (checked between tokens)."""
        settings = self._settings(overrides)
        reply = is_chitchat(question or "")
        if reply is not None:  # 你好, 谢谢, bye …: a fixed reply, no retrieval, no LLM
            return _chitchat_stream(question.strip(), reply)
        return answer_stream(question, kb_names, history, settings=settings,
                             search=lambda q, kbs: self._search(q, kbs, None, settings),
                             generator=lambda: self._generator(settings, stop), embedder=self._res.embedder)

    def ask(self, question: str, kb_names: Sequence[str], history: History | None = None, *,
            overrides: Overrides | None = None) -> Answer:
        """Answer from the knowledge bases, or refuse when they hold nothing relevant."""
        result = None
        for item in self.ask_stream(question, kb_names, history, overrides=overrides):
            if isinstance(item, Answer):
                result = item
        assert result is not None, "answer_stream always ends with an Answer"
        return result

    def chat(self, messages: Sequence[Mapping[str, str]], *, overrides: Overrides | None = None,
             stop: Stop | None = None) -> Iterator[str]:
        """Plain chat with the LLM, no retrieval: stream the reply to the conversation's last
        user message (`messages` as `{"role", "content"}`, earlier turns as context)."""
        settings = self._settings(overrides)
        last = next((m for m in reversed(messages) if m.get("role") == "user"), None)
        if last is None or not str(last.get("content") or "").strip():
            raise ConfigError("the conversation has no user message: add one with the question")
        language = (detect_language(str(last["content"])) if settings.answer_language == "auto"
                    else settings.answer_language)
        request = render_chat(messages, language)  # type: ignore[arg-type]
        assert request is not None
        return self._generator(settings, stop).stream(request)

    def duplicate_of(self, ranked: Sequence[ScoredChunk]) -> list[int | None]:
        """For each passage, the earlier one search would merge it into (None: kept)."""
        return duplicate_of(ranked)

    def highlight_terms(self, text: str) -> list[str]:
        """The words of a question that retrieval matches on (for highlighting)."""
        return query_tokens(text)
