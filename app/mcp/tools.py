"""The tools themselves, over the services only: blocking calls, which the server runs in
worker threads (and the LLM's part through its `AnswerRunner`, one answer at a time).

Every knowledge base a request names is checked first (an unknown one is an error that
says how to list them), within the number one request may name (`max_knowledge_bases`);
texts are checked by the services against the limits settings.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from app.answering.types import Answer, Citation
from app.mcp.arguments import AskArguments, PassageArguments, SearchArguments
from app.mcp.results import (
    AskResult,
    DocumentInfo,
    DocumentList,
    KnowledgeBaseInfo,
    KnowledgeBaseList,
    Passage,
    PassageResult,
    SearchResult,
    Sentence,
    Source,
    parse_passage_id,
    passage_id,
)
from app.services import Services
from app.services.limits import knowledge_base_list
from app.services.records import PreparedAnswer
from core.errors import ConfigError, KnowledgeBaseNotFound
from core.types import Chunk, ScoredChunk

AnswerRunner = Callable[[PreparedAnswer], Awaitable[Answer]]  # runs the LLM's part of a prepared answer


def documents_uri(kb_name: str) -> str:
    return f"yizhi://knowledge_bases/{kb_name}/documents"


def _passage(kb_name: str | None, chunk: Chunk, score: float = 0.0, relevance: float = 0.0) -> Passage:
    return Passage(passage_id(kb_name, chunk), kb_name, chunk.source, chunk.page, chunk.heading, chunk.text,
                   round(score, 6), round(relevance, 4))


class YizhiTools:
    def __init__(self, services: Services) -> None:
        self.services = services

    def knowledge_bases(self, names: Sequence[str] | None) -> list[str]:
        """The knowledge bases a request names, each once and all existing; every one when
        it names none."""
        knowledge = self.services.knowledge
        if names is None:
            names = knowledge.list_knowledge_bases()
            if not names:
                raise ConfigError("there are no knowledge bases yet: add documents with "
                                  "`python -m ingest PATH --kb NAME` (or the web UI) first")
        names = knowledge_base_list(self.services.settings, names)
        for name in names:
            if not knowledge.exists(name):
                raise KnowledgeBaseNotFound(name)
        return names

    def list_knowledge_bases(self) -> KnowledgeBaseList:
        knowledge = self.services.knowledge
        return KnowledgeBaseList(tuple(
            KnowledgeBaseInfo(name, len(knowledge.documents(name)), knowledge.chunk_count(name), documents_uri(name))
            for name in knowledge.list_knowledge_bases()))

    def documents(self, kb_name: str) -> DocumentList:
        records = self.services.knowledge.documents(kb_name)
        return DocumentList(kb_name, tuple(DocumentInfo(r.path, str(r.status), r.chunks, r.pages, r.error)
                                           for r in records))

    def search(self, args: SearchArguments) -> SearchResult:
        if not args.query.strip():
            raise ConfigError("the query is empty: give words or a question to look for", "query")
        names = self.knowledge_bases(args.knowledge_bases)
        hits = self.services.answers.search(args.query, names, args.k)
        return SearchResult(args.query, tuple(self._hit(names, hit) for hit in hits))

    def _hit(self, names: Sequence[str], hit: ScoredChunk) -> Passage:
        owner = self.services.knowledge.knowledge_base_of(names, hit.chunk)
        return _passage(owner, hit.chunk, hit.score, hit.relevance)

    def prepare(self, args: AskArguments) -> tuple[list[str], PreparedAnswer]:
        """The question searched and its evidence scored (no LLM yet)."""
        if not args.question.strip():
            raise ConfigError("the question is empty: ask something", "question")
        names = self.knowledge_bases(args.knowledge_bases)
        return names, self.services.answers.prepare(args.question, names)

    def ask_result(self, names: Sequence[str], prepared: PreparedAnswer, answer: Answer) -> AskResult:
        """The answer with its sources (as passages, with ids to read around them) and
        which of its sentences a source supports."""
        results = prepared.retrieved.results
        sources = tuple(Source(c.index, self._source(names, c, results)) for c in answer.citations)
        sentences = tuple(Sentence(s.text, s.supported, s.passage, s.cited) for s in answer.sentences)
        return AskResult(answer.question, answer.text, answer.refused, answer.supported, sources, sentences)

    def _source(self, names: Sequence[str], citation: Citation, results: Sequence[ScoredChunk]) -> Passage:
        """A cited passage; its id from the search result it is, when it is one (sources are
        numbered in listing order, not by rank: it is found by its file and text)."""
        found = next((r.chunk for r in results
                      if r.chunk.source == citation.source and r.chunk.text == citation.text), None)
        if found is not None:
            owner = self.services.knowledge.knowledge_base_of(names, found)
            return _passage(owner, found, citation.score, citation.relevance)
        return Passage(None, None, citation.source, citation.page, citation.heading, citation.text,
                       round(citation.score, 6), round(citation.relevance, 4))

    def get_passage(self, args: PassageArguments) -> PassageResult:
        kb_name, chunk_id = parse_passage_id(args.passage_id)
        self.knowledge_bases([kb_name])
        window = self.services.knowledge.passage(kb_name, chunk_id, args.radius)
        return PassageResult(_passage(kb_name, window.passage), tuple(_passage(kb_name, c) for c in window.before),
                             tuple(_passage(kb_name, c) for c in window.after))


__all__ = ["AnswerRunner", "YizhiTools", "documents_uri"]
