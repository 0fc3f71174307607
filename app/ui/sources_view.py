"""Under an answer: its numbered sources, each with a preview of where it comes from."""
from __future__ import annotations

import os
from collections.abc import Sequence

import streamlit as st

from app.services import Services
from app.ui.pdf_preview import PreviewUnavailable, render_page
from app.ui.runtime import show_error
from app.ui.textmark import context_html, format_ms, passage_html, source_heading
from core.answers import Answer, Citation


@st.cache_data(max_entries=32, show_spinner=False)
def _page_png(path: str, mtime: float, page: int, passage: str) -> tuple[bytes, int]:
    """Cached per file version (`mtime`), page and passage."""
    return render_page(path, page, passage)


def _mtime(path: str) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0


def render_preview(services: Services, kb_names: Sequence[str], citation: Citation,
                   terms: Sequence[str]) -> None:
    """The PDF page with the passage marked, or the passage between its neighbours."""
    path = services.knowledge.source_file(kb_names, citation.source)
    if path is None:
        st.caption("原文件已不存在，只能显示引用的段落 / The file is gone: only the cited passage is shown.")
        return
    if path.suffix.lower() == ".pdf" and citation.page:
        try:
            with st.spinner("正在渲染页面… Rendering the page…"):
                png, marked = _page_png(str(path), _mtime(str(path)), citation.page, citation.text)
        except PreviewUnavailable as exc:
            show_error(exc, "无法预览 / No preview")
            return
        st.image(png, caption=f"{path.name} · 第 {citation.page} 页 page {citation.page}")
        if not marked:
            st.caption("未能在页面上标出该段落 / The passage could not be located on the page.")
        return
    context = services.knowledge.passage_context(kb_names, citation.source, citation.text)
    st.html(context_html(context.before, context.text, context.after, terms))
    if not context.found:
        st.caption("文件已改变或无法重新读取，只显示引用的段落 / The file changed since it was indexed: "
                   "only the cited passage is shown.")


def render_sources(services: Services, answer: Answer, kb_names: Sequence[str], terms: Sequence[str],
                   key: str) -> None:
    """The expander of numbered sources matching the [n] in the answer."""
    if not answer.citations:
        return
    # After a model refusal these are the passages it was given: shown, but labelled so.
    label = f"来源 Sources ({len(answer.citations)})"
    if answer.refused:
        label += " · 模型据此未能作答 / the model read these but did not answer"
    # Keyed and stateful: stays open across reruns (a preview toggle reruns the page), and
    # nothing inside is rendered while it is closed.
    sources = st.expander(label, icon=":material/menu_book:", key=f"{key}-sources", on_change="rerun")
    with sources:
        if not sources.open:
            return
        for citation in answer.citations:
            st.markdown(source_heading(citation.index, citation.source, citation.page, citation.score,
                                       citation.relevance))
            st.html(passage_html(citation.text, terms))
            if st.toggle("查看原文 Show in document", key=f"{key}-preview-{citation.index}"):
                render_preview(services, kb_names, citation, terms)


def render_timings(answer: Answer) -> None:
    """Retrieval, first-token and total times for the curious."""
    t = answer.timings
    with st.expander("耗时 Timings", icon=":material/timer:"):
        st.caption(f"检索 retrieval {format_ms(t.get('retrieval_ms'))} · "
                   f"首字 first token {format_ms(t.get('first_token_ms'))} · "
                   f"总计 total {format_ms(t.get('total_ms'))}")
        if "passages" in t:
            st.caption(f"提供给模型的段落 passages given to the model: {t['passages']:.0f} "
                       f"({t.get('context_tokens', 0):.0f} tokens)")
