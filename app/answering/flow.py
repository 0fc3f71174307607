"""The answer flow, in two steps:

    question ─▶ `retrieve`: chit-chat? ─▶ search ─▶ nothing passes? refuse ─▶ evidence     (no LLM)
             ─▶ `generate`: pack the prompt ─▶ the model drafts ─▶ compose ─▶ Answer          (the LLM)

`retrieve` never touches the LLM, so a question that is refused or answered by a fixed
reply never waits for it (the HTTP API runs only `generate` under its generation gate).
The flow is given a `Retriever` (retrieval/search.py's `MultiSearcher`) and a `Generator`
(app/llm), and an explicit `AnswerConfig`; the services wire in the real ones, the tests
their fakes.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from collections.abc import Generator as PyGenerator
from dataclasses import dataclass, field
from typing import Protocol

from app.answering.compose import compose, is_echo
from app.answering.config import AnswerConfig, AnswerLanguage
from app.answering.evidence.asks import Ask, analyse
from app.answering.evidence.dense import dense_weight
from app.answering.evidence.findings import Finding, FindingKind, find_answer
from app.answering.evidence.scoring import select_evidence
from app.answering.followups import retrieval_query
from app.answering.passages import citations, prompt_passages
from app.answering.render import Rendered, render
from app.answering.types import Answer, Evidence
from app.llm.generator import Generator
from core.enums import Language
from core.errors import ConfigError
from core.text import Script, detect_language, in_script, script_of
from core.types import ScoredChunk
from prompts.chitchat import chitchat_reply
from prompts.packing import pack_or_truncate
from prompts.templates import ANSWER_CUES, REFUSALS, STOP_SEQUENCES, render_prompt
from prompts.types import GenerationRequest, History
from retrieval.embedders import Embedder

log = logging.getLogger(__name__)

# Tokens kept free in the context window besides the passages and the answer.
_CTX_MARGIN = 16
EVIDENCE_SENTENCES = 3
EVIDENCE_CANDIDATES = 16  # sentences findings.py looks through (a value's sentence is not always the best-worded)


class Retriever(Protocol):
    """Searches the knowledge bases of one question (retrieval/search.py `MultiSearcher`)."""

    @property
    def embedder(self) -> Embedder: ...

    def search(self, query: str) -> list[ScoredChunk]: ...

    def document_text(self, source: str) -> str: ...


@dataclass(frozen=True, slots=True)
class Retrieved:
    """A question searched and its evidence scored: everything before the LLM.

    `answer` is set when no LLM is needed (nothing passed the threshold: a refusal; a
    greeting or thanks: a fixed reply); `started` is when the question arrived
    (`time.perf_counter()`), which every timing counts from.
    """

    question: str
    language: Language
    script: Script
    query: str
    results: tuple[ScoredChunk, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)
    started: float = 0.0
    answer: Answer | None = None
    lead: str = ""  # what the best evidence is about when it opens with a pronoun (findings.py)


@dataclass(frozen=True, slots=True)
class Draft:
    """What the model wrote, and when."""

    text: str
    first_token_ms: float | None
    generation_ms: float
    tokens: int


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def answer_language(question: str, config: AnswerConfig) -> Language:
    return detect_language(question) if config.language == AnswerLanguage.AUTO else Language(config.language)


def retrieve(question: str, history: History | None, retriever: Retriever, config: AnswerConfig) -> Retrieved:
    """Search for the question and score the evidence; answer at once what needs no LLM."""
    if not question or not question.strip():
        raise ConfigError("the question is empty: type a question")
    question = question.strip()
    t0 = time.perf_counter()
    reply = chitchat_reply(question)
    if reply is not None:  # 你好, 谢谢, bye …: a fixed reply, no retrieval, no LLM
        language = detect_language(question)
        timings = {"retrieval_ms": 0.0, "total_ms": _ms(time.perf_counter() - t0)}
        return Retrieved(question, language, script_of(question), "", timings=timings, started=t0,
                         answer=Answer(question, reply, refused=False, timings=timings, language=language))
    language = answer_language(question, config)
    script = script_of(question) if language == Language.ZH else Script.LATIN
    query = retrieval_query(question, history)
    results = retriever.search(query)
    t_retrieved = time.perf_counter()
    timings: dict[str, float] = {"retrieval_ms": _ms(t_retrieved - t0)}
    if not results:
        log.info("nothing passed the score threshold for %r: refusing without the LLM", query)
        text = in_script(REFUSALS[language][0], script)
        timings["total_ms"] = _ms(time.perf_counter() - t0)
        return Retrieved(question, language, script, query, timings=timings, started=t0,
                         answer=Answer(question, text, True, (), timings, language, query))
    candidates = [e for e in select_evidence(question, results, limit=EVIDENCE_CANDIDATES,
                                             embedder=retriever.embedder, dense_weight=dense_weight(language))
                  if not is_echo(e.text, question)]  # the question itself is no evidence
    ask = analyse(question)
    finding = find_answer(ask, results, candidates, retriever.document_text, config.threshold)
    timings["evidence_ms"] = _ms(time.perf_counter() - t_retrieved)
    if finding.kind == FindingKind.SENTENCE:  # the model may say it better; the quotation stands by
        evidence = list(finding.evidence) + [e for e in candidates if e not in finding.evidence]
        return Retrieved(question, language, script, query, tuple(results), tuple(evidence[:EVIDENCE_SENTENCES]),
                         timings, t0, lead=finding.lead)
    answer = _answered_by(finding, ask, results, script, query, timings, t0, config.shown)
    return Retrieved(question, language, script, query, tuple(results), answer.evidence, timings, t0, answer)


def _answered_by(finding: Finding, ask: Ask, results: Sequence[ScoredChunk], script: Script, query: str,
                 timings: dict[str, float], t0: float, shown: int) -> Answer:
    """The answer a finding gives without the model: a table cell, a list, a value's sentence,
    or a refusal that says what the documents do not give (NOT_GIVEN) or only refuses (NONE);
    the best passages found are listed either way."""
    language = ask.language
    if finding.kind == FindingKind.NONE:
        rendered = Rendered(in_script(REFUSALS[language][0], script), True, quoted=False)
    else:
        rendered = render(finding, ask, results, script, [r.chunk.text for r in results])
    timings["total_ms"] = _ms(time.perf_counter() - t0)
    # the sources shown: the best `shown` (the user's top_k) and every passage the answer quotes
    numbers = set(range(1, min(shown, len(results)) + 1)) | {e.passage for e in rendered.evidence} \
        | {c.passage for c in rendered.cells}
    return Answer(ask.question, rendered.text, rendered.refused, citations(results, numbers),
                  timings, language, query, evidence=rendered.evidence, sentences=rendered.sentences,
                  quoted=rendered.quoted and not rendered.refused, cells=rendered.cells)


def prompt_request(retrieved: Retrieved, generator: Generator, config: AnswerConfig,
                   timings: dict[str, float]) -> tuple[GenerationRequest, int]:
    """The filled template within the token budget, and how many passages it shows."""
    question, language = retrieved.question, retrieved.language
    empty_prompt = render_prompt(question, "", language)
    budget = min(config.token_budget, generator.context_window - generator.max_tokens
                 - generator.count_tokens(empty_prompt) - _CTX_MARGIN)
    passages = prompt_passages(retrieved.results[:config.shown], retrieved.evidence, config.context)
    packed, shown = pack_or_truncate(passages, generator.count_tokens, budget, language)
    if not shown:
        raise ConfigError(f"no room for any passage in the prompt: the model's context window "
                          f"({generator.context_window} tokens) less its answer ({generator.max_tokens}) "
                          f"leaves {budget} tokens")
    timings["context_tokens"] = packed.tokens
    timings["passages"] = packed.count
    request = GenerationRequest(prompt=render_prompt(question, packed.text, language),
                                answer_cue=ANSWER_CUES[language].replace("{question}", question),
                                stop=STOP_SEQUENCES[language])
    timings["prompt_tokens"] = generator.count_tokens(request.prompt + request.answer_cue)  # the API's `usage`
    return request, len(shown)


def drafted(generator: Generator, request: GenerationRequest, stream: bool, t0: float) -> PyGenerator[str, None, Draft]:
    """The model's draft, piece by piece; the pieces are yielded as they come only when
    `stream` (chat models), and the whole `Draft` is returned."""
    t_first = None
    pieces: list[str] = []
    for piece in generator.stream(request):
        if t_first is None:
            t_first = time.perf_counter()
        pieces.append(piece)
        if stream:
            yield piece
    text = "".join(pieces)
    return Draft(text, _ms(t_first - t0) if t_first is not None else None,
                 _ms(time.perf_counter() - (t_first or time.perf_counter())), generator.count_tokens(text.strip()))


def generate(retrieved: Retrieved, generator: Generator, config: AnswerConfig) -> Iterator[str | Answer]:
    """Yield the answer's text pieces, then the `Answer`.

    A chat model's draft streams as it is generated; a base model's short draft is checked
    first, so what streams is the answer itself. The final `Answer.text` is what to show:
    it differs from the streamed pieces when a chat model's draft was replaced by a
    quotation. A `retrieved` that is answered already yields that answer.
    """
    if retrieved.answer is not None:
        yield from _given(retrieved.answer)
        return
    t0, question, language = retrieved.started, retrieved.question, retrieved.language
    timings = dict(retrieved.timings)
    t_prompt = time.perf_counter()
    request, shown = prompt_request(retrieved, generator, config, timings)
    timings["prompt_build_ms"] = _ms(time.perf_counter() - t_prompt)
    draft = yield from _timed(drafted(generator, request, generator.chat, t0), timings, t0)
    streamed = "first_token_ms" in timings
    if draft.first_token_ms is not None:
        timings["model_first_token_ms"] = draft.first_token_ms
    timings["generation_ms"] = draft.generation_ms
    timings["answer_tokens"] = draft.tokens
    results = retrieved.results
    composed = compose(question, draft.text, retrieved.evidence, [r.chunk.text for r in results],
                       language=language, script=retrieved.script, refusal=REFUSALS[language][0],
                       relevances=[r.relevance for r in results], answered=True, lead=retrieved.lead)
    cited = {s.passage for s in composed.sentences if s.passage is not None}
    if not streamed:
        timings["first_token_ms"] = _ms(time.perf_counter() - t0)
        yield composed.text
    elif composed.text != draft.text.strip():
        yield "\n\n" + composed.text
    timings["total_ms"] = _ms(time.perf_counter() - t0)
    # A refusal keeps the passages the model was given: the user can still read what was found.
    yield Answer(question, composed.text, composed.refused, citations(results, set(range(1, shown + 1)) | cited),
                 timings, language, retrieved.query, evidence=retrieved.evidence, sentences=composed.sentences,
                 quoted=composed.quoted)


def _timed(pieces: PyGenerator[str, None, Draft], timings: dict[str, float],
           t0: float) -> PyGenerator[str, None, Draft]:
    """`pieces` passed on, noting when the first one was shown (`first_token_ms`)."""
    first = True
    while True:
        try:
            piece = next(pieces)
        except StopIteration as done:
            return done.value
        if first:
            timings["first_token_ms"] = _ms(time.perf_counter() - t0)
            first = False
        yield piece


def _given(answer: Answer) -> Iterator[str | Answer]:
    yield answer.text
    yield answer


def answer_stream(question: str, history: History | None, retriever: Retriever,
                  generator: Callable[[], Generator], config: AnswerConfig) -> Iterator[str | Answer]:
    """`retrieve`, then `generate` with the generator that `generator()` makes: it is called
    only when there is something to answer from, so a refusal never loads the LLM."""
    retrieved = retrieve(question, history, retriever, config)
    if retrieved.answer is not None:
        yield from _given(retrieved.answer)
    else:
        yield from generate(retrieved, generator(), config)


__all__ = ["Draft", "Retrieved", "Retriever", "answer_language", "answer_stream", "drafted", "generate",
           "prompt_request", "retrieve"]
