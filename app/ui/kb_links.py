"""The knowledge-base page's folders kept in sync: link a folder by its path (the app runs on
the user's own machine), each linked folder with when it was last synced and what failed,
and unlink it.

A folder linked here is indexed by this process's follower (app/ui/runtime.py) within a few
seconds, in the background; while a folder waits for its first sync the list looks again
every few seconds, and the whole page is drawn again once it is synced.
"""
from __future__ import annotations

import time
from pathlib import Path

import streamlit as st

from app.services import Services
from app.ui import runtime
from app.ui.messages import t
from app.ui.textmark import md_escape
from core.errors import YizhiError
from core.hosts import is_loopback
from ingest.links import MAX_LINKS, LinkedFolder

LOOK_AGAIN_SECONDS = 2.0  # while a folder waits for its first sync
PATH_CHARS = 4096  # PATH_MAX on Linux


def _when(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(seconds))


def _waiting(links: list[LinkedFolder]) -> bool:
    return any(not link.last_synced and not link.error for link in links)


def _row(services: Services, kb: str, link: LinkedFolder) -> None:
    synced = t("links.synced", when=_when(link.last_synced)) if link.last_synced else t("links.never")
    parts = [f":material/folder: {md_escape(link.folder)}", synced]
    if link.failed:
        parts.append(t("links.failed", n=link.failed))
    if link.error:
        parts.append(t("links.error", error=md_escape(link.error)))
    cols = st.columns([4, 1], vertical_alignment="center")
    cols[0].markdown(" · ".join(parts))
    if cols[1].button(t("links.unlink"), key=f"unlink-{kb}-{link.folder}", help=t("links.unlink_help"),
                      icon=":material/link_off:"):
        try:
            services.knowledge.unlink_folder(kb, Path(link.folder))
        except YizhiError as exc:
            runtime.show_error(exc, t("links.cannot_unlink"))
            return
        runtime.flash(t("links.unlinked", folder=md_escape(link.folder)))
        st.rerun(scope="app")


def _listing(services: Services, kb: str, waiting: bool) -> None:
    links = services.knowledge.linked_folders(kb)
    if not links:
        st.caption(t("links.none", n=MAX_LINKS))
        return
    for link in links:
        _row(services, kb, link)
    if waiting and not _waiting(links):
        st.rerun(scope="app")  # synced: drawn again whole, without looking again every few seconds


def _link_form(services: Services, kb: str) -> None:
    key = f"link-path-{kb}"
    if st.session_state.pop(f"{key}-done", False):
        st.session_state[key] = ""  # linked: emptied for the next one (before the box is drawn, as it must be)
    with st.form(f"link-{kb}", border=False):
        cols = st.columns([5, 1], vertical_alignment="bottom")
        typed = cols[0].text_input(t("links.path"), placeholder=t("links.path_placeholder"),
                                   help=t("links.path_help", n=MAX_LINKS), key=key, max_chars=PATH_CHARS)
        submitted = cols[1].form_submit_button(t("links.add"), icon=":material/add_link:")
    folder = typed.strip().strip("'\"")  # a path copied with its quotes
    if not (submitted and folder):
        return
    try:
        link = services.knowledge.add_folder_link(kb, Path(folder))
    except YizhiError as exc:
        runtime.show_error(exc, t("links.cannot_link"))
        return
    st.session_state[f"{key}-done"] = True
    runtime.flash(t("links.linked", folder=md_escape(link.folder)))
    st.rerun()


def reachable_from_elsewhere(address: str | None) -> bool:
    """The app listens on `address` (Streamlit's `server.address`) beyond this computer. The
    launcher always sets one (loopback unless told otherwise); None is a test or a bare run."""
    return bool(address) and not is_loopback(address)


def render(services: Services, kb: str) -> None:
    st.markdown(f"##### :material/folder_open: {t('links.title')}")
    waiting = _waiting(services.knowledge.linked_folders(kb))
    st.fragment(_listing, run_every=LOOK_AGAIN_SECONDS if waiting else None)(services, kb, waiting)
    if reachable_from_elsewhere(st.get_option("server.address")):
        # a path typed in a browser on another computer would name a folder of this one
        st.caption(t("links.remote"))
        return
    _link_form(services, kb)
