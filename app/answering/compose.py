"""The parts an answer is composed of (pure functions): the quotation of the best evidence,
and the tests a model's sentence passes before it is shown (checked_draft.py applies them
sentence by sentence as the model writes):

    usable          not empty, not only citation marks, no refusal, no echo of the question,
                    no loop
    on_evidence     says what one of the best evidence sentences says
    with_marks      ends in the [n] of the passage that backs it

A quotation keeps the document's own characters; Yizhi's own words follow the script of
the question.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from app.answering.evidence.support import check_citations, support_score
from app.answering.evidence.tokens import grams, strip_citations, tokens
from app.answering.types import Evidence, SentenceSupport
from core.text import Script, fold, in_script
from prompts.templates import is_refusal

# A draft is "on the evidence" when one of the best evidence sentences backs it this well.
ON_EVIDENCE = 0.5
EVIDENCE_CHECKED = 2
# A second sentence backed this well by the first says the same (the .md and the .pdf of one guide).
SAME_SENTENCE = 0.8
_LIST_MARK = re.compile(r"^(?:[-*•·]\s+)")
# A draft this short is followed by the evidence sentence it comes from. English spends about
# three times the characters Chinese does on the same words ("拜约挂毯" / "the Bayeux Tapestry").
SHORT_DRAFT_CHARS = {"zh": 12, "en": 40}
# The second-best evidence sentence is quoted too when it scores at least this share of the best.
# Without an LLM, 0.85 → 0.75 took CMRC's quotations from 0.793 to 0.797 containing the gold
# answer (300 questions, median 66 → 77 characters) and SQuAD's from 0.720 to 0.734.
SECOND_QUOTE = 0.75
# A draft whose bigrams are nearly all the question's says nothing new.
ECHO_SHARE = 0.8
# A draft whose word pairs are less than this share distinct goes round in circles (small models loop).
LOOP_SHARE = 0.4

_CITATIONS_ONLY = re.compile(r"(?:\[\d+\][\s,，、]*)*")
_TRAILING_PUNCT = re.compile(r"([。！？.!?；;]*)\s*$")


def is_echo(draft: str, question: str) -> bool:
    """True when the draft's bigrams are almost all the question's (it repeats the question)."""
    draft_grams = grams(tokens(fold(strip_citations(draft))))
    if not draft_grams:
        return True
    question_grams = grams(tokens(fold(question)))
    return len(draft_grams & question_grams) / len(draft_grams) >= ECHO_SHARE


def says_something(draft: str) -> bool:
    """False for drafts with no word in them: "1.", "[2]", "：", "- -"."""
    words = tokens(fold(strip_citations(draft)))
    return any(not w.isdigit() for w in words) or len(words) >= 2


def repeats_itself(draft: str) -> bool:
    """True for a draft that loops ("1F1B 1F1B 1F1B …"): few distinct word pairs among many."""
    words = tokens(fold(strip_citations(draft)))
    pairs = [tuple(words[i:i + 2]) for i in range(len(words) - 1)]
    return len(pairs) >= 8 and len(set(pairs)) < LOOP_SHARE * len(pairs)


def usable(draft: str, question: str) -> bool:
    text = draft.strip()
    return bool(text) and _CITATIONS_ONLY.fullmatch(text) is None and says_something(text) \
        and not is_refusal(text) and not is_echo(text, question) and not repeats_itself(text)


def on_evidence(checks: Sequence[SentenceSupport], evidence: Sequence[Evidence], question: str) -> bool:
    """True when a sentence of the draft says what one of the best evidence sentences says."""
    return any(support_score(c.text, e.text, question) >= ON_EVIDENCE
               for c in checks for e in evidence[:EVIDENCE_CHECKED])


def with_marks(checks: Sequence[SentenceSupport]) -> str:
    """The sentences joined again, each backed one ending in the [n] of its passage."""
    out = []
    for check in checks:
        sentence = check.text.strip()
        if check.supported and check.passage is not None and check.passage not in check.cited:
            sentence = strip_citations(sentence).rstrip()  # a wrong [n] anywhere in it goes
            sentence += f"[{check.passage}]"
        out.append(sentence)
    return "".join(out) if all(is_cjk_end(s) for s in out) else " ".join(out)


def is_cjk_end(sentence: str) -> bool:
    bare = re.sub(r"\[\d+\]$", "", sentence).rstrip()
    return not bare or "\u3000" <= bare[-1] <= "\u9fff" or bare[-1] in "。！？；：，”」』）"


def quoted_evidence(evidence: Sequence[Evidence], question: str) -> list[Evidence]:
    """The sentences to quote: the best one that is not the question itself, and the next
    best too when it scores nearly as well (one often holds the subject, the other the fact)."""
    pool = [e for e in evidence if not is_echo(e.text, question)] or list(evidence)
    chosen = pool[:1]
    if len(pool) > 1 and pool[1].score >= SECOND_QUOTE * pool[0].score \
            and support_score(pool[1].text, pool[0].text) < SAME_SENTENCE:  # not the same text from another file
        chosen.append(pool[1])
    # in the documents' order when they come from one passage
    return sorted(chosen, key=lambda e: (e.passage, e.start)) if len({e.passage for e in chosen}) == 1 else chosen


def quotation_parts(evidence: Sequence[Evidence], language: str, question: str = "") -> list[str]:
    """The evidence sentences as the document says them, each part in quotation marks with
    its [n]; neighbouring sentences of one passage are quoted together as one part."""
    parts: list[tuple[int, list[str], int]] = []  # passage, texts, end offset of the last
    for e in quoted_evidence(evidence, question):
        text = _LIST_MARK.sub("", " ".join(e.text.split()))
        if parts and parts[-1][0] == e.passage and e.start - parts[-1][2] <= 2:
            parts[-1][1].append(text)
            parts[-1] = (e.passage, parts[-1][1], e.end)
        else:
            parts.append((e.passage, [text], e.end))
    if language == "zh":
        return [f"“{''.join(texts)}”[{n}]" for n, texts, _ in parts]
    return [f"\"{' '.join(texts)}\" [{n}]" for n, texts, _ in parts]


def quotation(evidence: Sequence[Evidence], language: str, question: str = "") -> str:
    """`quotation_parts` as one text."""
    return ("" if language == "zh" else " ").join(quotation_parts(evidence, language, question))


def checked_quotation(evidence: Sequence[Evidence], language: str, question: str,
                      passages: Sequence[str], lead: str = "") -> tuple[str, tuple[SentenceSupport, ...]]:
    """The quotation and its checks, part by part: two quoted sentences without a full stop
    ("…比较多”[1]“你好…") would otherwise be read as one claim that no single passage holds.
    `lead` names what a quotation that opens with a pronoun is about (its section's heading:
    "milvus：“截至2023年，它是…”")."""
    parts = quotation_parts(evidence, language, question)
    checks = tuple(c for part in parts for c in check_citations(part, passages, question=question))
    text = ("" if language == "zh" else " ").join(parts)
    if lead:
        text = f"{lead}：{text}" if language == "zh" else f"{lead}: {text}"
    return text, checks


def is_short(model_text: str, language: str) -> bool:
    """A model's answer this short ("雨季[1]", "Amarillo") is hard to trust alone: the sentence
    it comes from follows it."""
    return len(strip_citations(model_text).strip()) <= SHORT_DRAFT_CHARS.get(language, SHORT_DRAFT_CHARS["zh"])


def source_label(language: str, script: Script) -> str:
    """What introduces the quotation after a short answer (Yizhi's own words)."""
    return in_script(" 原文：", script) if language == "zh" else " From the source: "
