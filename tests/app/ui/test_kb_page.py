"""The knowledge-base page on a real service (fake embedder): create, upload, delete, re-index."""
from __future__ import annotations

import time

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
    at.button(key="upload-go").click().run()
    assert not at.exception, at.exception
    return " ".join(m.value for m in at.markdown if "上次上传结果" in m.value or "Last upload" in m.value)


def test_create_a_knowledge_base_and_refuse_bad_names(service: Services):
    at = page_test(KB_PAGE).run()
    assert "还没有知识库" in at.info[0].value
    create(at, "茶馆")
    assert service.knowledge.list_knowledge_bases() == ["茶馆"]
    assert "已创建知识库：茶馆" in at.success[0].value
    assert at.selectbox(key="kb_current").value == "茶馆"
    create(at, "../escape")
    assert at.error[0].value.startswith("无法创建：知识库名称不可用")
    assert "not a valid" not in at.error[0].value  # the lower layer's English words are not shown in Chinese
    create(at, "茶馆")
    assert "已有同名知识库" in at.error[0].value
    assert service.knowledge.list_knowledge_bases() == ["茶馆"]


def test_upload_several_files_with_an_outcome_each(service: Services):
    service.knowledge.create_knowledge_base("kb")
    at = page_test(KB_PAGE).run()
    report = upload(at, [("茶馆.md", TEA, "text/markdown"), ("notes.txt", "青石镇的银杏树有一百年了。".encode(), "text/plain"),
                         ("broken.pdf", b"not a pdf", "application/pdf"), ("empty.txt", b"", "text/plain")])
    assert report.count("已索引") == 2 and report.count(":red[:material/cancel: 失败]") == 2
    assert "**broken\\.pdf** — 不是有效的 PDF，或已损坏" in report and "**empty\\.txt** — 文件是空的" in report
    assert "详情" not in report and "cannot be read" not in report  # one language: the English sentence is not shown
    stored = sorted(p.name for p in (service.settings.kb_root / "kb" / "files").iterdir())
    assert stored == ["broken.pdf", "notes.txt", "茶馆.md"]  # the empty file was refused before storing
    assert sorted(d.status for d in service.knowledge.documents("kb")) == ["failed", "ok", "ok"]
    # indexed documents, chunks, failed files: counted apart
    assert [(m.label, m.value) for m in at.metric] == [("已索引的文档", "2"), ("段落", at.metric[1].value),
                                                       ("没能索引的文件", "1")]
    assert len(at.dataframe) == 1

    report = upload(at, [("茶馆.md", TEA, "text/markdown"), ("copy.md", TEA, "text/markdown")])
    assert "内容没有变化" in report and "与已有文档 茶馆\\.md 内容相同" in report
    assert len(service.knowledge.documents("kb")) == 3


def test_same_name_other_content_is_kept_apart_unless_replacing(service: Services):
    service.knowledge.create_knowledge_base("kb")
    at = page_test(KB_PAGE).run()
    upload(at, [("茶馆.md", TEA, "text/markdown")])
    report = upload(at, [("茶馆.md", "新的内容：茶馆改为八点开门。".encode(), "text/markdown")])
    assert "已另存为 茶馆 \\(2\\)\\.md" in report
    assert len(service.knowledge.documents("kb")) == 2
    report = upload(at, [("茶馆.md", "再次修改：九点开门。".encode(), "text/markdown")], replace=True)
    assert "已更新" in report and len(service.knowledge.documents("kb")) == 2


def test_files_over_the_size_cap_are_refused_with_a_message(service: Services):
    service.knowledge.create_knowledge_base("kb")
    at = page_test(KB_PAGE).run()
    assert at.get("file_uploader")[0].proto.max_upload_size_mb == 1
    report = upload(at, [("big.txt", b"a" * (1024 * 1024 + 10), "text/plain")])
    assert "文件超过大小上限" in report
    assert "larger than" not in report and "YIZHI\\_MAX\\_FILE\\_MB" in report
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
    assert "已删除：茶馆.md" in at.success[0].value


def test_reindex_shows_progress_and_a_summary(service: Services):
    service.knowledge.create_knowledge_base("kb")
    at = page_test(KB_PAGE).run()
    upload(at, [("茶馆.md", TEA, "text/markdown")])
    at.button(key="reindex-kb").click().run()
    assert not at.exception
    assert "重新索引完成" in at.success[0].value
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


