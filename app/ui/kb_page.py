"""The knowledge-base page: create, pick, delete knowledge bases; upload and manage documents."""
from __future__ import annotations

import streamlit as st

from app.services import Services
from app.ui import kb_documents, kb_upload, runtime
from app.ui.textmark import md_escape
from core.errors import YizhiError

CURRENT = "kb_current"
NEXT = "kb_next"  # set before a rerun to select a knowledge base (widget state cannot change after render)


def _create(services: Services) -> None:
    with st.form("create-kb", clear_on_submit=True, border=False):
        cols = st.columns([4, 1], vertical_alignment="bottom")
        name = cols[0].text_input("新建知识库 New knowledge base", placeholder="例如 e.g. 产品手册",
                                  help="中文、字母、数字、_ - .，最长 64 个字符，不以点开头 / letters (any "
                                       "script), digits, _ - ., at most 64, not starting with a dot")
        submitted = cols[1].form_submit_button("创建 Create", icon=":material/add:")
    if submitted:
        try:
            created = services.knowledge.create_knowledge_base(name)
        except YizhiError as exc:
            runtime.show_error(exc, "无法创建 / Cannot create")
            return
        st.session_state[NEXT] = created
        runtime.flash(f"已创建知识库 created: {created}")
        st.rerun()


def _delete(services: Services, kb: str) -> None:
    with st.expander("删除知识库 Delete this knowledge base", icon=":material/warning:"):
        st.caption("删除索引和上传的文件，无法撤销 / Deletes the index and the uploaded files; cannot be undone.")
        typed = st.text_input(f"输入 {kb} 以确认 / Type the name to confirm", key=f"kb-confirm-{kb}")
        if st.button("永久删除 Delete permanently", type="primary", disabled=typed.strip() != kb,
                     key=f"kb-delete-{kb}"):
            try:
                services.knowledge.delete_knowledge_base(kb)
            except YizhiError as exc:
                runtime.show_error(exc, "删除失败 / Delete failed")
                return
            st.session_state.pop(CURRENT, None)
            runtime.flash(f"已删除知识库 deleted: {kb}")
            st.rerun()


def render() -> None:
    services = runtime.services()
    st.title(":material/library_books: 知识库 Knowledge bases")
    runtime.show_flashes()
    names = services.knowledge.list_knowledge_bases()
    state = st.session_state
    if state.get(NEXT) in names:
        state[CURRENT] = state.pop(NEXT)
    if state.get(CURRENT) not in names:
        state.pop(CURRENT, None)
    _create(services)
    if not names:
        st.info("还没有知识库，先新建一个。 / No knowledge base yet: create one.", icon=":material/library_books:")
        return
    kb = st.selectbox("当前知识库 Knowledge base", names, key=CURRENT)
    st.markdown(f"#### {md_escape(kb)}")
    try:
        kb_upload.render(services, kb)
        st.divider()
        kb_documents.render(services, kb)
    except YizhiError as exc:
        runtime.show_error(exc)
    st.divider()
    _delete(services, kb)
