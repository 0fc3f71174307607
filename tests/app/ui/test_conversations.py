"""Conversations kept in <data>/conversations.sqlite: the store, and the sidebar that lists,
reopens, renames and deletes them."""
from __future__ import annotations

import pytest

from app.services.conversations import SqliteConversationService
from core.errors import ConfigError
from tests.app.ui.helpers import FakeService, home_test


def test_the_store_keeps_turns_with_their_whole_answers(tmp_path, fake_service: FakeService):
    store = SqliteConversationService(tmp_path / "data" / "conversations.sqlite")
    answer = next(item for item in fake_service.ask_stream("几点开门？", ["default"]) if not isinstance(item, str))
    first = store.create_conversation("  几点\n开门？ ", ["default"])
    second = store.create_conversation("另一个", ["manuals"])
    store.append_turn(first, "user", "几点开门？", kb_names=["default", "manuals"])
    store.append_turn(first, "assistant", answer.text, answer=answer, kb_names=["default", "manuals"], terms=["开门"])
    listed = store.list_conversations()
    assert [c.conversation_id for c in listed] == [first, second]  # the last one asked comes first
    assert listed[0].title == "几点 开门？" and listed[0].turns == 2 and listed[0].kb_names == ("default", "manuals")
    loaded = store.load_conversation(first)
    assert loaded.turns[1].answer == answer  # citations, evidence and sentence support come back whole
    assert loaded.turns[1].terms == ("开门",) and loaded.turns[0].answer is None
    store.rename_conversation(second, "改过的名字")
    assert store.load_conversation(second).info.title == "改过的名字"
    with pytest.raises(ConfigError):
        store.rename_conversation(second, "   ")
    store.delete_conversation(first)
    assert store.load_conversation(first) is None and [c.title for c in store.list_conversations()] == ["改过的名字"]
    with pytest.raises(ConfigError, match="does not exist"):
        store.append_turn(first, "user", "还在吗？")
    assert len(store.create_conversation("长" * 200)) == 16
    assert len(store.list_conversations()[0].title) == 80


def _ask(at, question: str):
    at.chat_input[0].set_value(question).run()
    assert not at.exception, at.exception
    return at


def test_asking_saves_a_conversation_listed_in_the_sidebar(fake_service: FakeService):
    at = home_test().run()
    assert any("提问后，对话会保存在这里" in c.value for c in at.sidebar.caption)
    _ask(at, "望月茶馆几点开门？")
    [info] = fake_service.conversations.list_conversations()
    assert info.title == "望月茶馆几点开门？" and info.turns == 2 and info.kb_names == ("default",)
    assert at.query_params["c"] == info.conversation_id  # a reload reopens it
    item = at.button(key=f"conv-{info.conversation_id}")
    assert item.label == "望月茶馆几点开门？" and "default" in item.help
    _ask(at, "那招牌呢？")
    assert fake_service.conversations.list_conversations()[0].turns == 4


def test_a_new_conversation_by_one_click_and_reopening_an_old_one(fake_service: FakeService):
    at = home_test().run()
    _ask(at, "望月茶馆几点开门？")
    at.button(key="conv-new").click().run()
    assert len(at.chat_message) == 0 and any("可以问些什么" in m.value for m in at.markdown)
    at.multiselect(key="chat_kbs").set_value(["manuals"]).run()
    _ask(at, "营业时间？")
    first, second = reversed(fake_service.conversations.list_conversations())
    assert second.kb_names == ("manuals",)
    at.button(key=f"conv-{first.conversation_id}").click().run()
    assert [m.name for m in at.chat_message] == ["user", "assistant"]
    assert at.chat_message[0].markdown[0].value == "望月茶馆几点开门？"
    assert at.multiselect(key="chat_kbs").value == ["default"]  # the conversation's knowledge bases
    assert any("**\\[1\\]**" in m.value for m in at.markdown)  # its sources, drawn again


def test_follow_ups_keep_working_after_a_reload(fake_service: FakeService):
    at = home_test().run()
    _ask(at, "望月茶馆几点开门？")
    conversation_id = at.query_params["c"]
    reloaded = home_test()  # a new browser session on the same URL
    reloaded.query_params["c"] = conversation_id
    reloaded.run()
    assert not reloaded.exception and len(reloaded.chat_message) == 2
    _ask(reloaded, "它的招牌是什么？")
    assert fake_service.asked[-1]["history"] == [{"role": "user", "content": "望月茶馆几点开门？"},
                                                 {"role": "assistant", "content": "望月茶馆每天早上七点开门。[1]"}]
    assert fake_service.conversations.load_conversation(conversation_id).info.turns == 4


def test_rename_and_delete_the_open_conversation(fake_service: FakeService):
    at = home_test().run()
    _ask(at, "望月茶馆几点开门？")
    conversation_id = at.session_state["conv_current"]
    at.text_input(key=f"conv-title-{conversation_id}").input("茶馆营业").run()
    at.button(key=f"conv-rename-{conversation_id}").click().run()
    assert fake_service.conversations.load_conversation(conversation_id).info.title == "茶馆营业"
    assert at.button(key=f"conv-{conversation_id}").label == "茶馆营业"
    assert "已重命名为「茶馆营业」" in at.success[0].value
    at.button(key=f"conv-delete-{conversation_id}").click().run()
    assert at.sidebar.warning and fake_service.conversations.list_conversations()  # asks first
    at.button(key=f"conv-delete-yes-{conversation_id}").click().run()
    assert fake_service.conversations.list_conversations() == []
    assert len(at.chat_message) == 0 and at.session_state["conv_current"] is None and "c" not in at.query_params


def test_a_conversation_deleted_in_another_tab_starts_afresh(fake_service: FakeService):
    at = home_test().run()
    _ask(at, "望月茶馆几点开门？")
    fake_service.conversations.delete_conversation(at.session_state["conv_current"])
    at.button(key="conv-new").click().run()
    _ask(at, "营业时间？")
    assert [c.title for c in fake_service.conversations.list_conversations()] == ["营业时间？"]