def test_the_documents_table_reads_like_a_report(service: Services):
    service.knowledge.create_knowledge_base("kb")
    at = page_test(KB_PAGE).run()
    upload(at, [("茶馆.md", TEA, "text/markdown"), ("broken.pdf", b"not a pdf", "application/pdf")])
    table = at.dataframe[0].value
    assert list(table.columns) == ["文件", "状态", "页数", "段落", "OCR 页", "索引时间"]
    rows = {r["文件"]: r for r in table.to_dict("records")}
    assert rows["茶馆.md"]["状态"] == "已索引" and rows["茶馆.md"]["页数"] == "—" and rows["茶馆.md"]["OCR 页"] == "—"
    assert rows["broken.pdf"]["状态"].startswith("失败") and rows["茶馆.md"]["索引时间"][:2] == "20"
    failed = next(e for e in at.expander if e.label.startswith("broken.pdf"))
    assert "不是有效的 PDF" in failed.label
    assert not any("not a valid PDF" in m.value for m in failed.markdown)  # Chinese only


def test_the_page_speaks_english_when_switched(service: Services):
    service.knowledge.create_knowledge_base("kb")
    at = page_test(KB_PAGE)
    at.session_state["ui_lang"] = "en"
    at.run()
    report = upload(at, [("empty.txt", b"", "text/plain"), ("fake.pdf", b"a,b", "application/pdf")])
    assert "Last upload" in report and "The file is empty" in report and "Not a valid PDF, or damaged" in report
    assert "Details\\: cannot be read" in report  # in English, the lower layer's sentence as the detail
    assert at.title[0].value.endswith("Knowledge bases") and not any("知识库" in b.label for b in at.button)
    # the widget's hint is the catalogue's in English too: Streamlit's own would list the old
    # Office types the widget takes (to refuse them with a reason) as if they were read
    css = next(h.proto.body for h in at.get("html") if "stFileUploaderDropzone" in h.proto.body)
    assert "Drag and drop files here" in css and "XLSX" in css and "PPTX" in css and "XLS," not in css


def test_the_upload_widget_is_relabelled_in_chinese(service: Services):
    service.knowledge.create_knowledge_base("kb")
    at = page_test(KB_PAGE).run()
    css = next(h.proto.body for h in at.get("html") if "stFileUploaderDropzone" in h.proto.body)
    style, rules = css.split("</style>")
    assert "选择文件" in style and "拖放文件到这里" in style and "PDF" in style and "<script" not in style
    # and the same texts for the page itself (what a screen reader reads), put in place by the localiser
    assert rules.startswith("<script>") and rules.count("</") == 1 and "拖放文件到这里" in rules


def test_a_deleted_knowledge_base_leaves_the_selector_and_its_panel(service: Services):
    for name in ("a", "b"):
        service.knowledge.create_knowledge_base(name)
    at = page_test(KB_PAGE).run()
    at.selectbox(key="kb_current").select("b").run()
    at.session_state["kb-delete-panel-b"] = True  # the user opened the delete panel
    at.text_input(key="kb-confirm-b").input("b").run()
    at.button(key="kb-delete-b").click().run()
    assert at.selectbox(key="kb_current").options == ["a"] and at.selectbox(key="kb_current").value == "a"
    panel = next(e for e in at.expander if e.label == "删除这个知识库")
    assert not panel.proto.expanded and at.text_input(key="kb-confirm-a").value == ""


def test_rename_a_knowledge_base_with_its_files(service: Services):
    service.knowledge.create_knowledge_base("kb")
    at = page_test(KB_PAGE).run()
    upload(at, [("茶馆.md", TEA, "text/markdown")])
    at.text_input(key="kb-rename-kb").input("茶馆资料").run()
    at.button(key="kb-rename-go-kb").click().run()
    assert not at.exception, at.exception
    assert service.knowledge.list_knowledge_bases() == ["茶馆资料"]
    assert at.selectbox(key="kb_current").value == "茶馆资料" and "已将知识库 kb 重命名为 茶馆资料" in at.success[0].value
    [doc] = service.knowledge.documents("茶馆资料")
    assert doc.path == str((service.settings.kb_root / "茶馆资料" / "files" / "茶馆.md").resolve())
    assert len(at.dataframe) == 1 and not at.error  # its documents table, under the new name


