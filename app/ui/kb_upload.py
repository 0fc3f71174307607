"""Uploading files into a knowledge base, with progress and one outcome per file.

Every file of an upload gets a line in the result (refused ones included, which never
reach the documents table); a failure's line says what to do, in the page's language (the
lower layer's own sentence only where the message cannot say it all: messages.error_detail).
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from app.services import Services
from app.ui import state as ui_state
from app.ui.messages import error_detail, error_kind, t
from app.ui.textmark import md_escape
from app.ui.widget_texts import css_content, text_rules
from core.errors import YizhiError

REPORT = "upload_report"
ROUND = "upload_round"
INDEXED, SKIPPED, FAILED = "indexed", "skipped", "failed"
ICONS = {INDEXED: ("green", ":material/check_circle:", "upload.indexed"),
         SKIPPED: ("gray", ":material/skip_next:", "upload.skipped"),
         FAILED: ("red", ":material/cancel:", "upload.failed")}


@dataclass(frozen=True, slots=True)
class UploadRow:
    name: str
    status: str
    note: str = ""  # in the page's language
    detail: str = ""  # the lower layer's own sentence (English)
    chunks: int = 0
    pages: int = 0
    ocr_pages: int = 0
    kind: str = ""  # a failure's kind: its message is the catalogue's err.<kind>, in the language shown


def _failed(name: str, exc_or_reason: YizhiError | str, code: str = "") -> UploadRow:
    if isinstance(exc_or_reason, YizhiError):
        detail, code, cls = str(exc_or_reason), exc_or_reason.code, type(exc_or_reason).__name__
    else:
        detail, cls = exc_or_reason, ""
    kind = error_kind(code or "error", detail, cls)
    return UploadRow(name, FAILED, t(f"err.{kind}"), detail, kind=kind)


def index_upload(services: Services, kb: str, name: str, data: bytes, replace: bool,
                 on_page: Callable[[int, int], None] | None = None) -> UploadRow:
    """Store one uploaded file and index it; every failure becomes the row's reason.
    `on_page(n, total)`: OCR starts on the n-th of the file's `total` pages that need it."""
    try:
        saved = services.knowledge.save_upload(kb, name, data, replace=replace)
    except YizhiError as exc:
        return _failed(name, exc)
    if saved.status == "unchanged":
        return UploadRow(name, SKIPPED, t("upload.unchanged"))
    if saved.status == "duplicate":
        return UploadRow(name, SKIPPED, t("upload.duplicate", other=Path(saved.path).name))
    renamed = t("upload.saved_as", name=saved.path.name) if saved.renamed_from else ""
    try:
        pages = None if on_page is None else lambda path, n, total: on_page(n, total)
        outcome = services.knowledge.ingest(kb, [saved.path], on_page=pages).outcomes[0]
    except YizhiError as exc:
        return _failed(name, exc)
    if outcome.status == "failed":
        return _failed(name, outcome.reason, outcome.code)
    if outcome.status == "skipped":
        return UploadRow(name, SKIPPED, t("upload.unchanged"), chunks=outcome.chunks)
    notes = [renamed, t("upload.updated") if outcome.status == "updated" else "",
             t("upload.ocr", n=outcome.ocr_pages) if outcome.ocr_pages else ""]
    return UploadRow(name, INDEXED, t("app.list_sep").join(n for n in notes if n), "", outcome.chunks,
                     outcome.pages, outcome.ocr_pages)


def index_uploads(services: Services, kb: str, files: list, replace: bool,
                  step: Callable[[int, str], None] = lambda i, name: None,
                  ocr_step: Callable[[int, str, int, int], None] | None = None) -> list[UploadRow]:
    """Index uploaded files one by one (UploadedFile-like: .name, .getvalue()); `step(i, name)`
    before the i-th file, `ocr_step(i, name, n, total)` as OCR starts on its n-th page of `total`."""
    rows = []
    for i, upload in enumerate(files):
        step(i, upload.name)
        on_page = None if ocr_step is None else lambda n, total, i=i, name=upload.name: ocr_step(i, name, n, total)
        rows.append(index_upload(services, kb, upload.name, upload.getvalue(), replace, on_page))
    return rows


