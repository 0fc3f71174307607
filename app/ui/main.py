"""The app's frame: page config, navigation, the sidebar. Called by Home.py on every run.

The pages are scripts in views/ (shown by st.navigation); their labels follow the
session's language, and a click on a conversation on any page brings the chat page up.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from app.ui import conversations_panel, runtime, sidebar, widget_texts
from app.ui.messages import language, t
from app.ui.tab_icon import tab_icon

VIEWS = Path(__file__).with_name("views")
WIDE = {"kb", "retrieval"}


def pages() -> dict[str, st.Page]:
    return {
        "chat": st.Page(VIEWS / "chat.py", title=t("nav.chat"), icon=":material/forum:", url_path="chat",
                        default=True),
        "kb": st.Page(VIEWS / "knowledge_bases.py", title=t("nav.kb"), icon=":material/library_books:",
                      url_path="kb"),
        "retrieval": st.Page(VIEWS / "retrieval.py", title=t("nav.retrieval"), icon=":material/troubleshoot:",
                             url_path="retrieval"),
    }


def run() -> None:
    st.set_page_config(page_title=t("app.name"), page_icon=tab_icon())  # served locally
    language()  # settle the session's language before anything is drawn
    st.html(widget_texts.localiser(), unsafe_allow_javascript=True)  # Streamlit's own English, in Chinese too
    available = pages()
    navigation = st.navigation(list(available.values()))
    # the pages of tables and charts use the whole width a laptop's 1280×800 leaves them
    st.set_page_config(layout="wide" if navigation.url_path in WIDE else "centered")
    services = runtime.services()
    with st.sidebar:
        st.markdown(f"### :material/auto_stories: {t('app.name')}")
        st.caption(t("app.tagline"))
    sidebar.render(services)
    if st.session_state.pop(conversations_panel.GO_CHAT, False) and navigation.url_path != "chat":
        st.switch_page(available["chat"])
    navigation.run()
