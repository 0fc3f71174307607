"""Renaming a knowledge base on disk (`KnowledgeService.rename_knowledge_base`), once per
backend (`kb_settings`): the folder moves with its index and uploads, search works under the
new name, the old name is gone, saved conversations follow, and conflicts are refused."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.answering.types import Answer, Citation
from app.services import Services, build_services
from core.config import StoreConfig
from core.errors import ConfigError, KnowledgeBaseBusy, KnowledgeBaseNotFound
from core.types import SourceRef
from retrieval.kb.milvus.index import LITE_FILE
from retrieval.kb.opening import open_knowledge_base

TEA = "望月茶馆位于青石镇东街，每天早上七点开门，晚上十点关门。招牌茶是桂花乌龙。"
PANDA = "大熊猫主要生活在四川、陕西和甘肃的山区，以竹子为主要食物。"


@pytest.fixture
def service(kb_settings, fake_embedder, fake_generator):
    svc = build_services(kb_settings.with_overrides(score_threshold=0.0), embedder=fake_embedder,
                         generator=fake_generator)
    yield svc
    svc.close()


def _fill(service: Services, tmp_path: Path, name: str = "papers") -> tuple[Path, Path]:
    """An indexed folder outside the data dir and an uploaded file inside the knowledge base."""
    docs = tmp_path / "docs"
    docs.mkdir(exist_ok=True)
    (docs / "panda.txt").write_text(PANDA, encoding="utf-8")
    assert service.knowledge.ingest(name, [docs]).count("added") == 1
    saved = service.knowledge.save_upload(name, "茶馆.md", TEA.encode())
    assert service.knowledge.ingest(name, [saved.path]).count("added") == 1
    return docs / "panda.txt", saved.path


def _save_conversation(service: Services, name: str, uploaded: Path) -> str:
    store = service.conversations
    conversation = store.create_conversation("茶馆几点开门？", [name, "other"])
    citation = Citation(1, str(uploaded), None, 0.03, TEA, 0.8, also_in=(SourceRef(str(uploaded), 2),))
    answer = Answer("茶馆几点开门？", "七点开门。[1]", False, (citation,), {}, "zh", "茶馆几点开门？")
    store.append_turn(conversation, "user", "茶馆几点开门？", kb_names=[name, "other"])
    store.append_turn(conversation, "assistant", answer.text, answer=answer, kb_names=[name, "other"])
    return conversation


def test_rename_moves_everything_and_search_works_under_the_new_name(service: Services, tmp_path, fake_embedder):
    panda, uploaded = _fill(service, tmp_path)
    conversation = _save_conversation(service, "papers", uploaded)
    assert service.answers.search("茶馆几点开门", ["papers"], 1)  # opened: the service holds it

    assert service.knowledge.rename_knowledge_base("papers", " 论文 ") == "论文"
    root = service.settings.kb_root
    assert service.knowledge.list_knowledge_bases() == ["论文"]
    assert not service.knowledge.exists("papers") and not (root / "papers").exists()
    with pytest.raises(KnowledgeBaseNotFound):
        service.answers.search("茶馆几点开门", ["papers"], 1)

    moved = (root / "论文" / "files" / "茶馆.md").resolve()
    found = service.answers.search("茶馆几点开门", ["论文"], 2)
    assert found[0].chunk.source == str(moved)  # the upload's stored path followed its folder
    assert service.answers.search("大熊猫吃什么", ["论文"], 1)[0].chunk.source == str(panda)  # outside: unchanged
    assert service.knowledge.source_file(["论文"], str(moved)) == moved

    fake_embedder.calls.clear()  # nothing to embed again: both files are known by their (new) paths
    again = service.knowledge.ingest("论文", [panda.parent, moved])
    assert again.count("skipped") == 2 and fake_embedder.calls == []

    saved = service.conversations.load_conversation(conversation)
    assert saved.info.kb_names == ("论文", "other")
    assert [turn.kb_names for turn in saved.turns] == [("论文", "other")] * 2
    citation = saved.turns[1].answer.citations[0]
    assert citation.source == str(moved) and citation.also_in == (SourceRef(str(moved), 2),)


def test_the_old_name_is_free_again(service: Services, tmp_path):
    _fill(service, tmp_path)
    service.knowledge.rename_knowledge_base("papers", "archive")
    assert service.knowledge.create_knowledge_base("papers") == "papers"
    assert service.knowledge.chunk_count("papers") == 0 and service.knowledge.chunk_count("archive") == 2


def test_conflicts_and_bad_names_are_refused_and_change_nothing(service: Services, tmp_path):
    _fill(service, tmp_path)
    service.knowledge.create_knowledge_base("taken")
    with pytest.raises(ConfigError, match="'taken' already exists: pick another name"):
        service.knowledge.rename_knowledge_base("papers", "taken")
    with pytest.raises(KnowledgeBaseNotFound, match="'nokb' does not exist"):
        service.knowledge.rename_knowledge_base("nokb", "other")
    for bad in ("../escape", "", ".hidden", "a/b"):
        with pytest.raises(ConfigError, match="not a valid knowledge-base name"):
            service.knowledge.rename_knowledge_base("papers", bad)
    with pytest.raises(ConfigError, match="already has that name"):
        service.knowledge.rename_knowledge_base("papers", "papers")
    (service.settings.kb_root / "leftover").mkdir()  # a folder that is no knowledge base is not overwritten
    with pytest.raises(ConfigError, match="already exists"):
        service.knowledge.rename_knowledge_base("papers", "leftover")
    assert service.knowledge.list_knowledge_bases() == ["papers", "taken"]
    assert service.answers.search("茶馆几点开门", ["papers"], 1)


def test_a_knowledge_base_being_written_is_not_renamed(settings, fake_embedder, tmp_path):
    service = build_services(settings, embedder=fake_embedder)
    try:
        _fill(service, tmp_path)
        other = open_knowledge_base(settings.kb_root, "papers")  # another writer, as another process would be
        try:
            with other.write_lock(timeout=1), pytest.raises(KnowledgeBaseBusy, match="being written"):
                service.knowledge.rename_knowledge_base("papers", "论文")
        finally:
            other.close()
        assert service.knowledge.list_knowledge_bases() == ["papers"]
        assert service.knowledge.rename_knowledge_base("papers", "论文") == "论文"  # free again
    finally:
        service.close()


def test_a_milvus_lite_file_in_the_folder_moves_with_it(settings, fake_embedder, tmp_path):
    """YIZHI_VECTOR_STORE=milvus without a URI: the Milvus Lite file lives in the knowledge base's
    folder; its collection's name is recorded in the catalogue, so it is found after the move."""
    lite = settings.with_overrides(vector_store="milvus", milvus_uri="", score_threshold=0.0)
    service = build_services(lite, embedder=fake_embedder)
    try:
        _fill(service, tmp_path)
        assert (lite.kb_root / "papers" / LITE_FILE).is_dir()
        other = open_knowledge_base(lite.kb_root, "papers", StoreConfig(vector_store="milvus"))
        try:  # still open (here another copy; or another process): its Lite file must not move under it
            with pytest.raises(KnowledgeBaseBusy, match="Milvus Lite file"):
                service.knowledge.rename_knowledge_base("papers", "论文")
        finally:
            other.close()
        assert service.knowledge.list_knowledge_bases() == ["papers"]
        service.knowledge.rename_knowledge_base("papers", "论文")
        assert (lite.kb_root / "论文" / LITE_FILE).is_dir()
        assert service.knowledge.vector_store("论文") == "milvus"
        found = service.answers.search("茶馆几点开门", ["论文"], 1)
        assert found and Path(found[0].chunk.source).parent == (lite.kb_root / "论文" / "files").resolve()
    finally:
        service.close()
    with open_knowledge_base(lite.kb_root, "论文", StoreConfig(vector_store="milvus")) as kb:
        assert kb.check().ok
