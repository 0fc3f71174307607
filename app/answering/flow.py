"""The answer flow, in two steps:

    question ─▶ `retrieve`: chit-chat? ─▶ search ─▶ nothing passes? refuse ─▶ evidence ─▶ quotation (no LLM)
             ─▶ `generate`: the quotation ─▶ pack the prompt ─▶ the model drafts, each
                sentence checked as it ends ─▶ Answer                                          (the LLM)

`retrieve` never touches the LLM, so a question that is refused or answered by a fixed
reply never waits for it (the HTTP API runs only `generate` under its generation gate),
and the quotation that answers before the model is ready then too: the first words come
as soon as the evidence is scored, whatever the model. What streams is final: the
`Answer.text` is the streamed pieces joined (`first_text_ms`: when the first came).
The flow is given a `Retriever` (retrieval/search.py's `MultiSearcher`) and a `Generator`
(app/llm), and an explicit `AnswerConfig`; the services wire in the real ones, the tests
their fakes.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from app.answering.checked_draft import DraftChecker, DraftContext
from app.answering.compose import checked_quotation, is_echo, is_short, source_label
from app.answering.config import AnswerConfig, AnswerLanguage, Drafting
from app.answering.evidence.asks import Ask, analyse
from app.answering.evidence.dense import dense_weight
from app.answering.evidence.findings import Finding, FindingKind, find_answer
from app.answering.evidence.scoring import select_evidence
from app.answering.followups import retrieval_query
from app.answering.passages import citations, prompt_passages
from app.answering.render import Rendered, render
from app.answering.types import Answer, Evidence, SentenceSupport
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
    greeting or thanks: a fixed reply; a quotation the model is not asked to add to);
    `started` is when the question arrived (`time.perf_counter()`), which every timing counts
    from; `quote` is what answers before the model, when the evidence does.
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
    quote: Quote | None = None  # the evidence quoted, shown before the model runs


@dataclass(frozen=True, slots=True)
class Quote:
    """The best evidence quoted (the documents' own characters, each part with its [n]) and
    each part's check: shown before the model runs."""

    text: str
    sentences: tuple[SentenceSupport, ...]


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
        timings["first_text_ms"] = timings["total_ms"]
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
        timings["total_ms"] = timings["first_text_ms"] = _ms(time.perf_counter() - t0)
        return Retrieved(question, language, script, query, timings=timings, started=t0,
                         answer=Answer(question, text, True, (), timings, language, query))
    candidates = [e for e in select_evidence(question, results, limit=EVIDENCE_CANDIDATES,
                                             embedder=retriever.embedder, dense_weight=dense_weight(language))
                  if not is_echo(e.text, question)]  # the question itself is no evidence
    ask = analyse(question)
    finding = find_answer(ask, results, candidates, retriever.document_text, config.threshold)
    timings["evidence_ms"] = _ms(time.perf_counter() - t_retrieved)
    if finding.kind == FindingKind.SENTENCE:  # quoted at once; the model may add to it
        evidence = (list(finding.evidence) + [e for e in candidates if e not in finding.evidence])[:EVIDENCE_SENTENCES]
        text, checks = checked_quotation(evidence, language, question, [r.chunk.text for r in results], finding.lead)
        if config.drafting == Drafting.QUOTE:
            timings["total_ms"] = timings["first_text_ms"] = _ms(time.perf_counter() - t0)
            numbers = set(range(1, min(config.shown, len(results)) + 1)) | {c.passage for c in checks if c.passage}
            answer = Answer(question, text, False, citations(results, numbers), timings, language, query,
                            evidence=tuple(evidence), sentences=checks, quoted=True)
            return Retrieved(question, language, script, query, tuple(results), tuple(evidence), timings, t0, answer)
        return Retrieved(question, language, script, query, tuple(results), tuple(evidence), timings, t0,
                         lead=finding.lead, quote=Quote(text, checks))
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
    timings["total_ms"] = timings["first_text_ms"] = _ms(time.perf_counter() - t0)
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


def generate(retrieved: Retrieved, generator: Generator, config: AnswerConfig, *,
             opened: bool = False) -> Iterator[str | Answer]:
    """Yield the answer's text pieces, then the `Answer`, whose text is exactly the pieces joined.

    The quotation (`retrieved.quote`) comes first, before the model is touched; `opened`: the
    caller has shown it already (the API, while the LLM was busy) and it is not yielded
    again. The model's sentences then stream as each is finished and checked
    (checked_draft.py). Without a quotation, a draft that kept nothing is followed by the
    quotation of the evidence or, without evidence, by the refusal; a bare short one by the
    sentence it comes from. A `retrieved` that is answered already yields that answer.
    """
    if retrieved.answer is not None:
        yield from _given(retrieved.answer)
        return
    t0, question, language, quote = retrieved.started, retrieved.question, retrieved.language, retrieved.quote
    timings = dict(retrieved.timings)
    shown = ""
    if quote is not None:
        if opened:  # shown by the caller as soon as the evidence was scored
            timings["first_text_ms"] = round(timings.get("retrieval_ms", 0.0) + timings.get("evidence_ms", 0.0), 1)
        else:
            timings["first_text_ms"] = _ms(time.perf_counter() - t0)
            yield quote.text
        shown = quote.text
    t_prompt = time.perf_counter()
    request, count = prompt_request(retrieved, generator, config, timings)
    timings["prompt_build_ms"] = _ms(time.perf_counter() - t_prompt)
    passages = tuple(r.chunk.text for r in retrieved.results)
    checker = DraftChecker(DraftContext(question, passages, retrieved.script, retrieved.evidence), shown)
    pieces: list[str] = []
    t_first = None
    for piece in generator.stream(request):
        if t_first is None:
            t_first = time.perf_counter()
            timings["model_first_token_ms"] = _ms(t_first - t0)
        pieces.append(piece)
        if text := checker.feed(piece):
            timings.setdefault("first_text_ms", _ms(time.perf_counter() - t0))
            yield text
    if text := checker.close():
        timings.setdefault("first_text_ms", _ms(time.perf_counter() - t0))
        yield text
    timings["generation_ms"] = _ms(time.perf_counter() - (t_first or time.perf_counter()))
    timings["answer_tokens"] = generator.count_tokens("".join(pieces).strip())
    closing = Quote("", ()) if quote is not None else _closing(retrieved, checker.shown)
    if closing.text:
        timings.setdefault("first_text_ms", _ms(time.perf_counter() - t0))
        yield closing.text
    timings["first_token_ms"] = timings["first_text_ms"]  # when the first piece of an LLM answer was shown
    timings["total_ms"] = _ms(time.perf_counter() - t0)
    sentences = (quote.sentences if quote else ()) + tuple(c for j in checker.kept for c in j.checks) \
        + closing.sentences
    refused = not checker.shown and not closing.sentences and bool(closing.text)
    cited = {s.passage for s in sentences if s.passage is not None}
    # A refusal keeps the passages the model was given: the user can still read what was found.
    yield Answer(question, checker.shown + closing.text, refused,
                 citations(retrieved.results, set(range(1, count + 1)) | cited), timings, language, retrieved.query,
                 evidence=retrieved.evidence, sentences=sentences, quoted=quote is not None or bool(closing.sentences))


def _closing(retrieved: Retrieved, model: str) -> Quote:
    """The text that follows the model's sentences when no quotation came first: the quotation
    when none was kept (or the refusal, without evidence), the sentence it comes from after a
    bare short one, nothing after a whole answer."""
    language, evidence, passages = retrieved.language, retrieved.evidence, [r.chunk.text for r in retrieved.results]
    if not evidence:
        return Quote("" if model else in_script(REFUSALS[language][0], retrieved.script), ())
    if model and not is_short(model, language):
        return Quote("", ())
    text, checks = checked_quotation(evidence, language, retrieved.question, passages, retrieved.lead)
    return Quote(source_label(language, retrieved.script) + text if model else text, checks)  # the label is Yizhi's


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


__all__ = ["Quote", "Retrieved", "Retriever", "answer_language", "answer_stream", "generate", "prompt_request",
           "retrieve"]
