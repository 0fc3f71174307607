"""A knowledge base's documents: the list with status, deleting one, re-indexing all."""
from __future__ import annotations

import streamlit as st

from app.services import Services
from app.ui import runtime
from app.ui.textmark import file_name, md_escape
from core.errors import YizhiError

CONFIRM_DOC = "confirm_delete_doc"
STATUS = {"ok": "已索引 indexed", "failed": "失败 failed"}


def document_rows(documents) -> list[dict]:
    """Rows for the table: file, status, pages, chunks, error."""
    return [{"文件 File": file_name(d.path), "状态 Status": STATUS.get(d.status, d.status),
             "页数 Pages": d.pages, "段落 Chunks": d.chunks, "错误 Error": d.error, "路径 Path": d.path}
            for d in documents]


def _delete_document(services: Services, kb: str, documents) -> None:
    paths = [d.path for d in documents]
    state = st.session_state
    cols = st.columns([3, 1], vertical_alignment="bottom")
    choice = cols[0].selectbox("选择文档 Document", paths, format_func=file_name, key=f"doc-pick-{kb}")
    if cols[1].button("删除 Delete", icon=":material/delete:", key=f"doc-delete-{kb}"):
        state[CONFIRM_DOC] = (kb, choice)
    pending = state.get(CONFIRM_DOC)
    if not pending or pending[0] != kb or pending[1] not in paths:
        return
    st.warning(f"确定从知识库 **{md_escape(kb)}** 删除 **{md_escape(file_name(pending[1]))}** 吗？"
               " / Delete this document from the knowledge base?")
    yes, no = st.columns(2)
    if yes.button("确认删除 Confirm", type="primary", key=f"doc-confirm-{kb}"):
        state.pop(CONFIRM_DOC, None)
        try:
            services.knowledge.delete_document(kb, pending[1])
        except YizhiError as exc:
            runtime.show_error(exc, "删除失败 / Delete failed")
            return
        runtime.flash(f"已删除 deleted: {file_name(pending[1])}")
        st.rerun()
    if no.button("取消 Cancel", key=f"doc-cancel-{kb}"):
        state.pop(CONFIRM_DOC, None)
        st.rerun()


def _reindex(services: Services, kb: str, count: int) -> None:
    st.caption("修改分块设置后，或文件在磁盘上改变后使用 / after changing chunk settings or files on disk")
    if not st.button("重新索引 Re-index", icon=":material/refresh:", key=f"reindex-{kb}"):
        return
    done = {"n": 0}
    with st.status(f"正在重新索引 {count} 个文档… Re-indexing…", expanded=True) as status:
        bar = st.progress(0.0)

        def on_file(outcome) -> None:
            done["n"] += 1
            bar.progress(min(1.0, done["n"] / max(count, 1)), text=f"({done['n']}/{count}) {file_name(outcome.path)}")

        try:
            summary = services.knowledge.reindex(kb, on_file=on_file)
        except YizhiError as exc:
            status.update(label="重新索引失败 / Re-index failed", state="error")
            runtime.show_error(exc)
            return
        failed = summary.count("failed")
        status.update(label=f"完成 done：{summary.chunks} 个段落 chunks，{failed} 个失败 failed",
                      state="error" if failed else "complete", expanded=False)
    runtime.flash(f"重新索引完成 / Re-indexed: {summary.chunks} chunks, {failed} failed",
                  "warning" if failed else "success")
    st.rerun()


def render(services: Services, kb: str) -> None:
    documents = services.knowledge.documents(kb)
    st.subheader(":material/description: 文档 Documents")
    if not documents:
        st.caption("这个知识库还没有文档 / No documents yet.")
        return
    a, b, c = st.columns(3)
    a.metric("文档 Documents", len(documents))
    b.metric("段落 Chunks", sum(d.chunks for d in documents))
    c.metric("失败 Failed", sum(d.status == "failed" for d in documents))
    st.dataframe(document_rows(documents), hide_index=True, width="stretch")
    _delete_document(services, kb, documents)
    _reindex(services, kb, len(documents))
