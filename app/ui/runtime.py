"""The services of this server process, and small helpers every page uses.

The services (settings, embedder, LLM, open knowledge bases) are built once per process
with st.cache_resource and shared by every browser session; models load on first use.
Logging is set up at the same moment, so the UI's records reach `<data>/logs/yizhi.log`.
The linked folders are followed by one thread per process as well (LinkedFolderSync),
started with the services and stopped when the process exits (or the cache is cleared).
"""
from __future__ import annotations

import atexit
from datetime import datetime
from zoneinfo import ZoneInfo

import streamlit as st

from app.logs import setup_logging
from app.services import Services, build_services
from app.services.folder_sync import LinkedFolderSync
from app.settings import load_settings
from app.ui.messages import describe_error, t
from app.ui.textmark import md_escape
from core.errors import YizhiError


def build() -> Services:
    """Settings from the environment (YIZHI_*) and .env, logging, and the services over them."""
    settings = load_settings()
    setup_logging(settings.log_dir)
    return build_services(settings)


@st.cache_resource(show_spinner=False)
def _shared_services() -> Services:
    return build()


def _stop_following(sync: LinkedFolderSync) -> None:
    sync.stop()


# One follower per process, of the services of the moment (keyed by them: max_entries=1
# stops the one of services replaced, as tests replace them); a Streamlit server has no
# hook of its own for its end, so the process's exit stops it too.
@st.cache_resource(show_spinner=False, max_entries=1, on_release=_stop_following)
def _folder_sync(services_id: int, _services: Services) -> LinkedFolderSync:
    sync = LinkedFolderSync(_services.knowledge)
    sync.start()
    atexit.register(sync.stop)
    return sync


def services() -> Services:
    """The process-wide services, with the linked folders followed; stops the page with a
    friendly message when they cannot start."""
    try:
        shared = _shared_services()
    except YizhiError as exc:
        st.error(error_text(exc, t("app.cannot_start")), icon=":material/error:")
        st.stop()  # raises: the rest of the page is not run
    _folder_sync(id(shared), shared)
    return shared


def error_text(exc: BaseException, what: str = "") -> str:
    """An error as Markdown: what failed, the catalogue's message, and the lower layer's
    own sentence as the detail."""
    message, detail = describe_error(exc)
    head = f"{what}{t('app.colon')}{message}" if what else message
    return f"{head}  \n{md_escape(detail)}" if detail else head


def show_error(exc: YizhiError, what: str = "") -> None:
    """A Yizhi error as a message a user can act on (never a traceback)."""
    st.error(error_text(exc, what), icon=":material/error:")


def flash(message: str, kind: str = "success") -> None:
    """A message shown once on the next run (survives st.rerun)."""
    st.session_state.setdefault("_flash", []).append((kind, message))


def show_flashes() -> None:
    for kind, message in st.session_state.pop("_flash", []):
        getattr(st, kind)(message)


def when(epoch: float) -> str:
    """A time as the user's clock shows it (the browser's time zone when Streamlit knows it)."""
    if not epoch:
        return "—"
    try:
        zone = ZoneInfo(st.context.timezone) if st.context.timezone else None
    except Exception:  # noqa: BLE001  (no browser context, or a zone name this machine lacks)
        zone = None
    return datetime.fromtimestamp(epoch, zone).strftime("%Y-%m-%d %H:%M")
