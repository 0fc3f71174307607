"""Simplified and Traditional Chinese: which one a text is written in, and converting.

OpenCC (package `opencc-python-reimplemented`, pure Python, a requirement) does the
conversion; each converter is built once per process on first use. Matching folds both
scripts to Simplified; what users see keeps its own characters, except the answers and
messages Yizhi writes itself, which follow the script of the question.
"""
from __future__ import annotations

import functools
import re
from enum import StrEnum

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


class Script(StrEnum):
    SIMPLIFIED = "zh-Hans"
    TRADITIONAL = "zh-Hant"
    LATIN = "en"


@functools.lru_cache(maxsize=4)
def _converter(config: str):
    import opencc

    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    return _converter("t2s").convert(text) if text and _HAN.search(text) else text


def to_traditional(text: str) -> str:
    """Simplified to Traditional with Taiwan's phrasing (s2twp), as the dev sets use."""
    return _converter("s2twp").convert(text) if text and _HAN.search(text) else text


def script_of(text: str) -> Script:
    """Traditional when converting to Simplified changes more characters than the other way.

    Text with no Han characters is Latin; text whose characters are the same in both
    scripts (人口, 中国 is Simplified, 中國 Traditional) counts as Simplified.
    """
    han = "".join(_HAN.findall(text))
    if not han:
        return Script.LATIN
    simplified = to_simplified(han)
    traditional = _converter("s2t").convert(han)
    changed_to_simplified = sum(a != b for a, b in zip(han, simplified))
    changed_to_traditional = sum(a != b for a, b in zip(han, traditional))
    return Script.TRADITIONAL if changed_to_simplified > changed_to_traditional else Script.SIMPLIFIED


def in_script(text: str, script: Script) -> str:
    """Yizhi's own words (written in Simplified) in the question's script."""
    return to_traditional(text) if script == Script.TRADITIONAL else text
