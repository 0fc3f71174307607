"""The chat page: pick knowledge bases, ask, watch the answer stream in, read it with its
sources. Every exchange is saved in the open conversation (see conversations_panel)."""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import streamlit as st

from app.answering.types import Answer
from app.services import Services
from app.ui import answer_card, chat_welcome, conversations_panel, runtime, sidebar, state
from app.ui.messages import t
from app.ui.textmark import md_escape
from core.errors import YizhiError

MESSAGES = "chat_messages"
LOADED = "chat_loaded_for"  # the conversation id the messages belong to
PENDING = "chat_pending_question"  # an example question clicked on the first screen
KB_WIDGET = "chat_kbs"


def _pick_knowledge_bases(names: list[str]) -> list[str]:
    selected = state.chosen_kbs(names)
    st.multiselect(t("chat.kbs"), names, placeholder=t("chat.kbs_placeholder"),
                   **state.bind(KB_WIDGET, state.CHAT_KBS, selected))
    return selected


def _messages_of(services: Services, conversation_id: str | None) -> list[dict[str, Any]]:
    store = services.conversations
    conversation = store.load_conversation(conversation_id) if store and conversation_id else None
    if conversation is None:
        return []
    if conversation.info.kb_names:
        state.set_chosen_kbs(conversation.info.kb_names)
    return [{"role": turn.role, "content": turn.content, "answer": turn.answer, "kbs": list(turn.kb_names),
             "terms": list(turn.terms)} for turn in conversation.turns]


def sync_conversation(services: Services) -> list[dict[str, Any]]:
    """The open conversation's messages: loaded when another one was opened (or the URL names
    one on a fresh session, e.g. after a reload)."""
    st_state = st.session_state
    if conversations_panel.CURRENT not in st_state:
        st_state[conversations_panel.CURRENT] = st.query_params.get(conversations_panel.QUERY)
    current = conversations_panel.current()
    if st_state.get(LOADED, "-") != current or MESSAGES not in st_state:
        st_state[MESSAGES] = _messages_of(services, current)
        if current and not st_state[MESSAGES] and (services.conversations is None
                                                   or services.conversations.load_conversation(current) is None):
            st_state[conversations_panel.CURRENT] = current = None  # deleted meanwhile: start afresh
        st_state[LOADED] = current
    if current:
        st.query_params[conversations_panel.QUERY] = current
    else:
        st.query_params.pop(conversations_panel.QUERY, None)
    return st_state[MESSAGES]


def _history(messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Earlier turns as the service takes them (role and content only)."""
    return [{"role": m["role"], "content": m["content"]} for m in messages]


def _stream(services: Services, question: str, kb_names: Sequence[str], history: list[dict[str, str]],
            holder: dict[str, Answer]) -> Iterator[str]:
    for item in services.answers.ask_stream(question, kb_names, history, overrides=sidebar.tuning(services)):
        if isinstance(item, str):
            yield md_escape(item)
        else:
            holder["answer"] = item


def _answer(services: Services, question: str, kb_names: list[str], history: list[dict[str, str]],
            key: str) -> dict[str, Any] | None:
    """Stream the answer into the current chat message, then show the final one in its place
    (it can differ from the stream: a draft replaced by a quotation); returns the message."""
    if not services.models.models_ready():
        try:
            with st.spinner(t("chat.loading_models")):
                services.models.load_models()
        except YizhiError as exc:
            runtime.show_error(exc, t("chat.models_failed"))
            return None
    holder: dict[str, Answer] = {}
    live = st.empty()
    try:
        with live.container():
            st.write_stream(_stream(services, question, kb_names, history, holder))
    except YizhiError as exc:
        live.empty()
        runtime.show_error(exc, t("chat.cannot_answer"))
        return None
    answer = holder.get("answer")
    live.empty()
    if answer is None:
        return None
    message = {"role": "assistant", "content": answer.text, "answer": answer, "kbs": list(kb_names),
               "terms": services.answers.highlight_terms(answer.query or question)}
    answer_card.render(services, message, key, sidebar.threshold(services))
    return message


def _save(services: Services, question: str, reply: dict[str, Any], kb_names: list[str]) -> bool:
    """Both messages of an exchange into the open conversation (a new one on the first);
    True when a conversation was created."""
    store = services.conversations
    if store is None:
        return False
    current = conversations_panel.current()
    created = False
    try:
        if current is None or store.load_conversation(current) is None:
            current = store.create_conversation(question, kb_names)
            created = True
            st.session_state[conversations_panel.CURRENT] = st.session_state[LOADED] = current
            st.query_params[conversations_panel.QUERY] = current
        store.append_turn(current, "user", question, kb_names=kb_names)
        store.append_turn(current, "assistant", reply["content"], answer=reply["answer"], kb_names=kb_names,
                          terms=reply["terms"])
    except YizhiError as exc:
        runtime.show_error(exc, t("chat.not_saved"))
    return created


def _ask_later(question: str) -> None:
    st.session_state[PENDING] = question


def render() -> None:
    services = runtime.services()
    st.title(f":material/forum: {t('chat.title')}")
    runtime.show_flashes()
    names = services.knowledge.list_knowledge_bases()
    if not names:
        st.info(t("chat.no_kb"), icon=":material/library_books:")
        return
    messages = sync_conversation(services)
    selected = _pick_knowledge_bases(names)
    threshold = sidebar.threshold(services)

    for i, message in enumerate(messages):
        with st.chat_message(message["role"]):
            if message["role"] == "user":
                st.markdown(md_escape(message["content"]))
            else:
                answer_card.render(services, message, f"msg{i}", threshold)

    question = st.chat_input(t("chat.placeholder"), disabled=not selected)
    question = question or st.session_state.pop(PENDING, None)
    if not selected:
        st.caption(t("chat.pick_one"))
    elif not messages and not question:
        chat_welcome.render(services, selected, _ask_later)
    if question and question.strip() and selected:
        history = _history(messages)
        with st.chat_message("user"):
            st.markdown(md_escape(question))
        with st.chat_message("assistant"):
            reply = _answer(services, question, selected, history, key=f"msg{len(messages) + 1}")
        if reply is not None:
            messages += [{"role": "user", "content": question}, reply]
            if _save(services, question, reply, selected):
                st.rerun()  # the sidebar lists the new conversation


__all__ = ["MESSAGES", "render", "sync_conversation"]
