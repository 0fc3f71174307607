"""Under a refusal: the passages that came closest, with their relevance against the
threshold they missed, folded away. Nothing passed the threshold, so the answer carries no
passages: they are asked of the search service once per answer and session, and shown with
the same source view as an answer's.

The panel is a plain expander, not a keyed one that reruns the page when opened (as the
answer's other sources use): with that one under a refusal, the browser test lost what it
had typed on the next page it went to (tests/app/ui/test_e2e_browser.py)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from app.answering.passages import citations
from app.answering.types import Answer, Citation
from app.services import Services
from app.ui import runtime, sources_view
from app.ui.messages import t
from core.errors import YizhiError

NEAR_MISSES = 3  # the closest passages a refusal shows
FOUND = "near_misses"  # session key: {(what was searched, knowledge bases): the closest passages}


def closest(services: Services, answer: Answer, kb_names: Sequence[str], overrides: dict[str, Any],
            most: int = NEAR_MISSES) -> tuple[Citation, ...]:
    """The `most` passages of the knowledge bases closest to what the answer searched, by
    relevance (a passage merged into an earlier one as its duplicate counted once)."""
    pool = services.answers.candidates(answer.query or answer.question, kb_names, overrides=overrides)
    kept = [c for c, twin in zip(pool, services.answers.duplicate_of(pool)) if twin is None]
    best = sorted(kept, key=lambda c: c.relevance, reverse=True)[:most]
    return citations(best, set(range(1, len(best) + 1)))


def render(services: Services, answer: Answer, kb_names: Sequence[str], terms: Sequence[str], key: str,
           threshold: float, overrides: dict[str, Any]) -> None:
    """The folded panel of near misses under a refusal that found nothing above the threshold."""
    label = t("near.label", threshold=f"{threshold:.2f}")
    with st.expander(label, icon=":material/manage_search:"):
        found = st.session_state.setdefault(FOUND, {})
        searched = (answer.query or answer.question, tuple(kb_names))
        if searched not in found:
            try:
                found[searched] = closest(services, answer, kb_names, overrides)
            except YizhiError as exc:
                runtime.show_error(exc, t("near.failed"))
                return
        near = found[searched]
        if not near:
            st.caption(t("near.none"))
            return
        st.caption(t("near.note", n=len(near), threshold=f"{threshold:.2f}"))
        near_answer = Answer(answer.question, answer.text, True, near)
        for citation in near:
            sources_view.render_source(services, near_answer, citation, kb_names, terms, key, threshold)


__all__ = ["FOUND", "NEAR_MISSES", "closest", "render"]
