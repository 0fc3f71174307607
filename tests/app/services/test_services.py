"""The service methods and upload helpers behind the UI, on real knowledge bases
(a deterministic fake embedder and a fake LLM keep them fast)."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.answering.types import Answer
from app.llm.generator import LlamaCppGenerator
from app.services import Services, build_services
from core.enums import UploadStatus
from core.errors import ConfigError, KnowledgeBaseNotFound, LoaderError, UnsupportedFile
from ingest.uploads import safe_filename, store_upload

TEA = ("# 望月茶馆\n\n望月茶馆位于青石镇东街，每天早上七点开门，晚上十点关门。\n\n"
       "## 招牌\n\n招牌茶是桂花乌龙，用本地桂花窨制三次。\n\n"
       "## 交通\n\n从青石镇汽车站步行十分钟即可到达，门口有一棵百年银杏。\n").encode()


@pytest.fixture
def service(settings, fake_embedder, fake_generator):
    svc = build_services(settings.with_overrides({"chunk_size": 60, "chunk_overlap": 10}),
                       embedder=fake_embedder, generator=fake_generator)
    yield svc
    svc.close()


@pytest.mark.parametrize("given, expected", [
    ("报告.md", "报告.md"),
    ("../../etc/passwd.txt", "passwd.txt"),
    ("C:\\Users\\me\\文档\\年报.PDF", "年报.pdf"),
    (".bashrc.md", "bashrc.md"),
    ("a<b>c:d|e?.md", "a_b_c_d_e_.md"),
    ("tab\tand\nnewline.txt", "tabandnewline.txt"),
    ("..", "upload"),
    ("", "upload"),
    ("trailing dots...md", "trailing dots.md"),
])
def test_safe_filename(given, expected):
    assert safe_filename(given) == expected


def test_safe_filename_keeps_long_names_within_file_system_limits():
    name = safe_filename("很长" * 200 + ".docx")
    assert name.endswith(".docx") and len(name.encode()) <= 180


def test_store_upload_never_overwrites_silently(tmp_path: Path):
    folder = tmp_path / "files"
    first = store_upload(folder, "指南.md", b"one", max_mb=1, known_hashes={})
    second = store_upload(folder, "指南.md", b"two", max_mb=1, known_hashes={})
    third = store_upload(folder, "指南.md", b"three", max_mb=1, known_hashes={})
    assert (first.status, first.path.name) == (UploadStatus.SAVED, "指南.md")
    assert (second.path.name, second.renamed_from) == ("指南 (2).md", "指南.md")
    assert third.path.name == "指南 (3).md"
    assert (folder / "指南.md").read_bytes() == b"one"
    replaced = store_upload(folder, "指南.md", b"four", max_mb=1, known_hashes={}, replace=True)
    assert replaced.path == first.path and first.path.read_bytes() == b"four"
    assert sorted(p.name for p in folder.iterdir()) == ["指南 (2).md", "指南 (3).md", "指南.md"]  # no temp files


def test_store_upload_recognises_known_content(tmp_path: Path):
    folder = tmp_path / "files"
    saved = store_upload(folder, "a.md", b"same", max_mb=1, known_hashes={})
    known = {saved.content_hash: str(saved.path)}
    assert store_upload(folder, "a.md", b"same", max_mb=1, known_hashes=known).status == UploadStatus.UNCHANGED
    dup = store_upload(folder, "copy.md", b"same", max_mb=1, known_hashes=known)
    assert (dup.status, dup.path) == (UploadStatus.DUPLICATE, saved.path)
    assert not (folder / "copy.md").exists()
    # stored earlier but never indexed (it failed): the same bytes are retried, not copied
    assert store_upload(folder, "a.md", b"same", max_mb=1, known_hashes={}).path == saved.path


def test_store_upload_refuses_large_unsupported_and_empty_files(tmp_path: Path):
    with pytest.raises(LoaderError, match="larger than the 1 MB limit"):
        store_upload(tmp_path, "big.txt", b"x" * (1024 * 1024 + 1), max_mb=1, known_hashes={})
    with pytest.raises(UnsupportedFile, match="unsupported file type '.exe'"):
        store_upload(tmp_path, "tool.exe", b"MZ", max_mb=1, known_hashes={})
    with pytest.raises(LoaderError, match="empty"):
        store_upload(tmp_path, "empty.md", b"", max_mb=1, known_hashes={})
    assert list(tmp_path.iterdir()) == []


def test_create_and_delete_knowledge_bases(service: Services):
    assert service.knowledge.create_knowledge_base(" 产品手册 ") == "产品手册"
    assert service.knowledge.list_knowledge_bases() == ["产品手册"]
    with pytest.raises(ConfigError, match="already exists"):
        service.knowledge.create_knowledge_base("产品手册")
    for bad in ("../x", ".hidden", "a/b", ""):
        with pytest.raises(ConfigError, match="not a valid knowledge-base name"):
            service.knowledge.create_knowledge_base(bad)
    service.knowledge.save_upload("产品手册", "茶馆.md", TEA)
    service.knowledge.delete_knowledge_base("产品手册")
    assert service.knowledge.list_knowledge_bases() == []
    assert not (service.settings.kb_root / "产品手册").exists()
    with pytest.raises(KnowledgeBaseNotFound):
        service.knowledge.delete_knowledge_base("产品手册")


def test_upload_index_delete_a_document(service: Services):
    service.knowledge.create_knowledge_base("kb")
    saved = service.knowledge.save_upload("kb", "../茶馆.md", TEA)
    assert saved.path == (service.settings.kb_root / "kb" / "files" / "茶馆.md").resolve()
    outcome = service.knowledge.ingest("kb", [saved.path]).outcomes[0]
    assert outcome.status == "added" and outcome.chunks >= 2
    assert service.knowledge.save_upload("kb", "茶馆.md", TEA).status == UploadStatus.UNCHANGED
    assert service.knowledge.save_upload("kb", "copy.md", TEA).status == UploadStatus.DUPLICATE
    [doc] = service.knowledge.documents("kb")
    assert service.knowledge.delete_document("kb", doc.path)
    assert service.knowledge.documents("kb") == [] and not saved.path.exists()


def test_delete_document_keeps_files_that_were_not_uploaded(service: Services, tmp_path: Path):
    own = tmp_path / "mine.md"
    own.write_bytes(TEA)
    service.knowledge.ingest("kb", [own])
    assert service.knowledge.delete_document("kb", str(own.resolve()))
    assert own.exists()


def test_reindex_reads_files_again_and_drops_missing_ones(service: Services, tmp_path: Path):
    keep, gone = tmp_path / "keep.txt", tmp_path / "gone.md"
    keep.write_text(TEA.decode().replace("#", "").replace("\n", ""), encoding="utf-8")
    gone.write_text("会被删除的文件。", encoding="utf-8")
    service.knowledge.ingest("kb", [keep, gone])
    assert service.knowledge.documents("kb")[1].chunks > 1
    gone.unlink()
    service.settings.chunk_size = 200  # e.g. the chunk size changed: everything is split again
    seen = []
    summary = service.knowledge.reindex("kb", on_file=seen.append)
    assert summary.count("removed") == 1 and summary.count("added") == 1
    assert [Path(o.path).name for o in seen] == ["keep.txt"]
    [doc] = service.knowledge.documents("kb")
    assert doc.path == str(keep.resolve()) and doc.chunks == 1


def test_passage_context_and_source_file(service: Services):
    service.knowledge.create_knowledge_base("kb")
    path = service.knowledge.save_upload("kb", "茶馆.md", TEA).path
    service.knowledge.ingest("kb", [path])
    hits = service.answers.search("桂花乌龙", ["kb"], k=1)
    source, text = hits[0].chunk.source, hits[0].chunk.text
    context = service.knowledge.passage_context(["kb"], source, text)
    assert context.found and context.text == text and "桂花乌龙" in text
    assert context.before or context.after
    assert service.knowledge.source_file(["kb"], source) == Path(source)
    assert service.knowledge.source_file(["kb"], "/etc/passwd") is None  # only documents of the knowledge base
    assert not service.knowledge.passage_context(["kb"], source, "不在文件里的段落").found


def test_ask_stream_with_uses_the_sessions_settings(service: Services, fake_generator):
    service.knowledge.ingest("kb", [_write(service, "茶馆.md")])
    items = list(service.answers.ask_stream("望月茶馆几点开门？", ["kb"], overrides={"top_k": 1}))
    answer = items[-1]
    assert isinstance(answer, Answer) and not answer.refused
    assert len(answer.citations) == 1 and "".join(items[:-1]) == answer.text
    calls = len(fake_generator.calls)
    refused = list(service.answers.ask_stream("望月茶馆几点开门？", ["kb"], overrides={"score_threshold": 1.0}))[-1]
    assert refused.refused and len(fake_generator.calls) == calls  # a refusal never calls the LLM
    with pytest.raises(ConfigError, match="invalid setting"):
        service.answers.ask_stream("问题", ["kb"], overrides={"top_k": 0})


def test_tuned_generators_share_the_model(service: Services, fake_generator):
    base = service.resources.generator_for(service.settings)
    assert base is fake_generator
    tuned = service.resources.generator_for(service.settings.with_overrides({"llm_temperature": 0.7}))
    assert isinstance(tuned, LlamaCppGenerator) and tuned.config.temperature == 0.7
    assert service.resources.generator_for(service.settings.with_overrides({"llm_temperature": 0.7})) is tuned


def test_models_and_terms(service: Services):
    assert not service.models.models_ready()
    service.models.load_models()
    assert service.models.models_ready()
    assert service.models.describe_models()["embed_model"] == service.settings.embed_model
    assert "茶馆" in service.answers.highlight_terms("望月茶馆几点开门？")
    assert "pdf" in service.knowledge.upload_types() and "md" in service.knowledge.upload_types()


def _write(service: Services, name: str) -> Path:
    path = service.settings.data_dir / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(TEA)
    return path


def test_a_knowledge_base_being_written_is_not_deleted(service: Services):
    from core.errors import KnowledgeBaseBusy
    from retrieval.kb.opening import open_knowledge_base

    service.knowledge.create_knowledge_base("kb")
    other_writer = open_knowledge_base(service.settings.kb_root, "kb")  # as another process would open it
    try:
        with other_writer.write_lock(timeout=0):
            with pytest.raises(KnowledgeBaseBusy):
                service.knowledge.delete_knowledge_base("kb")
        assert service.knowledge.list_knowledge_bases() == ["kb"]
    finally:
        other_writer.close()
    service.knowledge.delete_knowledge_base("kb")
    assert service.knowledge.list_knowledge_bases() == []
