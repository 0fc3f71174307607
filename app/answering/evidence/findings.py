"""What the passages say to a question, decided before any model writes a word.

    keys ─ a name, code or number the question asks about is in no passage of its document
           ("农业银行" asked, "兴业银行" found)                        → NOT_GIVEN (says which)
    a table row the question names, and the column it asks for       → TABLE    (the cell)
    LIST  ─ the enumeration whose lead holds the subject              → LIST     (every item)
    VALUE ─ a sentence about the subject that holds a value of the
            kind asked (a number, a date, a name, an organisation)    → VALUE    (that sentence)
            none, though the passages are about the subject          → NOT_GIVEN (says what is missing)
    REASON ─ a sentence that gives a cause about the subject          → SENTENCE (the cause first)
    otherwise, a sentence that holds enough of the subject           → SENTENCE
    nothing that does                                                 → NONE     (refuse)

A quotation that does not answer is worse than none: a question for a number gets a
sentence with a number about its subject, or is told that the documents do not give it.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePath

from app.answering.evidence.answer_types import AnswerType
from app.answering.evidence.asks import Ask, AskKind
from app.answering.evidence.cues import cue_spans
from app.answering.evidence.lists import ListBlock, find_list
from app.answering.evidence.sentences import split_sentences
from app.answering.evidence.strength import strong_sentence
from app.answering.evidence.tables import CellAnswer, find_cells, table_rows
from app.answering.evidence.values import compact, holds_value, names_attribute, pair_share, reliably_typed
from app.answering.types import Evidence
from core.enums import Language
from core.text import HAN_CHAR, fold
from core.types import ScoredChunk
from retrieval.relevance import coverage

# A sentence answers by itself when it holds this share of the question's subject (its
# passage's topic counted, as in the evidence score: scoring.py `context`).
ENOUGH_SUBJECT = 0.5
TOP_SENTENCES = 3  # the best sentences of a relevant passage answer with half that share
CLOSE_TO_BEST = 0.85  # a sentence with a name or place asked for, scored this close to the best, is preferred
_CONSEQUENCE = re.compile(r"^\W*(?:因此|所以|因而|故|于是|这使得|从而|therefore|thus|so)\b", re.IGNORECASE)
class FindingKind(StrEnum):
    TABLE = "table"
    LIST = "list"
    VALUE = "value"
    SENTENCE = "sentence"
    NOT_GIVEN = "not_given"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Finding:
    """The answer the passages hold, or why they hold none.

    `evidence`: the sentences quoted, best first (VALUE, SENTENCE); `cell` (TABLE); `block`
    (LIST); `topic`: the subject words the passages hold and `missing` what they lack (a key
    word, or the kind of value), for a NOT_GIVEN."""

    kind: FindingKind
    evidence: tuple[Evidence, ...] = ()
    cell: CellAnswer | None = None
    cell_passage: int = 0
    block: ListBlock | None = None
    topic: tuple[str, ...] = ()
    missing: str = ""
    lead: str = ""  # what a quoted sentence opening with a pronoun is about (its section's heading)


DocumentText = Callable[[str], str]  # a found document's whole text in matching form (Retriever.document_text)
def _holds_a_name(ask: Ask, results: Sequence[ScoredChunk], index: int, document_text: DocumentText) -> bool:
    chunk = results[index].chunk
    held = compact(chunk.heading + chunk.text)
    return any(compact(name) in held for name in ask.names)


def missing_keys(ask: Ask, results: Sequence[ScoredChunk], index: int, document_text: DocumentText) -> list[str]:
    """The question's key words that the passage's document (or its file's name) does not hold
    anywhere. An English question asked of a Chinese document is held to its numbers and codes only."""
    chunk = results[index].chunk
    whole = "|".join((compact(chunk.heading + chunk.text), compact(document_text(chunk.source)),
                      compact(PurePath(chunk.source).stem)))
    chinese_document = HAN_CHAR.search(chunk.text) is not None
    return [k for k in ask.keys if compact(k) not in whole and not _other_language(k, ask.language, chinese_document)]


def _other_language(key: str, language: Language, chinese_document: bool) -> bool:
    """A word that cannot be in a document of the other language (Texas / 德克萨斯州): not held to it."""
    if any(c.isdigit() for c in key):
        return False
    if language == Language.EN and chinese_document:
        return key.isascii()
    return not chinese_document and HAN_CHAR.search(key) is not None


def topic_words(ask: Ask, text: str) -> tuple[str, ...]:
    """The question's subject words a passage holds, in the question's order (at most three)."""
    folded = fold(text)
    held = [t.text for t in ask.subject if t.weight >= 4 and t.text in folded]
    return tuple(dict.fromkeys(held))[:3]


def _enough(ask: Ask, evidence: Evidence) -> float:
    """The share of the subject a sentence must hold: half, or a quarter when the question and
    the passage are written in different languages (their words meet only in names)."""
    latin_passage = not HAN_CHAR.search(evidence.text)
    return ENOUGH_SUBJECT / 2 if latin_passage != (ask.language == Language.EN) else ENOUGH_SUBJECT


def _about(ask: Ask, evidence: Evidence, results: Sequence[ScoredChunk]) -> float:
    """The share of the subject a sentence holds with its heading and the sentence before it,
    which often names what it goes on about ("…其他元素…。Y 含量为不大于0.005%。"), and its
    file's name, which names what the whole document is about ("GB/T 3620.1-2016" asked of
    GBT3620.1-2016.pdf: no sentence of it repeats that)."""
    chunk = results[evidence.passage - 1].chunk
    before = [s for s in split_sentences(chunk.text[:evidence.start]) if s.text.strip()]
    context = before[-1].text if before else ""
    named_by_file = [t for t in ask.subject if len(t.text) >= 2 and compact(t.text) in compact(PurePath(chunk.source).stem)]
    held = coverage(list(ask.subject), fold(context + "\n" + evidence.text + "\n" + chunk.heading))
    if not named_by_file:
        return held
    rest = [t for t in ask.subject if t not in named_by_file]
    return coverage(rest, fold(context + "\n" + evidence.text + "\n" + chunk.heading)) if rest else held


def find_answer(ask: Ask, results: Sequence[ScoredChunk], evidence: Sequence[Evidence],
                document_text: DocumentText, threshold: float = 1.0) -> Finding:
    """What the ranked passages (and their best evidence sentences) answer to the question.

    `threshold` is the search's relevance threshold: a passage that reaches it is about the
    question, so its best sentences answer with a quarter of the subject; one read below it
    (asked in other words) answers only with a sentence that holds half of it."""
    if not results:
        return Finding(FindingKind.NONE)
    # A passage read below the threshold (asked in other words) answers only a question that
    # names its subject (LIMA, word embedding, a code): without one, it is about something else.
    keyed = [i for i in range(len(results)) if not missing_keys(ask, results, i, document_text)]
    table = _table(ask, results, keyed)  # a row the question names answers from any passage read
    if table is not None:
        return table
    readable = [i for i in range(len(results))
                if results[i].relevance >= threshold or _holds_a_name(ask, results, i, document_text)]
    if not readable:
        return Finding(FindingKind.NONE)
    usable = [i for i in readable if i in keyed]
    if not usable:
        lacking = missing_keys(ask, results, readable[0], document_text)
        return Finding(FindingKind.NOT_GIVEN, topic=topic_words(ask, results[readable[0]].chunk.text),
                       missing=lacking[0])
    usable_set = {i + 1 for i in usable}
    kept = [e for e in evidence if e.passage in usable_set]
    if ask.kind == AskKind.LIST and (counted := _counted(ask, kept[:TOP_SENTENCES])) is not None:
        return Finding(FindingKind.SENTENCE, evidence=(counted,), lead=_lead(counted, results))
    if ask.kind == AskKind.LIST:
        block = find_list(list(ask.subject), [results[i] for i in usable])
        if block is not None:
            passage = usable[block.passage - 1] + 1
            return Finding(FindingKind.LIST, block=_renumbered(block, passage))
    relevances = [r.relevance for r in results]
    if ask.kind == AskKind.VALUE:
        valued = [e for e in kept if holds_value(e.text, ask) and names_attribute(ask, e, results)
                  and _about(ask, e, results) >= _enough(ask, e)]
        if not reliably_typed(ask) and kept:  # names and places are found loosely: only near the best sentence
            valued = [e for e in valued if e.score >= CLOSE_TO_BEST * kept[0].score]
        if valued and ask.language == Language.ZH:  # the one that holds most of the question first (年假
            # 15天, not 病假 30天), a second only as much; English sentences keep the evidence score's order
            # (their letter pairs say nothing, and their words are shared by every sentence of the document)
            shares = {id(e): pair_share(compact(ask.question), compact(e.text)) for e in valued}
            valued.sort(key=lambda e: -shares[id(e)])
            valued = valued[:1] + [e for e in valued[1:2] if shares[id(e)] >= shares[id(valued[0])]]
        if valued:
            second = valued[1:2]
            return Finding(FindingKind.VALUE, evidence=(valued[0], *second), lead=_lead(valued[0], results))
        if reliably_typed(ask):  # no number (date, code) about the subject: the documents do not give it
            top = results[usable[0]].chunk
            return Finding(FindingKind.NOT_GIVEN, topic=topic_words(ask, top.heading + top.text),
                           missing=ask.value.value)
    settled: list[Evidence] = []  # sentences that say the whole of what is asked whether
    if ask.kind == AskKind.YESNO and ask.focus:  # what is asked whether: "有没有安排债项评级" → 安排, 债项, 评级
        focus = [t for t in ask.subject if t.text in ask.focus]
        kept = [e for e in kept if coverage(focus, fold(e.text)) >= 0.5]
        # "未进行债项评级安排" answers "这期…有没有安排债项评级" in a document about that issue alone
        settled = [e for e in kept[:TOP_SENTENCES] if len(focus) >= 2 and coverage(focus, fold(e.text)) >= 1.0]
    about = [e for i, e in enumerate(kept)
             if e in settled or strong_sentence(e, relevances, ask.language)
             or _about(ask, e, results) >= (_enough(ask, e) / 2 if i < TOP_SENTENCES and ask.kind == AskKind.REASON
                                            else _enough(ask, e))]
    if not about:
        return Finding(FindingKind.NONE)
    if ask.kind == AskKind.REASON:
        about = _causes_first(about, results)
        about = [_with_cause(e, results) for e in about]
    return Finding(FindingKind.SENTENCE, evidence=tuple(about[:2]), lead=_lead(about[0], results))


_ITEM_START = re.compile(r"^\s*(?:\d{1,2}[.、)）]|[（(]\d{1,2}[)）]|[①②③④⑤⑥⑦⑧⑨⑩])")
_ANAPHOR = re.compile(r"^[\W\d]*(?:[^，。,.]{0,12}[，,]\s*)?(?:它|其|该|此|这|他|她|they\b|it\b|its\b|this\b)",
                      re.IGNORECASE)


def _lead(evidence: Evidence, results: Sequence[ScoredChunk]) -> str:
    """The section a sentence that opens with a pronoun is about ("它是唯一一个…" under
    "… > milvus"), or ""."""
    heading = results[evidence.passage - 1].chunk.heading
    if " > " not in heading or not _ANAPHOR.match(evidence.text):
        return ""
    return re.sub(r"^\s*(?:[-*+•]|\d{1,3}[.)、])\s*", "", heading.split(" > ")[-1]).strip()


_ZH_COUNT = re.compile(r"哪([两二三四五六七八九十\d])\s*(种|个|类|项|点|部分|步|方面|条|大)")


def _counted(ask: Ask, best: Sequence[Evidence]) -> Evidence | None:
    """For "哪两种手段", one of the best sentences that says "两种…" itself (it lists them)."""
    match = _ZH_COUNT.search(fold(ask.question))
    if match is None:
        return None
    number = match.group(1)
    said = re.compile("[" + number + {"两": "二", "二": "两"}.get(number, "") + "](?:种|个|类|项|点|部分|步|方面|条|大)")
    return next((e for e in best if said.search(fold(e.text))), None)


def _renumbered(block: ListBlock, passage: int) -> ListBlock:
    return ListBlock(passage, block.lead, block.items, block.start, block.end, block.inline)


def _table(ask: Ask, results: Sequence[ScoredChunk], usable: Sequence[int]) -> Finding | None:
    """A cell of a table row the question names, in the passages that hold no key word less."""
    wanted = "reason" if ask.kind == AskKind.REASON else ask.value.value
    best: tuple[CellAnswer, int] | None = None
    for i in usable:
        found = find_cells(ask.question, ask.subject, ask.keys, table_rows(results[i].chunk.text), wanted)
        if found is not None and (best is None or found.score > best[0].score):
            best = (found, i + 1)
    if best is None or ask.kind in (AskKind.LIST, AskKind.OTHER) and best[0].score < 1.0:
        return None
    return Finding(FindingKind.TABLE, cell=best[0], cell_passage=best[1])


def _with_cause(evidence: Evidence, results: Sequence[ScoredChunk]) -> Evidence:
    """A sentence that draws a consequence ("因此，这对有效管理 KV cache 挑战较大。") with the
    sentence before it, which gives the cause, and, when that is an item of an enumeration
    ("2. 动态变化…"), every item before it and their lead ("其具有以下特点:1. 显存占用大…")."""
    if not _CONSEQUENCE.match(evidence.text):
        return evidence
    text = results[evidence.passage - 1].chunk.text
    before = [s for s in split_sentences(text) if s.end <= evidence.start]
    if not before:
        return evidence
    first = len(before) - 1
    while first > 0 and _ITEM_START.match(before[first].text):
        first -= 1
    start = before[first].start
    return Evidence(evidence.passage, evidence.source, evidence.page, evidence.chunk_id, text[start:evidence.end],
                    start, evidence.end, evidence.score, evidence.span, evidence.span_start, evidence.span_end)


def _causes_first(about: list[Evidence], results: Sequence[ScoredChunk]) -> list[Evidence]:
    """Sentences that give a cause (因为, 由于, 为了, because …) before the others; a sentence
    that draws a consequence (因此…) brings the sentence before it, which holds the cause."""
    def gives_cause(e: Evidence) -> bool:
        return bool(cue_spans(e.text, AnswerType.REASON)) or bool(_CONSEQUENCE.match(e.text))

    return sorted(about, key=lambda e: not gives_cause(e))


__all__ = ["ENOUGH_SUBJECT", "DocumentText", "Finding", "FindingKind",
           "find_answer", "missing_keys", "topic_words"]
