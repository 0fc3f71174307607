"""A knowledge base's documents: a table a user can read (status, pages, chunks, OCR pages,
when indexed), each failed file's full reason in its own panel, deleting one, re-indexing all."""
from __future__ import annotations

import streamlit as st

from app.services import Services
from app.ui import runtime, widget_texts
from app.ui.messages import error_detail, error_kind, t
from app.ui.textmark import file_name, md_escape
from core.errors import YizhiError

CONFIRM_DOC = "confirm_delete_doc"
PAGED = {".pdf", ".pptx", ".xlsx"}  # formats whose documents have pages: PDF pages, slides, sheets (others "—")
NONE = "—"


def _paged(path: str) -> bool:
    return any(path.lower().endswith(suffix) for suffix in PAGED)


def document_rows(documents) -> list[dict]:
    """Rows for the table, with the page's column names."""
    rows = []
    for d in documents:
        paged = _paged(d.path)
        rows.append({
            t("docs.col_file"): file_name(d.path),
            t("docs.col_status"): t("docs.status_ok") if d.status == "ok" else t("docs.status_failed"),
            t("docs.col_pages"): str(d.pages) if paged and d.pages else NONE,
            t("docs.col_chunks"): d.chunks,
            t("docs.col_ocr"): str(d.ocr_pages) if paged and d.status == "ok" else NONE,
            t("docs.col_indexed"): runtime.when(d.updated_at),
        })
    return rows


def _failures(documents) -> None:
    failed = [d for d in documents if d.status == "failed"]
    if not failed:
        return
    st.markdown(f"**{t('docs.failed_title', n=len(failed))}**")
    for d in failed:
        kind = error_kind("unreadable", d.error)
        with st.expander(f"{file_name(d.path)} — {t(f'err.{kind}')}", icon=":material/error:"):
            detail = error_detail(kind, d.error)
            if detail:
                st.markdown(md_escape(detail))
            st.caption(t("docs.failed_path", path=d.path))
            st.caption(t("docs.failed_hint"))


def _delete_document(services: Services, kb: str, documents) -> None:
    paths = [d.path for d in documents]
    state = st.session_state
    cols = st.columns([3, 1], vertical_alignment="bottom")
    choice = cols[0].selectbox(t("docs.pick"), paths, format_func=file_name, key=f"doc-pick-{kb}",
                               placeholder=widget_texts.choose())
    if cols[1].button(t("docs.delete"), icon=":material/delete:", key=f"doc-delete-{kb}"):
        state[CONFIRM_DOC] = (kb, choice)
    pending = state.get(CONFIRM_DOC)
    if not pending or pending[0] != kb or pending[1] not in paths:
        return
    st.warning(t("docs.confirm", kb=md_escape(kb), name=md_escape(file_name(pending[1]))))
    yes, no = st.columns(2)
    if yes.button(t("docs.confirm_yes"), type="primary", key=f"doc-confirm-{kb}"):
        state.pop(CONFIRM_DOC, None)
        try:
            services.knowledge.delete_document(kb, pending[1])
        except YizhiError as exc:
            runtime.show_error(exc, t("docs.delete_failed"))
            return
        runtime.flash(t("docs.deleted", name=file_name(pending[1])))
        st.rerun()
    if no.button(t("docs.cancel"), key=f"doc-cancel-{kb}"):
        state.pop(CONFIRM_DOC, None)
        st.rerun()


def _reindex(services: Services, kb: str, count: int) -> None:
    st.caption(t("docs.reindex_note"))
    if not st.button(t("docs.reindex"), icon=":material/refresh:", key=f"reindex-{kb}"):
        return
    done = {"n": 0}
    with st.status(t("docs.reindexing", n=count), expanded=True) as status:
        bar = st.progress(0.0)

        def on_file(outcome) -> None:
            done["n"] += 1
            bar.progress(min(1.0, done["n"] / max(count, 1)),
                         text=t("upload.step", i=done["n"], n=count, name=file_name(outcome.path), seconds="…"))

        try:
            summary = services.knowledge.reindex(kb, on_file=on_file)
        except YizhiError as exc:
            status.update(label=t("docs.reindex_failed"), state="error")
            runtime.show_error(exc)
            return
        failed = summary.count("failed")
        status.update(label=t("docs.reindexed", chunks=summary.chunks, failed=failed),
                      state="error" if failed else "complete", expanded=False)
    runtime.flash(t("docs.reindexed", chunks=summary.chunks, failed=failed), "warning" if failed else "success")
    st.rerun()


def render(services: Services, kb: str) -> None:
    documents = services.knowledge.documents(kb)
    st.subheader(f":material/description: {t('docs.title')}")
    if not documents:
        st.caption(t("docs.none"))
        return
    failed = sum(d.status == "failed" for d in documents)
    a, b, c = st.columns(3)
    a.metric(t("docs.metric_documents"), len(documents) - failed)  # indexed and failed counted apart
    b.metric(t("docs.metric_chunks"), sum(d.chunks for d in documents))
    c.metric(t("docs.metric_failed"), failed)
    st.dataframe(document_rows(documents), hide_index=True, width="stretch", column_config={
        t("docs.col_file"): st.column_config.TextColumn(width="large"),
        t("docs.col_pages"): st.column_config.TextColumn(width=56),
        t("docs.col_chunks"): st.column_config.NumberColumn(width=56),
        t("docs.col_ocr"): st.column_config.TextColumn(width=64),
        t("docs.col_indexed"): st.column_config.TextColumn(width=150)})
    _failures(documents)
    _delete_document(services, kb, documents)
    _reindex(services, kb, len(documents))