def _linked(at, path: str):
    at.text_input(key="link-path-笔记").input(path)
    at.button(key="FormSubmitter:link-笔记-关联").click().run()
    assert not at.exception, at.exception
    return at


def _until(condition, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not synced in time"
        time.sleep(0.1)


def test_link_a_folder_on_the_page_and_it_is_indexed_by_the_apps_follower(service: Services, tmp_path):
    at = page_test(KB_PAGE).run()
    create(at, "笔记")
    assert any("填写一个文件夹的完整路径" in c.value for c in at.caption)  # how to link one
    folder = tmp_path / "笔记文件夹"
    folder.mkdir()
    (folder / "茶馆.md").write_bytes(TEA)

    _linked(at, str(folder))
    assert "已关联文件夹：" in at.success[0].value and "笔记文件夹" in at.success[0].value
    assert at.text_input(key="link-path-笔记").value == ""  # emptied for the next one
    # the app's own follower (started with its services) indexes it in the background
    _until(lambda: [d.path for d in service.knowledge.documents("笔记")] == [str(folder / "茶馆.md")])
    (folder / "书店.md").write_text("青石书店在东街，周一闭店。", encoding="utf-8")  # and follows it
    _until(lambda: len(service.knowledge.documents("笔记")) == 2)
    _until(lambda: service.knowledge.linked_folders("笔记")[0].last_synced > 0)
    at.run()
    listed = " ".join(m.value for m in at.markdown)
    assert "同步的文件夹" in listed and "笔记文件夹" in listed and "上次同步：" in listed

    at.button(key=f"unlink-笔记-{folder}").click().run()
    assert "已取消关联" in at.success[0].value and service.knowledge.linked_folders("笔记") == []
    assert len(service.knowledge.documents("笔记")) == 2  # its documents stay


@pytest.mark.parametrize("typed, said", [
    ("笔记文件夹", "请填写文件夹的完整路径"),
    ("{tmp}/没有这个文件夹", "这个文件夹不存在"),
    ("{tmp}/a.txt", "这是一个文件，不是文件夹"),
    ("{data}", "这是已知自己的数据文件夹"),
])
def test_a_folder_that_cannot_be_linked_is_said_why_in_the_pages_words(service: Services, tmp_path, typed, said):
    (tmp_path / "a.txt").write_text("文件", encoding="utf-8")
    at = page_test(KB_PAGE).run()
    create(at, "笔记")
    _linked(at, typed.format(tmp=tmp_path, data=service.settings.data_dir))
    assert at.error[0].value.startswith(f"无法关联：{said}")
    assert "does not" not in at.error[0].value and "not a" not in at.error[0].value  # one language
    assert service.knowledge.linked_folders("笔记") == []


def test_the_link_form_speaks_english_when_switched(service: Services, tmp_path):
    service.knowledge.create_knowledge_base("笔记")
    at = page_test(KB_PAGE)
    at.session_state["ui_lang"] = "en"
    at.run()
    at.text_input(key="link-path-笔记").input(str(tmp_path / "missing"))
    at.button(key="FormSubmitter:link-笔记-Link").click().run()
    assert at.error[0].value.startswith("Cannot link: This folder does not exist: check the path")


def test_a_page_reachable_from_other_computers_offers_no_folder_linking(service: Services, monkeypatch):
    import streamlit

    from app.ui.kb_links import reachable_from_elsewhere

    assert [reachable_from_elsewhere(a) for a in ("127.0.0.1", "localhost", "::1", None, "0.0.0.0", "192.168.1.5")] \
        == [False, False, False, False, True, True]
    real = streamlit.get_option
    monkeypatch.setattr(streamlit, "get_option", lambda key: "0.0.0.0" if key == "server.address" else real(key))
    service.knowledge.create_knowledge_base("笔记")
    at = page_test(KB_PAGE).run()
    assert not at.exception, at.exception
    assert not [w for w in at.text_input if w.key == "link-path-笔记"]  # no path box
    assert any("不能关联文件夹" in c.value and "python -m ingest --link" in c.value for c in at.caption)
