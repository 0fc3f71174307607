"""Sentences of a chunk's text, with their character offsets inside that text.

Chinese sentences end at 。！？；… (runs of them count once) and English ones at . ! ?
followed by a space and a capital (or a quote, a digit, a CJK character) or by the end
of the line (a ! or ? followed by a lower-case word, as in a quoted question, goes on).
Closing quotes and brackets stay with the sentence they close (他说：“好。”),
a full stop inside a number (3.5), a list marker ("1. ") or an abbreviation ("e.g.",
"Dr.", "U.S.", an initial "J.") does not end a sentence. A line break always ends one,
and a table row ("a | b | c") is a sentence of its own.

`Sentence.text == text[start:end]` always holds: offsets index the original string
(surrounding whitespace is trimmed, nothing else is changed), so a UI can highlight the
exact characters.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from core.text import CJK_PUNCTUATION, HAN

_LINE_BREAK = re.compile(r"\r\n|[\n\r\u2028\u2029\x0b\x0c\x85]")
_CJK_END = frozenset("。！？；…")
_ASCII_STRONG = frozenset("!?")
_DOTS = frozenset(".．")
_CLOSERS = frozenset("”’」』）)】》〉]\"'")
_OPENERS = frozenset("“‘「『（(【《〈[\"'")
_CJK = re.compile(f"[{HAN}{CJK_PUNCTUATION}]")
_WORDLIKE = re.compile(r"\w")
_SOFT_BREAK = frozenset("，,、：:")
_INLINE_MARKER = re.compile(r"(?:^|[:：；;，,])\s*\d{1,2}\.$")
# Lower-cased, without their final dot: a dot after one of these does not end a sentence.
_ABBREVIATIONS = frozenset(
    """e.g i.e cf vs al mr mrs ms dr prof st sr jr mt ft fig figs no nos vol vols pp ed eds inc ltd co corp
    dept univ approx est jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n a.m p.m ph.d b.a m.a""".split()
)


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: `text` is exactly `source[start:end]`."""

    text: str
    start: int
    end: int


