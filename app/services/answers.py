"""Search and answering over one or more knowledge bases: the one search path and the one
threshold of every interface (CLI, UI, HTTP API). The answer itself is made by
app/answering; this service wires it to the open knowledge bases and the shared models.

`overrides` change settings for one call (the UI's sidebar, an API request's
`temperature`); they are validated like the environment, and models stay shared.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace

from app.answering.flow import answer_language
from app.answering.multipart import generate_parts, retrieve_parts, whole
from app.answering.numbering import in_listing_order, numbered_stream
from app.answering.types import Answer
from app.llm.generator import Generator
from app.llm.stoppable import Stop, stoppable
from app.services import limits
from app.services.protocols import History, Overrides
from app.services.records import KbMatch, PreparedAnswer
from app.services.resources import Resources
from app.settings import Settings
from core.errors import ConfigError
from core.types import ScoredChunk
from prompts.chat import render_chat
from retrieval.duplicates import duplicate_of
from retrieval.lexical import query_tokens
from retrieval.search import MultiSearcher

log = logging.getLogger(__name__)


class LocalAnswerService:
    """The `AnswerService` over this process's knowledge bases and models."""

    def __init__(self, resources: Resources) -> None:
        self._res = resources

    def _settings(self, overrides: Overrides | None) -> Settings:
        return self._res.settings.with_overrides(overrides)

    def _retriever(self, kb_names: Sequence[str], settings: Settings, k: int | None = None) -> MultiSearcher:
        kb_names = limits.knowledge_base_list(self._res.settings, kb_names)
        return MultiSearcher(kb_names, self._res.knowledge_base, self._res.embedder, settings.search_config(), k)

    def candidates(self, query: str, kb_names: Sequence[str], *,
                   overrides: Overrides | None = None) -> list[ScoredChunk]:
        """The whole candidate pool of `query`, before the threshold: every fused candidate
        with its relevance and its vector and BM25 ranks, best first by score. For showing
        what the threshold keeps and drops (the UI's retrieval test page); `search` is what
        answering uses."""
        limits.check_question(self._res.settings, query, "query")
        return self._retriever(kb_names, self._settings(overrides)).candidates(query)

    def search(self, query: str, kb_names: Sequence[str], k: int | None = None, *,
               overrides: Overrides | None = None) -> list[ScoredChunk]:
        """The best chunks for `query` whose relevance reaches the threshold, best first."""
        limits.check_question(self._res.settings, query, "query")
        settings = self._settings(overrides)
        return self._retriever(kb_names, settings, k).search(query)

    def matches_in(self, query: str, kb_names: Sequence[str], *,
                   overrides: Overrides | None = None) -> list[KbMatch]:
        """The knowledge bases among `kb_names` where `query` finds a passage that reaches the
        threshold, best first: what a refusal over other knowledge bases can point to. Each is
        searched alone, as it would be if the user asked it."""
        limits.check_question(self._res.settings, query, "query")
        settings = self._settings(overrides)
        found = []
        for name in limits.knowledge_base_list(self._res.settings, kb_names):
            best = self._retriever([name], settings, 1).search(query)
            if best:
                found.append(KbMatch(name, best[0].relevance))
        return sorted(found, key=lambda m: m.relevance, reverse=True)

    def _generator(self, settings: Settings, stop: Stop | None) -> Generator:
        return stoppable(self._res.generator_for(settings), stop)

    def prepare(self, question: str, kb_names: Sequence[str], history: History | None = None, *,
                overrides: Overrides | None = None) -> PreparedAnswer:
        """Search and score the evidence (no LLM); a question that needs no LLM (a refusal,
        a greeting) is answered already. `PreparedAnswer.stream()` generates the rest. A
        question that asks several things is answered part by part (app/answering/multipart.py)."""
        limits.check_question(self._res.settings, question)
        history = limits.check_history(self._res.settings, history)
        settings = self._settings(overrides)
        config = settings.answer_config()
        search = settings.search_config()
        reading = replace(search, score_threshold=min(search.score_threshold, config.floor))
        retriever = MultiSearcher(kb_names, self._res.knowledge_base, self._res.embedder, reading,
                                  max(search.top_k, config.passages))
        parts = retrieve_parts(question, history, retriever, config)  # one, or each part of a question of several
        retrieved = whole(parts, config)
        if retrieved.answer is not None:  # its [n] start at [1] in the order its sources are listed
            retrieved = replace(retrieved, answer=in_listing_order(retrieved.answer))

        def finish(stop: Stop | None, opened: bool = False) -> Iterator[str | Answer]:
            shown = retrieved.quote.text if opened and retrieved.quote is not None else ""
            return numbered_stream(generate_parts(parts, lambda: self._generator(settings, stop), config,
                                                  opened=opened), len(retrieved.results), shown=shown)

        return PreparedAnswer(retrieved, finish)

    def ask_stream(self, question: str, kb_names: Sequence[str], history: History | None = None, *,
                   overrides: Overrides | None = None, stop: Stop | None = None) -> Iterator[str | Answer]:
        """Yield the answer's text as it is shown (the quotation of the evidence, then the model's
        sentences as each is checked: the `Answer.text` is the pieces joined), then the `Answer`.
        `stop()` returning True ends the generation early (checked between tokens). The search
        runs now, so a bad setting or a missing knowledge base raises here, not mid-stream."""
        return self.prepare(question, kb_names, history, overrides=overrides).stream(stop)

    def ask(self, question: str, kb_names: Sequence[str], history: History | None = None, *,
            overrides: Overrides | None = None) -> Answer:
        """Answer from the knowledge bases, or refuse when they hold nothing relevant."""
        return self.prepare(question, kb_names, history, overrides=overrides).answer_whole()

    def chat(self, messages: Sequence[Mapping[str, str]], *, overrides: Overrides | None = None,
             stop: Stop | None = None) -> Iterator[str]:
        """Plain chat with the LLM, no retrieval: stream the reply to the conversation's last
        user message (`messages` as `{"role", "content"}`, earlier turns as context)."""
        *earlier, last = messages or [{}]
        limits.check_question(self._res.settings, str(last.get("content") or ""))
        limits.check_history(self._res.settings, earlier)
        settings = self._settings(overrides)
        last = next((m for m in reversed(messages) if m.get("role") == "user"), None)
        if last is None or not str(last.get("content") or "").strip():
            raise ConfigError("the conversation has no user message: add one with the question")
        request = render_chat(messages, answer_language(str(last["content"]), settings.answer_config()))
        if request is None:
            raise ConfigError("the conversation has no user message: add one with the question")
        return self._generator(settings, stop).stream(request)

    def duplicate_of(self, ranked: Sequence[ScoredChunk]) -> list[int | None]:
        """For each passage, the earlier one search would merge it into (None: kept)."""
        return duplicate_of(ranked)

    def highlight_terms(self, text: str) -> list[str]:
        """The words of a question that retrieval matches on (for highlighting)."""
        return query_tokens(text)


__all__ = ["LocalAnswerService"]
