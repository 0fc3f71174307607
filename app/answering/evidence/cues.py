"""Answer-type cues: what kind of answer a question expects, and the spans of a sentence
that could be it.

    question ──answer_type()──▶ DATE | NUMBER | PERSON | PLACE | REASON | OTHER   (answer_types.py)
    sentence ──cue_spans(sentence, type, question)──▶ [CueSpan(text, start, end, kind, strength)]

Dates and numbers are found with regular expressions (1998年, 3月5日, 二〇〇八年, 公元前221年,
19世纪, May 5, 1937; 3.5万, 两千多公里, 15%, 300 million …); places with jieba's part of
speech (ns) and place suffixes (省 市 县 国 州 岛 山 河 …); person names with jieba's nr
tags and "·" names, and English capitalised word runs. A span that the question itself
contains is not an answer and is left out. `strength` is 1.0 for a clear match (a date
with 年/月/日, a number with its unit) and 0.5 for a weak one (a bare number, a capitalised
run); names are hard, so a PERSON question gives weak cues, never a penalty. A REASON is
the clause after 因为/由于/because or before 所以/因此; a PLACE also the clause after a
location verb (位于, 总部设在, 出生于, located in …). Spans joined by 至/到/、/和 are merged
(10月到次年4月, 0.5至10公尺).
"""
from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Sequence

from app.answering.evidence.answer_types import AnswerType, CueSpan, answer_type, clause_spans, regex_spans
from app.answering.evidence.names import person_spans, place_spans

log = logging.getLogger(__name__)


# --- dates and numbers -------------------------------------------------------------------
_ZN = "零〇一二两三四五六七八九十百千万亿"
_MONTHS = (r"\b(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|"
           r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\b\.?")
_ORDINAL_WORDS = r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|" \
                 r"thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|twenty-first)"
_DATE_STRONG = re.compile("|".join((
    r"(?:公元前|公元|西元前|西元)?\d{1,4}\s*年(?:代)?(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?)?(?:初|末|底|中|间)?",
    r"\d{1,2}\s*月\s*\d{1,2}\s*[日号]|\d{1,2}\s*月(?:份|初|底|中旬|上旬|下旬)?",
    r"(?:公元前|公元)?[〇零一二三四五六七八九]{2,4}年(?:[一二三四五六七八九十]{1,2}月)?(?:[一二三四五六七八九十]{1,3}[日号])?",
    r"[一二三四五六七八九十正腊]{1,2}月(?:初[一二三四五六七八九十]|[一二三四五六七八九十]{1,3}[日号])?",
    r"(?:公元前|公元)?(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*世纪(?:\s*\d{1,2}\s*年代)?(?:初|末|中叶|前期|后期)?",
    r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}",
    r"(?:民国|光绪|康熙|乾隆|嘉庆|道光|咸丰|同治|宣统|雍正|顺治|万历|洪武|永乐|贞观|开元|天宝|明治|大正|昭和|平成)[元一二三四五六七八九十]{1,4}年",
    r"(?:东汉|西汉|东晋|西晋|南宋|北宋|三国|春秋|战国|民国|[夏商周秦汉晋隋唐宋元明清])(?:朝|代|时期|末年|初年|年间)",
    r"(?:上午|下午|凌晨|晚上|中午|早上)?\d{1,2}[:：]\d{2}|(?:上午|下午|凌晨|晚上|中午|早上)\d{1,2}[点时](?:\d{1,2}分)?",
    r"(?:上午|下午|凌晨|晚上|中午|早上|傍晚)[一二三四五六七八九十]{1,3}[点时](?:半|[一二三四五六七八九十]{1,3}分)?",
    # days of the week and holidays ("每周一闭馆", "逢星期日", "节假日"): what 哪天 asks of opening hours
    r"(?:每|逢)?(?:周|星期|礼拜)[一二三四五六日天](?:至(?:周|星期|礼拜)?[一二三四五六日天])?|工作日|节假日|双休日|周末",
    r"\b(?:Mondays?|Tuesdays?|Wednesdays?|Thursdays?|Fridays?|Saturdays?|Sundays?|weekends?|weekdays?)\b",
    _MONTHS + r"(?:\s+\d{1,2}(?:st|nd|rd|th)?(?!\d))?(?:,?\s+\d{3,4})?",
    r"\bMay,?\s+\d{4}|\bMay\s+\d{1,2}(?:st|nd|rd|th)?(?!\d)(?:,?\s+\d{3,4})?",
    r"\b\d{1,2}\s+(?:" + _MONTHS + r"|May)(?:\s+\d{3,4})?",
    r"\b\d{1,2}(?:st|nd|rd|th)(?:\s+and\s+\d{1,2}(?:st|nd|rd|th))?\s+centur(?:y|ies)",
    r"\b" + _ORDINAL_WORDS + r"\s+century",
    r"\b(?:AD|BC|BCE|CE)\s+\d{1,4}\b|\b\d{1,4}\s+(?:AD|BC|BCE|CE)\b",
)), re.IGNORECASE)
_DATE_WEAK = re.compile(r"(?<![\d.])(?:1[0-9]{3}|20[0-9]{2})s?(?!\d|\.\d)")
_ZH_UNITS = ("平方公里 平方千米 平方公尺 平方米 立方公尺 立方米 平方英里 公里 千米 公尺 公分 厘米 毫米 纳米 微米 英里 英尺 英寸 海里 光年 天文单位 "
             "公顷 英亩 公斤 千克 公克 毫克 公升 毫升 美元 欧元 "
             "英镑 日元 港元 港币 人民币 澳元 新台币 摄氏度 千瓦 兆瓦 赫兹 马力 字节 个月 星期 小时 分钟 毫秒 世纪 平方 人次 架次 万人 亿人 "
             "米 亩 吨 克 斤 升 元 块 度 瓦 伏 倍 成 年 月 周 天 日 秒 岁 人 名 位 个 种 座 部 本 件 次 届 层 条 项 家 所 只 头 "
             "匹 场 集 章 卷 首 枚 辆 艘 架 台 户 间 张 篇 款 类 代 期 季 颗 棵 株 支 队 级 分 ℃ % ％ ‰").split()
