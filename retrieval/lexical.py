"""Lexical side of hybrid search: jieba tokens for BM25 (SQLite FTS5).

Text is first put in the one form every lexical comparison uses (core/text.py:
NFKC, Traditional → Simplified, case folded), then segmented with jieba's search mode
(`lcut_for_search`, which also emits the shorter words inside long ones) and stored
space-joined in an FTS5 table, so FTS5's own `unicode61` tokenizer only has to split on
spaces and its built-in bm25() ranks. Queries are tokenised the same way.

A knowledge base's own words (`Vocabulary`: the terms of its headings and titles, and of
its user dictionary `<kb>/dict.txt`) are added as whole tokens wherever they occur, so a
name that jieba does not know, or glues to the next word (潘淑是), is still one token.
This is done after jieba, not inside it: jieba's dictionary is one per process (and the
index side runs in a child process, retrieval/lexical_worker.py), while every knowledge
base has its own words; a `Vocabulary` is a plain value that both sides are given.

`LEXICAL_VERSION` names the way rows are made; a knowledge base records the version its
rows were made with and rebuilds them from the stored text when it is older
(retrieval/kb/lexical_upkeep.py).
"""
from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import jieba

from core.text import fold, normalize_script

jieba.setLogLevel(logging.WARNING)

# 1: jieba search-mode tokens, lower-cased. 2: the text normalised first (NFKC,
# Traditional → Simplified, case folded). 3: the knowledge base's vocabulary (`Vocabulary`)
# appended. 4: English words stemmed (`english_stem`: "measured" and "measures" meet). 5: a
# final "ss" kept ("class" and "classes" meet).
LEXICAL_VERSION = 5

# A token is kept when it has at least one letter or digit (CJK ideographs count as
# letters); pure punctuation and whitespace carry no lexical signal.
_WORDLIKE = re.compile(r"\w", re.UNICODE)

# Query-only stopwords: question words and particles that match nearly every chunk.
# Dropping them keeps FTS5 from scoring the whole table for "的" (speed) and keeps
# BM25 from rewarding chunks for sharing them. Documents keep them (they are cheap).
QUERY_STOPWORDS = frozenset(
    """的 了 是 在 和 与 及 或 也 都 就 而 被 把 对 于 从 以 之 其 这 那 这个 那个 哪 哪个 哪些
    什么 怎么 怎样 如何 为什么 为何 多少 几 谁 吗 呢 吧 啊 呀 有 有没有 是否 是不是 请问
    一个 一种 哪里 哪儿 何 何时 时候 什么样 可以 能 会 要 the a an of to in on for is are was
    were be by with what which who whom when where why how does do did that this it as at or and""".split()
)


_EN_SUFFIXES = ("ations", "ation", "ings", "ing", "edly", "ed", "ies", "es", "ly", "s")


def english_stem(word: str) -> str:
    """A light stem: the longest of a few inflectional suffixes removed, keeping 4 letters;
    else a final e or y (locate → locat… "located", country → countr… "countries"). A final
    "ss" is no plural: "class" stays "class", as "classes" becomes."""
    word = word.lower().replace("’", "'").split("'")[0]
    for suffix in _EN_SUFFIXES:
        if suffix == "s" and word.endswith("ss"):
            break
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    if word[-1:] in ("e", "y") and len(word) >= 5 and word[-2:] not in ("ee", "ey"):
        return word[:-1]
    return word


def _is_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


@dataclass(frozen=True)
class Vocabulary:
    """A knowledge base's own words (names, terms of art), each emitted as one token.

    `terms` are in matching form (`core.text.fold`). A term found in a text is added to
    jieba's tokens when jieba did not already make it one token, on the index side and the
    query side alike, so "潘淑" is a token even where jieba glues it to the next word
    ("潘淑是"). Which words: see `vocabulary_terms`; retrieval/kb/lexical_upkeep.py keeps
    the rows in step with the vocabulary.
    """

    terms: frozenset[str] = frozenset()
    _by_first: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_first: dict[str, set[int]] = {}
        for term in self.terms:
            by_first.setdefault(term[0], set()).add(len(term))
        object.__setattr__(self, "_by_first", {c: sorted(n, reverse=True) for c, n in by_first.items()})

    def __bool__(self) -> bool:
        return bool(self.terms)

    def __len__(self) -> int:
        return len(self.terms)

    def union(self, terms) -> Vocabulary:
        """This vocabulary with more terms (itself when they add nothing)."""
        extra = frozenset(terms) - self.terms
        return Vocabulary(self.terms | extra) if extra else self

    @property
    def fingerprint(self) -> str:
        """Names this vocabulary ("" when empty), to tell whether rows were made with it."""
        if not self.terms:
            return ""
        return hashlib.sha256("\n".join(sorted(self.terms)).encode()).hexdigest()[:16]

    def find(self, text: str) -> list[str]:
        """The terms that occur in `text` (already in matching form), each once, in order.

        A term that starts (ends) with a Latin letter or digit must not continue a word or
        number there: "java" is not in "javascript", "笔记1" not in "笔记12".
        """
        found: dict[str, None] = {}
        by_first = self._by_first
        size = len(text)
        for i, ch in enumerate(text):
            lengths = by_first.get(ch)
            if not lengths or (i and _is_alnum(ch) and _is_alnum(text[i - 1])):
                continue
            for n in lengths:
                piece = text[i:i + n]
                if piece in self.terms and not (i + n < size and _is_alnum(piece[-1]) and _is_alnum(text[i + n])):
                    found[piece] = None
        return list(found)


