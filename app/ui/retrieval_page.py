"""The retrieval test page (命中测试): what retrieval finds for a question, before any model.

Every candidate with its vector, BM25 and fused ranks and its relevance; the threshold as a
line; which passages would reach the model. Moving the threshold here shows what would be
refused, without asking anything; it can then be used for the chat.
"""
from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import streamlit as st

from app.services import Services
from app.ui import runtime, sidebar, state, widget_texts
from app.ui.messages import t
from app.ui.textmark import file_name, floor_text, md_escape, passage_html
from core.errors import YizhiError
from core.types import ScoredChunk

RESULTS = "rt_results"  # (question, knowledge bases, candidates, highlight terms): kept across pages
KEEP_QUESTION = "keep_rt_question"
THRESHOLD = "rt_threshold"
KEEP_THRESHOLD = "keep_rt_threshold"
KB_WIDGET = "rt_kbs"
SEARCHES = "rt_searches"  # how many searches this session made: the passage selector is keyed by it
TO_MODEL, PASSED, MERGED, BELOW = "to_model", "passed", "merged", "below"
MIN_BARS = 10  # slots on the chart's axis, so one or two candidates do not make huge bars


def verdicts(candidates: Sequence[ScoredChunk], threshold: float, top_k: int,
             duplicate_of: Sequence[int | None] = ()) -> list[str]:
    """For each candidate: reaches the model (passes and is among the first `top_k` that
    pass), merged into an earlier passing one with the same text (it takes no slot: search
    names its file under that one), passes but is crowded out, or is below the threshold.
    `duplicate_of` is the service's answer for the passing candidates, in order."""
    out, passed, passing = [], 0, 0
    for c in candidates:
        if c.relevance < threshold:
            out.append(BELOW)
            continue
        twin = duplicate_of[passing] if passing < len(duplicate_of) else None
        passing += 1
        if twin is not None:
            out.append(MERGED)
        else:
            passed += 1
            out.append(TO_MODEL if passed <= top_k else PASSED)
    return out


def _rank(value: int | None) -> str:
    return str(value) if value else "—"


def rows(candidates: Sequence[ScoredChunk], marks: Sequence[str]) -> list[dict]:
    label = {TO_MODEL: t("rt.to_model"), PASSED: t("rt.passed"), MERGED: t("rt.merged"), BELOW: t("rt.below")}
    return [{t("rt.col_rank"): i, t("rt.col_file"): file_name(c.chunk.source),
             t("rt.col_page"): str(c.chunk.page) if c.chunk.page else "—",
             t("rt.col_relevance"): float(floor_text(c.relevance)), t("rt.col_vector"): _rank(c.dense_rank),
             t("rt.col_bm25"): _rank(c.lexical_rank), t("rt.col_score"): round(c.score, 4),
             t("rt.col_verdict"): label[m]}
            for i, (c, m) in enumerate(zip(candidates, marks), 1)]


