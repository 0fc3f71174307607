"""The chat page with a fake service: streaming, sources, refusals, errors, history."""
from __future__ import annotations

from core.answers import Citation
from core.errors import ModelLoadError
from tests.app.ui.helpers import FakeService, home_test, page_test

CHAT = "app.ui.chat_page"


def ask(at, question: str):
    at.chat_input[0].set_value(question).run()
    assert not at.exception, at.exception
    return at


def assistant_texts(at) -> list[str]:
    return [m.value for m in at.chat_message if m.name == "assistant" for m in m.markdown]


def test_without_knowledge_bases_the_page_says_where_to_start(fake_service: FakeService):
    fake_service.kbs = []
    at = page_test(CHAT).run()
    assert not at.exception
    assert "还没有知识库" in at.info[0].value
    assert len(at.chat_input) == 0


def test_default_knowledge_base_is_preselected(fake_service: FakeService):
    at = page_test(CHAT).run()
    assert at.multiselect[0].value == ["default"]
    assert at.multiselect[0].options == ["default", "manuals"]


def test_an_answer_is_streamed_with_numbered_sources_and_timings(fake_service: FakeService):
    at = page_test(CHAT).run()
    at.session_state["opt_top_k"] = 3  # what the sidebar's slider stores
    ask(at, "望月茶馆几点开门？")
    assert fake_service.loaded == 1  # models loaded once, behind a spinner
    asked = fake_service.asked[0]
    assert asked["kbs"] == ["default"] and asked["history"] == [] and asked["tuning"] == {"top_k": 3}
    assert "望月茶馆每天早上七点开门。\\[1\\]" in assistant_texts(at)
    labels = [e.label for e in at.expander]
    assert "来源 Sources (2)" in labels and "耗时 Timings" in labels
    timings = " ".join(c.value for c in at.caption)
    assert "检索 retrieval 12 ms" in timings and "首字 first token 340 ms" in timings and "总计 total 2.1 s" in timings
    assert [m.name for m in at.chat_message] == ["user", "assistant"]


def test_sources_show_escaped_highlighted_passages_when_opened(fake_service: FakeService):
    fake_service.citations = (Citation(1, "/docs/<b>evil<b>.md", None, 0.03,
                                       "望月茶馆 <script>alert(1)</script> [link](http://x.example) & more", 0.5),)
    at = page_test(CHAT).run()
    ask(at, "望月茶馆在哪里？")
    assert not at.get("html")  # closed: nothing rendered inside
    at.session_state["msg1-sources"] = True  # the user opens the expander
    at.run()
    html = [h.proto.body for h in at.get("html")]
    assert len(html) == 1
    body = html[0]
    assert "<script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert '<mark style="' in body and ">茶馆</mark>" in body
    assert "&amp; more" in body
    heading = next(m.value for m in at.markdown if m.value.startswith("**\\[1\\]**"))
    assert "\\<b\\>evil\\<b\\>\\.md" in heading  # the file name cannot become markup


def _open_preview(question: str, source: int):
    """Ask, open the first answer's sources and the preview of source `source`."""
    at = page_test(CHAT).run()
    ask(at, question)
    at.session_state["msg1-sources"] = True
    at.run()
    at.toggle(key=f"msg1-preview-{source}").set_value(True).run()
    return at


def test_preview_of_a_text_source_shows_its_neighbours(fake_service: FakeService):
    at = _open_preview("望月茶馆几点开门？", source=1)
    assert not at.exception
    bodies = [h.proto.body for h in at.get("html")]
    assert any("前一段。" in b and "后一段。" in b for b in bodies)


def test_a_missing_pdf_preview_says_the_file_is_gone(fake_service: FakeService):
    at = _open_preview("营业时间？", source=2)
    assert any("原文件已不存在" in c.value for c in at.caption)


