"""A question that asks several things, answered part by part (parts.py cuts it).

    question ─▶ parts ─▶ each part: `retrieve` (flow.py) ─▶ one numbering of their passages
             ─▶ each part: its answer without the LLM, or `generate` ─▶ one `Answer`

Each part is asked as if it were asked alone in the same conversation, so each has its own
evidence and citations, or its own refusal. The answer gives the parts in order, each under
its own question ("1. 資料儲存在哪裡？"), and streams part after part; its passages are
numbered once across the parts (part_numbers.py). It is refused only when every part is.

A question of one part goes through the flow as it always has. A Traditional question (or
part) the documents do not answer as written is asked again in the mainland's words for
things (`mainland_phrasing`: 資料儲存 → 數據保存), which most documents use; the answer
keeps the question as written.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

from app.answering.config import AnswerConfig
from app.answering.flow import Retrieved, Retriever, answer_language, generate, retrieve
from app.answering.part_numbers import Numbering, mark_stream, number_parts, renumbered, renumbered_evidence
from app.answering.parts import question_parts
from app.answering.types import Answer
from app.llm.generator import Generator
from core.text import mainland_phrasing, script_of
from prompts.types import History

log = logging.getLogger(__name__)

PART_HEADING = "{number}. {question}"
PART_SEPARATOR = "\n\n"
# Timings that add up across the parts; `first_token_ms` and `model_first_token_ms` are the
# first part's, `total_ms` runs from the question to the end of the last part.
_SUMMED = ("retrieval_ms", "evidence_ms", "prompt_build_ms", "generation_ms", "answer_tokens", "context_tokens",
           "passages", "prompt_tokens")
_FIRST = ("first_token_ms", "model_first_token_ms")


@dataclass(frozen=True, slots=True)
class Parts:
    """A question's parts, each searched and scored (`retrieve`), their passages numbered
    once (`numbering`); `asked` are the parts as written."""

    question: str
    asked: tuple[str, ...]
    retrieved: tuple[Retrieved, ...]
    numbering: Numbering


def retrieve_parts(question: str, history: History | None, retriever: Retriever, config: AnswerConfig) -> Parts:
    """Search for each part of the question and score its evidence (no LLM)."""
    asked = question_parts(question)
    retrieved = tuple(_retrieved(part, history, retriever, config) for part in asked)
    numbering = number_parts([r.results for r in retrieved], config.shown)
    return Parts(question, asked, retrieved, numbering)


def _retrieved(part: str, history: History | None, retriever: Retriever, config: AnswerConfig) -> Retrieved:
    """`retrieve` of the part as written; a Traditional part that finds no answer in Taiwan's
    words for things is asked again in the mainland's (資料 → 數據), and that one is kept
    when it finds one. Only then: OpenCC's table also turns words both sides use into others
    (核心 → 內核, 文件 → 文檔), so a part answered as written stays as it is."""
    retrieved = retrieve(part, history, retriever, config)
    phrased = mainland_phrasing(part)
    if phrased == part or retrieved.answer is None or not retrieved.answer.refused:
        return retrieved
    again = retrieve(phrased, history, retriever, config)
    if again.answer is not None and again.answer.refused:
        return retrieved
    log.info("%r found no answer; asked in the mainland's words for things, %r did", part, phrased)
    return again


def whole(parts: Parts, config: AnswerConfig) -> Retrieved:
    """The question as one `Retrieved` (what the interfaces read before the answer comes):
    the passages of every part as numbered across them, the answer when no part needs the LLM."""
    if len(parts.retrieved) == 1:
        return _as_asked(parts.retrieved[0], parts.question)
    first = parts.retrieved[0]
    ready = [r.answer for r in parts.retrieved]
    answer = None
    if all(a is not None for a in ready):
        answer = _merged(parts, [a for a in ready if a is not None], config)
    evidence = tuple(e for r, numbers in zip(parts.retrieved, parts.numbering.numbers)
                     for e in renumbered_evidence(r.evidence, numbers))
    timings = _timings(parts, [r.timings for r in parts.retrieved])
    return Retrieved(parts.question, answer_language(parts.question, config), script_of(parts.question),
                     "\n".join(r.query for r in parts.retrieved), parts.numbering.results, evidence, timings,
                     first.started, answer)


def generate_parts(parts: Parts, generator: Callable[[], Generator], config: AnswerConfig, *,
                   opened: bool = False) -> Iterator[str | Answer]:
    """Yield the answer's text pieces, part after part, then the `Answer`. `generator()` is
    called once, when the first part that needs the LLM comes. `opened`: a question of one
    part whose quotation the caller has shown (`generate`); one of several has no opening
    (`whole` gives it no quote), each part's quotation comes under its heading."""
    if len(parts.retrieved) == 1:
        yield from _one(parts, generator, config, opened)
        return
    made: list[Generator] = []

    def model() -> Generator:
        if not made:
            made.append(generator())
        return made[0]

    answers: list[Answer] = []
    for number, (asked, retrieved, numbers) in enumerate(zip(parts.asked, parts.retrieved,
                                                              parts.numbering.numbers), 1):
        yield (PART_SEPARATOR if number > 1 else "") + PART_HEADING.format(number=number, question=asked) + "\n"
        marks = mark_stream(numbers)
        items = iter([retrieved.answer]) if retrieved.answer is not None else generate(retrieved, model(), config)
        for item in items:
            if isinstance(item, Answer):
                answers.append(item)
            else:
                piece = marks.feed(item)
                if piece:
                    yield piece
        if retrieved.answer is not None:
            yield renumbered(retrieved.answer, numbers).text
        rest = marks.flush()
        if rest:
            yield rest
    yield _merged(parts, answers, config)


