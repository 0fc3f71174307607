"""The one service per server process, and small helpers every page uses.

The service (settings, embedder, LLM, open knowledge bases) is built once per process
with st.cache_resource and shared by every browser session; models load on first use.
"""
from __future__ import annotations

import streamlit as st

from app.errors import ConfigError, YizhiError
from app.service import YizhiService
from app.settings import Settings


def build_service() -> YizhiService:
    """Settings from the environment (YIZHI_*) and .env, and the service over them."""
    try:
        settings = Settings()
    except ValueError as exc:  # pydantic's ValidationError
        raise ConfigError(f"invalid setting: {exc}") from exc
    return YizhiService(settings)


@st.cache_resource(show_spinner=False)
def _shared_service() -> YizhiService:
    return build_service()


def service() -> YizhiService:
    """The process-wide service; stops the page with a friendly message when it cannot start."""
    try:
        return _shared_service()
    except YizhiError as exc:
        st.error(f"已知无法启动 / Yizhi cannot start: {exc}", icon=":material/error:")
        st.stop()  # raises: the rest of the page is not run


def show_error(exc: YizhiError, what: str = "") -> None:
    """A Yizhi error as a message a user can act on (never a traceback)."""
    st.error(f"{what}：{exc}" if what else str(exc), icon=":material/error:")


def flash(message: str, kind: str = "success") -> None:
    """A message shown once on the next run (survives st.rerun)."""
    st.session_state.setdefault("_flash", []).append((kind, message))


def show_flashes() -> None:
    for kind, message in st.session_state.pop("_flash", []):
        getattr(st, kind)(message)