def test_a_refusal_is_shown_as_a_refusal_not_an_error(fake_service: FakeService):
    fake_service.refuse = True
    at = page_test(CHAT).run()
    ask(at, "火星上有茶馆吗？")
    assert not at.error
    assert "根据已知信息无法回答该问题" in at.info[0].value
    assert "来源 Sources" not in " ".join(e.label for e in at.expander)
    at.run()  # and it stays a refusal when the history is drawn again
    assert "根据已知信息无法回答该问题" in at.info[0].value and not at.error


def test_an_error_is_a_friendly_message_and_leaves_no_half_exchange(fake_service: FakeService):
    fake_service.error = ModelLoadError("LLM model file /x.gguf not found: set YIZHI_LLM_MODEL")
    at = page_test(CHAT).run()
    ask(at, "望月茶馆几点开门？")
    assert "无法回答 / Cannot answer" in at.error[0].value and "YIZHI_LLM_MODEL" in at.error[0].value
    assert at.session_state["chat_messages"] == []


def test_follow_up_questions_get_the_history_and_clear_empties_it(fake_service: FakeService):
    at = page_test(CHAT).run()
    ask(at, "望月茶馆几点开门？")
    ask(at, "它的招牌是什么？")
    history = fake_service.asked[1]["history"]
    assert history == [{"role": "user", "content": "望月茶馆几点开门？"},
                       {"role": "assistant", "content": "望月茶馆每天早上七点开门。[1]"}]
    assert fake_service.loaded == 1  # never loaded again
    assert len(at.chat_message) == 4
    at.button[0].click().run()  # 清空 Clear
    assert len(at.chat_message) == 0 and at.session_state["chat_messages"] == []


def test_markup_in_the_answer_is_shown_literally(fake_service: FakeService):
    fake_service.reply = ["<img src=x onerror=alert(1)>", " [点我](http://evil.example) ", "$x$"]
    at = page_test(CHAT).run()
    ask(at, "望月茶馆？")
    text = assistant_texts(at)[0]
    assert "\\<img src\\=x onerror\\=alert\\(1\\)\\>" in text
    assert "\\[点我\\]\\(http\\:" in text and "\\$x\\$" in text


def test_several_knowledge_bases_and_a_deleted_one(fake_service: FakeService):
    at = page_test(CHAT).run()
    at.multiselect[0].set_value(["default", "manuals"]).run()
    ask(at, "营业时间？")
    assert fake_service.asked[0]["kbs"] == ["default", "manuals"]
    fake_service.kbs = ["default"]  # "manuals" deleted in another tab
    at.run()
    assert not at.exception and at.multiselect[0].value == ["default"]


def test_no_knowledge_base_selected_disables_asking(fake_service: FakeService):
    at = page_test(CHAT).run()
    at.multiselect[0].set_value([]).run()
    assert at.chat_input[0].proto.disabled
    assert any("请至少选择一个知识库" in c.value for c in at.caption)


def test_home_shows_chat_and_the_sidebar_settings(fake_service: FakeService):
    at = home_test().run()
    assert not at.exception
    assert at.title[0].value.endswith("问答 Chat")
    sliders = {s.label: s.value for s in at.sidebar.slider}
    s = fake_service.settings
    assert sliders["检索段落数 Passages (top-k)"] == s.top_k
    assert sliders["最大生成长度 Max new tokens"] == s.llm_max_tokens
    assert any("fake-llm" in m.value for m in at.sidebar.markdown)
    assert any("YIZHI_LLM_MODEL" in c.value for c in at.sidebar.caption)
    at.sidebar.slider[0].set_value(9).run()
    at.chat_input[0].set_value("望月茶馆几点开门？").run()
    assert fake_service.asked[0]["tuning"]["top_k"] == 9
    at.sidebar.button[0].click().run()  # 恢复默认 Reset
    assert at.sidebar.slider[0].value == s.top_k


def test_a_bad_setting_stops_the_app_with_a_message(monkeypatch):
    from app.ui import runtime

    monkeypatch.setenv("YIZHI_TOP_K", "0")
    runtime._shared_services.clear()
    try:
        at = home_test().run()
        assert not at.exception
        assert "已知无法启动 / Yizhi cannot start" in at.error[0].value and "top_k" in at.error[0].value
    finally:
        runtime._shared_services.clear()
