"""The bundled guide names the app's labels as they are (issue 24: it named 「清空」 and
「查看原文」 where the app shows 「新对话」 and 「在原文中查看」).

The convention: every label the guide quotes from the app (a page, button, toggle, menu or
setting) is written in 「…」 in the Chinese guide and in curly quotes “…” in the English one,
exactly as the app shows it (a count as an example: 「引用的来源（1）」); other quotations use
“…” in Chinese and straight quotes "…" in English. Each quoted label must be a message of the
catalogue in that language.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.ui.messages import CATALOGUE

DOCS = Path(__file__).resolve().parents[3] / "data" / "docs"
QUOTED = {"zh": re.compile(r"「([^」]+)」"), "en": re.compile(r"“([^”]+)”")}
GUIDES = {"zh": DOCS / "yizhi_guide_zh.md", "en": DOCS / "yizhi_guide_en.md"}


def _pattern(message: str) -> re.Pattern[str]:
    """A catalogue message as a pattern: its {placeholders} stand for any text."""
    parts = re.split(r"\{[a-z_]+\}", message)
    return re.compile(".+?".join(re.escape(part) for part in parts))


def labels_not_in_the_catalogue(text: str, lang: str) -> list[str]:
    messages = [_pattern(entry[lang]) for entry in CATALOGUE.values()]
    quoted = dict.fromkeys(QUOTED[lang].findall(text))
    return [label for label in quoted if not any(m.fullmatch(label) for m in messages)]


def test_a_label_is_checked_against_the_catalogue():
    assert labels_not_in_the_catalogue("点击「新对话」，打开「在原文中查看」，看「引用的来源（3）」", "zh") == []
    assert labels_not_in_the_catalogue("点击「清空」，打开「查看原文」", "zh") == ["清空", "查看原文"]
    assert labels_not_in_the_catalogue("press “New conversation”, not “Clear”", "en") == ["Clear"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_label_the_guide_quotes_is_in_the_app(lang: str):
    text = GUIDES[lang].read_text(encoding="utf-8")
    assert len(QUOTED[lang].findall(text)) >= 20  # the guide walks through the app by its labels
    assert labels_not_in_the_catalogue(text, lang) == []