EMPTY_VOCABULARY = Vocabulary()

# A term is one piece of a heading or a user's word: 2 to 16 characters, no spaces, with a
# letter or ideograph, not a bare number or a chapter number.
_TERM_SPLIT = re.compile(r"[\s>《》「」『』【】〈〉()（）\[\]{}<>,，。.;；:：!！?？、/\\|_\-\"'“”‘’…—–~～·•]+")
_NUMBERING = re.compile(r"^(第[0-9一二三四五六七八九十百千零两]+[章节条款部篇卷回]|[0-9]+(\.[0-9]+)*|[一二三四五六七八九十]+)$")
_HAS_LETTER = re.compile(r"[^\W\d_]")


def vocabulary_terms(text: str) -> list[str]:
    """Candidate terms of a heading, title or dictionary line, in matching form."""
    out = []
    for piece in _TERM_SPLIT.split(fold(text)):
        if 2 <= len(piece) <= 16 and _HAS_LETTER.search(piece) and not _NUMBERING.match(piece):
            out.append(piece)
    return out


def heading_terms(headings) -> set[str]:
    """The terms of headings and titles (a chunk's `heading`: "指南 > 安装", or a title)."""
    terms: set[str] = set()
    for heading in headings:
        if heading:
            terms.update(vocabulary_terms(heading))
    return terms


def read_user_dictionary(path: Path) -> set[str]:
    """The terms of a user dictionary file: one word per line (jieba's "word freq tag" lines
    work too: the first field is the word); blank lines and lines starting with # are skipped."""
    terms: set[str] = set()
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except FileNotFoundError:
        return terms
    for line in text.splitlines():
        fields = line.split()
        if fields and not fields[0].startswith("#"):
            terms.update(vocabulary_terms(fields[0]))
    return terms


def _stemmed(token: str) -> str:
    """An English word's stem (a stopword as it is: "where" stays a stopword); all else unchanged."""
    if token.isascii() and token.isalpha() and token not in QUERY_STOPWORDS:
        return english_stem(token)
    return token


def tokenize(text: str, vocabulary: Vocabulary = EMPTY_VOCABULARY) -> list[str]:
    """jieba search-mode tokens of the normalised text that contain a letter or digit, then
    the vocabulary's terms that occur in it and are not tokens already.

    jieba segments the NFKC, Simplified text with its case (its dictionary knows "T恤");
    the tokens are case folded, so the result is that of `core.text.fold`.
    """
    script = normalize_script(text)
    tokens = [_stemmed(t) for t in (w.strip().casefold() for w in jieba.lcut_for_search(script))
              if t and _WORDLIKE.search(t)]
    if vocabulary:
        known = set(tokens)
        # a term that is one English word is already there as its stem
        tokens += [t for t in vocabulary.find(script.casefold()) if t not in known and _stemmed(t) not in known]
    return tokens


def lexical_rows(texts: list[str], vocabulary: Vocabulary = EMPTY_VOCABULARY) -> list[str]:
    """The space-joined tokens stored in the FTS5 table, one row per text."""
    return [" ".join(tokenize(t, vocabulary)) for t in texts]


def query_tokens(text: str, vocabulary: Vocabulary = EMPTY_VOCABULARY) -> list[str]:
    """Distinct tokens of a query, stopwords dropped (all kept if that leaves none)."""
    tokens = list(dict.fromkeys(tokenize(text, vocabulary)))
    kept = [t for t in tokens if t not in QUERY_STOPWORDS]
    return kept or tokens


def fts_match_expression(tokens: list[str]) -> str:
    """An FTS5 MATCH expression that ORs the tokens, each quoted as a phrase."""
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in tokens)
