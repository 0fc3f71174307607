"""State that survives navigation: the whole app (Home.py) moved between its pages, as a
user does with the sidebar's links."""
from __future__ import annotations

from tests.app.ui.helpers import FakeService, go, home_test


def test_the_chat_selection_survives_a_visit_to_the_knowledge_base_page(fake_service: FakeService):
    at = home_test().run()
    at.multiselect(key="chat_kbs").set_value(["manuals"]).run()
    go(at, "kb")
    assert at.title[0].value.endswith("知识库") and not at.exception
    go(at, "chat")
    assert at.multiselect(key="chat_kbs").value == ["manuals"]
    at.chat_input[0].set_value("营业时间？").run()
    assert fake_service.asked[0]["kbs"] == ["manuals"]  # asked where the user said, not "default"
    go(at, "kb")
    go(at, "chat")
    assert at.multiselect(key="chat_kbs").value == ["manuals"] and len(at.chat_message) == 2


def test_the_knowledge_base_page_opens_on_the_chats_current_one(fake_service: FakeService):
    at = home_test().run()
    go(at, "kb")
    assert at.selectbox(key="kb_current").value == "default"
    at.selectbox(key="kb_current").select("manuals").run()
    at.run()
    assert at.selectbox(key="kb_current").value == "manuals"  # kept across reruns of the page
    go(at, "chat")  # the chat asks "default"
    go(at, "kb")
    assert at.selectbox(key="kb_current").value == "default"  # opens on the chat's one
    go(at, "chat")
    at.multiselect(key="chat_kbs").set_value(["manuals"]).run()
    go(at, "kb")
    assert at.selectbox(key="kb_current").value == "manuals"
    go(at, "chat")
    at.multiselect(key="chat_kbs").set_value(["default", "manuals"]).run()
    go(at, "kb")
    assert at.selectbox(key="kb_current").value == "manuals"  # the chat asks it still: it stays


def test_creating_or_uploading_switches_the_chat_and_says_so(fake_service: FakeService):
    at = home_test().run()
    at.multiselect(key="chat_kbs").set_value(["default", "manuals"]).run()
    go(at, "kb")
    at.text_input[0].input("茶馆")
    next(b for b in at.button if b.label == "创建").click().run()
    go(at, "chat")
    assert at.multiselect(key="chat_kbs").value == ["茶馆"]
    assert "问答已切换到知识库「茶馆」" in at.info[0].value
    at.run()
    assert not any("问答已切换" in i.value for i in at.info)  # said once
    go(at, "kb")
    assert at.selectbox(key="kb_current").value == "茶馆"
    at.selectbox(key="kb_current").select("manuals").run()
    at.get("file_uploader")[0].set_value([("茶馆.md", "望月茶馆七点开门。".encode(), "text/markdown")]).run()
    at.button(key="upload-go").click().run()
    assert not at.exception, at.exception
    go(at, "chat")
    assert at.multiselect(key="chat_kbs").value == ["manuals"] and "「manuals」" in at.info[0].value
    at.chat_input[0].set_value("几点开门？").run()
    assert fake_service.asked[-1]["kbs"] == ["manuals"]


def test_a_deleted_knowledge_base_disappears_from_every_selector(fake_service: FakeService):
    at = home_test().run()
    at.multiselect(key="chat_kbs").set_value(["default", "manuals"]).run()
    go(at, "kb")
    at.selectbox(key="kb_current").select("manuals").run()
    at.text_input(key="kb-confirm-manuals").input("manuals").run()
    at.button(key="kb-delete-manuals").click().run()
    assert fake_service.kbs == ["default"]
    assert at.selectbox(key="kb_current").options == ["default"] and at.selectbox(key="kb_current").value == "default"
    assert "已删除知识库：manuals" in at.success[0].value
    go(at, "chat")
    chosen = at.multiselect(key="chat_kbs")
    assert chosen.options == ["default"] and chosen.value == ["default"]
    go(at, "retrieval")
    assert at.multiselect(key="rt_kbs").options == ["default"] and at.multiselect(key="rt_kbs").value == ["default"]


