"""The units evidence scoring and support checking count overlap in.

Text is first folded (`core.text.fold`: NFKC, Simplified script, case folded), so two
spellings of the same text compare equal. `grams` are the units overlap is counted in: each CJK character is a token, each run of
Latin letters or digits is one token (lightly stemmed), and n-grams are taken over that
token sequence, so Chinese gets character bigrams and English word bigrams. Punctuation,
whitespace and citation markers ([1], 【2】) are not tokens.
"""
from __future__ import annotations

import re

from core.text import HAN
from retrieval.relevance import english_stem

CITATION_MARK = re.compile(r"\s*(?:\[\s*\d+(?:\s*[,，、-]\s*\d+)*\s*\]|【\s*\d+(?:\s*[,，、-]\s*\d+)*\s*】)")
_TOKEN = re.compile(f"[{HAN}]|[a-z]+(?:['’][a-z]+)?|\\d+(?:\\.\\d+)?")


def strip_citations(text: str) -> str:
    """The text without its [n] / 【n】 markers."""
    return CITATION_MARK.sub("", text)


def tokens(text: str) -> list[str]:
    """Overlap tokens of already folded text: CJK characters, stemmed Latin words, numbers."""
    out = []
    for tok in _TOKEN.findall(text):
        out.append(english_stem(tok) if tok[0].isalpha() and tok.isascii() else tok)
    return out


def grams(toks: list[str], n: int = 2) -> set[str]:
    """The token n-grams of a token list (the tokens themselves when it is shorter than n)."""
    if len(toks) < n:
        return set(toks)
    return {"\x1f".join(toks[i:i + n]) for i in range(len(toks) - n + 1)}


def numbers(text: str) -> set[str]:
    """The numbers written with digits in already folded text (3.5, 1998, 10)."""
    return set(re.findall(r"\d+(?:\.\d+)?", re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)))


__all__ = ["CITATION_MARK", "grams", "numbers", "strip_citations", "tokens"]
