"""Picking the LLM for this browser session (the `llm_model` override of every answer)."""
from __future__ import annotations

from pathlib import PurePath
from typing import TYPE_CHECKING

import streamlit as st

from app.services import Services
from app.ui import state, widget_texts
from app.ui.messages import CATALOGUE, language, t
from app.ui.textmark import md_escape

if TYPE_CHECKING:
    from app.services.protocols import ModelInfo

PULL_EXAMPLE = "qwen2.5-1.5b-instruct"


def model_label(info: ModelInfo) -> str:
    """A model as a short line: its file name (or built-in name) and size."""
    name = PurePath(info.name).name if info.path else info.name
    return f"{name} · {info.size_mb:.0f} MB" if info.size_mb else name


def languages_tag(info: ModelInfo) -> str:
    """"中英文" / "仅英文" for a model whose languages are known; "" otherwise."""
    if not info.languages:
        return ""
    return t("model.langs_zh_en") if "zh" in info.languages else t("model.langs_en")


def english_only(info: ModelInfo | None) -> bool:
    """The model is known to write English only (it cannot answer in Chinese)."""
    return info is not None and bool(info.languages) and "zh" not in info.languages


def _models(services: Services) -> tuple[list[ModelInfo], str]:
    """The models on offer and the name of the configured one (YIZHI_LLM_MODEL or the default)."""
    models = services.models.list_models()
    configured = next((m.name for m in models if m.active), models[0].name if models else "")
    return models, configured


def session_model(services: Services) -> tuple[ModelInfo | None, bool]:
    """The model this session answers with, and whether it is the configured one."""
    models, configured = _models(services)
    chosen = state.chosen_model()
    info = next((m for m in models if m.name == chosen), None) or next((m for m in models if m.name == configured),
                                                                       None)
    return info, info is None or info.name == configured


def override(services: Services) -> dict[str, str]:
    """{"llm_model": name} when the session picked another model than the configured one."""
    info, is_configured = session_model(services)
    return {} if info is None or is_configured else {"llm_model": info.name}


def kind(info: ModelInfo) -> str:
    """Whether the model chats (has a chat template) or is a base model; a built-in's is
    known only once it is assembled."""
    return {True: t("model.chat_yes"), False: t("model.chat_no"), None: t("model.chat_unknown")}[info.chat_template]


def describe(info: ModelInfo | None) -> str:
    """One line on the model: what it is (the catalogue's words for a built-in one) and
    whether it has a chat template."""
    if info is None:
        return ""
    key = f"model.about.{info.name}"
    about = t(key) if not info.path and key in CATALOGUE else md_escape(info.description)
    return about + ("" if info.chat_template is None else f" · {kind(info)}")


def render(services: Services, widget_key: str) -> None:
    """The picker, its note, and how to get bigger models."""
    models, configured = _models(services)
    if not models:
        return
    names = [m.name for m in models]
    info, _ = session_model(services)
    by_name = {m.name: m for m in models}

    # Labels made now, in this run's language (a format_func is also called between runs).
    labels = {name: " · ".join(part for part in (model_label(by_name[name]), languages_tag(by_name[name]),
                                                 t("model.configured") if name == configured else "") if part)
              for name in names}
    st.selectbox(t("model.label"), names, format_func=labels.__getitem__, help=t("model.help"),
                 placeholder=widget_texts.choose(),
                 **state.bind(widget_key, state.LLM_MODEL, info.name if info else configured))
    st.caption(describe(info))
    if english_only(info) and language() == "zh":
        st.warning(t("model.english_only"), icon=":material/translate:")
    st.caption(t("model.bigger", command=f"python -m app models pull {PULL_EXAMPLE}"))


__all__ = ["describe", "english_only", "kind", "languages_tag", "model_label", "override", "render", "session_model"]
