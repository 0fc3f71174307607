"""The answer card: the final answer with its [n] as links to the sources below it, a label
when it quotes the documents, and a mark after each sentence no source backs."""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import streamlit as st

from app.answering.numbering import in_listing_order
from app.answering.types import Answer, TableCell
from app.services import Services
from app.ui import elsewhere, near_misses, sidebar, sources_view
from app.ui.messages import t
from app.ui.textmark import CITATION, md_escape, source_anchor


def _with_links(text: str, key: str, known: set[int]) -> str:
    """`text` escaped for Markdown, each [n] of a shown source a link to it."""
    out: list[str] = []
    last = 0
    for match in CITATION.finditer(text):
        out.append(md_escape(text[last:match.start()]))
        numbers = [int(n) for n in re.findall(r"\d+", match.group(0))]
        out.append("".join(f"[\\[{n}\\]](#{source_anchor(key, n)})" if n in known else f"\\[{n}\\]" for n in numbers))
        last = match.end()
    out.append(md_escape(text[last:]))
    return "".join(out)


def _segments(text: str, sentences: Sequence[Any]) -> Iterable[tuple[str, bool]]:
    """The answer cut at its checked sentences: (piece, backed); text between or after the
    sentences (or all of it when a sentence cannot be found) counts as backed."""
    cursor = 0
    for sentence in sentences:
        piece = str(getattr(sentence, "text", "")).strip()
        at = text.find(piece, cursor) if piece else -1
        if at < 0:
            continue
        if at > cursor:
            yield text[cursor:at], True
        yield text[at:at + len(piece)], bool(getattr(sentence, "supported", True))
        cursor = at + len(piece)
    if cursor < len(text):
        yield text[cursor:], True


def answer_markdown(answer: Answer, key: str, lang: str | None = None) -> str:
    """The answer as Markdown: escaped, [n] linked to the sources shown, and a visible mark
    after every sentence that no passage supports."""
    known = {c.index for c in answer.citations}
    badge = f" :orange-badge[:material/report: {t('answer.unsupported', lang)}]"
    out = []
    for piece, backed in _segments(answer.text, answer.sentences if not answer.refused else ()):
        out.append(_with_links(piece, key, known) + ("" if backed else badge))
    return "".join(out)


def cell_rows(cells: Sequence[TableCell], lang: str | None = None) -> list[dict[str, str]]:
    """The table cells an answer gives, one row each: row label, column, value, unit, page."""
    return [{t("cells.row", lang): c.row, t("cells.column", lang): c.column, t("cells.value", lang): c.value,
             t("cells.unit", lang): c.unit or "—", t("cells.page", lang): str(c.page) if c.page else "—"}
            for c in cells]


def render_cells(answer: Answer) -> None:
    """A small table of the cells the answer gives, under its text, titled by their table's caption."""
    if not answer.cells:
        return
    captions = list(dict.fromkeys(c.caption for c in answer.cells if c.caption))
    st.caption(t("cells.title", caption=t("answer.kb_sep").join(captions)) if captions else t("cells.title_plain"))
    st.table(cell_rows(answer.cells))


def render(services: Services, message: dict[str, Any], key: str, threshold: float) -> None:
    """One assistant message: the answer card, its sources and its timings."""
    answer: Answer | None = message.get("answer")
    if answer is None:
        st.markdown(md_escape(message["content"]))
        if message.get("stopped"):  # cut short by the next question: kept as far as it was shown
            st.caption(f":material/stop_circle: {t('chat.stopped')}")
        return
    answer = in_listing_order(answer)  # saved before answers were numbered in listing order
    if answer.refused:
        note = t("answer.model_refused") if answer.citations else t("answer.refused")
        searched = t("answer.searched", kbs=t("answer.kb_sep").join(md_escape(n) for n in message.get("kbs") or ()))
        st.info(f"{md_escape(answer.text)}  \n{note}  \n{searched}", icon=":material/search_off:")
    else:
        if answer.quoted:
            st.markdown(f":blue-badge[:material/format_quote: {t('answer.quoted')}]", help=t("answer.quoted_help"))
        st.markdown(answer_markdown(answer, key))
        render_cells(answer)
        if not answer.supported:
            st.caption(t("answer.unsupported_note"))
    if answer.refused and not answer.citations:  # nothing reached the threshold: what came closest
        near_misses.render(services, answer, message.get("kbs", ()), message.get("terms", ()), key, threshold,
                           sidebar.tuning(services))
        elsewhere.render(services, answer, message.get("kbs", ()), key, sidebar.tuning(services))
    sources_view.render_sources(services, answer, message.get("kbs", ()), message.get("terms", ()), key,
                                threshold)
    sources_view.render_timings(answer)


__all__ = ["answer_markdown", "cell_rows", "render", "render_cells"]
