"""Support checking: is a sentence of an answer backed by a passage, and by the one its
`[n]` names?

A claim is supported by a passage when most of its bigrams (character pairs in Chinese,
word pairs in English: app/answering/evidence/tokens.py) occur in one sentence of the
passage, or in two consecutive ones, after folding width, case and script, with
punctuation, whitespace and [n] markers ignored. Every number the claim writes with
digits must occur there too (每5年 is not supported by 每10年), and a claim with a gap
(two CJK characters in a row, or an English content word, that no matching bigram of the
passage covers: an invented name or place), or with a question word the passage lacks
(谁, 什么, which: it asks rather than tells), keeps only half its score. Lead-ins that
state nothing ("根据已知信息，", "The answer is") are ignored. With the question given,
the bigrams the question itself holds count as backed (an answer restates its question
in its own order), except in a claim with no word of its own: an echo of the question
must be backed by the passage itself. A short claim (a number, a name: under
`SHORT_CLAIM_CHARS` characters, or one or two words or numbers) is supported when it
occurs verbatim.

Passage numbers are 1-based, as in `[n]`.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from app.answering.evidence.sentences import split_sentences
from app.answering.evidence.tokens import CITATION_MARK, grams, numbers, strip_citations, tokens
from app.answering.types import SentenceSupport
from core.text import fold
from retrieval.lexical import QUERY_STOPWORDS
from retrieval.relevance import query_terms

log = logging.getLogger(__name__)

# Share of the claim's bigrams found in a passage window. Measured (bench/support_bench.py, CMRC):
# true claims pass (quotes 100%, answers restating the question 98.8%), claims with another
# answer swapped in pass 1.1% (SQuAD 2.0%), echoes of the question 0%; a gap halves a score,
# so any claim with a gap fails at this threshold.
SUPPORT_THRESHOLD = 0.6
SHORT_CLAIM_CHARS = 4
GAP_CHARS = 2  # this many CJK characters in a row that the passage does not back make a gap
GAP_FACTOR = 0.5  # a claim with a gap keeps this share of its score
NAMED_WEIGHT = 7.0  # a question word this rare names a thing a claim can be about (缺陷, 偏差, 新五帆)
# Lead-ins that state no fact ("根据已知信息，", "The answer is").
_LEAD_IN = re.compile(r"^\s*(?:(?:根据|依据|按照|据)(?:已知信息|已知资讯|上述信息|上述内容|以上信息|以上内容|文档|资料|材料|原文|文中|已知内容)(?:所述|记载|显示)?"
                      r"[，,：:]?|(?:答案|回答)(?:是|为)?[：:]?|according to (?:the )?(?:documents?|sources?|passages?|"
                      r"known information|text)[,:]?|the answer is:?)\s*")
_INTERROGATIVE = re.compile(r"谁|什么|哪|多少|为何|怎么|如何|[吗呢][？?]?$|\b(?:who|whom|what|which|when|where|why|how)\b")
_EN_FUNCTION_WORDS = frozenset(QUERY_STOPWORDS) | frozenset(
    "it its they their them he she his her this these those there has have had been not also than then into from "
    "which who whom whose while after before during because so but".split())
_SQUASH = re.compile(r"[\W_]+")
_CITED = re.compile(r"\d+")


def _text_of(passage) -> str:
    """A passage given as text, or as anything with `.text` (Passage, Citation) or `.chunk.text`."""
    if isinstance(passage, str):
        return passage
    chunk = getattr(passage, "chunk", None)
    return chunk.text if chunk is not None else str(getattr(passage, "text", ""))


def _squash(folded: str) -> str:
    return _SQUASH.sub("", folded)


def _windows(passage: str) -> list[tuple[str, ...]]:
    """Folded sentences of the passage, and pairs of consecutive ones."""
    sentences = [fold(s.text) for s in split_sentences(passage)] or [fold(passage)]
    return [(s,) for s in sentences] + list(zip(sentences, sentences[1:], strict=False))


def _mispinned(claim: str, claim_grams: set[str], window: tuple[str, ...], question: str) -> bool:
    """Does the claim say of one thing what the passage says of another?

    The things are the question's rarer words (`NAMED_WEIGHT`: 安全缺陷's 缺陷, 偏差). The
    sentence that holds most of what the claim says must name every one of them the claim
    names, unless it names none of them (its subject is the passage's context): "安全缺陷是
    低于现行安全标准的差异项" is not backed by "安全偏差是指低于现行安全标准的差异项"."""
    named = [t.text for t in query_terms(fold(question)) if t.weight >= NAMED_WEIGHT and t.text in claim]
    if not named:
        return False
    main = max(window, key=lambda s: len(claim_grams & grams(tokens(s))))
    in_main = [t for t in named if t in main]
    asked_elsewhere = [t.text for t in query_terms(fold(question))
                       if t.weight >= NAMED_WEIGHT and t.text in main and t.text not in claim]
    return len(in_main) < len(named) and bool(in_main or asked_elsewhere or any(t in "".join(window) for t in named))


def _has_gap(toks: list[str], found: list[bool], window_tokens: set[str]) -> bool:
    """Does the claim hold something the window lacks: two CJK characters in a row, or an
    English content word, that no found bigram covers?"""
    run = 0
    for i, tok in enumerate(toks):
        covered = (i > 0 and found[i - 1]) or (i < len(found) and found[i])
        if tok.isascii():
            run = 0
            if not covered and tok.isalpha() and tok not in window_tokens and tok not in _EN_FUNCTION_WORDS:
                return True
            continue
        run = 0 if covered else run + 1
        if run >= GAP_CHARS:
            return True
    return False


def support_score(claim: str, passage: str, question: str = "") -> float:
    """How well one passage backs the claim, 0..1 (see the module docs)."""
    folded = _LEAD_IN.sub("", fold(strip_citations(claim)))
    toks = tokens(folded)
    if not toks:
        return 0.0
    body = _squash(folded)
    if len(body) < SHORT_CLAIM_CHARS or len(toks) <= 2:
        return 1.0 if body and body in _squash(fold(passage)) else 0.0
    claim_grams = grams(toks)
    pairs = ["\x1f".join(toks[i:i + 2]) for i in range(len(toks) - 1)]
    question_grams = grams(tokens(fold(question))) if question else set()
    # The question's words count as backed, unless they are nearly all the claim says (an echo).
    granted = question_grams if set(toks) - set(tokens(fold(question))) else set()
    digits = numbers(folded)
    best = 0.0
    for pieces in _windows(passage):
        window = "".join(pieces)
        window_tokens = tokens(window)
        window_grams = grams(window_tokens)
        share = len(claim_grams & (window_grams | granted)) / len(claim_grams)
        if digits:
            share *= len(digits & numbers(window)) / len(digits)
        if share > best and (_has_gap(toks, [p in window_grams or p in granted for p in pairs], set(window_tokens))
                             or any(m.group(0) not in window for m in _INTERROGATIVE.finditer(folded))):
            share *= GAP_FACTOR  # something the passage lacks, or a question word: the claim asks, not tells
        if share > best and question and body not in _squash(window) \
                and _mispinned(folded, claim_grams - granted, pieces, question):  # a quotation pins nothing
            share *= GAP_FACTOR  # it says of one thing what the passage says of another
        best = max(best, share)
        if best >= 1.0:
            break
    return best


def supported_by(claim_sentence: str, passages_texts: Sequence[str], *, question: str = "",
                 threshold: float = SUPPORT_THRESHOLD) -> tuple[int | None, float]:
    """(the 1-based number of the passage that best supports the claim, or None when no
    passage reaches `threshold`; the best overlap score)."""
    best_n, best = None, 0.0
    for n, passage in enumerate(passages_texts, 1):
        score = support_score(claim_sentence, _text_of(passage), question)
        if score > best:
            best_n, best = n, score
    return (best_n if best >= threshold else None), best


def split_answer_sentences(answer_text: str) -> list[str]:
    """The sentences of an answer, each keeping the [n] markers written after it
    ("…一次。[1] 另外…" → "…一次。[1]", "另外…"); marker-only pieces join the sentence before."""
    out: list[str] = []
    for sentence in split_sentences(answer_text):
        text = sentence.text
        lead = re.match(r"(?:" + CITATION_MARK.pattern + r")+", text)
        if lead and out:
            out[-1] += lead.group(0).strip()
            text = text[lead.end():].strip()
        if not text:
            continue
        if not tokens(fold(strip_citations(text))) and out:
            out[-1] += text
            continue
        out.append(text)
    return out


def is_echo(answer_text: str, question: str) -> bool:
    """Does the answer only repeat the question (no word of its own beyond lead-ins and [n])?"""
    answer_tokens = set(tokens(_LEAD_IN.sub("", fold(strip_citations(answer_text)))))
    asked = set(tokens(fold(question)))
    return bool(answer_tokens) and answer_tokens <= asked


def cited_numbers(sentence: str) -> tuple[int, ...]:
    """The passage numbers a sentence's [n] / [n, m] / 【n】 markers name, in order, once each."""
    found: list[int] = []
    for mark in CITATION_MARK.finditer(sentence):
        for number in _CITED.findall(mark.group(0)):
            if int(number) not in found:
                found.append(int(number))
    return tuple(found)


def check_citations(answer_text: str, passages: Sequence, *, question: str = "",
                    threshold: float = SUPPORT_THRESHOLD) -> list[SentenceSupport]:
    """Check every sentence of the answer against the passages (texts, `Passage`s,
    `Citation`s or `ScoredChunk`s, numbered from 1 as in the prompt).

    A sentence is supported by the passage it cites when that one backs it; otherwise by
    the best other passage that does (so a wrong [n] is reported with the right one);
    otherwise it is unsupported (`passage` None)."""
    texts = [_text_of(p) for p in passages]
    results: list[SentenceSupport] = []
    for sentence in split_answer_sentences(answer_text):
        cited = cited_numbers(sentence)
        scores = [support_score(sentence, t, question) for t in texts]
        valid = [n for n in cited if 1 <= n <= len(texts)]
        backing = [n for n in valid if scores[n - 1] >= threshold]
        if backing:
            best = max(backing, key=lambda n: scores[n - 1])
        else:
            best = max(range(1, len(texts) + 1), key=lambda n: scores[n - 1], default=None)
            if best is not None and scores[best - 1] < threshold:
                best = None
        top = max(scores, default=0.0) if best is None else scores[best - 1]
        results.append(SentenceSupport(sentence, cited, best is not None, best, top))
    return results


__all__ = ["SHORT_CLAIM_CHARS", "SUPPORT_THRESHOLD", "SentenceSupport", "check_citations", "cited_numbers", "is_echo",
           "split_answer_sentences", "support_score", "supported_by"]
