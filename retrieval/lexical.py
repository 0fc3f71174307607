"""Lexical side of hybrid search: jieba tokens for BM25 (SQLite FTS5).

Text is segmented with jieba's search mode (`lcut_for_search`, which also emits the
shorter words inside long ones) and stored space-joined in an FTS5 table, so FTS5's
own `unicode61` tokenizer only has to split on spaces and its built-in bm25() ranks.
"""
from __future__ import annotations

import logging
import re

import jieba

jieba.setLogLevel(logging.WARNING)

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


def tokenize(text: str) -> list[str]:
    """Lower-cased jieba search-mode tokens that contain a letter or digit."""
    return [t for t in (w.strip().lower() for w in jieba.lcut_for_search(text)) if t and _WORDLIKE.search(t)]


def lexical_rows(texts: list[str]) -> list[str]:
    """The space-joined tokens stored in the FTS5 table, one row per text."""
    return [" ".join(tokenize(t)) for t in texts]


def query_tokens(text: str) -> list[str]:
    """Distinct tokens of a query, stopwords dropped (all kept if that leaves none)."""
    tokens = list(dict.fromkeys(tokenize(text)))
    kept = [t for t in tokens if t not in QUERY_STOPWORDS]
    return kept or tokens


def fts_match_expression(tokens: list[str]) -> str:
    """An FTS5 MATCH expression that ORs the tokens, each quoted as a phrase."""
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in tokens)
