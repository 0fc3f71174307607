"""Showing document text safely: escaping, highlighting matched words, labels.

Everything that comes from a document (chunk text, file names) or from the model goes
through here before it reaches the page, so markup inside documents never renders as
HTML, Markdown or links. Pure functions; no Streamlit.
"""
from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from pathlib import PurePath

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&=\"'])")
MIN_OVERLAP = 8

PASSAGE_STYLE = ("white-space:pre-wrap;line-height:1.65;font-size:0.93rem;margin:0.2rem 0 0.6rem 0;"
                 "padding:0.4rem 0.7rem;border-left:3px solid #d0d7de;background:rgba(128,128,128,0.06)")
CONTEXT_STYLE = "color:#8a8f98"
MARK_STYLE = "background:#ffe58f;color:inherit;padding:0 1px;border-radius:2px"


def md_escape(text: str) -> str:
    """Text that st.markdown shows literally: punctuation backslash-escaped, line breaks kept.

    Safe to apply piece by piece to a stream (each character is escaped on its own).
    """
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", "  \n")


def useful_terms(terms: Iterable[str]) -> list[str]:
    """Terms worth highlighting: distinct, longest first, single characters only if nothing else."""
    distinct = list(dict.fromkeys(t.strip() for t in terms if t and t.strip()))
    longer = [t for t in distinct if len(t) >= 2]
    return sorted(longer or distinct, key=len, reverse=True)


def highlight_html(text: str, terms: Sequence[str]) -> str:
    """`text` HTML-escaped, with case-insensitive matches of `terms` wrapped in <mark>."""
    terms = useful_terms(terms)
    if not terms:
        return html.escape(text)
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    out: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        out.append(html.escape(text[last:match.start()]))
        out.append(f'<mark style="{MARK_STYLE}">{html.escape(match.group())}</mark>')
        last = match.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def passage_html(text: str, terms: Sequence[str]) -> str:
    return f'<div style="{PASSAGE_STYLE}">{highlight_html(text, terms)}</div>'


def trim_overlap(previous: str, current: str, minimum: int = MIN_OVERLAP) -> str:
    """`current` without the start it repeats from the end of `previous` (chunk overlap)."""
    for size in range(min(len(previous), len(current)), minimum - 1, -1):
        if previous.endswith(current[:size]):
            return current[size:].lstrip()
    return current


def context_html(before: Sequence[str], text: str, after: Sequence[str], terms: Sequence[str]) -> str:
    """The cited passage highlighted between its neighbours (greyed), overlaps removed."""
    parts: list[str] = []
    previous = ""
    for chunk in before:
        piece = trim_overlap(previous, chunk) if previous else chunk
        parts.append(f'<span style="{CONTEXT_STYLE}">{html.escape(piece)}</span>')
        previous = chunk
    main = trim_overlap(previous, text) if previous else text
    parts.append(f"<strong>{highlight_html(main, terms)}</strong>")
    previous = text
    for chunk in after:
        parts.append(f'<span style="{CONTEXT_STYLE}">{html.escape(trim_overlap(previous, chunk))}</span>')
        previous = chunk
    return f'<div style="{PASSAGE_STYLE}">' + "\n".join(parts) + "</div>"


def file_name(source: str) -> str:
    """The file name of a stored source path (sources are absolute paths)."""
    return PurePath(source).name or source


def source_heading(index: int, source: str, page: int | None, score: float, relevance: float | None = None) -> str:
    """"**[1]** name · 第 2 页 p.2 · score 0.0325" as Markdown, the name escaped."""
    parts = [f"**\\[{index}\\]** {md_escape(file_name(source))}"]
    if page:
        parts.append(f"第 {page} 页 p.{page}")
    parts.append(f"score {score:.4f}")
    if relevance is not None:
        parts.append(f"相关度 relevance {relevance:.2f}")
    return " · ".join(parts)


def format_ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f} ms" if value < 1000 else f"{value / 1000:.1f} s"
