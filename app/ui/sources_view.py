"""Under an answer: its numbered sources. The ones the answer cites are always shown, each
with its evidence sentence marked and an anchor its [n] links to; the other passages the
model read are folded away. Each opens on its document: the PDF page with the passage and
the evidence marked, or the passage between its neighbours."""
from __future__ import annotations

import os
from collections.abc import Sequence

import streamlit as st

from app.answering.types import Answer, Citation
from app.services import Services
from app.ui import runtime
from app.ui.messages import t
from app.ui.pdf_preview import render_page
from app.ui.textmark import (
    cited_numbers,
    context_html,
    file_name,
    floor_text,
    format_ms,
    md_escape,
    passage_html,
    source_anchor,
)
from core.errors import YizhiError

SNIPPET_AROUND = 60  # characters of the passage shown either side of the evidence


@st.cache_data(max_entries=32, show_spinner=False)
def _page_png(path: str, mtime: float, page: int, passage: str, evidence: tuple[str, ...]) -> tuple[bytes, int]:
    """Cached per file version (`mtime`), page, passage and evidence."""
    return render_page(path, page, passage, evidence=evidence)


def _mtime(path: str) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0


def cited_indexes(answer: Answer) -> list[int]:
    """The sources the answer's text names ([n]), and those backing its sentences, in order."""
    known = {c.index for c in answer.citations}
    found = cited_numbers(answer.text)
    found += [s.passage for s in answer.sentences if getattr(s, "supported", False) and s.passage]
    return [n for n in dict.fromkeys(found) if n in known]


def _compact(text: str) -> str:
    return "".join(text.split())


def evidence_spans(answer: Answer, citation: Citation) -> list[tuple[int, int]]:
    """Offsets (in the citation's text) of the evidence sentences of this passage the answer
    rests on: those it quotes, else the best one (evidence comes best first)."""
    mine = [e for e in answer.evidence if getattr(e, "passage", None) == citation.index]
    said = _compact(answer.text)
    quoted = [e for e in mine if _compact(e.text) and _compact(e.text) in said]
    spans = []
    for e in quoted or mine[:1]:
        start, end = int(e.start), int(e.end)
        if citation.text[start:end] != e.text:  # saved with other offsets: find the sentence
            start = citation.text.find(e.text)
            end = start + len(e.text)
        if start >= 0:
            spans.append((start, end))
    return spans


def heading(citation: Citation) -> str:
    """"**[1]** 茶馆.md · 第 3 页 · 相关度 0.71" as Markdown, the name escaped."""
    parts = [f"**\\[{citation.index}\\]** {md_escape(file_name(citation.source))}"]
    if citation.page:
        parts.append(t("sources.page", page=citation.page))
    parts.append(t("sources.relevance", value=floor_text(citation.relevance, 2)))  # 0.549 below 0.55: "0.54"
    return " · ".join(parts)


def also_in(citation: Citation, lang: str | None = None) -> str:
    """"也见于 guide.pdf 第 2 页" (Markdown, names escaped): the other files holding the same
    text; "" when there are none."""
    places = [t("sources.also_in_place", lang, name=md_escape(file_name(ref.source)), page=ref.page) if ref.page
              else md_escape(file_name(ref.source)) for ref in citation.also_in]
    return t("sources.also_in", lang, places=t("sources.also_in_sep", lang).join(places)) if places else ""


def snippet(text: str, spans: Sequence[tuple[int, int]], around: int = SNIPPET_AROUND) -> tuple[str, list]:
    """The part of `text` around its evidence spans (all of it when short), and the spans in it."""
    if not spans:
        return (text if len(text) <= 2 * around else text[:2 * around].rstrip() + "…"), []
    lo = max(0, min(s for s, _ in spans) - around)
    hi = min(len(text), max(e for _, e in spans) + around)
    prefix = "…" if lo > 0 else ""
    suffix = "…" if hi < len(text) else ""
    shifted = [(s - lo + len(prefix), e - lo + len(prefix)) for s, e in spans]
    return prefix + text[lo:hi] + suffix, shifted


