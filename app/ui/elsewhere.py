"""Under a refusal: the other knowledge bases where the same question finds a passage that
reaches the threshold, each with a button that switches the chat to it and asks there.

Checked once per question, searched knowledge bases and session (each other knowledge base
is searched alone, as asking it would), and only for a refusal that found nothing above the
threshold where it looked."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from app.answering.types import Answer
from app.services import Services
from app.services.records import KbMatch
from app.ui import runtime, state
from app.ui.messages import t
from app.ui.textmark import md_escape
from core.errors import YizhiError

FOUND = "elsewhere_found"  # session key: {(question, searched knowledge bases): matches elsewhere}


def others(all_names: Sequence[str], searched: Sequence[str]) -> list[str]:
    """The knowledge bases not searched, in their listed order."""
    asked = set(searched)
    return [n for n in all_names if n not in asked]


def _ask_there(name: str, question: str) -> None:
    state.set_chosen_kbs([name])  # the selector shows it: the user clicked "ask there"
    st.session_state[state.PENDING_QUESTION] = question


def matches(services: Services, question: str, searched: Sequence[str],
            overrides: dict[str, Any]) -> list[KbMatch]:
    """The other knowledge bases that would answer `question`, remembered for the session."""
    found = st.session_state.setdefault(FOUND, {})
    key = (question, tuple(searched))
    if key not in found:
        candidates = others(services.knowledge.list_knowledge_bases(), searched)
        found[key] = services.answers.matches_in(question, candidates, overrides=overrides) if candidates else []
    return found[key]


def render(services: Services, answer: Answer, searched: Sequence[str], key: str,
           overrides: dict[str, Any]) -> None:
    """The other knowledge bases that would answer the refused `answer`'s question (as it was
    searched: a follow-up completed by the conversation), each a button that asks it there."""
    try:
        found = matches(services, answer.query or answer.question, searched, overrides)
    except YizhiError as exc:
        runtime.show_error(exc, t("elsewhere.failed"))
        return
    if not found:
        return
    st.caption(t("elsewhere.found"))
    for match in found:
        st.button(t("elsewhere.ask", name=md_escape(match.kb_name), relevance=f"{match.relevance:.2f}"),
                  key=f"{key}-elsewhere-{match.kb_name}", icon=":material/travel_explore:",
                  on_click=_ask_there, args=(match.kb_name, answer.question))


__all__ = ["FOUND", "matches", "others", "render"]
