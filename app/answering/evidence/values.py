"""Whether a sentence holds the value a question asks for (evidence/findings.py's VALUE step):
a value of the kind asked (a number in the unit asked, a date, a code, a name, an
organisation), of what the question asks the value of (研发费用, not 管理费用), and how
much of the question a sentence holds. Pure functions over text.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from app.answering.evidence.answer_types import AnswerType
from app.answering.evidence.asks import Ask, ValueKind
from app.answering.evidence.cues import cue_spans
from app.answering.types import Evidence
from core.text import fold
from core.types import ScoredChunk

_CODE_SPAN = re.compile(r"(?<![A-Za-z\d])[A-Za-z]{0,6}[-\s]?\d[\w.\-/]*|〔\d{4}〕\d+号|\[\d{4}\]\d+号")
_ORGANIZATION_SPAN = re.compile(r"[\w（）()·&\-. ]{2,30}?(?:公司|集团|银行|机构|大学|学院|研究院|研究所|中心|协会|委员会|实验室)"
                                r"|\b(?:[A-Z][\w&.-]*\s+){0,4}(?:AI|Research|Inc\.?|Corp\.?|Ltd\.?|LLC|University|"
                                r"Institute|Labs?|Foundation|Agency|Company)\b")
_ASKED_UNIT = re.compile(r"(?:多少|几)[^，,。？?；;]{0,8}?(?P<unit>倍|个月|小时|分钟|万元|亿元|元|美元|年|天|周|秒|人次|人|次|家|岁|%|％|公里|千米|米|吨|股|页|篇|项)")


def asked_unit(question: str) -> str:
    """The unit a number question names ("快了几倍": 倍), "" when it names none."""
    match = _ASKED_UNIT.search(fold(question))
    return match.group("unit") if match else ""


_VALUE_TYPES = {ValueKind.NUMBER: AnswerType.NUMBER, ValueKind.DATE: AnswerType.DATE,
                ValueKind.PERSON: AnswerType.PERSON, ValueKind.PLACE: AnswerType.PLACE}
# Words for what a value question asks, in Yizhi's "not given" sentence.
WHAT_ZH = {ValueKind.NUMBER: "数字", ValueKind.DATE: "日期或时间", ValueKind.PERSON: "人名",
           ValueKind.PLACE: "地点", ValueKind.ORGANIZATION: "机构名称", ValueKind.CODE: "编号"}
WHAT_EN = {ValueKind.NUMBER: "number", ValueKind.DATE: "date", ValueKind.PERSON: "name",
           ValueKind.PLACE: "place", ValueKind.ORGANIZATION: "organisation", ValueKind.CODE: "number or code"}


_COMPACT = re.compile(r"[\W_]+")


def compact(text: str) -> str:
    """Letters, digits and Han characters only: "GB/T 3620.1—2016", "RL HF" and "TA 5G" meet their keys."""
    return _COMPACT.sub("", fold(text))


def attribute_phrases(ask: Ask) -> list[str]:
    """The attribute's words, neighbours in the question joined into one phrase ("营业"+"收入":
    营业收入, so "营业外收入" does not name it), in compact form."""
    asked = compact(ask.question)
    words = [compact(w) for w in ask.attribute if compact(w)]
    phrases: list[str] = []
    for word in words:
        if phrases and phrases[-1] + word in asked:
            phrases[-1] += word
        else:
            phrases.append(word)
    return phrases


def holds_value(text: str, ask: Ask) -> bool:
    """Whether a sentence holds a value of the kind asked for (not one the question holds), in
    the unit the question asks for when it names one (几倍: a 倍; 多少 GPU 小时: 小时)."""
    if ask.value == ValueKind.PERSON and labelled_name(text, ask):
        return True
    if ask.value in _VALUE_TYPES:
        asked_numbers = set(re.findall(r"\d+(?:\.\d+)?", ask.question))
        spans = [s for s in cue_spans(text, _VALUE_TYPES[ask.value], ask.question)  # "2017年" of "2017峰会" is asked
                 if not set(re.findall(r"\d+(?:\.\d+)?", s.text)) <= asked_numbers or not re.search(r"\d", s.text)]
        if ask.value == ValueKind.DATE:
            spans = [s for s in spans if not re.search(r"\d{1,2}\s*年(?:时间|之久|以来|多|内|间)", text[s.start:s.end + 3])]
        if ask.value == ValueKind.NUMBER and (unit := asked_unit(ask.question)):
            spans = [s for s in spans if unit in text[s.start:s.end + len(unit) + 2]]
        return bool(spans)
    asked = fold(ask.question)
    pattern = _ORGANIZATION_SPAN if ask.value == ValueKind.ORGANIZATION else _CODE_SPAN
    return any(fold(m.group(0)).strip() not in asked for m in pattern.finditer(text))


_PRECISE_DATE = re.compile(r"哪一?年|哪一?天|哪天|几月|几号|几日|日期|\bwhat (?:year|date|day)\b"
                           r"|\bby what date\b|\bin what year\b", re.IGNORECASE)


def reliably_typed(ask: Ask) -> bool:
    """Whether a value of the kind asked is found reliably when it is there (a number, a
    precise date, a code: by their characters), so that none found means none given. Names,
    places, organisations and eras ("哪个时期") are recognised too loosely to refuse on."""
    if ask.value in (ValueKind.NUMBER, ValueKind.CODE):
        return True
    return ask.value == ValueKind.DATE and bool(_PRECISE_DATE.search(fold(ask.question)))


def names_attribute(ask: Ask, evidence: Evidence, results: Sequence[ScoredChunk]) -> bool:
    """Whether a sentence (with its heading) names what the value is of ("研发费用", "batch
    size"): a number in a sentence about something else answers nothing."""
    phrases = attribute_phrases(ask)
    if not phrases:
        return True
    text = compact(evidence.text + "\n" + results[evidence.passage - 1].chunk.heading)
    return any(phrase in text or (len(phrase) >= 3 and pair_share(phrase, text) >= 0.5) for phrase in phrases)


def pair_share(phrase: str, text: str) -> float:
    """The share of a phrase's character pairs a text holds, both in compact form: "营业收入"
    in "营业总收入" 2 of 3; "研发费用" in "管理费用" 1 of 3 (费用 alone names no expense); a
    question's in a sentence ("年假" counts, the "假" of "病假" does not)."""
    pairs = {phrase[i:i + 2] for i in range(len(phrase) - 1)}
    return sum(pair in text for pair in pairs) / len(pairs) if pairs else 0.0


def labelled_name(text: str, ask: Ask) -> bool:
    """A name written after the label the question asks about ("主管会计工作负责人：肖寻")."""
    folded = fold(text)
    return any(re.search(re.escape(word) + r"\s*[:：]\s*[\u4e00-\u9fff]{2,}", folded) for word in ask.attribute)


__all__ = ["WHAT_EN", "WHAT_ZH", "asked_unit", "attribute_phrases", "compact", "holds_value", "labelled_name",
           "names_attribute", "pair_share", "reliably_typed"]
