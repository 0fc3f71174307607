"""Search and answering over one or more knowledge bases: the one search path and the one
threshold of every interface (CLI, UI, HTTP API).

`overrides` change settings for one call (the UI's sidebar, an API request's
`temperature`); they are validated like the environment, and models stay shared.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence

from app.answering import answer_stream
from app.services.protocols import History, Overrides
from app.services.resources import Resources
from app.settings import Settings
from core.answers import Answer
from core.errors import ConfigError, KnowledgeBaseNotFound
from core.types import ScoredChunk
from retrieval.lexical import query_tokens
from retrieval.search import HybridSearcher, search_many
from retrieval.store import KnowledgeBase


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
            if not KnowledgeBase.exists(settings.kb_root, name):
                raise KnowledgeBaseNotFound(name)
            searchers.append(HybridSearcher(self._res.knowledge_base(name), self._res.embedder, config))
        return search_many(searchers, query, k or config.top_k)

    def search(self, query: str, kb_names: Sequence[str], k: int | None = None, *,
               overrides: Overrides | None = None) -> list[ScoredChunk]:
        """The best chunks for `query` whose relevance reaches the threshold, best first."""
        return self._search(query, kb_names, k, self._settings(overrides))

    def ask_stream(self, question: str, kb_names: Sequence[str], history: History | None = None, *,
                   overrides: Overrides | None = None) -> Iterator[str | Answer]:
        """Yield the answer's text as it is generated, then the `Answer` with its citations."""
        settings = self._settings(overrides)
        return answer_stream(question, kb_names, history, settings=settings,
                             search=lambda q, kbs: self._search(q, kbs, None, settings),
                             generator=lambda: self._res.generator_for(settings))

    def ask(self, question: str, kb_names: Sequence[str], history: History | None = None, *,
            overrides: Overrides | None = None) -> Answer:
        """Answer from the knowledge bases, or refuse when they hold nothing relevant."""
        result = None
        for item in self.ask_stream(question, kb_names, history, overrides=overrides):
            if isinstance(item, Answer):
                result = item
        assert result is not None, "answer_stream always ends with an Answer"
        return result

    def highlight_terms(self, text: str) -> list[str]:
        """The words of a question that retrieval matches on (for highlighting)."""
        return query_tokens(text)
