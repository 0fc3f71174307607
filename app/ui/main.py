"""The app's frame: page config, navigation, the sidebar. Called by Home.py on every run."""
from __future__ import annotations

import streamlit as st

from app.ui import chat_page, kb_page, runtime, sidebar


def run() -> None:
    st.set_page_config(page_title="已知 Yizhi", page_icon=":material/auto_stories:", layout="centered")
    pages = [
        st.Page(chat_page.render, title="问答 Chat", icon=":material/forum:", url_path="chat", default=True),
        st.Page(kb_page.render, title="知识库 Knowledge bases", icon=":material/library_books:", url_path="kb"),
    ]
    navigation = st.navigation(pages)
    with st.sidebar:
        st.markdown("### :material/auto_stories: 已知 Yizhi")
        st.caption("只根据你的文档回答，离线运行 / Answers from your documents only, offline.")
    sidebar.render(runtime.services())
    navigation.run()