def _lines(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for match in _LINE_BREAK.finditer(text):
        spans.append((pos, match.start()))
        pos = match.end()
    spans.append((pos, len(text)))
    return spans


def is_table_row(line: str) -> bool:
    """A Markdown/text table row: cells separated by '|' (or by tabs)."""
    for sep in ("|", "\t"):
        if line.count(sep) >= 2 and sum(1 for cell in line.strip().strip(sep).split(sep) if cell.strip()) >= 2:
            return True
    return False


def _word_before(line: str, dot: int) -> str:
    """The letters-and-dots token that ends at `dot` (the dot excluded), lower-cased."""
    i = dot
    while i > 0 and (line[i - 1].isalpha() or line[i - 1] in _DOTS) and not _CJK.match(line[i - 1]):
        i -= 1
    return line[i:dot].lower().replace("．", ".")


def _dot_ends(line: str, dot: int, after: int) -> bool:
    """Does the '.' at `dot` end a sentence, given that the sentence would end at `after`?"""
    if after >= len(line):
        return True
    if not line[after].isspace():
        # A dot glued to the next character (3.5, www.x.org, U.S.) ends nothing, except
        # an English sentence followed at once by Chinese ("… in 1998.然后").
        return after > dot + 1 or (bool(_CJK.match(line[after])) and dot > 0 and line[dot - 1].isalnum())
    k = after
    while k < len(line) and line[k].isspace():
        k += 1
    if k >= len(line):
        return True
    nxt = line[k]
    if not (nxt.isupper() or nxt.isdigit() or nxt in _OPENERS or _CJK.match(nxt)):
        return False
    if after > dot + 1:  # closers or an ellipsis after the dot: "… end." Next
        return True
    word = _word_before(line, dot)
    if word in _ABBREVIATIONS or (len(word) == 1 and line[dot - 1].isupper()):
        return False
    if line[:dot].strip().isdigit():  # a list marker: "1. Install"
        return False
    if _INLINE_MARKER.search(line[:dot + 1]):  # an item number after a lead: "以下特点:1. 显存占用大"
        return False
    return True


def _goes_on(line: str, after: int) -> bool:
    """A quoted question inside an English sentence: the next word is lower case
    ('Questions such as "Which formats?" are searched…'), so the sentence goes on."""
    rest = line[after:].lstrip()
    return bool(rest) and rest[0].isascii() and rest[0].islower()


_CJK_OPEN = {"「": "」", "『": "』", "“": "”", "《": "》", "（": "）", "【": "】"}
_UNBALANCED = 200  # a quotation open this long is a stray mark, not a quotation


def _split_line(line: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of one line, untrimmed.

    Inside a Chinese quotation or bracket (「…」 “…” （…）) 。；！？ do not end the sentence:
    「金钱鼠尾，乃新朝之雅政；峨冠博带，实亡国之陋规」 is quoted whole. The sentence ends after
    the closing mark when the quotation ends with one (他说：“我来了。你走吧。”).
    """
    spans, start, i, n = [], 0, 0, len(line)
    open_marks: list[str] = []
    opened_at = 0
    while i < n:
        ch = line[i]
        if ch in _CJK_OPEN:
            if not open_marks:
                opened_at = i
            open_marks.append(_CJK_OPEN[ch])
        elif open_marks and ch == open_marks[-1]:
            open_marks.pop()
            if not open_marks and i > 0 and line[i - 1] in _CJK_END:
                j = i + 1
                while j < n and line[j] in _CLOSERS:
                    j += 1
                spans.append((start, j))
                start = i = j
                continue
        elif open_marks and i - opened_at > _UNBALANCED:
            open_marks.clear()
        if open_marks:
            i += 1
            continue
        if ch in _CJK_END or ch in _ASCII_STRONG or ch in _DOTS:
            j = i + 1
            while j < n and (line[j] in _CJK_END or line[j] in _ASCII_STRONG or line[j] in _DOTS):
                j += 1
            while j < n and line[j] in _CLOSERS:
                j += 1
            if ch in _CJK_END:
                ends = True
            elif ch in _ASCII_STRONG:
                ends = (j >= n or line[j].isspace() or bool(_CJK.match(line[j]))) and not _goes_on(line, j)
            else:
                ends = _dot_ends(line, i, j)
            if ends:
                spans.append((start, j))
                start = j
            i = j
            continue
        i += 1
    if start < n:
        spans.append((start, n))
    return spans


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _cut_long(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Cut a sentence longer than `max_chars` after commas (，,、：:), greedily."""
    pieces, piece_start, last_soft = [], start, None
    for i in range(start, end):
        if text[i] in _SOFT_BREAK:
            if i + 1 - piece_start > max_chars and last_soft is not None:
                pieces.append((piece_start, last_soft))
                piece_start = last_soft
            last_soft = i + 1
    if end - piece_start > max_chars and last_soft is not None and last_soft > piece_start:
        pieces.append((piece_start, last_soft))
        piece_start = last_soft
    pieces.append((piece_start, end))
    return pieces


def split_sentences(text: str, *, max_chars: int | None = None) -> list[Sentence]:
    """The sentences of `text` in order, each with its offsets (see the module docs).

    Pieces without a letter or digit (a lone "——", a table rule "|---|---|") are dropped.
    With `max_chars`, a longer sentence is cut after its commas into pieces of about that
    length (a piece without a comma stays whole).
    """
    out: list[Sentence] = []
    for line_start, line_end in _lines(text):
        line = text[line_start:line_end]
        if not line.strip():
            continue
        spans = [(0, len(line))] if is_table_row(line) else _split_line(line)
        for s, e in spans:
            s, e = _trimmed(text, line_start + s, line_start + e)
            if s >= e or not _WORDLIKE.search(text[s:e]):
                continue
            pieces = _cut_long(text, s, e, max_chars) if max_chars and e - s > max_chars else [(s, e)]
            for ps, pe in pieces:
                ps, pe = _trimmed(text, ps, pe)
                if ps < pe and _WORDLIKE.search(text[ps:pe]):
                    out.append(Sentence(text[ps:pe], ps, pe))
    return out


__all__ = ["Sentence", "is_table_row", "split_sentences"]
