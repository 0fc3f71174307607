"""The rules of Chinese and English text that every layer shares, each written once.

- `HAN`: the Han characters (CJK Unified Ideographs and Extension A, the compatibility
  ideographs, Extensions B and later), as the body of a regex character class.
- `to_simplified` / `to_traditional`: OpenCC's conversions (package
  `opencc-python-reimplemented`, a requirement).
- `mainland_phrasing`: a Traditional question's Taiwan words for things in the mainland's
  (資料 → 數據, OpenCC's TWPhrasesRev), for documents written in mainland Chinese.
- `script_of` / `in_script`: which script a text is written in, and Yizhi's own words
  (written in Simplified) in that script.
- `detect_language`: Chinese or English, for answering in the language of the question.
- `fold` / `normalize_script`: the one form lexical matching compares text in: NFKC
  (full-width ＡＢＣ１２３ is ABC123, compatibility ideographs their ordinary spelling),
  Simplified script (jieba's dictionary and IDF table are Simplified) and, for `fold`,
  case folding. Stored and displayed text stays as written.

`to_simplified` applies OpenCC's `t2s` tables (TSPhrases, TSCharacters, as shipped by the
package) as OpenCC applies them: the longest phrase from left to right, else character by
character, the first candidate each time; with `re` and `str.translate` that is about
0.05 ms per 400 characters instead of OpenCC's pure-Python 1-2 ms, with the same output
(tests/core/test_text.py compares them). Text with no character `t2s` can change (most
Simplified text) comes back at once.
"""
from __future__ import annotations

import functools
import re
import threading
import unicodedata
from enum import StrEnum
from pathlib import Path

from core.enums import Language
from core.errors import ConfigError

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
HAN_CHAR = re.compile(f"[{HAN}]")
# CJK punctuation and full-width forms: written without spaces between them and Han text.
CJK_PUNCTUATION = "\u3000-\u303f\uff00-\uffef"
_LATIN_WORD = re.compile(r"[A-Za-z]+")


class Script(StrEnum):
    SIMPLIFIED = "zh-Hans"
    TRADITIONAL = "zh-Hant"
    LATIN = "en"


def han_count(text: str) -> int:
    return len(HAN_CHAR.findall(text))


def latin_words(text: str) -> list[str]:
    return _LATIN_WORD.findall(text)


def detect_language(text: str) -> Language:
    """Chinese when Han characters outnumber (or equal) Latin words, else English; text
    with neither counts as Chinese, the language of most users."""
    han, words = han_count(text), len(latin_words(text))
    if han and han >= words:
        return Language.ZH
    return Language.EN if words else Language.ZH


# --- Traditional and Simplified -------------------------------------------------------------

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
    """OpenCC's conversion over its own tables: phrases first (longest, leftmost), then characters."""

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


_t2s_lock = threading.Lock()


@functools.cache
def _opencc_tables() -> Path:
    try:
        import opencc
    except ImportError as exc:
        raise ConfigError("the package opencc-python-reimplemented is missing: it converts between "
                          "Traditional and Simplified Chinese; install the requirements again") from exc
    return Path(opencc.__file__).parent / "dictionary"


@functools.cache
def _t2s() -> TableConverter:
    """The t2s converter, built once per process from OpenCC's text tables."""
    with _t2s_lock:
        tables = _opencc_tables()
        try:
            return TableConverter(_read_table(tables / "TSPhrases.txt"), _read_table(tables / "TSCharacters.txt"))
        except OSError as exc:
            raise ConfigError(f"OpenCC's conversion tables cannot be read ({exc}): reinstall "
                              "opencc-python-reimplemented") from exc


@functools.lru_cache(maxsize=4)
def _opencc(config: str):
    _opencc_tables()  # the same clear error when the package is missing
    import opencc

    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """Traditional characters and phrases as Simplified; Simplified text comes back as is."""
    if not text or text.isascii():
        return text
    converter = _t2s()
    if converter.changing.isdisjoint(text):
        return text
    return converter.convert(text)


@functools.cache
def _taiwan_phrases() -> TableConverter:
    """Taiwan's words for things, to the mainland's (OpenCC's TWPhrasesRev, as its tw2sp uses)."""
    with _t2s_lock:
        try:
            return TableConverter(_read_table(_opencc_tables() / "TWPhrasesRev.txt"), {})
        except OSError as exc:
            raise ConfigError(f"OpenCC's conversion tables cannot be read ({exc}): reinstall "
                              "opencc-python-reimplemented") from exc


def mainland_phrasing(text: str) -> str:
    """A Traditional text with Taiwan's words for things in the mainland's, still in
    Traditional characters (資料儲存 → 數據保存, 記憶體 → 內存, 預設 → 默認), so that it
    meets documents written in mainland Chinese; other text comes back as is."""
    if not text or text.isascii() or script_of(text) != Script.TRADITIONAL:
        return text
    return _taiwan_phrases().convert(text)


def to_traditional(text: str) -> str:
    """Simplified to Traditional with Taiwan's phrasing (s2twp), as the dev sets use."""
    return _opencc("s2twp").convert(text) if text and HAN_CHAR.search(text) else text


def script_of(text: str) -> Script:
    """Traditional when converting to Simplified changes more characters than the other way.

    Text with no Han characters is Latin; text whose characters are the same in both
    scripts (人口, 中国 is Simplified, 中國 Traditional) counts as Simplified.
    """
    han = "".join(HAN_CHAR.findall(text))
    if not han:
        return Script.LATIN
    simplified = to_simplified(han)
    traditional = _opencc("s2t").convert(han)
    changed_to_simplified = sum(a != b for a, b in zip(han, simplified))
    changed_to_traditional = sum(a != b for a, b in zip(han, traditional))
    return Script.TRADITIONAL if changed_to_simplified > changed_to_traditional else Script.SIMPLIFIED


def in_script(text: str, script: Script) -> str:
    """Yizhi's own words (written in Simplified) in the question's script."""
    return to_traditional(text) if script == Script.TRADITIONAL else text


# --- the matching form -----------------------------------------------------------------------

def normalize_script(text: str) -> str:
    """NFKC and Simplified script, case kept (what jieba segments: its dictionary has 'T恤')."""
    return to_simplified(unicodedata.normalize("NFKC", text))


def fold(text: str) -> str:
    """The form every comparison of words uses: NFKC, Simplified script, case folded."""
    return normalize_script(text).casefold()


@functools.lru_cache(maxsize=4096)
def folded_passage(text: str) -> str:
    """`fold`, remembered for passages that are scored again and again."""
    return fold(text)


# --- characters that cannot be stored or shown ------------------------------------------------
# Lone surrogates cannot be encoded (UTF-8 refuses them), and control characters other than
# whitespace would act on a terminal instead of being shown (ESC starts a terminal command).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def first_unusable(text: str) -> str | None:
    """The first character of `text` that no file, database or terminal takes as text: a
    lone surrogate or a control character other than whitespace; None when there is none."""
    found = _CONTROL.search(text)
    return found.group() if found else None


def escape_controls(text: str, keep: str = "\n\t") -> str:
    """`text` with every unusable character written as an escape (ESC as `\\x1b`), so a
    file name or passage printed on a terminal cannot move the cursor or change colours;
    the characters in `keep` (line breaks, tabs) pass as they are."""
    def escaped(found: re.Match[str]) -> str:
        char = found.group()
        return char if char in keep else char.encode("unicode_escape", "backslashreplace").decode("ascii")
    return re.sub(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]", escaped, text)
