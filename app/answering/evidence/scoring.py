"""Evidence: the sentences of the retrieved passages that answer the question, ranked.

Every sentence of every passage (app/answering/evidence/sentences.py) gets a score

    W_COVERAGE  · the question's IDF-weighted content words it holds (retrieval/relevance.py)
  + W_CONTEXT   · the same, with the passage's topic words (those of its title or heading,
                  or of many of its sentences) counted as present: "牠们栖息在…" is about
                  the bird the passage is about although it does not name it (only for a
                  sentence that holds a question word or opens with a pronoun: 他 该 this …)
  + W_BIGRAM    · the share of the question's character bigrams it holds (jieba splits
                  questions and passages differently; bigrams do not care), the topic's
                  bigrams counted as present as for W_CONTEXT
  + W_CUE       · a candidate answer of the expected type (app/answering/evidence/cues.py)
  + W_PREV      · how well the sentence before it matches the question (the answer often
                  follows the sentence that restates the question's subject)
  + W_NEXT      · the same for the sentence after it
  + W_RANK      · 1 / the passage's rank
  + W_RELEVANCE · the passage's calibrated relevance (measured: adds nothing over the rank)
  + W_DENSE     · cosine of the question's and the sentence's vectors (when given)
  − W_ECHO      · the sentence is the question's own words and nothing else, or a question
                  itself (an FAQ heading: its answer is the next sentence)
  − W_SHORT     · the sentence is a heading-like fragment ("5.3.2.1 准备阶段")

The weights were chosen with bench/evidence_bench.py on CMRC 2018, SQuAD and DuReader
(the figures are in its docstring; CMRC top-1 0.757 against 0.663 for the most-shared-
bigrams baseline); `Weights` lets the benchmark try others. Those sets hold no echoes, so
W_ECHO is set on principle: an exact echo loses to every sentence that adds something.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from app.answering.evidence.cues import AnswerType, CueSpan, answer_type, best_span, cue_score
from app.answering.evidence.dense import with_dense
from app.answering.evidence.sentences import Sentence, split_sentences
from app.answering.evidence.tokens import grams, tokens
from app.answering.types import Evidence
from core.text import fold
from core.types import ScoredChunk
from retrieval.relevance import QueryTerm, coverage, query_terms

if TYPE_CHECKING:
    from retrieval.embedders import Embedder

log = logging.getLogger(__name__)

W_COVERAGE = 0.1
W_CONTEXT = 1.0
W_BIGRAM = 0.5
W_CUE = 0.25
W_PREV = 0.15
W_NEXT = 0.1
W_RANK = 0.15
W_RELEVANCE = 0.0  # measured: tuned in, it lost on held-out CMRC (0.757 → 0.743)
W_DENSE = 0.0  # measured: USE sentence vectors add nothing (CMRC top-1 0.757 → 0.753); try with a stronger model
W_ECHO = 2.0
W_SHORT = 0.25
SHORT_TOKENS = 6  # fewer overlap tokens than this: a heading or a fragment
# A section whose own heading holds the question's words answers it as a whole: "这个应用能做什么？"
# under "用户指南 > 已知能做什么" (a noun after a demonstrative weighs a tenth, so 0.88 there).
# Only a section's heading: every sentence of an article is about its title, not an answer to it.
HEADED = 0.85
ASKED_ECHO = 0.5
TOPIC_SHARE = 0.4  # a question word in at least this share of a passage's sentences (and 2) is its topic
_QUESTION_WORDS = re.compile(r"什么样|什么|哪一|哪些|哪个|哪里|哪儿|哪|多少|多久|多长|多大|几|谁|怎么样|怎么|怎样|如何|为什么|为何"
                             r"|是否|吗|呢|请问"
                             r"|\b(?:what|which|who|whom|whose|when|where|why|how|does|do|did|is|are|was|were)\b")


# A question without its question mark (a web page's title, a line of an FAQ): "大便常规能检查出肠癌吗".
_ASKS = re.compile(r"吗\s*$|(?:什么|怎么|怎样|哪|谁|为什么|如何|多少)[^。！!；;，,]*呢\s*$|^\s*请问")


# A sentence that opens with one of these is about something named before it (牠们栖息在…).
_ANAPHOR = re.compile(r"^\W*(?:[^\w\s]*\w{0,12}[，,]\s*)?(?:他们|她们|它们|牠们|他|她|它|牠|其|该|此|这|那|本|两者|前者|后者"
                      r"|(?:they|it|he|she|its|his|her|their|this|these|the)\b)")


@dataclass(frozen=True, slots=True)
class Weights:
    coverage: float = W_COVERAGE
    context: float = W_CONTEXT
    bigram: float = W_BIGRAM
    cue: float = W_CUE
    prev: float = W_PREV
    next: float = W_NEXT
    rank: float = W_RANK
    relevance: float = W_RELEVANCE
    dense: float = W_DENSE
    echo: float = W_ECHO
    short: float = W_SHORT


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True, slots=True)
class Candidate:
    """A sentence with its features (each 0..1) before weighting."""

    passage: int
    result: ScoredChunk
    sentence: Sentence
    features: dict[str, float]
    spans: tuple[CueSpan, ...] = ()
    score: float = 0.0


def passage_sentences(results: Sequence[ScoredChunk], *, max_chars: int | None = None) -> list[list[Sentence]]:
    """The sentences of each result's chunk text (embed these for `sentence_vectors`)."""
    return [split_sentences(r.chunk.text, max_chars=max_chars) for r in results]


