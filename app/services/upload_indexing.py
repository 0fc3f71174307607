"""One uploaded file, stored and indexed, with one outcome a user can read.

The per-file rules of every interface that accepts uploads (the UI's upload panel, the
HTTP API): the same safe names and size/type limits (`KnowledgeService.save_upload`), the
same skipping of unchanged and duplicate files, the same notes.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from app.services.protocols import KnowledgeService
from core.enums import FileStatus, UploadStatus
from core.errors import DiskFull, YizhiError


class UploadOutcome(StrEnum):
    INDEXED = "indexed"
    SKIPPED = "skipped"
    FAILED = "failed"


INDEXED, SKIPPED, FAILED = UploadOutcome.INDEXED, UploadOutcome.SKIPPED, UploadOutcome.FAILED


@dataclass(frozen=True, slots=True)
class UploadResult:
    name: str
    status: UploadOutcome
    note: str = ""
    chunks: int = 0

    def to_dict(self) -> dict[str, str | int]:
        return {"name": self.name, "status": self.status.value, "note": self.note, "chunks": self.chunks}


def index_upload(knowledge: KnowledgeService, kb: str, name: str, data: bytes, *,
                 replace: bool = False) -> UploadResult:
    """Store one uploaded file and index it; every failure becomes the result's note."""
    try:
        saved = knowledge.save_upload(kb, name, data, replace=replace)
    except YizhiError as exc:
        return UploadResult(name, FAILED, str(exc))
    if saved.status == UploadStatus.UNCHANGED:
        return UploadResult(name, SKIPPED, "内容未变化 unchanged")
    if saved.status == UploadStatus.DUPLICATE:
        return UploadResult(name, SKIPPED, f"与已有文档 {Path(saved.path).name} 内容相同 / same content as "
                                           f"{Path(saved.path).name}")
    renamed = f"已另存为 saved as {saved.path.name}" if saved.renamed_from else ""
    try:
        outcome = knowledge.ingest(kb, [saved.path]).outcomes[0]
    except YizhiError as exc:
        _forget_on_full_disk(saved.path, exc.code)
        return UploadResult(name, FAILED, str(exc))
    if outcome.status == FileStatus.FAILED:
        _forget_on_full_disk(saved.path, outcome.code)
        return UploadResult(name, FAILED, outcome.reason)
    if outcome.status == FileStatus.SKIPPED:
        return UploadResult(name, SKIPPED, "内容未变化 unchanged", outcome.chunks)
    note = "; ".join(x for x in (renamed, "已更新 updated" if outcome.status == FileStatus.UPDATED else "") if x)
    return UploadResult(name, INDEXED, note, outcome.chunks)


def _forget_on_full_disk(path: Path, code: str) -> None:
    """A file stored but not indexed because the disk filled up is removed: it would keep the
    disk full, and the user, told it failed, uploads it again once there is room."""
    if code == DiskFull.code:
        Path(path).unlink(missing_ok=True)


__all__ = ["FAILED", "INDEXED", "SKIPPED", "UploadOutcome", "UploadResult", "index_upload"]
