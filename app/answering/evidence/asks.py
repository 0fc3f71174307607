"""What a question asks for, read from its words (pure functions).

    哪些 / 哪几 / 包括什么 / 有哪 / 分为 / which … are              → LIST    (every item of an enumeration)
    为什么 / 原因 / 理由 / why                                     → REASON  (a cause)
    多少 / 几 / 何时 / 哪一年 / 谁 / 哪里 / how many / when …       → VALUE   (a number, date, person, place:
                                                                            `value` says which, as answer_types.py)
    哪家 / 哪个机构 / 哪所 / 谁家 / which company …                 → VALUE   (an organisation)
    是否 / 有没有 / …吗 / does … / is …                            → YESNO
    anything else (是什么 / 怎么 / how …)                           → OTHER

`keys` are the words an answer cannot do without: names (jieba's nr/ns/nt/nz tags), Latin
words in a Chinese question, codes and numbers (TA5G, 175B, 2019, 3620.1), and capitalised
words and numbers in an English question. A passage that lacks one of them is about
something else, however close its other words are ("农业银行" asked, "兴业银行" found;
"October 2015" asked, "November 2015" found). `subject` are the question's content words
(retrieval/relevance.py `query_terms`, question words left out), weighted.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import StrEnum

from app.answering.evidence.answer_types import AnswerType, answer_type
from core.enums import Language
from core.text import detect_language, fold, han_count
from retrieval.relevance import QueryTerm, is_rare, query_terms


class AskKind(StrEnum):
    LIST = "list"
    REASON = "reason"
    VALUE = "value"
    YESNO = "yesno"
    OTHER = "other"


class ValueKind(StrEnum):
    """What a VALUE question asks for (answer_types.py's kinds, and organisations)."""

    NUMBER = "number"
    DATE = "date"
    PERSON = "person"
    PLACE = "place"
    ORGANIZATION = "organization"
    CODE = "code"  # a document, standard or part number: 〔2019〕12号, GB/T 3620.1, R50550
    NONE = ""


@dataclass(frozen=True, slots=True)
class Ask:
    question: str
    kind: AskKind
    value: ValueKind
    subject: tuple[QueryTerm, ...]
    keys: tuple[str, ...]  # folded
    language: Language
    attribute: tuple[str, ...] = ()  # folded: what a VALUE question asks the value of (研发费用, batch size)
    focus: tuple[str, ...] = ()  # folded: what a YESNO question asks whether ("有没有安排债项评级" → 安排, 债项, 评级)
    names: tuple[str, ...] = ()  # the keys that name a thing (a term, a code, a person, an organisation; not a
    # place or a bare number): a passage that holds one is about what the question asks, in whatever words


_ZH_LIST = re.compile(r"哪些|哪几|哪[两二三四五六七八九十]+(?:种|个|类|项|方面|点|部分|步)|包括什么|包括哪|包含哪|包含什么|有哪|分为|分成|分哪|哪(?:几)?(?:类|种|项|个方面)(?!的)"
                      r"|什么(?:方法|手段|措施|步骤|要求|内容|条件|特征|特点|类型|种类)(?:有|呢|？|\?|$)|列举|都有什么")
_EN_LIST = re.compile(r"^(?:which|what)\s+(?:\w+\s+){0,3}(?:are|were|include|includes)\b|\bwhat are the\b|\blist\b"
                      r"|\bwhich (?:\w+ )?(?:methods|steps|types|kinds|tools|ways|factors|items)\b", re.IGNORECASE)
_ZH_REASON = re.compile(r"为什么|为何|为啥|什么原因|原因是什么|原因是|理由|何故|怎么会|出于什么考虑|解释是什么|给的解释")
_ZH_ORGANIZATION = re.compile(r"哪家|哪一?个(?:机构|单位|公司|部门|组织|银行|大学|学校|厂商|企业)|哪所|谁家|什么机构|哪些机构"
                              r"|什么(?:公司|单位|组织|部门)")
_EN_ORGANIZATION = re.compile(r"\bwhich (?:company|organi[sz]ation|agency|institution|university|firm|bank)\b"
                              r"|\bwho (?:makes|made|develops|developed|owns|publishes)\b", re.IGNORECASE)
_ZH_CODE = re.compile(r"(?:哪个|什么|哪一个)(?:[^，。？?]{0,12}?)(?:编号|代号|型号|文号|标准号|牌号|代码|号码)")
_EN_NUMBER = re.compile(r"\bwhat (?:is|was|are|were) the (?:[\w'’-]+\s+){0,4}(?:cost|price|amount|number|total|rate|size|"
                        r"value|percentage|fee|fine|salary|population|budget)s?\b", re.IGNORECASE)
_ZH_YESNO = re.compile(r"是否|有没有|有无|要不要|需不需要|需要不需要|能不能|可不可以|会不会|是不是|还要[^？?]*吗|[吗嘛][？?\s]*$")
_EN_YESNO = re.compile(r"^\s*(?:is|are|was|were|does|do|did|can|could|will|would|should|has|have|had)\b", re.IGNORECASE)
_VALUE = {AnswerType.NUMBER: ValueKind.NUMBER, AnswerType.DATE: ValueKind.DATE, AnswerType.PERSON: ValueKind.PERSON,
          AnswerType.PLACE: ValueKind.PLACE}
_CODE = re.compile(r"[a-z]+-\d+[a-z\d.]*|[a-z]*\d+[a-z\d.\-]*|[a-z]+\d[a-z\d.\-]*", re.IGNORECASE)  # TA5G, 175B, 2019, 3620.1, GPT-4
_EN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_KEY_TAGS = frozenset(("nr", "nrt", "nrfg", "ns", "nt"))  # names of people, places, organisations
_PLACE_TAGS = frozenset(("ns", "nt"))  # jieba tags ordinary words as people (张量, 高新区): a person must be rare
# Capitalised English words that are not names (question words, months name a date and count).
_EN_COMMON = frozenset("what which who whom whose when where why how is are was were does do did can could will would "
                       "should has have had the a an in on of for to according and or by".split())


def ask_kind(question: str) -> tuple[AskKind, ValueKind]:
    """The kind of answer the question asks for, and for VALUE questions which value."""
    text = fold(question.strip())
    if _ZH_REASON.search(text) or answer_type(text) == AnswerType.REASON:
        return AskKind.REASON, ValueKind.NONE
    if _ZH_LIST.search(text) or _EN_LIST.search(text):
        return AskKind.LIST, ValueKind.NONE
    if _ZH_ORGANIZATION.search(text) or _EN_ORGANIZATION.search(text):
        return AskKind.VALUE, ValueKind.ORGANIZATION
    if _ZH_CODE.search(text):
        return AskKind.VALUE, ValueKind.CODE
    if _EN_NUMBER.search(text):
        return AskKind.VALUE, ValueKind.NUMBER
    kind = answer_type(text)
    if kind in _VALUE:
        return AskKind.VALUE, _VALUE[kind]
    if _ZH_YESNO.search(text) or _EN_YESNO.search(text):
        return AskKind.YESNO, ValueKind.NONE
    return AskKind.OTHER, ValueKind.NONE


@functools.lru_cache(maxsize=1024)
def _tagged(text: str) -> tuple[tuple[str, str], ...]:
    import jieba.posseg

    return tuple((w, f) for w, f in jieba.posseg.lcut(text))


def name_terms(question: str, language: Language | None = None) -> tuple[str, ...]:
    """The keys that name a thing: Latin words and codes with letters, rare person and
    organisation names (not places, not bare numbers)."""
    language = language or detect_language(question)
    places = {fold(w) for w, tag in _tagged(question) if tag == "ns"}
    return tuple(k for k in key_terms(question, language)
                 if any(c.isalpha() for c in k) and k not in places and not k.isdigit())


def key_terms(question: str, language: Language | None = None) -> tuple[str, ...]:
    """The words (folded) a passage must hold to be about what the question asks (see above)."""
    language = language or detect_language(question)
    keys: list[str] = []
    for code in _CODE.findall(question):
        if len(code) >= 2:  # a lone digit (3月, FlashAttention-2) says little
            keys.append(fold(code).strip(".-"))
    if language == Language.EN:
        words = _EN_WORD.findall(question)
        keys += [_bare(w) for i, w in enumerate(words)
                 if w[0].isupper() and fold(w) not in _EN_COMMON and (i > 0 or len(words) == 1)]
    else:
        keys += [_bare(w) for w in _EN_WORD.findall(question) if len(w) >= 2]
        keys += [fold(w) for w, tag in _tagged(question) if tag in _KEY_TAGS and han_count(w) >= 2
                 and (tag in _PLACE_TAGS or is_rare(w))]
    return tuple(dict.fromkeys(k for k in keys if k))


_ZH_ASKS_VALUE = re.compile(r"多少|几|多大|多长|多久|多高|什么时候|何时|哪一?年|哪一?天|哪天|谁|哪里|在哪|哪家|哪所|哪个|哪位"
                            r"|什么|是啥|叫啥")
_EN_ASKS_VALUE = re.compile(r"\bhow (?:many|much|long|old|far|large|big)\b|\bwhat\b|\bwhen\b|\bwho\b|\bwhere\b|\bwhich\b",
                            re.IGNORECASE)
_EN_HOW_MANY = re.compile(r"\bhow (?:many|much)\b", re.IGNORECASE)
_ZH_CLAUSE = re.compile(r"[的，,、；;：:里]|在|时")
_ZH_FILLER = frozenset("是 有 为 成 设 取 一般 大概 大约 一共 总共 达到 约 了 要 需要 通常 平均 具体".split())
_EN_STOP = frozenset("is are was were did does do has have had be been must will would can could should "
                     "of in on to by for per from with at as than into that which".split())
_EN_FILLER = frozenset("the a an its their this these those".split())


def _content(text: str) -> list[str]:
    return [t.text for t in query_terms(text) if t.text not in _ZH_FILLER and t.weight >= 3]


def attribute_terms(question: str, language: Language) -> tuple[str, ...]:
    """What a value question asks the value of: the words next to its question word
    ("营业收入是多少" → 营业, 收入; "浪费了多少显存" → 浪费, 显存; "how many permit checks" →
    permit, check; "what is the estimated average cost per operator" → average, cost)."""
    folded = fold(question)
    if language == Language.EN:
        match = _EN_HOW_MANY.search(folded)  # "what country": the kind of value, not what it is of
        if not match:
            return ()
        words = []
        for word in re.findall(r"[a-z][a-z'’-]*", folded[match.end():]):
            if word in _EN_STOP:
                if words:
                    break
                continue
            if word not in _EN_FILLER:
                words.append(_bare(word))
        return tuple(words[-2:])
    match = _ZH_ASKS_VALUE.search(folded)
    if not match:
        return ()
    words, at = [], 0  # (word, tag, start) of the whole question, segmented once
    for word, tag in _tagged(folded):
        words.append((word, tag, at))
        at += len(word)
    nounish = [(_unqualified(w), s) for w, tag, s in _compounds(words) if tag.startswith(("n", "vn", "eng", "j"))
               and w not in _ZH_FILLER and w.strip() and not _ZH_ASKS_VALUE.fullmatch(w)]
    clause_start = max((m.end() for m in _ZH_CLAUSE.finditer(folded[:match.start()])), default=0)
    before = [w for w, s in nounish if clause_start <= s < match.start()]
    if not before:  # "…时 batch size 设的是多少": the clause before the last one
        earlier = [m.end() for m in _ZH_CLAUSE.finditer(folded[:clause_start - 1])] if clause_start else []
        before = [w for w, s in nounish if (earlier[-1] if earlier else 0) <= s < match.start()]
    stop = re.search(r"[的，,。？?！!]", folded[match.end():])
    end = match.end() + (stop.start() if stop else len(folded))
    after = [w for w, s in nounish if match.end() <= s < end]
    return tuple(dict.fromkeys(before[-2:] + after[-1:]))


def _compounds(words: list[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    """Neighbouring words of two Han characters or more written as one term when the second is a
    noun: "研发" + "费用" is 研发费用, "营业" + "收入" (jieba: a verb) 营业收入; a name stays a name."""
    out: list[tuple[str, str, int]] = []
    for word, tag, start in words:
        joins = (out and han_count(word) == len(word) >= 2 and (tag[:1] in "nj" or tag == "vn" or word in _NOMINAL)
                 and han_count(out[-1][0]) == len(out[-1][0]) >= 2 and out[-1][1][:1] in "nvj"
                 and out[-1][2] + len(out[-1][0]) == start and out[-1][1] not in _NAME_TAGS)
        if joins:
            nounish = tag[:1] in "nj" or out[-1][1][:1] in "nj"
            out[-1] = (out[-1][0] + word, "n" if nounish else tag, out[-1][2])
        else:
            out.append((word, tag, start))
    return out


def _unqualified(word: str) -> str:
    """A word without a doubled adverb before it ("白白浪费": 浪费; 渐渐, 常常, 刚刚 …), which says
    how, not what."""
    return word[2:] if len(word) > 2 and word[0] == word[1] and han_count(word[:2]) == 2 else word


_NAME_TAGS = frozenset(("nr", "nrt", "nrfg", "ns", "nt", "nz"))
# Words jieba tags as verbs that end the name of an amount (营业收入, 投资收益); other verbs after a
# noun qualify it ("含量上限" asks the 含量) and are not joined.
_NOMINAL = frozenset("收入 支出 收益 投资 融资 损失 利润".split())


_ZH_WHETHER = re.compile(r"是否|有没有|有无|要不要|需不需要|需要不需要|能不能|可不可以|会不会|是不是|还要")


def focus_terms(question: str) -> tuple[str, ...]:
    """What a yes/no question asks whether: its content words after 是否 / 有没有 / 还要 …"""
    folded = fold(question)
    match = _ZH_WHETHER.search(folded)
    rest = folded[match.end():] if match else folded
    return tuple(t.text for t in query_terms(rest) if t.text not in _ZH_FILLER)


def _bare(word: str) -> str:
    """A word folded, without a possessive 's or a trailing hyphen (FAA's, FlashAttention-)."""
    return re.sub(r"(?:['’]s|[-'’])+$", "", fold(word))


def analyse(question: str) -> Ask:
    question = question.strip()
    kind, value = ask_kind(question)
    language = detect_language(question)
    attribute = attribute_terms(question, language) if kind == AskKind.VALUE and value == ValueKind.NUMBER else ()
    return Ask(question, kind, value, tuple(query_terms(fold(question))), key_terms(question, language), language,
               attribute, focus_terms(question) if kind == AskKind.YESNO else (), name_terms(question, language))


__all__ = ["Ask", "AskKind", "ValueKind", "analyse", "ask_kind", "attribute_terms", "key_terms", "name_terms"]