def _chart(candidates: Sequence[ScoredChunk], marks: Sequence[str], threshold: float) -> alt.LayerChart:
    label = {TO_MODEL: t("rt.to_model"), PASSED: t("rt.passed"), MERGED: t("rt.merged"), BELOW: t("rt.below")}
    data = [{"rank": i, "relevance": c.relevance, "verdict": label[m], "file": file_name(c.chunk.source)}
            for i, (c, m) in enumerate(zip(candidates, marks), 1)]
    slots = list(range(1, max(len(data), MIN_BARS) + 1))
    bars = alt.Chart(alt.Data(values=data)).mark_bar().encode(
        x=alt.X("rank:O", title=t("rt.col_rank"), scale=alt.Scale(domain=slots)),
        y=alt.Y("relevance:Q", title=t("rt.col_relevance"), scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("verdict:N", title=None, scale=alt.Scale(
            domain=[label[TO_MODEL], label[PASSED], label[MERGED], label[BELOW]],
            range=["#2e7d32", "#90caf9", "#ffcc80", "#bdbdbd"]),
            legend=alt.Legend(orient="bottom", direction="horizontal", columns=2, labelLimit=0)),
        tooltip=[alt.Tooltip("rank:O", title=t("rt.col_rank")), alt.Tooltip("file:N", title=t("rt.col_file")),
                 alt.Tooltip("relevance:Q", format=".3f", title=t("rt.col_relevance")),
                 alt.Tooltip("verdict:N", title=t("rt.col_verdict"))])
    line = alt.Chart(alt.Data(values=[{"threshold": threshold}])).mark_rule(color="#d32f2f", strokeDash=[6, 3],
                                                                            size=2).encode(y="threshold:Q")
    # aria off: Vega would describe each bar to a screen reader by its data's field names, in
    # English ("rank: 3; file: …"); the chart is named by its description, the table beside it reads it out
    return (bars + line).properties(height=280, description=t("rt.chart_label")).configure(aria=False)


def _search(services: Services, question: str, kbs: list[str]) -> None:
    try:
        with st.spinner(t("rt.searching")):
            candidates = services.answers.candidates(question, kbs, overrides=sidebar.tuning(services))
    except YizhiError as exc:
        runtime.show_error(exc, t("rt.failed"))
        return
    st.session_state[RESULTS] = (question, list(kbs), candidates, services.answers.highlight_terms(question))
    st.session_state[SEARCHES] = st.session_state.get(SEARCHES, 0) + 1  # a new passage selector, on the first


def _use_for_chat(value: float) -> None:
    st.session_state[sidebar.KEEP[sidebar.THRESHOLD]] = value
    runtime.flash(t("rt.applied", value=f"{value:.2f}"))


def _results(services: Services) -> None:
    question, kbs, candidates, terms = st.session_state[RESULTS]
    st.markdown(t("rt.results_for", question=md_escape(question), n=len(candidates)))
    if not candidates:
        st.info(t("rt.nothing"), icon=":material/search_off:")
        return
    chat_threshold = sidebar.threshold(services)
    value = st.session_state.get(KEEP_THRESHOLD, chat_threshold)
    threshold = st.slider(t("rt.threshold"), 0.0, 1.0, step=0.01, help=t("rt.threshold_help"),
                          **state.bind(THRESHOLD, KEEP_THRESHOLD, min(max(float(value), 0.0), 1.0)))
    top_k = int(sidebar.tuning(services).get("top_k", services.settings.top_k))
    marks = verdicts(candidates, threshold, top_k,
                     services.answers.duplicate_of([c for c in candidates if c.relevance >= threshold]))
    reaching = marks.count(TO_MODEL)
    if reaching:
        st.success(t("rt.would_answer", n=reaching, passed=reaching + marks.count(PASSED), total=len(candidates),
                     threshold=f"{threshold:.2f}", k=top_k), icon=":material/check_circle:")
    else:
        best = max(c.relevance for c in candidates)  # cut, not rounded: 0.549 is not shown as 0.55
        st.warning(t("rt.would_refuse", threshold=f"{threshold:.2f}", best=floor_text(best)), icon=":material/block:")
    cols = st.columns([3, 2], vertical_alignment="center")
    cols[0].caption(t("rt.chat_threshold", value=f"{chat_threshold:.2f}"))
    if abs(threshold - chat_threshold) > 1e-9:
        cols[1].button(t("rt.apply"), on_click=_use_for_chat, args=(threshold,), key="rt-apply")
    st.altair_chart(_chart(candidates, marks, threshold), width="stretch")
    st.caption(t("rt.legend"))
    st.dataframe(rows(candidates, marks), hide_index=True, width="stretch", column_config={
        t("rt.col_rank"): st.column_config.NumberColumn(width=50),
        t("rt.col_page"): st.column_config.TextColumn(width=44),
        t("rt.col_relevance"): st.column_config.ProgressColumn(min_value=0.0, max_value=1.0, format="%.3f",
                                                               help=t("rt.relevance_help"), width=120),
        t("rt.col_vector"): st.column_config.TextColumn(help=t("rt.vector_help"), width=76),
        t("rt.col_bm25"): st.column_config.TextColumn(help=t("rt.bm25_help"), width=84),
        t("rt.col_score"): st.column_config.NumberColumn(help=t("rt.score_help"), format="%.4f", width=76)})
    # keyed by the search: a new question's selector starts on its first passage
    pick = st.selectbox(t("rt.read"), list(range(1, len(candidates) + 1)),
                        key=f"rt-read-{st.session_state.get(SEARCHES, 0)}",
                        placeholder=widget_texts.choose(),
                        format_func=lambda i: f"{i}. {file_name(candidates[i - 1].chunk.source)}")
    chosen = candidates[pick - 1]
    st.html(passage_html(chosen.chunk.text, terms))
    if chosen.chunk.heading:
        st.caption(t("rt.heading", heading=md_escape(chosen.chunk.heading)))


def render() -> None:
    services = runtime.services()
    st.title(f":material/troubleshoot: {t('rt.title')}")
    runtime.show_flashes()
    st.caption(t("rt.intro"))
    names = services.knowledge.list_knowledge_bases()
    if not names:
        st.info(t("chat.no_kb"), icon=":material/library_books:")
        return
    kbs = state.chosen_kbs(names)
    st.multiselect(t("chat.kbs"), names, placeholder=t("chat.kbs_placeholder"),
                   max_selections=services.settings.max_knowledge_bases, **state.bind(KB_WIDGET, state.CHAT_KBS, kbs))
    state.follow_chat(kbs)
    with st.form("rt-form", border=False):
        cols = st.columns([5, 1], vertical_alignment="bottom")
        question = cols[0].text_input(t("rt.question"), placeholder=t("rt.question_placeholder"),
                                      value=st.session_state.get(KEEP_QUESTION, ""),
                                      max_chars=services.settings.max_question_chars)
        submitted = cols[1].form_submit_button(t("rt.search"), icon=":material/search:", disabled=False)
    if submitted:
        st.session_state[KEEP_QUESTION] = question
        if not kbs:
            st.warning(t("chat.pick_one"))
        elif question.strip():
            _search(services, question.strip(), kbs)
    if RESULTS in st.session_state:
        _results(services)
