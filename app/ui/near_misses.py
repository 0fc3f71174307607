"""Under a refusal: the passages that came closest, with their relevance against the
threshold they missed, folded away. Nothing passed the threshold, so the answer carries no
passages: they are asked of the search service when the panel is opened (once per answer),
and shown with the same source view as an answer's."""
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
    folded = st.expander(label, icon=":material/manage_search:", key=f"{key}-near", on_change="rerun")
    with folded:
        if not folded.open:
            return
        kept = f"{key}-near-passages"
        if kept not in st.session_state:
            try:
                st.session_state[kept] = closest(services, answer, kb_names, overrides)
            except YizhiError as exc:
                runtime.show_error(exc, t("near.failed"))
                return
        near = st.session_state[kept]
        if not near:
            st.caption(t("near.none"))
            return
        st.caption(t("near.note", n=len(near), threshold=f"{threshold:.2f}"))
        near_answer = Answer(answer.question, answer.text, True, near)
        for citation in near:
            sources_view.render_source(services, near_answer, citation, kb_names, terms, key, threshold)


__all__ = ["NEAR_MISSES", "closest", "render"]