def _one(parts: Parts, generator: Callable[[], Generator], config: AnswerConfig,
         opened: bool) -> Iterator[str | Answer]:
    """A question of one part: the flow's own answer, under the question as written."""
    retrieved = _as_asked(parts.retrieved[0], parts.question)
    if retrieved.answer is not None:
        yield retrieved.answer.text
        yield retrieved.answer
        return
    written = parts.question.strip()
    for item in generate(retrieved, generator(), config, opened=opened):
        yield replace(item, question=written) if isinstance(item, Answer) and item.question != written else item


def _as_asked(retrieved: Retrieved, question: str) -> Retrieved:
    """`retrieved` whose answer keeps the question as the user wrote it (it was asked in the
    mainland's words)."""
    written = question.strip()
    if retrieved.answer is None or retrieved.answer.question == written:
        return retrieved
    return replace(retrieved, answer=replace(retrieved.answer, question=written))


def _merged(parts: Parts, answers: Sequence[Answer], config: AnswerConfig) -> Answer:
    """The parts' answers as one, each under its own question, the passages numbered across them."""
    numbered = [renumbered(a, numbers) for a, numbers in zip(answers, parts.numbering.numbers)]
    text = PART_SEPARATOR.join(PART_HEADING.format(number=k, question=asked) + "\n" + a.text
                               for k, (asked, a) in enumerate(zip(parts.asked, numbered), 1))
    citations = {c.index: c for a in numbered for c in a.citations}
    answered = [a for a in numbered if not a.refused]
    return Answer(parts.question, text, not answered, tuple(citations[n] for n in sorted(citations)),
                  _timings(parts, [a.timings for a in answers]), answer_language(parts.question, config),
                  "\n".join(a.query for a in answers),
                  evidence=tuple(e for a in numbered for e in a.evidence),
                  sentences=tuple(s for a in numbered for s in a.sentences),
                  quoted=bool(answered) and all(a.quoted for a in answered),
                  cells=tuple(c for a in numbered for c in a.cells))


def _timings(parts: Parts, timings: Sequence[dict[str, float]]) -> dict[str, float]:
    out: dict[str, float] = {}
    for name in _SUMMED:
        values = [t[name] for t in timings if name in t]
        if values:
            out[name] = round(sum(values), 1)
    for name in _FIRST:
        value = next((t[name] for t in timings if name in t), None)
        if value is not None:
            out[name] = value
    started = parts.retrieved[0].started
    ends = [(r.started - started) * 1000 + t["total_ms"] for r, t in zip(parts.retrieved, timings) if "total_ms" in t]
    out["total_ms"] = round(max(ends), 1) if ends else round((time.perf_counter() - started) * 1000, 1)
    return out


__all__ = ["PART_HEADING", "Parts", "generate_parts", "retrieve_parts", "whole"]
