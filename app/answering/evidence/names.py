"""Candidate names and places in a sentence, for PERSON and PLACE questions.

Chinese: jieba's part of speech (nr person, ns place), place words by suffix (…省 …市
…县 …岛 …山, three characters or more), a suffix glued back (广岛 + 县), neighbouring places
joined (中国 + 北京市), the clause after a location verb (位于… 总部设在… 出生于…), and
transliterated names with middle dots (亚历山大·格拉汉姆·贝尔). English: capitalised word
runs (after in/at/from/near … for places). Names are hard: these spans are weak cues.
"""
from __future__ import annotations

import functools
import re

from app.answering.evidence.answer_types import AnswerType, CueSpan, clause_spans
from core.text import HAN

MAX_TAGGED_CHARS = 200  # jieba tags unknown runs at ~1.5 ms a character: longer "sentences" are tagged in part
_PLACE_SUFFIX = re.compile(r"..*(?:省|市|县|区|镇|乡|村|国|州|岛|山|河|江|湖|海|洋|湾|峡|港|城|洲|岭|峰|原|漠|谷|寺|宫|站|路|街|半岛|盆地)$")
# The place a location verb introduces: 位于…, 总部设在…, 出生于…, 分布在…, located in …
_PLACE_CLAUSE = re.compile(r"(?:位于|坐落(?:于|在)|设(?:于|在)|出生(?:于|在)|生于|栖息(?:于|在)|分布(?:于|在)|聚居(?:于|在)|生活(?:于|在)"
                           r"|流入|注入|发源于|产于|藏于|迁(?:往|至)|定居(?:于|在)|located (?:in|at|on)|situated (?:in|at|on)"
                           r"|born in|based in)\s*(?P<clause>[^，,。；;！!？?（(]{2,30})", re.IGNORECASE)
_PLACE_TAIL = frozenset("省市县区镇乡村国州岛山河江湖海湾港城洲寺")
_NOT_PLACES = frozenset("全国 各国 本国 我国 外国 各地 当地 本地 城市 国家 地区 山区 海外 全市 全省 其中 人类".split())
_NAME_DOTS = frozenset("·•・‧")
_NAME_LEAD = frozenset("由被和与是及跟向给让")  # jieba glues these to a name: 由约翰
_CJK_WORD = re.compile(f"^[{HAN}]+$")
_CAPITALISED = re.compile(r"(?<![\w.])(?:[A-Z][\w'’-]*\.?(?:\s+(?:of|de|la|von|van|the|and)\s+|\s+)?)*[A-Z][\w'’-]*")
_EN_PLACE_BEFORE = re.compile(r"\b(?:in|at|from|near|to|into|across|of|throughout|within)\s+(?:the\s+)?$",
                              re.IGNORECASE)


@functools.lru_cache(maxsize=4096)
def _tagged(sentence: str) -> tuple[tuple[str, str, int], ...]:
    """jieba (word, flag, start) triples of a sentence's first `MAX_TAGGED_CHARS` characters
    (cached: scoring asks twice). jieba's tagger is slow on long runs of unknown characters."""
    import jieba.posseg

    out, pos = [], 0
    for pair in jieba.posseg.lcut(sentence[:MAX_TAGGED_CHARS]):
        out.append((pair.word, pair.flag, pos))
        pos += len(pair.word)
    return tuple(out)


def _tag_spans(sentence: str, kind: AnswerType) -> list[CueSpan]:
    spans: list[CueSpan] = []
    for word, flag, start in _tagged(sentence):
        if kind == AnswerType.PERSON:
            if flag in ("nr", "nrfg", "nrt") and len(word) >= 2:
                cut = 1 if len(word) > 2 and word[0] in _NAME_LEAD else 0  # 由约翰 → 约翰
                spans.append(CueSpan(word[cut:], start + cut, start + len(word), kind, 0.5))
            continue
        joins = spans and spans[-1].end == start
        if word in _NOT_PLACES or not (flag == "ns" or (len(word) >= 3 and _PLACE_SUFFIX.match(word))
                                       or (joins and word in _PLACE_TAIL)):
            continue
        if joins:  # 中国 + 北京市 → 中国北京市, 广岛 + 县 → 广岛县
            prev = spans.pop()
            spans.append(CueSpan(prev.text + word, prev.start, start + len(word), kind, 1.0))
        else:
            spans.append(CueSpan(word, start, start + len(word), kind, 1.0))
    return spans


def _dotted_names(sentence: str) -> list[CueSpan]:
    """Transliterated names written with middle dots (亚历山大·格拉汉姆·贝尔), from jieba words:
    the word before the first dot, every word between dots, nouns after the last one."""
    tagged, spans, i = _tagged(sentence), [], 0
    while i < len(tagged):
        if tagged[i][0] not in _NAME_DOTS or i == 0 or not _CJK_WORD.match(tagged[i - 1][0]):
            i += 1
            continue
        first = tagged[i - 1]
        start = first[2] + (1 if len(first[0]) > 2 and first[0][0] in _NAME_LEAD else 0)
        j = i + 1
        while j < len(tagged) and _CJK_WORD.match(tagged[j][0]):
            if j > i + 1 and not tagged[j][1].startswith("n"):
                break
            j += 1
            if j < len(tagged) and tagged[j][0] in _NAME_DOTS:
                i, j = j, j + 1
            elif j - i > 2:
                break
        last = tagged[j - 1]
        if j > i + 1:
            end = last[2] + len(last[0])
            spans.append(CueSpan(sentence[start:end], start, end, AnswerType.PERSON, 1.0))
        i = j
    return spans


def _english_name_spans(sentence: str, kind: AnswerType) -> list[CueSpan]:
    spans = []
    for m in _CAPITALISED.finditer(sentence):
        text = m.group(0).strip().rstrip(".")
        if not text or (m.start() == 0 and " " not in text):
            continue  # a sentence's first word is capitalised anyway
        if kind == AnswerType.PLACE and not _EN_PLACE_BEFORE.search(sentence[:m.start()]):
            continue
        strength = 0.5 if " " in text or kind == AnswerType.PLACE else 0.4  # a name is mostly two words or more
        spans.append(CueSpan(text, m.start(), m.start() + len(text), kind, strength))
    return spans


def place_spans(sentence: str) -> list[CueSpan]:
    """Candidate places, in no particular order."""
    return (_tag_spans(sentence, AnswerType.PLACE) + _english_name_spans(sentence, AnswerType.PLACE)
            + clause_spans(_PLACE_CLAUSE, sentence, AnswerType.PLACE))


def person_spans(sentence: str) -> list[CueSpan]:
    """Candidate person names, in no particular order."""
    return (_tag_spans(sentence, AnswerType.PERSON) + _english_name_spans(sentence, AnswerType.PERSON)
            + _dotted_names(sentence))


__all__ = ["person_spans", "place_spans"]
