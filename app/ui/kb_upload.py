"""Uploading files into a knowledge base, with progress and one outcome per file."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from app.services import Services
from app.ui.textmark import md_escape
from core.errors import YizhiError

REPORT = "upload_report"
ROUND = "upload_round"
INDEXED, SKIPPED, FAILED = "indexed", "skipped", "failed"
ICONS = {INDEXED: ":green[:material/check_circle: 已索引 indexed]",
         SKIPPED: ":gray[:material/skip_next: 已跳过 skipped]", FAILED: ":red[:material/cancel: 失败 failed]"}


@dataclass(frozen=True, slots=True)
class UploadRow:
    name: str
    status: str
    note: str = ""
    chunks: int = 0


def index_upload(services: Services, kb: str, name: str, data: bytes, replace: bool) -> UploadRow:
    """Store one uploaded file and index it; every failure becomes the row's reason."""
    try:
        saved = services.knowledge.save_upload(kb, name, data, replace=replace)
    except YizhiError as exc:
        return UploadRow(name, FAILED, str(exc))
    if saved.status == "unchanged":
        return UploadRow(name, SKIPPED, "内容未变化 unchanged")
    if saved.status == "duplicate":
        return UploadRow(name, SKIPPED, f"与已有文档 {Path(saved.path).name} 内容相同 / same content as "
                                        f"{Path(saved.path).name}")
    renamed = f"已另存为 saved as {saved.path.name}" if saved.renamed_from else ""
    try:
        outcome = services.knowledge.ingest(kb, [saved.path]).outcomes[0]
    except YizhiError as exc:
        return UploadRow(name, FAILED, str(exc))
    if outcome.status == "failed":
        return UploadRow(name, FAILED, outcome.reason)
    if outcome.status == "skipped":
        return UploadRow(name, SKIPPED, "内容未变化 unchanged", outcome.chunks)
    note = "; ".join(x for x in (renamed, "已更新 updated" if outcome.status == "updated" else "") if x)
    return UploadRow(name, INDEXED, note, outcome.chunks)


def index_uploads(services: Services, kb: str, files: list, replace: bool,
                  step: Callable[[int, str], None] = lambda i, name: None) -> list[UploadRow]:
    """Index uploaded files one by one (UploadedFile-like: .name, .getvalue())."""
    rows = []
    for i, upload in enumerate(files):
        step(i, upload.name)
        rows.append(index_upload(services, kb, upload.name, upload.getvalue(), replace))
    return rows


def _with_progress(services: Services, kb: str, files: list, replace: bool) -> list[UploadRow]:
    total = len(files)
    with st.status(f"正在索引 {total} 个文件… Indexing {total} file(s)…", expanded=True) as status:
        bar = st.progress(0.0)

        def step(i: int, name: str) -> None:
            bar.progress(i / total, text=f"({i + 1}/{total}) {name}")

        rows = index_uploads(services, kb, files, replace, step)
        bar.progress(1.0, text="完成 done")
        failed = sum(r.status == FAILED for r in rows)
        status.update(label=f"完成：{total - failed} 个成功，{failed} 个失败 / done: {failed} failed",
                      state="error" if failed else "complete", expanded=False)
    return rows


def report_lines(rows: Iterable[UploadRow]) -> list[str]:
    """One Markdown line per file, names and reasons escaped."""
    lines = []
    for row in rows:
        detail = f"，{row.chunks} 个段落 chunks" if row.status == INDEXED else ""
        note = f" — {md_escape(row.note)}" if row.note else ""
        lines.append(f"- {ICONS[row.status]}：**{md_escape(row.name)}**{detail}{note}")
    return lines


def render(services: Services, kb: str) -> None:
    st.subheader(":material/upload_file: 上传文件 Upload files")
    state = st.session_state
    report = state.get(REPORT)
    if report and report[0] == kb:
        st.markdown("**上次上传结果 / Last upload:**\n\n" + "\n".join(report_lines(report[1])))
    files = st.file_uploader(
        f"拖入或选择文件，可多选（每个最多 {services.settings.max_file_mb} MB）/ Drop or pick files",
        type=services.knowledge.upload_types(), accept_multiple_files=True, key=f"uploader-{kb}-{state.get(ROUND, 0)}",
        max_upload_size=services.settings.max_file_mb,
        help="PDF、Word、Markdown、文本、HTML；相同内容的文件会被跳过 / identical files are skipped")
    replace = st.checkbox("替换同名文件 Replace files with the same name", key="upload_replace",
                          help="不勾选时，同名但内容不同的文件另存为“名称 (2)” / otherwise saved as \"name (2)\"")
    if st.button("上传并索引 Upload & index", type="primary", disabled=not files):
        rows = _with_progress(services, kb, list(files), replace)
        state[REPORT] = (kb, rows)
        state[ROUND] = state.get(ROUND, 0) + 1  # a fresh, empty uploader
        st.rerun()
