"""The knowledge-base page's folders kept in sync: each linked folder, when it was last
synced, and what failed (read-only: folders are linked with `python -m ingest --link` and
followed by the API server or `python -m ingest --watch`)."""
from __future__ import annotations

import time

import streamlit as st

from app.ui.messages import t
from app.ui.textmark import md_escape


def _when(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(seconds))


def render(services, kb: str) -> None:
    st.markdown(f"##### :material/folder_open: {t('links.title')}")
    links = services.knowledge.linked_folders(kb)
    if not links:
        st.caption(t("links.none", kb=kb))
        return
    for link in links:
        synced = t("links.synced", when=_when(link.last_synced)) if link.last_synced else t("links.never")
        parts = [f"`{md_escape(link.folder)}`", synced]
        if link.failed:
            parts.append(t("links.failed", n=link.failed))
        if link.error:
            parts.append(t("links.error", error=md_escape(link.error)))
        st.markdown(" · ".join(parts))
