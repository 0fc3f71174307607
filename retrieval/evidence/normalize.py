"""Text folding shared by evidence scoring and support checking.

`fold` makes two spellings of the same text compare equal: NFKC (full-width ＡＢＣ１２３
and half-width ABC123, compatibility forms), lower case, and Traditional to Simplified
Chinese when OpenCC is installed (package `opencc-python-reimplemented`, pure Python; the
C++ `opencc` package works too). Without OpenCC, Traditional text still matches
Traditional text, only not across scripts.

`grams` are the units overlap is counted in: each CJK character is a token, each run of
Latin letters or digits is one token (lightly stemmed), and n-grams are taken over that
token sequence, so Chinese gets character bigrams and English word bigrams. Punctuation,
whitespace and citation markers ([1], 【2】) are not tokens.
"""
from __future__ import annotations

import functools
import logging
import re
import unicodedata

from retrieval.relevance import english_stem

log = logging.getLogger(__name__)

CITATION_MARK = re.compile(r"\s*(?:\[\s*\d+(?:\s*[,，、-]\s*\d+)*\s*\]|【\s*\d+(?:\s*[,，、-]\s*\d+)*\s*】)")
_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[a-z]+(?:['’][a-z]+)?|\d+(?:\.\d+)?")


@functools.lru_cache(maxsize=1)
def _converter():
    """OpenCC's Traditional-to-Simplified converter, or None when OpenCC is not installed."""
    try:
        import opencc
    except ImportError:
        log.info("OpenCC is not installed: Traditional and Simplified Chinese are compared as written")
        return None
    for config in ("t2s", "t2s.json"):  # the pure-Python package takes "t2s", the C++ one either
        try:
            return opencc.OpenCC(config)
        except (ValueError, OSError, RuntimeError) as exc:
            log.debug("OpenCC config %s unavailable: %s", config, exc)
    return None


def to_simplified(text: str) -> str:
    """Traditional characters as Simplified (unchanged without OpenCC)."""
    converter = _converter()
    return converter.convert(text) if converter is not None and text else text


def fold(text: str) -> str:
    """NFKC, lower case, Simplified script."""
    return to_simplified(unicodedata.normalize("NFKC", text).lower())


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


__all__ = ["CITATION_MARK", "fold", "grams", "numbers", "strip_citations", "to_simplified", "tokens"]
