"""Which folders can be linked to a knowledge base (ingest/links.py), on real folders."""
from __future__ import annotations

import os

import pytest

from core.enums import LinkProblem
from core.errors import ConfigError, FolderNotLinkable
from ingest.links import MAX_LINKS, add_link, check_linkable, load_links


@pytest.fixture
def kb_path(tmp_path):
    path = tmp_path / "data" / "kb" / "笔记"
    path.mkdir(parents=True)
    return path


def _problem(folder, data_dir=None, **kw) -> LinkProblem:
    with pytest.raises(FolderNotLinkable) as caught:
        check_linkable(folder, data_dir, **kw)
    assert isinstance(caught.value, ConfigError) and caught.value.code == f"link_{caught.value.problem}"
    return caught.value.problem


def test_what_cannot_be_linked_is_told_apart(tmp_path):
    data = tmp_path / "data"
    (data / "kb").mkdir(parents=True)
    (tmp_path / "合同.txt").write_text("不是文件夹", encoding="utf-8")
    assert _problem(tmp_path / "没有这个文件夹") == LinkProblem.MISSING
    assert _problem(tmp_path / "合同.txt") == LinkProblem.NOT_FOLDER
    assert _problem(data, data) == LinkProblem.DATA_FOLDER  # the data folder itself
    assert _problem(data / "kb", data) == LinkProblem.DATA_FOLDER  # inside it: its own writes would be followed
    assert _problem(tmp_path, data) == LinkProblem.DATA_FOLDER  # holding it
    assert _problem("文档/合同", absolute=True) == LinkProblem.NOT_ABSOLUTE  # the app's: a whole path
    docs = tmp_path / "文档"
    docs.mkdir()
    assert check_linkable(docs, data, absolute=True) == str(docs.resolve())
    assert check_linkable(os.path.relpath(docs)) == str(docs.resolve())  # the command line's: from where it runs


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder")
def test_a_folder_that_cannot_be_read_is_refused(tmp_path):
    locked = tmp_path / "锁住的"
    locked.mkdir()
    locked.chmod(0)
    try:
        assert _problem(locked) == LinkProblem.UNREADABLE
    finally:
        locked.chmod(0o755)


def test_a_knowledge_base_has_at_most_max_links_folders(tmp_path, kb_path):
    folders = [tmp_path / f"文件夹{i}" for i in range(MAX_LINKS + 1)]
    for folder in folders:
        folder.mkdir()
    for folder in folders[:MAX_LINKS]:
        add_link(kb_path, folder)
    add_link(kb_path, folders[0])  # linked again: changes nothing, refuses nothing
    with pytest.raises(FolderNotLinkable) as caught:
        add_link(kb_path, folders[-1])
    assert caught.value.problem == LinkProblem.TOO_MANY
    assert len(load_links(kb_path)) == MAX_LINKS