def test_a_knowledge_base_created_first_is_the_one_the_chat_asks(fake_service: FakeService):
    fake_service.kbs = []
    at = home_test().run()
    assert "还没有知识库" in at.info[0].value
    go(at, "kb")
    at.text_input[0].input("茶馆")
    next(b for b in at.button if b.label == "创建").click().run()
    assert not at.exception
    go(at, "chat")
    assert at.multiselect(key="chat_kbs").value == ["茶馆"]


def test_the_retrieval_test_shares_the_chat_selection(fake_service: FakeService):
    at = home_test().run()
    go(at, "retrieval")
    at.multiselect(key="rt_kbs").set_value(["manuals"]).run()
    go(at, "chat")
    assert at.multiselect(key="chat_kbs").value == ["manuals"]


def test_the_language_switch_holds_on_every_page(fake_service: FakeService):
    at = home_test().run()
    assert at.title[0].value.endswith("问答")
    at.button_group(key="lang_switch").set_value("en").run()
    assert at.title[0].value.endswith("Chat") and at.multiselect(key="chat_kbs").label == "Knowledge bases"
    go(at, "kb")
    assert at.title[0].value.endswith("Knowledge bases") and at.selectbox(key="kb_current").label == "Knowledge base"
    go(at, "retrieval")
    assert at.title[0].value.endswith("Retrieval test")
    at.run()
    assert at.session_state["ui_lang"] == "en"
    at.button_group(key="lang_switch").set_value("zh").run()
    assert at.title[0].value.endswith("命中测试")


def test_opening_a_conversation_from_another_page_shows_the_chat(fake_service: FakeService):
    at = home_test().run()
    at.chat_input[0].set_value("望月茶馆几点开门？").run()
    conversation = fake_service.conversations.list_conversations()[0]
    at.button(key="conv-new").click().run()
    assert len(at.chat_message) == 0
    go(at, "kb")
    at.button(key=f"conv-{conversation.conversation_id}").click().run()
    assert at.title[0].value.endswith("问答") and len(at.chat_message) == 2


def test_a_renamed_knowledge_base_stays_chosen_in_every_selector(fake_service: FakeService):
    at = home_test().run()
    at.chat_input[0].set_value("望月茶馆几点开门？").run()  # a saved conversation that asked "default"
    at.multiselect(key="chat_kbs").set_value(["manuals", "default"]).run()
    go(at, "kb")
    at.selectbox(key="kb_current").select("manuals").run()
    at.text_input(key="kb-rename-manuals").input("手册").run()
    at.button(key="kb-rename-go-manuals").click().run()
    assert not at.exception, at.exception
    assert fake_service.kbs == ["default", "手册"]
    assert at.selectbox(key="kb_current").value == "手册" and "已将知识库 manuals 重命名为 手册" in at.success[0].value
    at.run()
    assert at.selectbox(key="kb_current").value == "手册"
    go(at, "chat")
    chosen = at.multiselect(key="chat_kbs")
    assert chosen.options == ["default", "手册"] and chosen.value == ["手册", "default"]  # in its place
    assert len(at.chat_message) == 2  # the open conversation is still there
    at.chat_input[0].set_value("营业时间？").run()
    assert fake_service.asked[-1]["kbs"] == ["手册", "default"]
    go(at, "retrieval")
    assert at.multiselect(key="rt_kbs").value == ["手册", "default"]
    go(at, "kb")
    at.selectbox(key="kb_current").select("default").run()
    at.text_input(key="kb-rename-default").input("默认").run()
    at.button(key="kb-rename-go-default").click().run()
    go(at, "chat")
    assert at.multiselect(key="chat_kbs").value == ["手册", "默认"]
    saved = fake_service.conversations.list_conversations()[0]
    assert saved.kb_names == ("手册", "默认")  # the saved conversation asks the new names
    assert at.session_state["chat_messages"][1]["kbs"] == ["默认"]  # and so do its answers on screen


def test_a_rename_to_a_taken_name_says_why_and_changes_nothing(fake_service: FakeService):
    at = home_test().run()
    go(at, "kb")
    assert at.button(key="kb-rename-go-default").disabled  # nothing typed yet
    at.text_input(key="kb-rename-default").input("manuals").run()
    at.button(key="kb-rename-go-default").click().run()
    assert at.error[0].value.startswith("无法重命名：已有同名知识库")
    assert fake_service.kbs == ["default", "manuals"] and at.selectbox(key="kb_current").value == "default"
