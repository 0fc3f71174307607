"""The example questions after the first one: folded in a small 「示例问题」 menu under the
conversation, just above the input, so they stay reachable once the first screen is gone.
Clicking one asks it, as on the first screen (chat_welcome)."""
from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from app.services import Services
from app.ui import runtime
from app.ui.chat_welcome import pick_examples
from app.ui.messages import language, t
from core.errors import YizhiError

FOUND = "chat_examples"  # session key: {(knowledge bases, language): example questions}


def examples(services: Services, kb_names: Sequence[str]) -> list[str]:
    """The selected knowledge bases' example questions, looked up once per session and selection."""
    found = st.session_state.setdefault(FOUND, {})
    wanted = (tuple(kb_names), language())
    if wanted not in found:
        found[wanted] = pick_examples([services.knowledge.overview(name) for name in kb_names], language())
    return found[wanted]


def not_asked(questions: Sequence[str], asked: Sequence[str]) -> list[str]:
    """The questions not asked yet in this conversation (spaces and case aside)."""
    seen = {"".join(q.split()).lower() for q in asked}
    return [q for q in questions if "".join(q.split()).lower() not in seen]


def render(services: Services, kb_names: Sequence[str], asked: Sequence[str], ask: Callable[[str], None]) -> None:
    """The folded menu of example questions; `ask` is called with the one clicked."""
    try:
        questions = not_asked(examples(services, kb_names), asked)
    except YizhiError as exc:
        runtime.show_error(exc)
        return
    if not questions:
        return
    with st.popover(t("examples.label"), icon=":material/lightbulb:", key="chat-examples"):
        st.caption(t("welcome.try"))
        for i, question in enumerate(questions):
            st.button(question, key=f"more-example-{i}", icon=":material/help:", type="tertiary", on_click=ask,
                      args=(question,))


__all__ = ["examples", "not_asked", "render"]
