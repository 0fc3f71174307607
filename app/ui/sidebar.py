"""The sidebar: the language, saved conversations, the model, and answering settings for
this browser session (folded away: they are for tuning, not for starting)."""
from __future__ import annotations

from typing import Any

import streamlit as st

from app.services import Services
from app.ui import conversations_panel, model_picker, state
from app.ui.messages import LANG, language, t

TOP_K, THRESHOLD, TEMPERATURE, MAX_TOKENS = "opt_top_k", "opt_threshold", "opt_temperature", "opt_max_tokens"
KEYS = (TOP_K, THRESHOLD, TEMPERATURE, MAX_TOKENS)
KEEP = {key: f"keep_{key}" for key in KEYS}
LANG_WIDGET = "lang_switch"
LANG_NAMES = {"zh": "中文", "en": "English"}  # each in its own language: findable by anyone
MAX_TOP_K = 20
MAX_NEW_TOKENS = 1024


def _reset() -> None:
    for key in KEYS:
        st.session_state.pop(key, None)
        st.session_state.pop(KEEP[key], None)


def _language_switch() -> None:
    st.segmented_control("Language", list(LANG_NAMES), format_func=LANG_NAMES.__getitem__,
                         label_visibility="collapsed", required=True,
                         **state.bind(LANG_WIDGET, LANG, language()))


def _slider(label: str, key: str, low, high, default, step, help_text: str) -> None:
    value = st.session_state.get(KEEP[key], default)
    value = min(max(value, low), high)
    st.slider(label, low, high, step=step, help=help_text, **state.bind(key, KEEP[key], value))


def _settings(services: Services) -> None:
    s = services.settings
    with st.expander(t("settings.title"), icon=":material/tune:"):
        st.caption(t("settings.session_only"))
        _slider(t("settings.top_k"), TOP_K, 1, MAX_TOP_K, min(s.top_k, MAX_TOP_K), 1, t("settings.top_k_help"))
        low = min(0.0, float(s.score_threshold))  # relevance is 0..1; older settings allowed -1..1
        _slider(t("settings.threshold"), THRESHOLD, low, 1.0, float(s.score_threshold), 0.05,
                t("settings.threshold_help"))
        _slider(t("settings.temperature"), TEMPERATURE, 0.0, 2.0, float(s.llm_temperature), 0.05,
                t("settings.temperature_help"))
        limit = max(16, min(MAX_NEW_TOKENS, s.llm_n_ctx // 2))
        _slider(t("settings.max_tokens"), MAX_TOKENS, 16, limit, max(16, min(s.llm_max_tokens, limit)), 8,
                t("settings.max_tokens_help"))
        st.button(t("settings.reset"), on_click=_reset, width="stretch")
        embed = services.models.describe_models()["embed_model"]
        st.caption(t("settings.embedder", name=embed))


def render(services: Services) -> None:
    with st.sidebar:
        _language_switch()
        conversations_panel.render(services)
        st.divider()
        st.markdown(f"**:material/memory: {t('model.title')}**")
        model_picker.render(services, "llm_pick_sidebar")
        _settings(services)


def threshold(services: Services) -> float:
    """The relevance threshold this session answers with."""
    return float(st.session_state.get(KEEP[THRESHOLD], services.settings.score_threshold))


def tuning(services: Services | None = None) -> dict[str, Any]:
    """The session's answering settings that differ from the configured ones, as the
    `overrides` of AnswerService.ask_stream; with `services`, the session's model too."""
    state_ = st.session_state
    names = {TOP_K: "top_k", THRESHOLD: "score_threshold", TEMPERATURE: "llm_temperature",
             MAX_TOKENS: "llm_max_tokens"}
    configured = services.settings if services is not None else None
    out: dict[str, Any] = {name: state_[KEEP[key]] for key, name in names.items()
                           if KEEP[key] in state_ and (configured is None or state_[KEEP[key]] != getattr(configured, name))}
    if services is not None:
        out.update(model_picker.override(services))
    return out
