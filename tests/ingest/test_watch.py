"""Linked folders kept in sync by a watcher (ingest/watch.py), with real file-system events
in a temporary folder: the watcher runs in a thread, the recording embedder embeds."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from core.config import StoreConfig
from core.enums import FileStatus
from ingest.links import add_link, load_links, remove_link
from ingest.pipeline import IngestPipeline
from ingest.watch import FolderWatcher, SyncReport, WatchTarget, is_temporary
from retrieval.kb.opening import open_knowledge_base

QUIET = 0.3  # the tests' debounce: short, so that each step settles fast
REFRESH = 0.3  # and how often the links are read again


def _state(kb) -> set[tuple[str, str]]:
    return {(d.path, d.content_hash) for d in kb.documents() if d.status == "ok"}


def _clean_build(folder: Path, root: Path, settings, embedder) -> set[tuple[str, str]]:
    with open_knowledge_base(root, "clean", StoreConfig(), create=True) as kb:
        IngestPipeline(kb, embedder, settings.ingest_config(), progress=False).run([folder])
        return _state(kb)


def _wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the watcher did not get there in time")
        time.sleep(0.05)


class Running:
    """A FolderWatcher on one linked folder (or on the folders `targets` gives), run in a thread."""

    def __init__(self, kb, pipeline: IngestPipeline, folder: Path | None,
                 targets: Callable[[], list[WatchTarget]] | None = None) -> None:
        self.reports: list[SyncReport] = []
        self.stop = threading.Event()
        started = threading.Event()
        if targets is None:
            target = WatchTarget("kb", kb.path, str(folder.resolve()), pipeline)
            targets = lambda: [target]  # noqa: E731
        self.watcher = FolderWatcher(targets, self.reports.append, quiet=QUIET, refresh=REFRESH)
        self.thread = threading.Thread(target=self.watcher.run, args=(self.stop, started.set), daemon=True)
        self.thread.start()
        assert started.wait(60), "the watcher did not start"

    def close(self) -> None:
        self.stop.set()
        self.watcher.wake()
        self.thread.join(10)
        assert not self.thread.is_alive()


@pytest.fixture
def linked(tmp_path, settings, fake_embedder) -> Iterator[tuple]:
    folder = tmp_path / "linked"
    folder.mkdir()
    kb = open_knowledge_base(settings.kb_root, "kb", StoreConfig(), create=True)
    add_link(kb.path, folder)
    pipeline = IngestPipeline(kb, fake_embedder, settings.ingest_config(), progress=False)
    yield folder, kb, pipeline
    kb.close()


def test_a_watched_folder_stays_equal_to_a_clean_build(linked, tmp_path, settings, fake_embedder):
    folder, kb, pipeline = linked
    (folder / "panda.txt").write_text("大熊猫主要生活在四川的山区。", encoding="utf-8")
    running = Running(kb, pipeline, folder)
    try:
        assert running.reports[0].reconcile and running.reports[0].summary.count(FileStatus.ADDED) == 1

        tea = folder / "tea.md"
        tea.write_text("# 茶\n\n西湖龙井产于杭州。", encoding="utf-8")  # added
        _wait_for(lambda: str(tea.resolve()) in {p for p, _ in _state(kb)})

        old_hash = kb.document(str(tea.resolve())).content_hash
        tea.write_text("# 茶\n\n普洱茶产于云南。", encoding="utf-8")  # changed
        _wait_for(lambda: kb.document(str(tea.resolve())).content_hash != old_hash)

        calls = len(fake_embedder.calls)
        moved = folder / "sub" / "panda-renamed.txt"
        moved.parent.mkdir()
        (folder / "panda.txt").rename(moved)  # renamed and moved: re-pointed, not re-embedded
        _wait_for(lambda: any(o.status == FileStatus.MOVED for r in running.reports for o in r.summary.outcomes))
        assert kb.document(str(moved.resolve())) is not None
        assert kb.document(str((folder / "panda.txt").resolve())) is None
        assert len(fake_embedder.calls) == calls

        # temporary, lock, backup and hidden files are never indexed (nor reported)
        for name in ("~$tea.docx", ".~lock.tea.docx#", ".tea.md.swp", ".DS_Store", "draft.tmp", "tea.md~",
                     "#tea.md#", "4913"):
            (folder / name).write_text("临时", encoding="utf-8")
        (folder / ".hidden").mkdir()
        (folder / ".hidden" / "secret.txt").write_text("不该被索引", encoding="utf-8")

        for i in range(50):  # a burst: one batch once the folder is quiet
            (folder / f"burst-{i:02d}.txt").write_text(f"第{i}份文件，内容各不相同：{i * 7}。", encoding="utf-8")
        _wait_for(lambda: len(_state(kb)) == 52)

        tea.unlink()  # deleted
        _wait_for(lambda: kb.document(str(tea.resolve())) is None)
        time.sleep(QUIET * 3)  # whatever else was queued has settled
    finally:
        running.close()
    assert not any("~" in p or "/." in p or p.endswith(("tmp", "4913", "#")) for p, _ in _state(kb))
    assert _state(kb) == _clean_build(folder, tmp_path / "clean", settings, fake_embedder)
    assert load_links(kb.path)[0].last_synced > 0


def test_changes_made_while_nothing_watched_are_caught_on_the_next_start(linked, tmp_path, settings, fake_embedder):
    folder, kb, pipeline = linked
    for name, text in {"a.txt": "甲文件的内容。", "b.txt": "乙文件的内容。", "c.txt": "丙文件的内容。"}.items():
        (folder / name).write_text(text, encoding="utf-8")
    Running(kb, pipeline, folder).close()
    assert len(_state(kb)) == 3

    (folder / "a.txt").write_text("甲文件改过了。", encoding="utf-8")  # while nothing watches
    (folder / "b.txt").unlink()
    (folder / "c.txt").rename(folder / "c2.txt")
    (folder / "d.txt").write_text("丁文件是新的。", encoding="utf-8")
    calls = len(fake_embedder.calls)
    running = Running(kb, pipeline, folder)  # the reconcile is done when it has started
    running.close()
    first = running.reports[0]
    assert first.reconcile
    assert {(Path(o.path).name, o.status) for o in first.summary.outcomes if o.status != FileStatus.SKIPPED} == {
        ("a.txt", FileStatus.UPDATED), ("b.txt", FileStatus.REMOVED), ("c2.txt", FileStatus.MOVED),
        ("d.txt", FileStatus.ADDED)}
    assert len(fake_embedder.calls) == calls + 2  # a.txt and d.txt; the renamed c2.txt is not embedded
    assert _state(kb) == _clean_build(folder, tmp_path / "clean", settings, fake_embedder)


def test_a_linked_folder_that_is_gone_is_reported_and_recorded(linked):
    folder, kb, pipeline = linked
    folder.rmdir()
    running = Running(kb, pipeline, folder)
    running.close()
    assert running.reports[0].error and "gone" in running.reports[0].error
    assert "gone" in load_links(kb.path)[0].error


def test_links_are_recorded_once_and_removed(tmp_path):
    kb_path, folder = tmp_path / "kb", tmp_path / "docs"
    kb_path.mkdir()
    folder.mkdir()
    add_link(kb_path, folder)
    add_link(kb_path, folder / "." )  # the same folder
    assert [link.folder for link in load_links(kb_path)] == [str(folder.resolve())]
    assert remove_link(kb_path, folder) and load_links(kb_path) == []
    assert not remove_link(kb_path, folder)


@pytest.mark.parametrize("name, ignored", [
    ("~$报告.docx", True), (".~lock.报告.docx#", True), (".报告.md.swp", True), (".DS_Store", True),
    ("a.tmp", True), ("报告.docx~", True), ("#notes.md#", True), ("报告.docx", False), ("notes.md", False),
])
def test_temporary_files_are_told_apart(tmp_path, name, ignored):
    assert is_temporary(tmp_path / name, tmp_path) is ignored
    assert is_temporary(tmp_path / ".git" / "notes.md", tmp_path)


def test_a_file_copied_beside_one_that_stays_is_read_not_moved(linked, fake_embedder):
    folder, kb, pipeline = linked
    (folder / "a.txt").write_text("同样的内容。", encoding="utf-8")
    pipeline.run([folder])
    (folder / "copy.txt").write_bytes((folder / "a.txt").read_bytes())
    summary = pipeline.run([folder])
    assert summary.count(FileStatus.ADDED) == 1 and summary.count(FileStatus.MOVED) == 0
    assert {Path(p).name for p, _ in _state(kb)} == {"a.txt", "copy.txt"}


def _linked_targets(kb, pipeline: IngestPipeline) -> Callable[[], list[WatchTarget]]:
    """The folders linked to `kb` now, as the knowledge service reads them on every refresh."""
    return lambda: [WatchTarget("kb", kb.path, link.folder, pipeline) for link in load_links(kb.path)]


def test_a_folder_linked_while_it_runs_is_followed_and_one_unlinked_is_left(linked, tmp_path):
    folder, kb, pipeline = linked
    remove_link(kb.path, folder)  # nothing linked when it starts
    running = Running(kb, pipeline, None, _linked_targets(kb, pipeline))
    try:
        (folder / "before.txt").write_text("关联之前就在文件夹里的文件。", encoding="utf-8")
        add_link(kb.path, folder)  # linked while it runs: reconciled, then followed
        _wait_for(lambda: any(Path(p).name == "before.txt" for p, _ in _state(kb)))
        (folder / "after.txt").write_text("关联之后保存的文件。", encoding="utf-8")
        _wait_for(lambda: any(Path(p).name == "after.txt" for p, _ in _state(kb)))
        assert load_links(kb.path)[0].last_synced > 0

        remove_link(kb.path, folder)  # unlinked: no longer followed, its documents stay
        _wait_for(lambda: not running.watcher.targets)
        (folder / "unlinked.txt").write_text("取消关联之后保存的文件。", encoding="utf-8")
        time.sleep(QUIET + REFRESH * 3)
        assert {Path(p).name for p, _ in _state(kb)} == {"before.txt", "after.txt"}
    finally:
        running.close()


def test_two_followers_of_one_folder_index_each_change_once(linked, tmp_path, settings, fake_embedder):
    """Two followers as two processes run them (the app and the API server, or a `--watch`):
    each with its own opened knowledge base (its own write lock's file handle) and its own
    embedder. Every change is embedded by one of them only; the other finds it done."""
    folder, kb, pipeline = linked
    other_embedder = type(fake_embedder)()
    other_kb = open_knowledge_base(settings.kb_root, "kb", StoreConfig())
    other = IngestPipeline(other_kb, other_embedder, settings.ingest_config(), progress=False)
    texts = {f"第{i}份.txt": f"第{i}份文件：青石镇的第{i}条街有{i * 3}家茶馆。" for i in range(6)}
    for name, text in list(texts.items())[:3]:  # there before both start: both reconcile them
        (folder / name).write_text(text, encoding="utf-8")
    first, second = Running(kb, pipeline, folder), Running(other_kb, other, folder)
    try:
        for name, text in list(texts.items())[3:]:  # saved while both follow
            (folder / name).write_text(text, encoding="utf-8")
        _wait_for(lambda: len(_state(kb)) == 6)
        (folder / "第0份.txt").write_text("第0份文件改过了：青石镇新开了一家书店。", encoding="utf-8")  # changed
        (folder / "第1份.txt").rename(folder / "第1份-改名.txt")  # renamed: re-pointed, by neither re-embedded
        (folder / "第2份.txt").unlink()  # deleted
        _wait_for(lambda: {Path(p).name for p, _ in _state(kb)} == {"第0份.txt", "第1份-改名.txt", "第3份.txt",
                                                                     "第4份.txt", "第5份.txt"})
        time.sleep(QUIET * 4)  # whatever the slower follower still had queued has run
    finally:
        first.close()
        second.close()
        other_kb.close()
    embedded = [batch[0] for batch in fake_embedder.calls + other_embedder.calls]
    assert len(embedded) == 7, embedded  # six files and one change, each once
    assert sum("改过了" in text for text in embedded) == 1
    assert {r.error for r in first.reports + second.reports} == {""}
    seen = [{(Path(o.path).name, o.status) for r in running.reports for o in r.summary.outcomes}
            for running in (first, second)]
    for name in list(texts)[3:]:  # both looked at each file saved while they followed; one of them indexed it
        added = [(name, FileStatus.ADDED) in follower for follower in seen]
        assert sum(added) == 1 and (name, FileStatus.SKIPPED) in seen[added.index(False)], (name, seen)
    assert _state(kb) == _clean_build(folder, tmp_path / "clean", settings, fake_embedder)
