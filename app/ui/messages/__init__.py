"""Every string the app shows, in one catalogue with both languages; `t(key, **values)`.

One language at a time: Chinese unless the user switched to English in the sidebar (or the
browser says English on the first visit). The catalogue is split by page into the modules
of this package; their keys must not collide (checked at import).

Errors and ingestion outcomes from the lower layers (English sentences with a `code`) are
mapped to catalogue messages by `error_message`. The lower layer's sentence is shown as the
detail in English; in Chinese only where the catalogue's message cannot say it all (a
model's path, an unforeseen error), marked as the English original (`error_detail`).
"""
from __future__ import annotations

import re

import streamlit as st

from app.ui.messages import chat, common, errors, kb, search

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
LANG = "ui_lang"  # session key (not widget-bound): the language of this browser session


def _merge(*parts: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for part in parts:
        clash = set(merged) & set(part)
        if clash:
            raise ValueError(f"message keys defined twice: {sorted(clash)}")
        merged.update(part)
    return merged


CATALOGUE = _merge(common.MESSAGES, chat.MESSAGES, kb.MESSAGES, search.MESSAGES, errors.MESSAGES)


def _from_locale() -> str:
    """English when the browser asks for English first; Chinese otherwise."""
    try:
        locale = (st.context.locale or "").lower()
    except Exception:  # noqa: BLE001  (no browser context: AppTest, bare mode)
        locale = ""
    return "en" if locale.startswith("en") else DEFAULT_LANG


def language() -> str:
    """This session's language ("zh" or "en")."""
    state = st.session_state
    lang = state.get(LANG)
    if lang not in LANGS:
        lang = _from_locale()
        state[LANG] = lang
    return lang


def set_language(lang: str) -> None:
    if lang in LANGS:
        st.session_state[LANG] = lang


def t(key: str, /, lang: str | None = None, **values: object) -> str:
    """The message `key` in `lang` (default: the session's), with `{name}` filled from `values`."""
    text = CATALOGUE[key][lang or language()]
    return text.format(**values) if values else text


# --- errors and outcomes from the lower layers -------------------------------------------
# A code says what kind of problem it is; some messages are told apart further by their words.
_REFINED = (
    (re.compile(r"\bis empty\b|file is empty"), "empty"),
    (re.compile(r"larger than the \d+ MB limit"), "too_large"),
    (re.compile(r"no text layer"), "no_text"),
    (re.compile(r"old Word \.doc"), "old_doc"),
    (re.compile(r"unknown text encoding"), "encoding"),
    (re.compile(r"not a text file"), "binary"),
    (re.compile(r"pages, more than the \d+ allowed"), "too_many_pages"),
    (re.compile(r"^refused: (a part of )?the \.(docx|xlsx|pptx)\b"), "zip_bomb"),
    (re.compile(r"^refused: the file (has more than \d+ cells|spreads its cells)"), "too_many_cells"),
    (re.compile(r"not a valid PDF"), "bad_pdf"),
    (re.compile(r"password given is wrong"), "wrong_password"),
    (re.compile(r"is encrypted"), "encrypted"),
    (re.compile(r"unsupported file type"), "unsupported"),
    (re.compile(r"not a valid knowledge-base name"), "kb_name"),
    (re.compile(r"knowledge base '.*' already exists"), "kb_exists"),
    (re.compile(r"the question is empty"), "empty_question"),
    (re.compile(r"no knowledge base selected"), "no_kb"),
    (re.compile(r"does not exist \(deleted in another tab\?\)"), "conversation_gone"),
    (re.compile(r"this machine is offline"), "offline"),
    (re.compile(r"the disk is full"), "disk_full"),
)
_BY_CLASS = {"ModelLoadError": "model_load", "LlmUnavailable": "llm_unavailable",
             "EmbedderMismatch": "embedder_mismatch", "EmbedBackendMismatch": "embed_backend_mismatch",
             "KnowledgeBaseBusy": "busy", "PreviewUnavailable": "preview"}


def error_kind(code: str, detail: str, class_name: str = "") -> str:
    """The catalogue's name for a problem: refined by its words, else its class, else its code."""
    for pattern, kind in _REFINED:
        if pattern.search(detail or ""):
            return kind
    if class_name in _BY_CLASS:
        return _BY_CLASS[class_name]
    return code if f"err.{code}" in CATALOGUE else "error"


# Kinds whose catalogue message says everything the lower layer's sentence says: in Chinese
# that (English) sentence is not shown.
SAID_IN_FULL = frozenset({
    "unsupported", "encrypted", "wrong_password", "kb_not_found", "empty", "too_large", "no_text", "old_doc",
    "old_xls", "old_ppt", "encoding", "binary", "too_many_pages", "zip_bomb", "too_many_cells", "bad_pdf",
    "kb_name", "kb_exists", "empty_question", "no_kb", "conversation_gone", "embedder_mismatch", "busy",
    "disk_full", "bad_text", "preview", "link_not_absolute", "link_missing", "link_not_folder", "link_unreadable",
    "link_data_folder", "link_too_many"})


def error_detail(kind: str, detail: str, lang: str | None = None) -> str:
    """The detail line under an error's message (plain text, not escaped): the lower layer's
    sentence, in Chinese marked as the English original and only when the message does not
    say it all; "" when there is nothing to add."""
    lang = lang or language()
    if not detail or (lang != "en" and kind in SAID_IN_FULL):
        return ""
    return t("err.detail" if lang == "en" else "err.detail_original", lang) + detail


def error_message(code: str, detail: str = "", class_name: str = "", lang: str | None = None) -> str:
    """The message a user reads for a lower layer's error or a failed file."""
    return t(f"err.{error_kind(code, detail, class_name)}", lang)


def describe_error(exc: BaseException, lang: str | None = None) -> tuple[str, str]:
    """(the catalogue's message, the detail line under it: see `error_detail`) for an exception."""
    detail = str(exc)
    kind = error_kind(getattr(exc, "code", "error"), detail, type(exc).__name__)
    return t(f"err.{kind}", lang), error_detail(kind, detail, lang)


__all__ = ["CATALOGUE", "LANG", "LANGS", "SAID_IN_FULL", "describe_error", "error_detail", "error_kind",
           "error_message", "language",
           "set_language", "t"]
