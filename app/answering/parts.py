"""A question that asks several things, cut into the questions it asks (pure functions).

    資料儲存在哪裡？可以刪除知識庫嗎？                    → 資料儲存在哪裡？ | 可以刪除知識庫嗎？
    可以删除知识库吗，数据保存在哪里？                      → 可以删除知识库吗 | 数据保存在哪里？
    Where is the data stored, and also can I delete it?  → only when each part stands alone

A question is cut only where it clearly ends and another begins: after ？ / ? (outside
quotation marks, brackets and titles), after "吗，", after "呢，" that closes a question
with a question word, and at English ", and also". A part is kept on its own only when it
stands alone; otherwise it is put back with its neighbour, so the question is asked as it
was written:

- it is a question (a tail without a question mark, "谢谢！", stays with the part before);
- it does not point back ("它什么时候生效？", "Is it free?") and is not too short to stand
  alone ("为什么？", "What about PDFs?");
- it is not the other half of an alternative ("是用 FAISS？还是 Milvus？", "…? Or …?");
- it is not "what about X" ("文档呢？": it borrows the question before it);
- in Chinese, it says enough by itself: a thin part ("什么时候生效？") leans on the part
  before, and so does a part naming nothing after one that names something
  ("北京海鸿源投资管理有限公司持股比例多少？质押了多少股？": the same company);
- a first part that asks nothing of the documents ("你知道吗？", "请问？") goes with the next.

At most `MAX_PARTS` parts (the rest stay with the last); a question longer than
`MAX_SPLIT_CHARS` is not cut.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from app.answering.evidence.asks import Ask, analyse
from app.answering.followups import points_back
from core.enums import Language
from core.text import detect_language, latin_words
from prompts.chitchat import chitchat_reply

MAX_PARTS = 3
MAX_SPLIT_CHARS = 400
# A later Chinese part with fewer content characters than this leans on the part before it
# ("什么时候生效？" after "RCEP是什么？"); with fewer than `THIN_AFTER_NAME` and no name of its
# own, it leans on a part before that names something.
THIN_PART = 4
THIN_AFTER_NAME = 5
LATIN_SIZE = 4  # RCEP, OCR: a whole topic
MIN_EN_WORDS = 4  # an English part of fewer words leans on the one before

_OPENING = "“‘「『《〈（(【［"
_CLOSING = "”’」』》〉）)】］"
_QUESTION_MARKS = "？?"
_RUN_AFTER = "？?！!。.…～~ \t\n\u3000"  # what else ends the same question: "？！", "??", "? "
_ZH_QUESTION_WORD = re.compile(r"什么|哪|怎|谁|多少|几|为何|为什么|如何|是否|有没有|能不能|可不可以|会不会|要不要")
_ALTERNATIVE = re.compile(r"^\s*(?:还是|或者|或是|抑或|或|or\b|either\b)", re.IGNORECASE)
_ELLIPTIC_NE = re.compile(r"呢[？?\s]*$")
_EN_AND_ALSO = re.compile(r",?\s+and also\s+", re.IGNORECASE)
_EN_ASKING = re.compile(r"(?:what|which|where|when|who|whom|whose|why|how|can|could|is|are|was|were|do|does|did|will|"
                        r"would|should|may|has|have)\b", re.IGNORECASE)
_ENUMERATOR = re.compile(r"^\s*(?:\d{1,2}\s*[.、)）]|[（(]\d{1,2}[)）]|[①-⑩]|第[一二三四五][，,、：:])\s*")
# Words of a question to the assistant rather than to the documents ("你知道吗", "我想问一下").
_CHAT_WORDS = frozenset("你 您 我 知道 告诉 想 问 问问 一下 请 请问 有人 真的 两个 几个 问题 帮 帮忙 麻烦 谢谢".split())


def question_parts(question: str) -> tuple[str, ...]:
    """The questions `question` asks, in order; `(question,)` when it asks one (or when
    its parts do not stand alone). Parts are pieces of the question as written."""
    text = question.strip()
    if not text or len(text) > MAX_SPLIT_CHARS:
        return (question,)
    pieces = _pieces(text)
    if len(pieces) < 2:
        return (question,)
    spans = _joined(text, pieces)
    if len(spans) < 2:
        return (question,)
    if len(spans) > MAX_PARTS:
        spans = spans[:MAX_PARTS - 1] + [(spans[MAX_PARTS - 1][0], spans[-1][1])]
    return tuple(_ENUMERATOR.sub("", text[start:end].strip()) or text[start:end].strip() for start, end in spans)


@dataclass(frozen=True, slots=True)
class _Piece:
    start: int  # where the question begins in the text
    end: int  # where it ends (an "and also" after it left out)
    and_also: bool  # it follows an English "and also"


def _pieces(text: str) -> list[_Piece]:
    """`text` cut after each place where a question clearly ends, outside quotes and brackets."""
    pieces: list[_Piece] = []
    start, also, depth, straight_quote, i = 0, False, 0, False, 0
    while i < len(text):
        ch = text[i]
        if ch in _OPENING:
            depth += 1
        elif ch in _CLOSING:
            depth = max(0, depth - 1)
        elif ch == '"':
            straight_quote = not straight_quote
        elif depth == 0 and not straight_quote:
            cut = _question_end(text, i)
            if cut is not None:
                end, next_start, and_also = cut
                pieces.append(_Piece(start, end, also))
                start, also, i = next_start, and_also, next_start
                continue
        i += 1
    pieces.append(_Piece(start, len(text), also))
    return [p for p in pieces if text[p.start:p.end].strip()]


def _question_end(text: str, i: int) -> tuple[int, int, bool] | None:
    """Where a question that ends at `text[i]` ends and the text after it begins, and whether
    they are joined by "and also"; None when no question ends there."""
    ch, after = text[i], text[i + 1:i + 2]
    if ch == "?" and after and after.isascii() and not (after.isspace() or after.isupper() or after in "?!\"'"):
        return None  # inside a word or an address: "x?y=1"
    if ch in _QUESTION_MARKS:
        end = i + 1
        while end < len(text) and text[end] in _RUN_AFTER:
            end += 1
        return end, end, False
    if ch == "吗" and after in "，," and after:
        return i + 1, i + 2, False
    if ch == "呢" and after in "，," and after and _ZH_QUESTION_WORD.search(_sentence_before(text, i)):
        return i + 1, i + 2, False
    if ch in ", " and (i == 0 or text[i - 1] not in ", "):
        match = _EN_AND_ALSO.match(text, i)
        if match and _EN_ASKING.match(text, match.end()):
            return i, match.end(), True
    return None


def _sentence_before(text: str, i: int) -> str:
    start = max(text.rfind(mark, 0, i) for mark in "。？?！!；;，,")
    return text[start + 1:i]


def _joined(text: str, pieces: list[_Piece]) -> list[tuple[int, int]]:
    """The spans of the parts: pieces put back together (as written) where one does not
    stand alone."""
    parts: list[tuple[int, int]] = []
    waiting: int | None = None  # where a first piece that asks nothing of the documents began
    for piece in pieces:
        start = piece.start if waiting is None else waiting
        if not parts:
            if _asks_nothing(text[start:piece.end]):
                waiting = start
            else:
                parts.append((start, piece.end))
                waiting = None
            continue
        if _stands_alone(text[piece.start:piece.end], text[parts[-1][0]:parts[-1][1]], piece.and_also):
            parts.append((piece.start, piece.end))
        else:
            parts[-1] = (parts[-1][0], piece.end)
    if not parts:
        return [(0, len(text))]
    return parts


def _is_question(piece: str) -> bool:
    return piece.rstrip(_RUN_AFTER)[-1:] in ("吗", "呢") or any(m in piece for m in _QUESTION_MARKS)


def _asks_nothing(piece: str) -> bool:
    """No word of the piece is about the documents ("你知道吗？", "请问？", "对吗？", "你好！")."""
    if chitchat_reply(piece) is not None:
        return True
    ask = analyse(_ENUMERATOR.sub("", piece))
    return not ask.keys and all(term.text in _CHAT_WORDS for term in ask.subject)


def _stands_alone(piece: str, before: str, and_also: bool) -> bool:
    """Whether `piece`, after `before` (joined by "and also" or not), asks something of its
    own in words of its own."""
    piece, before = _ENUMERATOR.sub("", piece), _ENUMERATOR.sub("", before)
    if not (and_also or _is_question(piece)):
        return False
    if points_back(piece) or _ALTERNATIVE.match(piece) or _asks_nothing(piece):
        return False
    if detect_language(piece) != Language.ZH:
        return len(latin_words(piece)) >= MIN_EN_WORDS  # "Why not?", "What about PDFs?" borrow the one before
    if _ELLIPTIC_NE.search(piece) and not _ZH_QUESTION_WORD.search(piece):
        return False  # "那知识库呢？": the question before, about something else
    ask = analyse(piece)
    size = _content_size(ask)
    if size < THIN_PART:
        return False  # "什么时候生效？": what takes effect is in the part before
    # "北京海鸿源投资管理有限公司持股比例多少？质押了多少股份？": the company carries over
    return size >= THIN_AFTER_NAME or bool(ask.keys) or not analyse(before).keys


def _content_size(ask: Ask) -> int:
    """How much a Chinese question says besides its question words: characters of its
    content words (a Latin word, a name of its own, counts `LATIN_SIZE`)."""
    return sum(LATIN_SIZE if term.latin else len(term.text) for term in ask.subject)


__all__ = ["MAX_PARTS", "MAX_SPLIT_CHARS", "question_parts"]