_ZH_MEASURE = frozenset(_ZH_UNITS[:_ZH_UNITS.index("人")])  # 一 + these counts; 一 + 个/种/次 … does not
_UNIT_RE = "|".join(re.escape(u) for u in sorted(_ZH_UNITS, key=len, reverse=True))
_EN_UNITS = (r"%|percent|per cent|million|billion|thousand|hundred|trillion|km|kilomet(?:re|er)s?|miles?|"
             r"met(?:re|er)s?|feet|foot|ft|inch(?:es)?|kg|kilograms?|pounds?|tons?|tonnes?|years?|months?|weeks?|"
             r"days?|hours?|minutes?|seconds?|people|persons|men|women|soldiers|students|times|dollars?|euros?|acres?|"
             r"square \w+|degrees?")
_NUMBER_ARABIC = re.compile(
    r"(?:约|大约|近|超过|逾|多达|about |around |over |nearly |approximately |more than |less than )?"
    r"[$€£¥]?(?<![\d.])\d+(?:[,，]\d{3})*(?:\.\d+)?(?![\d.]*\.\d)"  # not a section number 5.3.2.1
    r"(?:\s*(?:多|余))?(?:\s*(?P<mag>[万亿千百])(?:多|余)?)?(?:\s*(?P<unit>" + _UNIT_RE + r"|(?:" + _EN_UNITS + r")\b))?"
    r"(?:以上|左右|多|余)?", re.IGNORECASE)
_NUMBER_HAN = re.compile(r"(?:约|大约|近|超过|逾|多达)?(?P<num>[" + _ZN + r"]+)(?:多|余)?(?P<unit>" + _UNIT_RE + r")"
                         r"(?:以上|左右|多|余)?")
_EN_BARE_NUMBER_WORDS = re.compile(r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|"
                                   r"thirty|forty|fifty|hundred|thousand|dozen|several)\b", re.IGNORECASE)
_EN_NUMBER_WORDS = re.compile(
    r"\b(?:(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
    r"sixty|seventy|eighty|ninety|hundred|thousand|million|billion|several|dozens?|half)(?:[\s-]+|\b))+"
    r"(?:" + _EN_UNITS + r")\b", re.IGNORECASE)


def _number_spans(sentence: str) -> list[CueSpan]:
    spans = []
    for m in _NUMBER_ARABIC.finditer(sentence):
        spans.append(CueSpan(m.group(0).strip(), m.start(), m.start() + len(m.group(0).rstrip()),
                             AnswerType.NUMBER, 1.0 if m.group("unit") or m.group("mag") else 0.5))
    for m in _NUMBER_HAN.finditer(sentence):
        if m.group("num") in ("一", "两") and m.group("unit") not in _ZH_MEASURE:
            continue  # 一个, 一种, 一次, 两人: not a quantity anyone asks for
        spans.append(CueSpan(m.group(0), m.start(), m.end(), AnswerType.NUMBER, 1.0))
    spans.extend(regex_spans(_EN_NUMBER_WORDS, sentence, AnswerType.NUMBER, 1.0))
    spans.extend(regex_spans(_EN_BARE_NUMBER_WORDS, sentence, AnswerType.NUMBER, 0.5))
    return spans


