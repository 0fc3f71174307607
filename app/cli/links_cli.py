"""What `python -m ingest --link / --unlink / --links / --watch` prints, in the user's
language (the locale's: Chinese or English), as the rest of the ingest command prints."""
from __future__ import annotations

import sys
import threading
import time

from app.cli.common_cli import show, user_language
from app.services.protocols import KnowledgeService
from core.enums import FileStatus
from ingest.discovery import display_path
from ingest.links import LinkedFolder
from ingest.watch import SyncReport

_WORDS: dict[str, dict[str, str]] = {
    "zh": {FileStatus.ADDED: "已添加", FileStatus.UPDATED: "已更新", FileStatus.MOVED: "已移动",
           FileStatus.REMOVED: "已删除", FileStatus.FAILED: "失败",
           "watching": "正在同步 {n} 个关联文件夹（按 Ctrl-C 停止）：", "stopped": "已停止同步。",
           "reconciled": "{kb}：{folder} 已与索引核对", "synced": "{kb}：{folder} 已同步",
           "error": "{kb}：{folder} 无法同步：{error}", "none": "{kb}：没有关联的文件夹",
           "never": "从未同步", "linked": "已关联：{folder} → {kb}", "unlinked": "已取消关联：{folder}",
           "not_linked": "未关联：{folder}", "last": "上次同步 {when}", "failed_n": "{n} 个文件失败"},
    "en": {FileStatus.ADDED: "added", FileStatus.UPDATED: "updated", FileStatus.MOVED: "moved",
           FileStatus.REMOVED: "removed", FileStatus.FAILED: "failed",
           "watching": "keeping {n} linked folder(s) in sync (Ctrl-C stops):", "stopped": "stopped syncing.",
           "reconciled": "{kb}: {folder} checked against the index", "synced": "{kb}: {folder} synced",
           "error": "{kb}: {folder} could not be synced: {error}", "none": "{kb}: no folder is linked",
           "never": "never synced", "linked": "linked: {folder} → {kb}", "unlinked": "unlinked: {folder}",
           "not_linked": "not linked: {folder}", "last": "last synced {when}", "failed_n": "{n} file(s) failed"},
}


def say(key: str, **values: object) -> str:
    return _WORDS[user_language()][key].format(**values)


def show_report(report: SyncReport) -> None:
    """One line per file the sync did something with, then (when it did anything) a line for the folder."""
    folder = display_path(report.folder)
    if report.error:
        show(say("error", kb=report.kb_name, folder=folder, error=report.error), file=sys.stderr)
        return
    done = [o for o in report.summary.outcomes if o.status != FileStatus.SKIPPED]
    for outcome in done:
        reason = f": {outcome.reason}" if outcome.status == FileStatus.FAILED and outcome.reason else ""
        show(f"  {say(outcome.status):<8} {display_path(outcome.path)}{reason}")
    if report.reconcile or done:
        show(say("reconciled" if report.reconcile else "synced", kb=report.kb_name, folder=folder))


def _when(moment: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(moment))


def show_links(kb_name: str, links: list[LinkedFolder]) -> None:
    if not links:
        show(say("none", kb=kb_name))
    for link in links:
        synced = say("last", when=_when(link.last_synced)) if link.last_synced else say("never")
        failed = f"; {say('failed_n', n=link.failed)}" if link.failed else ""
        show(f"{display_path(link.folder)}  ({synced}{failed})")
        if link.error:
            show(f"  {say(FileStatus.FAILED)}: {link.error}")
        for path, reason in link.failures:
            show(f"  {say(FileStatus.FAILED)} {display_path(path)}: {reason}")


def watch(knowledge: KnowledgeService, kb_name: str | None) -> None:
    """Follow the linked folders until Ctrl-C, which stops it cleanly (a batch under way
    leaves each file indexed or not, as an interrupted ingest does)."""
    names = [kb_name] if kb_name else knowledge.list_knowledge_bases()
    count = sum(len(knowledge.linked_folders(name)) for name in names)
    stop = threading.Event()
    try:
        knowledge.watch(kb_name, stop, show_report, lambda: show(say("watching", n=count)))
    except KeyboardInterrupt:
        show(say("stopped"))
    finally:
        stop.set()
