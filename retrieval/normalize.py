"""One spelling for lexical matching: script and form normalisation.

Everything lexical (the FTS5 tokens of the index, the query's tokens, the relevance
coverage) compares text in one form, so that a question typed in Traditional Chinese
finds a Simplified document and the other way round, and ＡＢＣ１２３ matches ABC123:

- NFKC: full-width letters and digits become ASCII, compatibility ideographs
  (U+F900…) and forms (㎡, ①, ﬁ) their ordinary spelling;
- Traditional → Simplified Chinese with OpenCC's `t2s` (package
  `opencc-python-reimplemented`); jieba's dictionary and IDF table are Simplified, so
  Traditional words segment and weigh like their Simplified twins;
- case folding.

The stored and displayed text stays as written: only what is matched is normalised.

The conversion is OpenCC's `t2s`: its two tables (TSPhrases, TSCharacters, as shipped by
`opencc-python-reimplemented`), applied as OpenCC applies them (the longest phrase from
left to right, else character by character, the first candidate each time), with
`re` and `str.translate`: about 0.05 ms per 400 characters instead of OpenCC's pure-Python
1-2 ms, with the same output (tests/retrieval/test_normalize.py compares them). Text with
no character that `t2s` can change (most Simplified text) is returned at once. When
the tables cannot be read, OpenCC's own converter is used.
"""
from __future__ import annotations

import functools
import logging
import re
import threading
import unicodedata
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

_lock = threading.Lock()
_state: tuple[Callable[[str], str], frozenset[str] | None] | None = None


def _read_table(path: Path) -> dict[str, str]:
    """An OpenCC dictionary file: key, tab, space-separated candidates; the first is taken."""
    table: dict[str, str] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            key, _, values = line.rstrip("\n").partition("\t")
            candidates = values.split()
            if key and candidates:
                table[key] = candidates[0]
    return table


class TableConverter:
    """OpenCC's t2s over its own tables: phrases first (longest, leftmost), then characters."""

    def __init__(self, phrases: dict[str, str], characters: dict[str, str]) -> None:
        self.phrases = phrases
        self._chars = {ord(k): v for k, v in characters.items() if len(k) == 1 and v != k}
        keys = sorted(phrases, key=len, reverse=True)
        self._phrase = re.compile("|".join(map(re.escape, keys))) if keys else None
        changing = {k for k, v in characters.items() if v != k}
        for key, value in phrases.items():
            if len(key) != len(value):
                changing.update(key)
            else:
                changing.update(a for a, b in zip(key, value) if a != b)
        self.changing = frozenset(changing)

    def convert(self, text: str) -> str:
        if self._phrase is None:
            return text.translate(self._chars)
        out, pos = [], 0
        for m in self._phrase.finditer(text):
            out.append(text[pos:m.start()].translate(self._chars))
            out.append(self.phrases[m.group()])
            pos = m.end()
        out.append(text[pos:].translate(self._chars))
        return "".join(out)


def _opencc_converter(opencc):
    """OpenCC's own t2s converter (the pure-Python package takes "t2s", the C++ one also "t2s.json")."""
    try:
        return opencc.OpenCC("t2s")
    except (ValueError, OSError, RuntimeError):
        return opencc.OpenCC("t2s.json")


def _t2s() -> tuple[Callable[[str], str], frozenset[str] | None]:
    """The conversion and the characters it can change (None: any), loaded once per process."""
    global _state
    if _state is None:
        with _lock:
            if _state is None:
                import opencc

                tables = Path(opencc.__file__).parent / "dictionary"
                try:
                    converter = TableConverter(_read_table(tables / "TSPhrases.txt"),
                                               _read_table(tables / "TSCharacters.txt"))
                    _state = (converter.convert, converter.changing)
                except OSError as exc:  # e.g. the C++ `opencc` package, whose tables are binary
                    log.info("OpenCC's tables are not readable here (%s): using its converter", exc)
                    _state = (_opencc_converter(opencc).convert, None)
    return _state


def to_simplified(text: str) -> str:
    """Traditional characters and phrases as Simplified; Simplified text comes back as is."""
    if not text or text.isascii():
        return text
    convert, changing = _t2s()
    if changing is not None and changing.isdisjoint(text):
        return text
    return convert(text)


def normalize_script(text: str) -> str:
    """NFKC and Simplified script, case kept (what jieba segments: its dictionary has 'T恤')."""
    return to_simplified(unicodedata.normalize("NFKC", text))


def normalize_for_match(text: str) -> str:
    """The form every lexical comparison uses: NFKC, Simplified script, case folded."""
    return normalize_script(text).casefold()


@functools.lru_cache(maxsize=4096)
def normalized_passage(text: str) -> str:
    """`normalize_for_match`, remembered for passages that are scored again and again."""
    return normalize_for_match(text)
