"""The model's draft checked sentence by sentence as it is written (pure: no model, no I/O).

What streams is final: a sentence is shown only once it is over and checked, and nothing
shown is taken back. A sentence is over when a later one has begun with a word of its own,
or when the draft ends: until then its [n] marks, its closing quote or a number's decimals
may still be coming ("…一次。[1" is held back; "3." waits for "5"). It is then shown, ending
in the [n] of the passage that backs it, when

    it is usable           it says something, and is no refusal, echo of the question or loop
    it is supported        every part of it is backed by a passage (`check_citations`, the
                           threshold and rules of compose.py)
    it is on the evidence  when the best evidence is given: it says what one of its sentences
                           says (`on_evidence`), or, once something shown says that (the
                           quotation, or an earlier sentence), it names what the question asks
                           about (a content word of the question: "我是海盗", copied from an
                           instruction planted in a passage, is backed but about nothing asked)
    it is new              it does not say again what is shown already (the quotation, or an
                           earlier sentence: small models repeat themselves)

and dropped otherwise (`Verdict` says why). The text shown is the concatenation of what
`DraftChecker.feed` and `close` return, so the answer is exactly what streamed.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from app.answering.compose import SAME_SENTENCE, is_cjk_end, on_evidence, usable, with_marks
from app.answering.evidence.sentences import split_sentences
from app.answering.evidence.support import check_citations, support_score
from app.answering.evidence.tokens import CITATION_MARK, strip_citations
from app.answering.types import Evidence, SentenceSupport
from core.text import Script, fold, in_script
from retrieval.relevance import query_terms

# What may still follow a finished sentence and belongs to it: [n] marks, whole or begun.
_MARKS_ONLY = re.compile(r"\s*(?:(?:\[|【)[\d\s,，、-]*(?:\]|】)?\s*)*")


class Verdict(StrEnum):
    """What became of one sentence of the draft."""

    SHOWN = "shown"
    UNUSABLE = "unusable"  # no word, a refusal, an echo of the question, a loop
    UNSUPPORTED = "unsupported"  # a part no passage backs
    OFF_EVIDENCE = "off_evidence"  # backed, but neither what the best evidence says nor about the question
    REPEATED = "repeated"  # says again what is shown already


@dataclass(frozen=True, slots=True)
class DraftContext:
    """What a draft is checked against: `passages` numbered from 1 as in the prompt; `script`
    the question's (the draft is shown in it); `evidence` the best evidence sentences, which
    a sentence must agree with (none: any supported sentence will do)."""

    question: str
    passages: tuple[str, ...]
    script: Script
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class Judged:
    """One sentence of the draft and what became of it: `text` as shown (with its [n]) or as
    written when dropped; `checks` its support, one per claim."""

    text: str
    verdict: Verdict
    checks: tuple[SentenceSupport, ...] = ()


def _spans(text: str) -> list[int]:
    """Where each sentence of `text` starts, found with its [n] marks blanked out: a mark
    between a full stop and the next sentence ("in 1937.[1] The") is the first one's."""
    masked = CITATION_MARK.sub(lambda m: " " * len(m.group(0)), text)
    return [s.start for s in split_sentences(masked)]


def sentences(text: str) -> list[str]:
    """The sentences of finished draft text, each with the [n] marks written after it."""
    starts = _spans(text)
    if not starts:
        return []
    starts[0] = 0  # marks before the first sentence stay with it
    return [s for s in (text[a:b].strip() for a, b in zip(starts, [*starts[1:], len(text)], strict=True)) if s]


def finished(buffer: str) -> tuple[str, str]:
    """The draft so far split in two: the sentences that are over, and the rest, still being
    written (see the module docs). `finished(b)[0] + finished(b)[1] == b`."""
    starts = _spans(buffer)
    if len(starts) < 2:
        return "", buffer
    last = len(starts) - 1
    if _MARKS_ONLY.fullmatch(buffer[starts[last]:]):  # "…一次。[1": the mark is the sentence's
        last -= 1
    if last < 1:
        return "", buffer
    return buffer[:starts[last]], buffer[starts[last]:]


def judge(sentence: str, context: DraftContext, shown: str, anchored: bool = False) -> Judged:
    """One finished sentence of the draft, checked against the passages and what is shown;
    `anchored`: what is shown says what the evidence says already."""
    text = in_script(sentence.strip(), context.script)
    if not usable(sentence, context.question):  # as the model wrote it: refusals are known in its script
        return Judged(text, Verdict.UNUSABLE)
    checks = tuple(check_citations(text, context.passages, question=context.question))
    if not checks or not all(c.supported for c in checks):
        return Judged(text, Verdict.UNSUPPORTED, checks)
    if context.evidence and not on_evidence(checks, context.evidence, context.question) \
            and not (anchored and about_question(text, context.question)):
        return Judged(text, Verdict.OFF_EVIDENCE, checks)
    if shown.strip() and support_score(text, strip_citations(shown)) >= SAME_SENTENCE:
        return Judged(text, Verdict.REPEATED, checks)
    marked = with_marks(checks)
    return Judged(marked, Verdict.SHOWN, tuple(check_citations(marked, context.passages, question=context.question)))


def about_question(sentence: str, question: str) -> bool:
    """Does the sentence name one of the question's content words?"""
    folded = fold(strip_citations(sentence))
    return any(term.text in folded for term in query_terms(fold(question)))


def joined(shown: str, sentence: str) -> str:
    """What to append to `shown` to add `sentence`: nothing between Chinese sentences, a
    space otherwise (as `with_marks` joins them)."""
    if not shown:
        return sentence
    return sentence if is_cjk_end(shown) and is_cjk_end(sentence) else " " + sentence


@dataclass
class DraftChecker:
    """Feed it the draft's pieces as they come; each call returns the text to show now ("" when
    no sentence was finished and kept). `shown` is everything shown so far, what was shown
    before the draft (the quotation, which says what the evidence says) included; `judged`
    every finished sentence."""

    context: DraftContext
    shown: str = ""
    judged: list[Judged] = field(default_factory=list)
    _buffer: str = ""
    _anchored: bool = False

    def __post_init__(self) -> None:
        self._anchored = bool(self.shown.strip())

    def feed(self, piece: str) -> str:
        self._buffer += piece
        done, self._buffer = finished(self._buffer)
        return self._show(done)

    def close(self) -> str:
        """The draft has ended: its last sentence is over, with or without a full stop."""
        done, self._buffer = self._buffer, ""
        return self._show(done)

    @property
    def kept(self) -> list[Judged]:
        return [j for j in self.judged if j.verdict == Verdict.SHOWN]

    def _show(self, done: str) -> str:
        out = []
        for sentence in sentences(done):
            judged = judge(sentence, self.context, self.shown, self._anchored)
            self.judged.append(judged)
            if judged.verdict == Verdict.SHOWN:
                self._anchored = True
                piece = joined(self.shown, judged.text)
                self.shown += piece
                out.append(piece)
        return "".join(out)


def model_text(judged: Sequence[Judged]) -> str:
    """The kept sentences joined as they were shown (without what came before the draft)."""
    shown = ""
    for j in judged:
        if j.verdict == Verdict.SHOWN:
            shown += joined(shown, j.text)
    return shown


__all__ = ["DraftChecker", "about_question", "DraftContext", "Judged", "Verdict", "finished", "joined", "judge", "model_text", "sentences"]