def render_preview(services: Services, kb_names: Sequence[str], citation: Citation, terms: Sequence[str],
                   spans: Sequence[tuple[int, int]]) -> None:
    """The PDF page with the passage and its evidence marked, or the passage between its neighbours."""
    path = services.knowledge.source_file(kb_names, citation.source)
    if path is None:
        st.caption(t("sources.file_gone"))
        st.html(passage_html(citation.text, terms, spans))
        return
    evidence = tuple(citation.text[s:e] for s, e in spans)
    if path.suffix.lower() == ".pdf" and citation.page:
        try:
            with st.spinner(t("sources.rendering")):
                png, marked = _page_png(str(path), _mtime(str(path)), citation.page, citation.text, evidence)
        except YizhiError as exc:
            runtime.show_error(exc, t("sources.no_preview"))
            return
        st.image(png, caption=t("sources.page_caption", name=path.name, page=citation.page))
        st.caption(t("sources.pdf_legend") if marked else t("sources.not_on_page"))
        return
    context = services.knowledge.passage_context(kb_names, citation.source, citation.text)
    shown = spans if context.text == citation.text else [
        (at, at + len(e)) for e in evidence if (at := context.text.find(e)) >= 0]
    st.html(context_html(context.before, context.text, context.after, terms, shown))
    if not context.found:
        st.caption(t("sources.file_changed"))


def render_source(services: Services, answer: Answer, citation: Citation, kb_names: Sequence[str], terms: Sequence[str],
            key: str, threshold: float) -> None:
    spans = evidence_spans(answer, citation)
    st.markdown(f'<span id="{source_anchor(key, citation.index)}" style="scroll-margin-top:4.5rem"></span>'
                + heading(citation), unsafe_allow_html=True,
                help=t("sources.relevance_help", threshold=f"{threshold:.2f}"))
    if citation.also_in:
        st.caption(also_in(citation), help=t("sources.also_in_help"))
    text, shown = snippet(citation.text, spans)
    st.html(passage_html(text, terms, shown))
    if st.toggle(t("sources.show_in_document"), key=f"{key}-preview-{citation.index}"):
        render_preview(services, kb_names, citation, terms, spans)


def render_sources(services: Services, answer: Answer, kb_names: Sequence[str], terms: Sequence[str], key: str,
                   threshold: float) -> None:
    """The sources the answer cites (always shown), then the other passages it was given."""
    if not answer.citations:
        return
    cited = [] if answer.refused else cited_indexes(answer)
    by_index = {c.index: c for c in answer.citations}
    if cited:
        st.markdown(f"**{t('sources.cited', n=len(cited))}**")
        for index in cited:
            render_source(services, answer, by_index[index], kb_names, terms, key, threshold)
    others = [c for c in answer.citations if c.index not in cited]
    if not others:
        return
    if answer.refused:
        label = t("sources.read_not_answered", n=len(others))
    elif cited:
        label = t("sources.also_read", n=len(others))
    else:
        label = t("sources.all", n=len(others))
    # Keyed and stateful: stays open across reruns (a preview toggle reruns the page), and
    # nothing inside is rendered while it is closed.
    folded = st.expander(label, icon=":material/menu_book:", key=f"{key}-sources", on_change="rerun")
    with folded:
        if not folded.open:
            return
        for citation in others:
            render_source(services, answer, citation, kb_names, terms, key, threshold)


def render_timings(answer: Answer) -> None:
    """Retrieval, first-token and total times for the curious."""
    timings = answer.timings
    with st.expander(t("timings.label"), icon=":material/timer:"):
        st.caption(t("timings.line", retrieval=format_ms(timings.get("retrieval_ms")),
                     first=format_ms(timings.get("first_token_ms")), total=format_ms(timings.get("total_ms"))))
        if "passages" in timings:
            st.caption(t("timings.passages", n=f"{timings['passages']:.0f}",
                         tokens=f"{timings.get('context_tokens', 0):.0f}"))
