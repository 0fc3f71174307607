"""Session state that survives navigation.

Streamlit forgets a widget's value as soon as a run does not draw that widget (another
page, a panel not shown). So every choice that must last lives under a plain session key
("keep"), which Streamlit never clears; before the widget is drawn its key is set from the
keep key, and the widget's `on_change` copies the value back. The keep value is checked
against the current options on every run, so a deleted knowledge base disappears from
every selector at once; a renamed one is renamed in the kept choices (`rename_kb`), so
every selector shows it under its new name.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

CHAT_KBS = "keep_chat_kbs"  # the knowledge bases questions go to (chat page, retrieval test)
KB_CURRENT = "keep_kb_current"  # the knowledge-base page's current one
LLM_MODEL = "keep_llm_model"  # the session's model pick ("" = the configured one)
PENDING_QUESTION = "chat_pending_question"  # a question to ask on the chat page's next run (an example, "ask there")
CHAT_SWITCHED = "chat_switched_to"  # the knowledge base the chat was switched to, told once on the chat page
DEFAULT_KB = "default"


def _copy(widget_key: str, keep_key: str, after: Callable[[Any], None] | None) -> None:
    value = st.session_state.get(widget_key)
    st.session_state[keep_key] = value
    if after is not None:
        after(value)


def bind(widget_key: str, keep_key: str, value: Any,
         after: Callable[[Any], None] | None = None) -> dict[str, Any]:
    """Set the widget's state to `value` (the kept one, made valid) and return the keyword
    arguments that make the widget keep it: `st.selectbox(..., **bind(...))`."""
    st.session_state[keep_key] = value
    st.session_state[widget_key] = value
    return {"key": widget_key, "on_change": _copy, "args": (widget_key, keep_key, after)}


def chosen_kbs(names: Sequence[str]) -> list[str]:
    """The session's knowledge bases for asking, limited to those that exist; the default
    (or the first) one before the user has picked any."""
    state = st.session_state
    if CHAT_KBS not in state:
        return [DEFAULT_KB] if DEFAULT_KB in names else list(names[:1])
    return [n for n in state[CHAT_KBS] or () if n in names]


def set_chosen_kbs(names: Sequence[str]) -> None:
    st.session_state[CHAT_KBS] = list(names)


def switch_chat_to(name: str) -> None:
    """The user created or uploaded into `name`: the chat asks it from now on, and the chat
    page says so once (unless it already asked only that one)."""
    if st.session_state.get(CHAT_KBS) != [name]:
        st.session_state[CHAT_SWITCHED] = name
    set_chosen_kbs([name])


def take_chat_switch() -> str | None:
    """The knowledge base the chat was switched to since the chat page was last shown."""
    return st.session_state.pop(CHAT_SWITCHED, None)


def follow_chat(selected: Sequence[str]) -> None:
    """The chat page was shown asking `selected`: the knowledge-base page opens on one of
    them (the kept one while the chat asks it, else the chat's first)."""
    if selected and st.session_state.get(KB_CURRENT) not in selected:
        st.session_state[KB_CURRENT] = selected[0]


def current_kb(names: Sequence[str]) -> str | None:
    """The knowledge-base page's current one: the kept one while it exists, else the first
    of the chat's selection, else the first."""
    kept = st.session_state.get(KB_CURRENT)
    if kept in names:
        return kept
    for name in chosen_kbs(names):
        return name
    return names[0] if names else None


def set_current_kb(name: str | None) -> None:
    if name is None:
        st.session_state.pop(KB_CURRENT, None)
    else:
        st.session_state[KB_CURRENT] = name


def forget_kb(name: str) -> None:
    """A knowledge base was deleted: take it out of every kept choice."""
    state = st.session_state
    if state.get(KB_CURRENT) == name:
        state.pop(KB_CURRENT)
    if CHAT_KBS in state:
        state[CHAT_KBS] = [n for n in state[CHAT_KBS] or () if n != name]


def rename_kb(name: str, new_name: str) -> None:
    """A knowledge base was renamed: every kept choice that named it names the new one (in
    its place: the chat's selection keeps its order)."""
    state = st.session_state
    if state.get(KB_CURRENT) == name:
        state[KB_CURRENT] = new_name
    if CHAT_KBS in state:
        state[CHAT_KBS] = list(dict.fromkeys(new_name if n == name else n for n in state[CHAT_KBS] or ()))


def chosen_model() -> str:
    """The session's LLM pick ("" = the configured model)."""
    return st.session_state.get(LLM_MODEL) or ""


__all__ = ["CHAT_KBS", "CHAT_SWITCHED", "KB_CURRENT", "LLM_MODEL", "bind", "chosen_kbs", "chosen_model",
           "current_kb", "follow_chat", "forget_kb", "rename_kb", "set_chosen_kbs", "set_current_kb",
           "switch_chat_to", "take_chat_switch"]
