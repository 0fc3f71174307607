"""The chat page: pick knowledge bases, ask, watch the answer stream in with its sources."""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import streamlit as st

from app.services import Services
from app.ui import runtime, sidebar
from app.ui.sources_view import render_sources, render_timings
from app.ui.textmark import md_escape
from core.answers import Answer
from core.errors import YizhiError

MESSAGES = "chat_messages"
SELECTED = "chat_kbs"
DEFAULT_KB = "default"
REFUSAL_NOTE = "知识库中没有找到足以回答的内容 / The knowledge bases hold nothing that answers this."
MODEL_REFUSAL_NOTE = ("模型没能从下面的段落中作答，请直接查看原文 / The model could not answer from the passages "
                      "below: read them yourself.")


def _pick_knowledge_bases(names: list[str]) -> list[str]:
    state = st.session_state
    if SELECTED in state:  # drop knowledge bases deleted since they were picked
        state[SELECTED] = [n for n in state[SELECTED] if n in names]
    else:
        state[SELECTED] = [DEFAULT_KB] if DEFAULT_KB in names else names[:1]
    return st.multiselect("知识库 Knowledge bases", names, key=SELECTED,
                          placeholder="选择一个或多个知识库 / pick one or more")


def _show_answer(services: Services, message: dict[str, Any], key: str) -> None:
    answer: Answer | None = message.get("answer")
    if answer is not None and answer.refused:
        note = MODEL_REFUSAL_NOTE if answer.citations else REFUSAL_NOTE
        st.info(f"{md_escape(answer.text)}  \n{note}", icon=":material/search_off:")
    else:
        st.markdown(md_escape(message["content"]))
    if answer is not None:
        render_sources(services, answer, message.get("kbs", ()), message.get("terms", ()), key)
        render_timings(answer)


def _history(messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Earlier turns as the service takes them (role and content only)."""
    return [{"role": m["role"], "content": m["content"]} for m in messages]


def _stream(services: Services, question: str, kb_names: Sequence[str],
            history: list[dict[str, str]], holder: dict[str, Answer]) -> Iterator[str]:
    for item in services.answers.ask_stream(question, kb_names, history, overrides=sidebar.tuning()):
        if isinstance(item, str):
            yield md_escape(item)
        else:
            holder["answer"] = item


def _answer(services: Services, question: str, kb_names: list[str],
            history: list[dict[str, str]]) -> dict[str, Any] | None:
    """Stream the answer into the current chat message; returns the message to keep."""
    if not services.models.models_ready():
        try:
            with st.spinner("首次提问，正在加载模型… Loading the models (first question only)…"):
                services.models.load_models()
        except YizhiError as exc:
            runtime.show_error(exc, "模型加载失败 / The models could not be loaded")
            return None
    holder: dict[str, Answer] = {}
    live = st.empty()
    try:
        with live.container():
            st.write_stream(_stream(services, question, kb_names, history, holder))
    except YizhiError as exc:
        live.empty()
        runtime.show_error(exc, "无法回答 / Cannot answer")
        return None
    answer = holder.get("answer")
    if answer is None:
        return None
    live.empty()
    message = {"role": "assistant", "content": answer.text, "answer": answer, "kbs": list(kb_names),
               "terms": services.answers.highlight_terms(answer.query or question)}
    _show_answer(services, message, key=f"msg{len(st.session_state[MESSAGES])}")
    return message


def render() -> None:
    services = runtime.services()
    st.title(":material/forum: 问答 Chat")
    names = services.knowledge.list_knowledge_bases()
    if not names:
        st.info("还没有知识库：请先在「知识库」页面新建并上传文件。 / No knowledge base yet: create one on the "
                "Knowledge bases page and upload files.", icon=":material/library_books:")
        return
    top = st.columns([3, 1], vertical_alignment="bottom")
    with top[0]:
        selected = _pick_knowledge_bases(names)
    messages: list[dict[str, Any]] = st.session_state.setdefault(MESSAGES, [])
    with top[1]:
        if st.button("清空 Clear", icon=":material/delete_sweep:", disabled=not messages,
                     help="清空本会话的对话 / clear this session's chat"):
            messages.clear()
            st.rerun()

    for i, message in enumerate(messages):
        with st.chat_message(message["role"]):
            if message["role"] == "user":
                st.markdown(md_escape(message["content"]))
            else:
                _show_answer(services, message, key=f"msg{i}")

    question = st.chat_input("输入问题… Ask a question", disabled=not selected)
    if not selected:
        st.caption("请至少选择一个知识库 / Pick at least one knowledge base.")
    if question and question.strip() and selected:
        history = _history(messages)
        messages.append({"role": "user", "content": question})
        with st.chat_message("user"):
            st.markdown(md_escape(question))
        with st.chat_message("assistant"):
            reply = _answer(services, question, selected, history)
        if reply is None:
            messages.pop()  # keep the history to exchanges that happened
        else:
            messages.append(reply)