def section_heading(heading: str) -> str:
    """The last part of a "Title > Section" heading ("" for a title alone)."""
    parts = [p.strip() for p in heading.split(" > ")]
    return parts[-1] if len(parts) >= 2 else ""


def question_grams(question: str) -> set[str]:
    """The question's character (word, for English) bigrams, question words left out."""
    return grams(tokens(_QUESTION_WORDS.sub(" ", fold(question))))


def _topic(terms: Sequence[QueryTerm], folded_sentences: Sequence[str], heading: str) -> str:
    """The question words a passage is about: in its heading, or in many of its sentences."""
    topic = []
    for term in terms:
        if heading and coverage([term], heading) >= 1.0:
            topic.append(term.text)
            continue
        n = sum(1 for s in folded_sentences if coverage([term], s) >= 1.0)
        if n >= 2 and n >= TOPIC_SHARE * len(folded_sentences):
            topic.append(term.text)
    return " ".join(topic)


def sentence_candidates(question: str, results: Sequence[ScoredChunk], *, query_vector: np.ndarray | None = None,
                        sentence_vectors: Sequence[np.ndarray] | None = None,
                        max_chars: int | None = None) -> list[Candidate]:
    """Every sentence of every result with its features (scores not yet computed)."""
    folded_q = fold(question)
    terms = query_terms(folded_q)
    q_grams = question_grams(question)
    q_tokens = set(tokens(folded_q))
    kind = answer_type(question)
    if sentence_vectors is not None and len(sentence_vectors) != len(results):
        raise ValueError(f"{len(results)} results but {len(sentence_vectors)} arrays of sentence vectors")
    out: list[Candidate] = []
    for rank, (result, sentences) in enumerate(zip(results, passage_sentences(results, max_chars=max_chars),
                                                   strict=True), 1):
        folded_all = [fold(s.text) for s in sentences]
        topic = _topic(terms, folded_all, fold(result.chunk.heading))
        topic_grams = grams(tokens(topic)) & q_grams if topic else set()
        headed = bool(topic) and coverage(terms, fold(section_heading(result.chunk.heading))) >= HEADED
        matches, rows = [], []
        for sentence, folded in zip(sentences, folded_all, strict=True):
            toks = tokens(folded)
            s_grams = grams(toks)
            shared = len(q_grams & s_grams)
            cov = coverage(terms, folded)
            # a question (or a sentence quoting one: 可以直接说“它支持哪些格式？”) restates, it does not answer
            asks = "?" in sentence.text or "？" in sentence.text or bool(_ASKS.search(sentence.text))
            echo = shared / len(s_grams) if s_grams and (asks or not set(toks) - q_tokens) else 0.0
            if asks:  # a question answers nothing, whatever it asks (its answer is the next sentence)
                echo = max(echo, ASKED_ECHO)
            cue, spans = cue_score(sentence.text, kind, question) if kind != AnswerType.OTHER else (0.0, [])
            matches.append((cov + (shared / len(q_grams) if q_grams else 0.0)) / 2)
            in_context = bool(topic) and (cov > 0 or headed or bool(_ANAPHOR.match(folded)))
            held = len(q_grams & (s_grams | topic_grams)) if in_context else shared
            bigram = held / len(q_grams) if q_grams else 0.0
            rows.append({"coverage": cov, "context": coverage(terms, folded + "\n" + topic) if in_context else cov,
                         "bigram": bigram, "cue": cue, "rank": 1.0 / rank,
                         "relevance": min(1.0, max(0.0, result.relevance)), "echo": echo,
                         "short": 1.0 if len(toks) < SHORT_TOKENS else 0.0, "dense": 0.0, "spans": spans})
        vectors = sentence_vectors[rank - 1] if sentence_vectors is not None and query_vector is not None else None
        if vectors is not None and len(vectors) != len(sentences):
            raise ValueError(f"passage {rank} has {len(sentences)} sentences but {len(vectors)} vectors")
        for i, (sentence, row) in enumerate(zip(sentences, rows, strict=True)):
            row["prev"] = matches[i - 1] if i > 0 else 0.0
            row["next"] = matches[i + 1] if i + 1 < len(matches) else 0.0
            if vectors is not None:
                row["dense"] = max(0.0, float(np.dot(np.asarray(vectors[i]), np.asarray(query_vector))))
            spans = row.pop("spans")
            best = best_span(sentence.text, spans, [t.text for t in terms])
            ordered = ([best] if best else []) + [s for s in spans if s is not best]
            out.append(Candidate(rank, result, sentence, row, tuple(ordered)))
    return out


