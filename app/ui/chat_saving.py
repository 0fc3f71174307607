"""Every question and answer of the chat is saved as it happens, so none is ever lost.

A question typed while the previous answer was still coming used to lose both: Streamlit
stops a running page to take the new question, so the code that saved the exchange after
the answer never ran. Now the question is saved before it is answered (in a new
conversation on the first), the answer when it is complete, and an answer stopped by a new
question is saved as far as it was shown, marked as stopped; the next run answers the new
question after it.

Streamlit may start the next run while the stopped one is still inside Python code (a
model loading, a token being generated): the stopped run only learns at its next call to
Streamlit. So the next run closes the open exchange itself before it draws anything
(`close_interrupted`), which also stops its generation at the next token (`stopped`); the
stopped run, when it learns, finds it closed. Whichever comes first saves it, once.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from app.answering.types import Answer
from app.services import Services
from app.ui import conversations_panel, runtime
from app.ui.messages import t
from core.errors import YizhiError

log = logging.getLogger(__name__)

LOADED = "chat_loaded_for"  # the conversation id the chat's messages belong to
OPEN = "chat_open_exchange"  # the exchange being answered in this session, until it is closed


@dataclass
class Exchange:
    """One question being answered: where it is saved, and the chat's messages it joins."""

    services: Services
    question: str
    kb_names: list[str]
    messages: list[dict[str, Any]]
    conversation_id: str | None = None
    created: bool = False
    shown: list[str] = field(default_factory=list)  # the answer's pieces as they were shown
    _closed: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def stopped(self) -> bool:
        """True once the exchange is closed: its generation ends at the next token."""
        return self._closed

    def close(self) -> bool:
        """Close the exchange (nothing more is saved for it); True for the one caller that closed it."""
        with self._lock:
            if self._closed:
                return False
            self._closed = True
        if st.session_state.get(OPEN) is self:
            del st.session_state[OPEN]
        return True

    def _append(self, role: str, content: str, *, answer: Answer | None = None, terms: Sequence[str] = (),
                stopped: bool = False) -> None:
        store = self.services.conversations
        if store is None or self.conversation_id is None:
            return
        store.append_turn(self.conversation_id, role, content, answer=answer, kb_names=self.kb_names, terms=terms,
                          stopped=stopped)

    def save_question(self) -> None:
        """The question, saved at once (a conversation is made for the first one)."""
        st.session_state[OPEN] = self
        self.messages.append({"role": "user", "content": self.question})
        store = self.services.conversations
        if store is None:
            return
        current = conversations_panel.current()
        try:
            if current is None or store.load_conversation(current) is None:
                current = store.create_conversation(self.question, self.kb_names)
                self.created = True
                st.session_state[conversations_panel.CURRENT] = st.session_state[LOADED] = current
                st.query_params[conversations_panel.QUERY] = current
            self.conversation_id = current
            self._append("user", self.question)
        except YizhiError as exc:
            self.conversation_id = None
            runtime.show_error(exc, t("chat.not_saved"))

    def save_answer(self, message: dict[str, Any], answer: Answer) -> None:
        if not self.close():  # stopped meanwhile: saved as such already
            return
        self.messages.append(message)
        try:
            self._append("assistant", message["content"], answer=answer, terms=message["terms"])
        except YizhiError as exc:
            runtime.show_error(exc, t("chat.not_saved"))

    def save_stopped(self) -> None:
        """The answer as far as it was shown, marked as stopped. Draws nothing (it runs while
        Streamlit stops the page, or before the next run draws): the next run shows it."""
        if not self.close():
            return
        text = "".join(self.shown)
        self.messages.append({"role": "assistant", "content": text, "answer": None, "kbs": list(self.kb_names),
                              "terms": [], "stopped": True})
        try:
            self._append("assistant", text, stopped=True)
        except YizhiError:  # nothing can be shown now: the log keeps it
            log.exception("the stopped answer to %r could not be saved", self.question[:80])


def close_interrupted() -> None:
    """A run that starts while this session's previous answer is still open: that run was
    stopped (a new question, another click), so its answer is saved as stopped, in its place
    before anything newer, and its generation stops."""
    open_exchange = st.session_state.get(OPEN)
    if isinstance(open_exchange, Exchange):
        open_exchange.save_stopped()


def end_failed(exchange: Exchange) -> None:
    """The answer failed with a message: nothing more to save."""
    exchange._close()


__all__ = ["LOADED", "Exchange", "close_interrupted"]
