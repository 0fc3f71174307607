"""The knowledge-base page on a real service (fake embedder): create, upload, delete, re-index."""
from __future__ import annotations

import pytest

from app.services import Services, build_services
from tests.app.ui.helpers import page_test

KB_PAGE = "app.ui.kb_page"
TEA = "望月茶馆位于青石镇东街，每天早上七点开门。招牌茶是桂花乌龙。".encode()


@pytest.fixture
def service(settings, fake_embedder, use_service):
    svc = build_services(settings.with_overrides({"max_file_mb": 1}), embedder=fake_embedder)
    use_service(svc)
    yield svc
    svc.close()


def create(at, name: str):
    at.text_input[0].input(name)
    at.button[0].click().run()  # the form's 创建 Create
    assert not at.exception, at.exception
    return at


def upload(at, files, replace: bool = False):
    at.get("file_uploader")[0].set_value(files).run()
    if replace:
        at.checkbox(key="upload_replace").check().run()
    next(b for b in at.button if b.label == "上传并索引 Upload & index").click().run()
    assert not at.exception, at.exception
    return " ".join(m.value for m in at.markdown if "上次上传结果" in m.value)


def test_create_a_knowledge_base_and_refuse_bad_names(service: Services):
    at = page_test(KB_PAGE).run()
    assert "还没有知识库" in at.info[0].value
    create(at, "茶馆")
    assert service.knowledge.list_knowledge_bases() == ["茶馆"]
    assert "已创建知识库 created: 茶馆" in at.success[0].value
    assert at.selectbox(key="kb_current").value == "茶馆"
    create(at, "../escape")
    assert "not a valid knowledge-base name" in at.error[0].value
    create(at, "茶馆")
    assert "already exists" in at.error[0].value
    assert service.knowledge.list_knowledge_bases() == ["茶馆"]


def test_upload_several_files_with_an_outcome_each(service: Services):
    service.knowledge.create_knowledge_base("kb")
    at = page_test(KB_PAGE).run()
    report = upload(at, [("茶馆.md", TEA, "text/markdown"), ("notes.txt", "青石镇的银杏树有一百年了。".encode(), "text/plain"),
                         ("broken.pdf", b"not a pdf", "application/pdf"), ("empty.txt", b"", "text/plain")])
    assert report.count("已索引 indexed") == 2 and report.count("失败 failed") == 2
    assert "broken\\.pdf" in report and "empty" in report
    stored = sorted(p.name for p in (service.settings.kb_root / "kb" / "files").iterdir())
    assert stored == ["broken.pdf", "notes.txt", "茶馆.md"]  # the empty file was refused before storing
    assert sorted(d.status for d in service.knowledge.documents("kb")) == ["failed", "ok", "ok"]
    assert [m.value for m in at.metric] == ["3", at.metric[1].value, "1"]  # documents, chunks, failed
    assert len(at.dataframe) == 1

    report = upload(at, [("茶馆.md", TEA, "text/markdown"), ("copy.md", TEA, "text/markdown")])
    assert "内容未变化 unchanged" in report and "与已有文档 茶馆\\.md 内容相同" in report
    assert len(service.knowledge.documents("kb")) == 3


def test_same_name_other_content_is_kept_apart_unless_replacing(service: Services):
    service.knowledge.create_knowledge_base("kb")
    at = page_test(KB_PAGE).run()
    upload(at, [("茶馆.md", TEA, "text/markdown")])
    report = upload(at, [("茶馆.md", "新的内容：茶馆改为八点开门。".encode(), "text/markdown")])
    assert "已另存为 saved as 茶馆 \\(2\\)\\.md" in report
    assert len(service.knowledge.documents("kb")) == 2
    report = upload(at, [("茶馆.md", "再次修改：九点开门。".encode(), "text/markdown")], replace=True)
    assert "已更新 updated" in report and len(service.knowledge.documents("kb")) == 2


def test_files_over_the_size_cap_are_refused_with_a_message(service: Services):
    service.knowledge.create_knowledge_base("kb")
    at = page_test(KB_PAGE).run()
    assert at.get("file_uploader")[0].proto.max_upload_size_mb == 1
    report = upload(at, [("big.txt", b"a" * (1024 * 1024 + 10), "text/plain")])
    assert "larger than the 1 MB limit" in report and "YIZHI\\_MAX\\_FILE\\_MB" in report
    assert service.knowledge.documents("kb") == []


def test_delete_a_document_after_confirming(service: Services):
    service.knowledge.create_knowledge_base("kb")
    at = page_test(KB_PAGE).run()
    upload(at, [("茶馆.md", TEA, "text/markdown"), ("notes.txt", "银杏树。".encode(), "text/plain")])
    at.selectbox(key="doc-pick-kb").select(service.knowledge.documents("kb")[1].path).run()
    at.button(key="doc-delete-kb").click().run()
    assert "确定从知识库" in at.warning[0].value and len(service.knowledge.documents("kb")) == 2
    at.button(key="doc-cancel-kb").click().run()
    assert not at.warning and len(service.knowledge.documents("kb")) == 2
    at.button(key="doc-delete-kb").click().run()
    at.button(key="doc-confirm-kb").click().run()
    assert [d.path.endswith("notes.txt") for d in service.knowledge.documents("kb")] == [True]
    assert "已删除 deleted: 茶馆.md" in at.success[0].value


def test_reindex_shows_progress_and_a_summary(service: Services):
    service.knowledge.create_knowledge_base("kb")
    at = page_test(KB_PAGE).run()
    upload(at, [("茶馆.md", TEA, "text/markdown")])
    at.button(key="reindex-kb").click().run()
    assert not at.exception
    assert "重新索引完成 / Re-indexed" in at.success[0].value
    assert [d.status for d in service.knowledge.documents("kb")] == ["ok"]


def test_delete_a_knowledge_base_only_after_typing_its_name(service: Services):
    service.knowledge.create_knowledge_base("kb")
    service.knowledge.create_knowledge_base("other")
    at = page_test(KB_PAGE).run()
    assert at.button(key="kb-delete-kb").proto.disabled
    at.text_input(key="kb-confirm-kb").input("wrong").run()
    assert at.button(key="kb-delete-kb").proto.disabled
    at.text_input(key="kb-confirm-kb").input("kb").run()
    at.button(key="kb-delete-kb").click().run()
    assert service.knowledge.list_knowledge_bases() == ["other"]
    assert at.selectbox(key="kb_current").value == "other"
