"""Showing document text safely: escaping, highlighting matched words, labels.

Everything that comes from a document (chunk text, file names) or from the model goes
through here before it reaches the page, so markup inside documents never renders as
HTML, Markdown or links. Pure functions; no Streamlit.
"""
from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from decimal import ROUND_FLOOR, Decimal
from pathlib import PurePath

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&=\"'])")
MIN_OVERLAP = 8

PASSAGE_STYLE = ("white-space:pre-wrap;line-height:1.65;font-size:0.93rem;margin:0.2rem 0 0.6rem 0;"
                 "padding:0.4rem 0.7rem;border-left:3px solid #d0d7de;background:rgba(128,128,128,0.06)")
CONTEXT_STYLE = "color:#8a8f98"
MARK_STYLE = "background:#ffe58f;color:inherit;padding:0 1px;border-radius:2px"
EVIDENCE_STYLE = ("background:#ffc069;color:inherit;padding:1px 2px;border-radius:3px;font-weight:600;"
                  "box-shadow:0 0 0 1px #fa8c16")
_ASCII_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'-]*")
# [1] / [1, 2] / 【1】 as an answer writes its citations
CITATION = re.compile(r"\[(\d+(?:\s*[,，]\s*\d+)*)\]|【(\d+)】")


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


def _term_pattern(term: str) -> str:
    """A Chinese term anywhere; an English word only as a whole word (its plural too), so
    "base" does not mark the start of "based"."""
    if not _ASCII_WORD.fullmatch(term):
        return re.escape(term)
    stem = term[:-1] if len(term) > 3 and term.lower().endswith("s") and not term.lower().endswith("ss") else term
    return rf"(?<![A-Za-z0-9]){re.escape(stem)}(?:s|es)?(?![A-Za-z0-9])"


def _terms_regex(terms: Sequence[str]) -> re.Pattern[str] | None:
    terms = useful_terms(terms)
    return re.compile("|".join(_term_pattern(t) for t in terms), re.IGNORECASE) if terms else None


def highlight_html(text: str, terms: Sequence[str]) -> str:
    """`text` HTML-escaped, with case-insensitive matches of `terms` wrapped in <mark>."""
    pattern = _terms_regex(terms)
    if pattern is None:
        return html.escape(text)
    out: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        out.append(html.escape(text[last:match.start()]))
        out.append(f'<mark style="{MARK_STYLE}">{html.escape(match.group())}</mark>')
        last = match.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def clip_spans(spans: Iterable[tuple[int, int]], length: int, shift: int = 0) -> list[tuple[int, int]]:
    """Spans moved left by `shift`, cut to 0..length, empty ones dropped, overlaps merged."""
    out: list[tuple[int, int]] = []
    for start, end in sorted((max(0, s - shift), min(length, e - shift)) for s, e in spans):
        if end <= start:
            continue
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def evidence_html(text: str, spans: Iterable[tuple[int, int]], terms: Sequence[str]) -> str:
    """`text` HTML-escaped: the evidence sentences (character spans) marked strongly, the
    question's words lightly everywhere else."""
    out: list[str] = []
    last = 0
    for start, end in clip_spans(spans, len(text)):
        out.append(highlight_html(text[last:start], terms))
        out.append(f'<mark class="yz-evidence" style="{EVIDENCE_STYLE}">{html.escape(text[start:end])}</mark>')
        last = end
    out.append(highlight_html(text[last:], terms))
    return "".join(out)


def passage_html(text: str, terms: Sequence[str], spans: Iterable[tuple[int, int]] = ()) -> str:
    return f'<div style="{PASSAGE_STYLE}">{evidence_html(text, spans, terms)}</div>'


def trim_overlap(previous: str, current: str, minimum: int = MIN_OVERLAP) -> str:
    """`current` without the start it repeats from the end of `previous` (chunk overlap)."""
    for size in range(min(len(previous), len(current)), minimum - 1, -1):
        if previous.endswith(current[:size]):
            return current[size:].lstrip()
    return current


def context_html(before: Sequence[str], text: str, after: Sequence[str], terms: Sequence[str],
                 spans: Iterable[tuple[int, int]] = ()) -> str:
    """The cited passage highlighted between its neighbours (greyed), overlaps removed;
    `spans` (offsets in `text`) are its evidence sentences."""
    parts: list[str] = []
    previous = ""
    for chunk in before:
        piece = trim_overlap(previous, chunk) if previous else chunk
        parts.append(f'<span style="{CONTEXT_STYLE}">{html.escape(piece)}</span>')
        previous = chunk
    main = trim_overlap(previous, text) if previous else text
    shown = clip_spans(spans, len(main), shift=len(text) - len(main))
    parts.append(f"<strong>{evidence_html(main, shown, terms)}</strong>")
    previous = text
    for chunk in after:
        parts.append(f'<span style="{CONTEXT_STYLE}">{html.escape(trim_overlap(previous, chunk))}</span>')
        previous = chunk
    return f'<div style="{PASSAGE_STYLE}">' + "\n".join(parts) + "</div>"


def file_name(source: str) -> str:
    """The file name of a stored source path (sources are absolute paths)."""
    return PurePath(source).name or source


def cited_numbers(text: str) -> list[int]:
    """The [n] a text names, in order, once each."""
    found: list[int] = []
    for match in CITATION.finditer(text):
        for number in re.findall(r"\d+", match.group(0)):
            if int(number) not in found:
                found.append(int(number))
    return found


def source_anchor(key: str, index: int) -> str:
    """The HTML id of source `index` under the answer `key` (its [n] links there)."""
    return f"{key}-src-{index}"


def floor_text(value: float, places: int = 3) -> str:
    """`value` cut (not rounded) to `places` decimals: a relevance just below a threshold never
    shows as the threshold itself (0.5496 at 0.55 is "0.549", not "0.550")."""
    return str(Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_FLOOR))


def format_ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f} ms" if value < 1000 else f"{value / 1000:.1f} s"
