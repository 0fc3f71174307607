"""Streamlit's own texts, in the page's language.

Some texts Streamlit draws itself, in English whatever the page's language: a select box's
"Choose an option" placeholder (a widget's `placeholder=` replaces it: `CHOOSE`), and the
"No results" (or "You can only select up to …") line of an empty drop-down list, which no
argument reaches. The latter is swapped for the catalogue's by a style rule on the list's
ARIA attributes (if a Streamlit release changes them, its own text simply comes back).
"""
from __future__ import annotations

from app.ui.messages import t


def css_content(text: str) -> str:
    """`text` as a CSS string literal (quotes, backslashes and angle brackets escaped)."""
    return '"' + "".join(ch if ch.isalnum() or ch in " ·、，,.()（）-" else f"\\{ord(ch):x} " for ch in text) + '"'


def choose() -> str:
    """The placeholder of a select box (shown while it is open and typed in)."""
    return t("app.choose")


def empty_list_css() -> str:
    """A <style> that says, in the page's language, that a drop-down list has nothing to pick."""
    empty = '[role="listbox"][data-empty="true"] [role="option"] > span'
    return (f"<style>{empty} {{font-size:0}} {empty}::after {{content:{css_content(t('app.no_options'))};"
            "font-size:0.875rem}</style>")


__all__ = ["choose", "css_content", "empty_list_css"]