def score_candidates(candidates: Sequence[Candidate], weights: Weights = DEFAULT_WEIGHTS) -> list[Candidate]:
    """The candidates with their scores, best first (ties keep passage and sentence order)."""
    scored = []
    for c in candidates:
        f = c.features
        score = (weights.coverage * f["coverage"] + weights.context * f["context"] + weights.bigram * f["bigram"]
                 + weights.cue * f["cue"]
                 + weights.prev * f["prev"] + weights.next * f["next"] + weights.rank * f["rank"]
                 + weights.relevance * f["relevance"]
                 + weights.dense * f["dense"] - weights.echo * f["echo"] - weights.short * f["short"])
        scored.append(replace(c, score=score))
    return sorted(scored, key=lambda c: -c.score)


def to_evidence(candidate: Candidate) -> Evidence:
    chunk, sentence = candidate.result.chunk, candidate.sentence
    span = candidate.spans[0] if candidate.spans else None
    return Evidence(passage=candidate.passage, source=chunk.source, page=chunk.page, chunk_id=chunk.chunk_id,
                    text=sentence.text, start=sentence.start, end=sentence.end, score=candidate.score,
                    span=span.text if span else "", span_start=sentence.start + span.start if span else None,
                    span_end=sentence.start + span.end if span else None)


def select_evidence(question: str, results: Sequence[ScoredChunk], *, query_vector: np.ndarray | None = None,
                    sentence_vectors: Sequence[np.ndarray] | None = None, limit: int = 3,
                    max_chars: int | None = None, weights: Weights = DEFAULT_WEIGHTS,
                    embedder: Embedder | None = None, dense_weight: float = 0.0) -> list[Evidence]:
    """The `limit` best evidence sentences of the results, best first.

    `sentence_vectors`, one array per result aligned with `passage_sentences(results,
    max_chars=…)`, and `query_vector` add embedding similarity to every sentence (the
    benchmark's way); `embedder` with a `dense_weight` adds it to the few best only
    (app/answering/evidence/dense.py, the answer's way). A sentence repeated in overlapping
    chunks is given once (its best occurrence).
    """
    if not question.strip() or not results or limit <= 0:
        return []
    ranked = score_candidates(sentence_candidates(question, results, query_vector=query_vector,
                                                  sentence_vectors=sentence_vectors, max_chars=max_chars), weights)
    if embedder is not None and dense_weight > 0:
        ranked = with_dense(question, ranked, embedder, dense_weight)
    out: list[Evidence] = []
    seen: set[str] = set()
    for candidate in ranked:
        key = fold(candidate.sentence.text)
        if key in seen:
            continue
        seen.add(key)
        out.append(to_evidence(candidate))
        if len(out) >= limit:
            break
    return out


__all__ = ["DEFAULT_WEIGHTS", "Candidate", "Evidence", "Weights", "passage_sentences", "question_grams",
           "score_candidates", "select_evidence", "sentence_candidates", "to_evidence"]
