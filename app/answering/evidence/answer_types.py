"""The answer type a question expects, from its question words.

    时间 哪年 何时 什么时候 几月 哪一天 / when, what year          → DATE
    多少 几 多大 多长 多高 多久 / how many, how much, how long       → NUMBER (with units)
    谁 哪位 什么人 / who, which person                              → PERSON
    哪里 哪儿 在哪 什么地方 哪个国家 哪座城市 / where, which country  → PLACE
    为什么 为何 什么原因 / why                                       → REASON
    anything else                                                   → OTHER

Also the `CueSpan` every cue returns, and the two helpers that make spans from regexes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class AnswerType(StrEnum):
    DATE = "date"
    NUMBER = "number"
    PERSON = "person"
    PLACE = "place"
    REASON = "reason"
    OTHER = "other"


_ZH_DURATION = re.compile(r"多长时间|多久|多少(?:个)?(?:年|天|月|周|小时|分钟|秒|岁)|几(?:年|天|周|小时|分钟|秒|岁)|几个(?:月|星期|小时|钟头)"
                          r"|多大年纪|多少年")
_ZH_DATE = re.compile(r"什么时候|何时|哪一?年|哪一?天|哪一?日|几月|几号|几日|哪个?月|何年|何日|哪个朝代|什么朝代|哪个?年代"
                      r"|什么年代|哪个世纪|什么时间|几点|哪个时期|什么时期|哪段时期|时间|日期|生日|出生于何")
_ZH_PERSON = re.compile(r"谁|哪一?位|什么人|何人|哪个人|哪些人|哪名|哪一名")
_ZH_PLACE = re.compile(r"哪里|哪儿|在哪|什么地方|何地|何处|哪个?国家?|什么国家|哪一国|哪[座个]城市?|哪个?省|哪个?(?:地区|州|县|岛|地方)"
                       r"|哪[座片]|什么地区|位于何|发源地|首都")
_ZH_NUMBER = re.compile(r"多少|多大|多长|多高|多远|多重|多宽|多深|多快|多厚|几成|百分之几|第几|(?<!茶)几(?![乎何率内])")
_EN_DURATION = re.compile(r"\bhow long\b|\bhow many (?:years|months|weeks|days|hours|minutes|seconds)\b")
_EN_DATE = re.compile(r"\bwhen\b|\b(?:what|which|in what) (?:year|date|day|month|century|decade|time|period|era)s?\b")
_EN_PERSON = re.compile(r"\bwho(?:m|se)?\b|\b(?:what|which) (?:person|people|man|woman|king|queen|president|author|"
                        r"writer|scientist|leader|ruler|emperor|player|actor|singer|duke|pope)\b")
_EN_PLACE = re.compile(r"\bwhere\b|\b(?:what|which) (?:country|city|state|region|place|town|river|island|mountain|"
                       r"continent|province|area|location|county|nation|village|capital|sea|ocean|territory)\b")
_EN_NUMBER = re.compile(r"\bhow (?:many|much|far|old|large|big|tall|high|often|deep|wide|heavy|fast)\b"
                        r"|\bwhat (?:percentage|percent|number|amount|proportion|fraction|share|population)\b")
_ZH_REASON = re.compile(r"(?<![称名叫封作成改译视选列命定分])为(?:什么|何|啥)|什么原因|何故|原因是什么")
_EN_REASON = re.compile(r"^why\b|\bwhy (?:did|was|were|is|are|do|does|had|has)\b"
                        r"|\bwhat (?:caused|was the reason|is the reason)\b"
                        r"|\bfor what reason\b")
_ENGLISH = (_EN_REASON, _EN_DURATION, _EN_DATE, _EN_PERSON, _EN_PLACE, _EN_NUMBER)
_ORDER = ((_ZH_REASON, AnswerType.REASON), (_EN_REASON, AnswerType.REASON), (_ZH_DURATION, AnswerType.NUMBER),
          (_EN_DURATION, AnswerType.NUMBER), (_ZH_DATE, AnswerType.DATE),
          (_EN_DATE, AnswerType.DATE), (_ZH_PERSON, AnswerType.PERSON), (_EN_PERSON, AnswerType.PERSON),
          (_ZH_PLACE, AnswerType.PLACE), (_EN_PLACE, AnswerType.PLACE), (_ZH_NUMBER, AnswerType.NUMBER),
          (_EN_NUMBER, AnswerType.NUMBER))


@dataclass(frozen=True, slots=True)
class CueSpan:
    """A candidate answer inside a sentence: `text == sentence[start:end]`."""

    text: str
    start: int
    end: int
    kind: AnswerType
    strength: float = 1.0


def answer_type(question: str) -> AnswerType:
    """The kind of answer the question asks for (OTHER when no cue says).

    Chinese cues are tried in a fixed order (多久 before 几, 哪一年 before 在哪); in English
    the earliest wh-phrase decides ("Who was the leader when …" asks for a person)."""
    text = question.lower()
    english = [(m.start(), i, kind) for i, (pattern, kind) in enumerate(_ORDER)
               if pattern in _ENGLISH and (m := pattern.search(text))]
    if english:
        return min(english)[2]
    for pattern, kind in _ORDER:
        if pattern.search(text):
            return kind
    return AnswerType.OTHER


def regex_spans(pattern: re.Pattern, sentence: str, kind: AnswerType, strength: float) -> list[CueSpan]:
    """Every non-blank match of the pattern as a span."""
    return [CueSpan(m.group(0).strip(), m.start(), m.start() + len(m.group(0).rstrip()), kind, strength)
            for m in pattern.finditer(sentence) if m.group(0).strip()]


def clause_spans(pattern: re.Pattern, sentence: str, kind: AnswerType) -> list[CueSpan]:
    """The `clause` group of each match, trimmed (a final full stop too)."""
    spans = []
    for m in pattern.finditer(sentence):
        raw = m.group("clause")
        text = raw.strip().rstrip(".").rstrip()  # an English sentence's full stop is not part of it
        if text:
            start = m.start("clause") + len(raw) - len(raw.lstrip())
            spans.append(CueSpan(text, start, start + len(text), kind, 1.0))
    return spans


__all__ = ["AnswerType", "CueSpan", "answer_type", "clause_spans", "regex_spans"]
