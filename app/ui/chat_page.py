"""The chat page: pick knowledge bases, ask, watch the answer stream in, read it with its
sources. Every exchange is saved in the open conversation (see conversations_panel)."""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import streamlit as st

from app.answering.types import Answer
from app.services import Services
from app.services.limits import recent_history
from app.ui import answer_card, chat_examples, chat_welcome, conversations_panel, model_picker, runtime, sidebar, state
from app.ui.chat_saving import LOADED, Exchange, close_interrupted
from app.ui.messages import language, t
from app.ui.textmark import md_escape
from core.errors import YizhiError

CJK = re.compile(r"[\u3400-\u9fff]")  # a Chinese question
MESSAGES = "chat_messages"
PENDING = state.PENDING_QUESTION  # an example question clicked, or a refused one asked elsewhere
KB_WIDGET = "chat_kbs"


def _pick_knowledge_bases(names: list[str], most: int) -> list[str]:
    selected = state.chosen_kbs(names)
    st.multiselect(t("chat.kbs"), names, placeholder=t("chat.kbs_placeholder"), max_selections=most,
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
             "terms": list(turn.terms), "stopped": turn.stopped} for turn in conversation.turns]


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


def _history(services: Services, messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Earlier turns as the service takes them (role and content only): the most recent that
    fit the history limits, so a long conversation goes on."""
    return recent_history(services.settings, [{"role": m["role"], "content": m["content"]} for m in messages])


def _stream(services: Services, exchange: Exchange, history: list[dict[str, str]],
            holder: dict[str, Answer]) -> Iterator[str]:
    items = services.answers.ask_stream(exchange.question, exchange.kb_names, history,
                                        overrides=sidebar.tuning(services), stop=exchange.stopped)
    for item in items:
        if isinstance(item, str):
            exchange.shown.append(item)
            yield md_escape(item)
        else:
            holder["answer"] = item


def _answer(services: Services, exchange: Exchange, history: list[dict[str, str]], key: str) -> bool:
    """Stream the answer into the current chat message (the quotation of the evidence first,
    then the model's checked sentences: nothing streamed is taken back), then show it again
    as a card with its sources in its place, and save it; False when
    it failed (the message says why). When the page is stopped meanwhile (a new question),
    what was shown is saved as a stopped answer."""
    ended = False  # answered, or failed with a message: anything else stopped the page
    try:
        if exchange.stopped():
            return False
        if not services.models.models_ready():
            try:
                with st.spinner(t("chat.loading_models")):
                    services.models.load_models()
            except YizhiError as exc:
                ended = True
                exchange.close()  # failed with a message: nothing more to save
                runtime.show_error(exc, t("chat.models_failed"))
                return False
        holder: dict[str, Answer] = {}
        live = st.empty()
        try:
            with live.container():
                st.write_stream(_stream(services, exchange, history, holder))
        except YizhiError as exc:
            ended = True
            exchange.close()  # failed with a message: nothing more to save
            live.empty()
            runtime.show_error(exc, t("chat.cannot_answer"))
            return False
        answer = holder.get("answer")
        if answer is None:  # stopped between tokens: the next run has saved it
            return False
        ended = True
        live.empty()
        message = {"role": "assistant", "content": answer.text, "answer": answer, "kbs": list(exchange.kb_names),
                   "terms": services.answers.highlight_terms(answer.query or exchange.question)}
        answer_card.render(services, message, key, sidebar.threshold(services))
        exchange.save_answer(message, answer)
        return True
    finally:
        if not ended:
            exchange.save_stopped()


def _warn_if_english_only(services: Services, question: str) -> None:
    """The session's model writes English only, and the page or the question is Chinese."""
    if model_picker.english_only(model_picker.session_model(services)[0]) and (
            language() == "zh" or CJK.search(question or "")):
        st.warning(t("model.english_only"), icon=":material/translate:")


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
    close_interrupted()  # before anything is drawn: an answer stopped by this run goes before it
    messages = sync_conversation(services)
    selected = _pick_knowledge_bases(names, services.settings.max_knowledge_bases)
    switched = state.take_chat_switch()
    if switched in selected:
        st.info(t("chat.switched", name=switched), icon=":material/swap_horiz:")
    state.follow_chat(selected)
    threshold = sidebar.threshold(services)

    for i, message in enumerate(messages):
        with st.chat_message(message["role"]):
            if message["role"] == "user":
                st.markdown(md_escape(message["content"]))
            else:
                answer_card.render(services, message, f"msg{i}", threshold)

    question = st.chat_input(t("chat.placeholder"), disabled=not selected,
                             max_chars=services.settings.max_question_chars)
    question = question or st.session_state.pop(PENDING, None)
    _warn_if_english_only(services, question or next((m["content"] for m in reversed(messages)
                                                       if m["role"] == "user"), ""))
    if not selected:
        st.caption(t("chat.pick_one"))
    elif not messages and not question:
        chat_welcome.render(services, selected, _ask_later)
    if question and question.strip() and selected:
        history = _history(services, messages)
        exchange = Exchange(services, question, list(selected), messages)
        exchange.save_question()
        with st.chat_message("user"):
            st.markdown(md_escape(question))
        with st.chat_message("assistant"):
            answered = _answer(services, exchange, history, key=f"msg{len(messages)}")
        if exchange.created and answered:
            st.rerun()  # the sidebar lists the new conversation (not after a failure: its message stays)
    if selected and (messages or question):  # the first screen's examples, folded above the input
        chat_examples.render(services, selected, [m["content"] for m in messages if m["role"] == "user"],
                             _ask_later)


__all__ = ["MESSAGES", "render", "sync_conversation"]