def _with_progress(services: Services, kb: str, files: list, replace: bool) -> list[UploadRow]:
    total = len(files)
    started = time.monotonic()
    with st.status(t("upload.running", n=total), expanded=True) as status:
        bar = st.progress(0.0)

        def step(i: int, name: str) -> None:
            bar.progress(i / total, text=t("upload.step", i=i + 1, n=total, name=name,
                                           seconds=f"{time.monotonic() - started:.0f}"))

        def ocr_step(i: int, name: str, page: int, pages: int) -> None:
            # Scans take seconds a page: the file's line says which page OCR is on.
            bar.progress(min(1.0, (i + (page - 1) / max(pages, 1)) / total),
                         text=t("upload.step_ocr", i=i + 1, n=total, name=name, page=page, pages=pages,
                                seconds=f"{time.monotonic() - started:.0f}"))

        rows = index_uploads(services, kb, files, replace, step, ocr_step)
        bar.progress(1.0, text=t("upload.done_bar"))
        failed = sum(r.status == FAILED for r in rows)
        ocr = sum(r.ocr_pages for r in rows)
        label = t("upload.done", ok=total - failed, failed=failed, seconds=f"{time.monotonic() - started:.0f}")
        if ocr:
            label += t("app.list_sep") + t("upload.ocr", n=ocr)
        status.update(label=label, state="error" if failed else "complete", expanded=False)
    return rows


def report_lines(rows: Iterable[UploadRow]) -> list[str]:
    """One Markdown line per file, names and reasons escaped; a failure's detail on its own line."""
    lines = []
    for row in rows:
        colour, icon, key = ICONS[row.status]
        chunks = t("upload.chunks", n=row.chunks) if row.status == INDEXED else ""
        said = t(f"err.{row.kind}") if row.kind else row.note  # a failure in the language shown now
        note = f" — {md_escape(said)}" if said else ""
        line = f"- :{colour}[{icon} {t(key)}] **{md_escape(row.name)}**{chunks}{note}"
        detail = error_detail(row.kind, row.detail) if row.kind else ""
        if detail:
            line += f"  \n  :gray[{md_escape(detail)}]"
        lines.append(line)
    return lines


UPLOAD_BUTTON = '[data-testid="stFileUploaderDropzone"] button p'
UPLOAD_HINT = '[data-testid="stFileUploaderDropzoneInstructions"] span'


def uploader_css(mb: int, types: list[str]) -> str:
    """Streamlit draws the upload widget's button and hint in English whatever the page's
    language, the hint listing every type the widget takes; this shows the catalogue's
    texts, which list `types`, in their place at once (by the widget's test ids: if a
    Streamlit release renames them, Streamlit's own texts simply come back), and has the
    localiser put them in the page too (what a screen reader reads)."""
    button = t("upload.widget_button")
    hint = t("upload.widget_hint", mb=mb, types=t("upload.type_sep").join(s.upper() for s in types))
    return (f"<style>{UPLOAD_BUTTON} {{font-size:0}} {UPLOAD_BUTTON}::after {{content:{css_content(button)};"
            f"font-size:0.875rem}} {UPLOAD_HINT} {{font-size:0}} {UPLOAD_HINT}::after {{content:{css_content(hint)};"
            "font-size:0.875rem}</style>" + text_rules({UPLOAD_BUTTON: button, UPLOAD_HINT: hint}))


def render(services: Services, kb: str) -> None:
    st.subheader(f":material/upload_file: {t('upload.title')}")
    # In English too: the widget's own hint would list the old Office types it takes as well.
    st.html(uploader_css(services.settings.max_file_mb, services.knowledge.upload_types()),
            unsafe_allow_javascript=True)
    state = st.session_state
    report = state.get(REPORT)
    if report and report[0] == kb:
        st.markdown(f"**{t('upload.last')}**\n\n" + "\n".join(report_lines(report[1])))
    files = st.file_uploader(
        t("upload.label", mb=services.settings.max_file_mb),
        # Old Office files are taken too: refused, each with the format to save it in, they fare
        # better than with the widget's own (English) "file type not allowed".
        type=services.knowledge.upload_types() + services.knowledge.old_format_types(), accept_multiple_files=True,
        key=f"uploader-{kb}-{state.get(ROUND, 0)}",
        max_upload_size=services.settings.max_file_mb, help=t("upload.help"))
    replace = st.checkbox(t("upload.replace"), key="upload_replace", help=t("upload.replace_help"))
    if st.button(t("upload.button"), type="primary", disabled=not files, key="upload-go"):
        rows = _with_progress(services, kb, list(files), replace)
        state[REPORT] = (kb, rows)
        state[ROUND] = state.get(ROUND, 0) + 1  # a fresh, empty uploader
        if any(row.status != FAILED for row in rows):
            ui_state.switch_chat_to(kb)  # the chat asks what was just uploaded (and says so)
        st.rerun()
