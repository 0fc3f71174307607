"""The knowledge-base page: create, pick, rename, delete knowledge bases; upload and manage
documents.

The current knowledge base is kept across pages and reruns (app.ui.state); a deleted one
leaves every selector at once, a renamed one is shown under its new name in all of them.
"""
from __future__ import annotations

import streamlit as st

from app.ui import chat_page, kb_documents, kb_links, kb_upload, runtime, state, widget_texts
from app.ui.messages import t
from app.ui.textmark import md_escape
from core.errors import YizhiError

KB_WIDGET = "kb_current"
KB_NAME_CHARS = 64  # a knowledge base's name at most (the rule of retrieval/kb/schema.py, told in kb.new_help)


def _create(services) -> None:
    with st.form("create-kb", clear_on_submit=True, border=False):
        cols = st.columns([4, 1], vertical_alignment="bottom")
        name = cols[0].text_input(t("kb.new"), placeholder=t("kb.new_placeholder"), help=t("kb.new_help"),
                                  max_chars=KB_NAME_CHARS)
        submitted = cols[1].form_submit_button(t("kb.create"), icon=":material/add:")
    if submitted:
        try:
            created = services.knowledge.create_knowledge_base(name)
        except YizhiError as exc:
            runtime.show_error(exc, t("kb.cannot_create"))
            return
        state.set_current_kb(created)
        state.switch_chat_to(created)  # the chat asks the new one (and says so) until the user picks others
        runtime.flash(t("kb.created", name=created))
        st.rerun()


def _rename(services, kb: str) -> None:
    with st.expander(t("kb.rename_title"), icon=":material/edit:", key=f"kb-rename-panel-{kb}"):
        st.caption(t("kb.rename_note"))
        typed = st.text_input(t("kb.rename_label"), placeholder=kb, help=t("kb.new_help"), key=f"kb-rename-{kb}",
                              max_chars=KB_NAME_CHARS)
        if st.button(t("kb.rename_button"), disabled=typed.strip() in ("", kb), key=f"kb-rename-go-{kb}"):
            try:
                renamed = services.knowledge.rename_knowledge_base(kb, typed)
            except YizhiError as exc:
                runtime.show_error(exc, t("kb.rename_failed"))
                return
            state.rename_kb(kb, renamed)
            for message in st.session_state.get(chat_page.MESSAGES) or ():  # the open conversation's answers
                message["kbs"] = [renamed if n == kb else n for n in message.get("kbs") or ()]
            st.session_state.pop(f"kb-rename-{kb}", None)
            runtime.flash(t("kb.renamed", name=kb, new_name=renamed))
            st.rerun()


def _delete(services, kb: str) -> None:
    # Keyed by the knowledge base: the panel of another one starts closed.
    with st.expander(t("kb.delete_title"), icon=":material/warning:", key=f"kb-delete-panel-{kb}"):
        st.caption(t("kb.delete_note"))
        typed = st.text_input(t("kb.delete_type", name=kb), key=f"kb-confirm-{kb}")
        if st.button(t("kb.delete_button"), type="primary", disabled=typed.strip() != kb, key=f"kb-delete-{kb}"):
            try:
                services.knowledge.delete_knowledge_base(kb)
            except YizhiError as exc:
                runtime.show_error(exc, t("kb.delete_failed"))
                return
            state.forget_kb(kb)
            st.session_state.pop(f"kb-confirm-{kb}", None)
            runtime.flash(t("kb.deleted", name=kb))
            st.rerun()


def render() -> None:
    services = runtime.services()
    st.title(f":material/library_books: {t('kb.title')}")
    runtime.show_flashes()
    names = services.knowledge.list_knowledge_bases()
    _create(services)
    if not names:
        st.info(t("kb.none"), icon=":material/library_books:")
        return
    kb = st.selectbox(t("kb.current"), names, placeholder=widget_texts.choose(), **state.bind(KB_WIDGET, state.KB_CURRENT, state.current_kb(names)))
    st.markdown(f"#### {md_escape(kb)}")
    try:
        kb_upload.render(services, kb)
        st.divider()
        kb_documents.render(services, kb)
        kb_links.render(services, kb)
    except YizhiError as exc:
        runtime.show_error(exc)
    st.divider()
    _rename(services, kb)
    _delete(services, kb)