# A reason is the clause after 因为/由于/because …, or the clause before 所以/因此/so ….
_REASON_AFTER = re.compile(r"(?:因为|由于|基于|原因是|原因在于|是为了|为了|\b(?:because(?: of)?|due to|owing to|since|"
                           r"in order to|so that|thanks to)\b)\s*(?P<clause>[^，,。；;！!？?]{1,120})", re.IGNORECASE)
_REASON_MARK = re.compile(r"[，,]?\s*(?:所以|因此|因而|故|以致|致使|导致|\bso\b|\btherefore\b|\bthus\b)", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[，,。；;！!？?]")


def _reason_spans(sentence: str) -> list[CueSpan]:
    """The clause after 因为/由于/because …, and the clause before 所以/因此/so …."""
    spans = clause_spans(_REASON_AFTER, sentence, AnswerType.REASON)
    breaks = [b.end() for b in _CLAUSE_BREAK.finditer(sentence)]
    for mark in _REASON_MARK.finditer(sentence):
        i = bisect.bisect_right(breaks, mark.start())
        start = breaks[i - 1] if i else 0
        text = sentence[start:mark.start()]
        if text.strip():
            lead = len(text) - len(text.lstrip())
            spans.append(CueSpan(text.strip(), start + lead, start + lead + len(text.strip()), AnswerType.REASON))
    return spans

# --- the sentence ------------------------------------------------------------------------
def _squash(text: str) -> str:
    return re.sub(r"[\s,，]+", "", text.lower())


_JOINER = re.compile(r"\s*(?:至|到|~|～|-|—|–|−|或|、|和|及|与|以及|and|to|or)?\s*(?:次年|翌年)?\s*", re.IGNORECASE)


def _merged(sentence: str, spans: list[CueSpan]) -> list[CueSpan]:
    """Spans joined by a range or list word become one: 10月到次年4月, 0.5至10公尺, 墨西哥、中美洲."""
    out: list[CueSpan] = []
    for span in spans:
        if out and span.start >= out[-1].end and _JOINER.fullmatch(sentence[out[-1].end:span.start]):
            prev = out.pop()
            span = CueSpan(sentence[prev.start:span.end], prev.start, span.end, span.kind,
                           max(prev.strength, span.strength))
        out.append(span)
    return out


def cue_spans(sentence: str, kind: AnswerType, question: str = "") -> list[CueSpan]:
    """Candidate answers of `kind` in the sentence, in order; spans the question holds
    are left out, a span inside a longer one is dropped, and spans joined by a range or
    list word (至 到 、 和 …) are merged."""
    if kind == AnswerType.DATE:
        spans = regex_spans(_DATE_STRONG, sentence, kind, 1.0) + regex_spans(_DATE_WEAK, sentence, kind, 0.5)
    elif kind == AnswerType.NUMBER:
        spans = _number_spans(sentence)
    elif kind == AnswerType.REASON:
        spans = _reason_spans(sentence)
    elif kind in (AnswerType.PERSON, AnswerType.PLACE):
        spans = place_spans(sentence) if kind == AnswerType.PLACE else person_spans(sentence)
    else:
        return []
    asked = _squash(question)
    kept = [s for s in spans if not (asked and _squash(s.text) and _squash(s.text) in asked)]
    kept.sort(key=lambda s: (s.start, -(s.end - s.start)))
    out: list[CueSpan] = []
    for span in kept:
        if out and span.end <= out[-1].end:
            continue
        out.append(span)
    return _merged(sentence, out)


def cue_score(sentence: str, kind: AnswerType, question: str = "") -> tuple[float, list[CueSpan]]:
    """(the strongest candidate's strength, 0 when none or OTHER; the candidates)."""
    spans = cue_spans(sentence, kind, question)
    return max((s.strength for s in spans), default=0.0), spans


def best_span(sentence: str, spans: Sequence[CueSpan], words: Sequence[str]) -> CueSpan | None:
    """The strongest candidate nearest to where `words` (the question's) occur in the sentence:
    the likeliest short answer."""
    if not spans:
        return None
    top = max(s.strength for s in spans)
    strongest = [s for s in spans if s.strength == top]
    text = sentence.lower()
    hits = sorted({m.start() for w in words if w for m in re.finditer(re.escape(w.lower()), text)})
    if len(strongest) == 1 or not hits:
        return strongest[0]

    def distance(span: CueSpan) -> int:
        i = bisect.bisect_left(hits, span.start)
        return min(min(abs(h - span.start), abs(h - span.end)) for h in hits[max(0, i - 1):i + 1])

    return min(strongest, key=distance)


__all__ = ["AnswerType", "CueSpan", "answer_type", "best_span", "cue_score", "cue_spans"]
