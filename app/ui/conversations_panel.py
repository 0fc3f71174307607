"""Saved conversations in the sidebar: a new one by one click, the list (newest first) to
reopen one, each title left-aligned above the knowledge bases it asked, and each one's
rename and delete in its own small menu (⋮) beside it.

The open conversation's id lives under a plain session key (never cleared by Streamlit)
and in the URL (`?c=…`), so a reload of the chat page reopens it.
"""
from __future__ import annotations

import time

import streamlit as st

from app.services import Services
from app.ui import runtime
from app.ui.messages import t
from app.ui.textmark import md_escape

CURRENT = "conv_current"  # the open conversation's id; None: a new one not saved yet
GO_CHAT = "conv_go_chat"  # set by a click on any page: show the chat page next
CONFIRM = "conv_confirm_delete"
QUERY = "c"
SHOWN = 30
TITLE_CHARS = 22
# The list's titles read from the left like a list (Streamlit centres a button's label), and
# each title's knowledge bases sit close under it.
LIST_STYLE = (".st-key-conv-list [class*='st-key-conv-'] button {justify-content:flex-start;text-align:left;"
              "padding-left:0.4rem}"
              ".st-key-conv-list [class*='st-key-conv-'] button > div {justify-content:flex-start;width:100%}"
              ".st-key-conv-list [data-testid='stCaptionContainer'] {margin:-0.55rem 0 0.2rem 1.9rem}"
              ".st-key-conv-list [data-testid='stPopoverButton'] div[aria-hidden='true'] {display:none}"
              ".st-key-conv-list [data-testid='stPopoverButton'] [data-testid='stMarkdownContainer'] "
              "{overflow:visible;min-width:1em;font-weight:700}")


def current() -> str | None:
    return st.session_state.get(CURRENT)


def open_conversation(conversation_id: str | None) -> None:
    st.session_state[CURRENT] = conversation_id
    st.session_state[GO_CHAT] = True
    st.session_state.pop(CONFIRM, None)


def _short(title: str) -> str:
    return title if len(title) <= TITLE_CHARS else title[:TITLE_CHARS - 1] + "…"


def _rename(services: Services, conversation_id: str, widget_key: str) -> None:
    title = str(st.session_state.get(widget_key) or "")
    try:
        services.conversations.rename_conversation(conversation_id, title)
    except Exception as exc:  # noqa: BLE001  (YizhiError: shown; the panel stays usable)
        runtime.flash(t("conv.rename_failed") + f" ({exc})", "error")
        return
    runtime.flash(t("conv.renamed", title=title.strip()))


def _delete(services: Services, conversation_id: str) -> None:
    services.conversations.delete_conversation(conversation_id)
    st.session_state.pop(CONFIRM, None)
    if conversation_id == current():  # the open one: start afresh; another one: stay where you are
        open_conversation(None)
    runtime.flash(t("conv.deleted"))


def _manage(services: Services, info) -> None:
    # "︙", not an icon alone: Streamlit names an icon-only button by the icon's English name
    with st.popover("︙", help=t("conv.manage"), type="tertiary",
                    key=f"conv-manage-{info.conversation_id}"):
        widget = f"conv-title-{info.conversation_id}"
        st.text_input(t("conv.title_label"), value=info.title, key=widget, max_chars=80)
        st.button(t("conv.rename"), icon=":material/check:", key=f"conv-rename-{info.conversation_id}",
                  on_click=_rename, args=(services, info.conversation_id, widget))
        st.divider()
        if st.session_state.get(CONFIRM) == info.conversation_id:
            st.warning(t("conv.confirm_delete"))
            st.button(t("conv.delete_confirm"), type="primary", key=f"conv-delete-yes-{info.conversation_id}",
                      on_click=_delete, args=(services, info.conversation_id))
        elif st.button(t("conv.delete"), icon=":material/delete:", key=f"conv-delete-{info.conversation_id}"):
            st.session_state[CONFIRM] = info.conversation_id
            st.rerun()


def render(services: Services) -> None:
    store = services.conversations
    if store is None:
        return
    st.button(t("conv.new"), icon=":material/add_comment:", on_click=open_conversation, args=(None,),
              width="stretch", key="conv-new")
    conversations = store.list_conversations(SHOWN)
    if not conversations:
        st.caption(t("conv.none"))
        return
    st.caption(t("conv.title"))
    st.html(f"<style>{LIST_STYLE}</style>")
    open_id = current()
    with st.container(key="conv-list", gap="small"):
        for info in conversations:
            _item(services, info, info.conversation_id == open_id)


def _item(services: Services, info, is_open: bool) -> None:
    """One conversation: its title (a button that opens it) over its knowledge bases, and its menu."""
    kbs = t("answer.kb_sep").join(info.kb_names) or "—"
    title, menu = st.columns([7, 1], gap=None, vertical_alignment="top")
    title.button(_short(info.title), key=f"conv-{info.conversation_id}", width="stretch",
                 type="secondary" if is_open else "tertiary",
                 icon=":material/chat:" if is_open else ":material/chat_bubble_outline:",
                 help=t("conv.item_help", kbs=kbs, when=runtime.when(info.updated_at or time.time()),
                        turns=info.turns // 2),
                 on_click=open_conversation, args=(info.conversation_id,))
    title.caption(t("conv.item_kbs", kbs=md_escape(kbs)))
    with menu:
        _manage(services, info)


__all__ = ["CURRENT", "GO_CHAT", "QUERY", "current", "open_conversation", "render"]
