"""The chat page with a fake service: streaming, the answer card, sources, refusals, errors, history."""
from __future__ import annotations

from app.answering.types import Citation, Evidence, SentenceSupport, TableCell
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
    assert at.multiselect[0].label == "知识库"  # one language at a time


def test_an_answer_is_streamed_with_its_cited_source_and_timings(fake_service: FakeService):
    at = page_test(CHAT).run()
    at.session_state["keep_opt_top_k"] = 3  # what the sidebar's slider keeps
    ask(at, "望月茶馆几点开门？")
    assert fake_service.loaded == 1  # models loaded once, behind a spinner
    asked = fake_service.asked[0]
    assert asked["kbs"] == ["default"] and asked["history"] == [] and asked["tuning"] == {"top_k": 3}
    # [1] is a link to the source's anchor below the answer
    assert "望月茶馆每天早上七点开门。[\\[1\\]](#msg1-src-1)" in assistant_texts(at)
    heading = next(m for m in at.markdown if "**\\[1\\]**" in m.value)
    assert heading.value.startswith('<span id="msg1-src-1"')
    assert "相关度 0.71" in heading.value and "score" not in heading.value
    assert "达到阈值 0.55 的段落才会交给模型" in heading.proto.help  # the one number, explained
    labels = [e.label for e in at.expander]
    assert "模型还读过 1 个段落" in labels and "耗时" in labels  # source 2 was read but not cited
    timings = " ".join(c.value for c in at.caption)
    assert "检索 12 ms" in timings and "首字 340 ms" in timings and "总计 2.1 s" in timings
    assert [m.name for m in at.chat_message] == ["user", "assistant"]


def test_the_evidence_sentence_is_marked_in_the_cited_source(fake_service: FakeService):
    at = page_test(CHAT).run()
    ask(at, "望月茶馆几点开门？")
    body = at.get("html")[0].proto.body
    assert 'class="yz-evidence"' in body and ">望月茶馆每天早上七点开门，</mark>" in body
    assert "招牌是桂花乌龙" in body  # the rest of the passage, not marked as evidence


def test_only_the_evidence_the_answer_rests_on_is_marked(fake_service: FakeService):
    fake_service.evidence = (Evidence(1, "/docs/茶馆.md", None, 11, "望月茶馆每天早上七点开门，", 0, 13, 1.2),
                             Evidence(1, "/docs/茶馆.md", None, 11, "招牌是桂花乌龙。", 13, 21, 0.9))
    fake_service.final_text = "“招牌是桂花乌龙。”[1]"
    at = page_test(CHAT).run()
    ask(at, "招牌是什么？")
    body = at.get("html")[0].proto.body
    assert body.count('class="yz-evidence"') == 1 and ">招牌是桂花乌龙。</mark>" in body  # the quoted one
    fake_service.final_text = "桂花乌龙。[1]"  # the model's words: the best evidence sentence is marked
    ask(at, "招牌是什么？")
    body = at.get("html")[1].proto.body
    assert body.count('class="yz-evidence"') == 1 and ">望月茶馆每天早上七点开门，</mark>" in body


def test_the_final_text_replaces_the_streamed_draft(fake_service: FakeService):
    fake_service.reply = ["大概", "八点吧"]
    fake_service.final_text = "“望月茶馆每天早上七点开门，”[1]"
    fake_service.quoted = True
    at = page_test(CHAT).run()
    ask(at, "望月茶馆几点开门？")
    texts = assistant_texts(at)
    assert any("望月茶馆每天早上七点开门" in t for t in texts) and not any("八点" in t for t in texts)
    badge = next(m for m in at.markdown if "原文摘录" in m.value)
    assert ":blue-badge[" in badge.value and "摘自文档原文" in badge.proto.help
    assert fake_service.conversations.list_conversations()[0].turns == 2
    history = fake_service.conversations.load_conversation(at.session_state["conv_current"]).turns
    assert history[1].content == "“望月茶馆每天早上七点开门，”[1]"  # what was shown is what is kept


def test_a_sentence_no_source_supports_is_marked(fake_service: FakeService):
    fake_service.reply = ["望月茶馆七点开门。[1]", "它还卖咖啡。"]
    fake_service.sentences = (SentenceSupport("望月茶馆七点开门。[1]", (1,), True, 1, 0.9),
                              SentenceSupport("它还卖咖啡。", (), False, None, 0.1))
    at = page_test(CHAT).run()
    ask(at, "望月茶馆几点开门？")
    text = assistant_texts(at)[0]
    assert text.count(":orange-badge[") == 1
    marked = text.split(":orange-badge[")[0]
    assert "它还卖咖啡" in marked and "未在原文中找到依据" in text.split(":orange-badge[")[1]
    assert any("标记的句子" in c.value for c in at.caption)


def test_sources_show_escaped_highlighted_passages(fake_service: FakeService):
    fake_service.citations = (Citation(1, "/docs/<b>evil<b>.md", None, 0.03,
                                       "望月茶馆 <script>alert(1)</script> [link](http://x.example) & more", 0.5),)
    fake_service.evidence = ()
    at = page_test(CHAT).run()
    ask(at, "望月茶馆在哪里？")
    body = at.get("html")[0].proto.body
    assert "<script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert '<mark style="' in body and ">茶馆</mark>" in body
    assert "&amp; more" in body
    heading = next(m.value for m in at.markdown if "**\\[1\\]**" in m.value)
    assert "\\<b\\>evil\\<b\\>\\.md" in heading  # the file name cannot become markup


def _open_preview(question: str, source: int):
    """Ask, open the other passages when needed, and the preview of source `source`."""
    at = page_test(CHAT).run()
    ask(at, question)
    at.session_state["msg1-sources"] = True
    at.run()
    at.toggle(key=f"msg1-preview-{source}").set_value(True).run()
    return at


def test_preview_of_a_text_source_shows_its_neighbours_and_the_evidence(fake_service: FakeService):
    at = _open_preview("望月茶馆几点开门？", source=1)
    assert not at.exception
    bodies = [h.proto.body for h in at.get("html")]
    preview = next(b for b in bodies if "前一段。" in b)
    assert "后一段。" in preview and 'class="yz-evidence"' in preview


def test_a_missing_pdf_preview_says_the_file_is_gone(fake_service: FakeService):
    at = _open_preview("营业时间？", source=2)
    assert any("原文件已不存在" in c.value for c in at.caption)


def test_a_refusal_is_shown_as_a_refusal_not_an_error(fake_service: FakeService):
    fake_service.refuse = True
    at = page_test(CHAT).run()
    ask(at, "火星上有茶馆吗？")
    assert not at.error
    assert "根据已知信息无法回答该问题" in at.info[0].value
    assert not any("来源" in e.label for e in at.expander)
    assert "已检索的知识库：default" in at.info[0].value  # says where it looked
    at.run()  # and it stays a refusal when the history is drawn again
    assert "根据已知信息无法回答该问题" in at.info[0].value and not at.error


def test_an_error_is_a_friendly_message_and_the_question_is_kept(fake_service: FakeService):
    fake_service.error = ModelLoadError("LLM model file /x.gguf not found: set YIZHI_LLM_MODEL")
    at = page_test(CHAT).run()
    ask(at, "望月茶馆几点开门？")
    error = at.error[0].value
    assert error.startswith("无法回答：模型无法加载") and "YIZHI\\_LLM\\_MODEL" in error  # detail kept
    assert at.session_state["chat_messages"] == [{"role": "user", "content": "望月茶馆几点开门？"}]
    saved = fake_service.conversations.list_conversations()  # what the user asked is never lost
    assert len(saved) == 1 and saved[0].turns == 1


def test_follow_up_questions_get_the_history(fake_service: FakeService):
    at = page_test(CHAT).run()
    ask(at, "望月茶馆几点开门？")
    ask(at, "它的招牌是什么？")
    history = fake_service.asked[1]["history"]
    assert history == [{"role": "user", "content": "望月茶馆几点开门？"},
                       {"role": "assistant", "content": "望月茶馆每天早上七点开门。[1]"}]
    assert fake_service.loaded == 1  # never loaded again
    assert len(at.chat_message) == 4


def test_markup_in_the_answer_is_shown_literally(fake_service: FakeService):
    fake_service.reply = ["<img src=x onerror=alert(1)>", " [点我](http://evil.example) ", "$x$"]
    fake_service.sentences = ()
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
    assert at.title[0].value.endswith("问答")
    sliders = {s.label: s.value for s in at.sidebar.slider}
    s = fake_service.settings
    assert sliders["检索段落数"] == s.top_k and sliders["最大生成长度"] == s.llm_max_tokens
    at.slider(key="opt_top_k").set_value(9).run()
    at.chat_input[0].set_value("望月茶馆几点开门？").run()
    assert fake_service.asked[0]["tuning"] == {"top_k": 9}
    next(b for b in at.sidebar.button if b.label == "恢复默认").click().run()
    assert at.slider(key="opt_top_k").value == s.top_k


def test_a_bad_setting_stops_the_app_with_a_message(monkeypatch):
    from app.ui import runtime

    monkeypatch.setenv("YIZHI_TOP_K", "0")
    runtime._shared_services.clear()
    try:
        at = home_test().run()
        assert not at.exception
        assert at.error[0].value.startswith("已知无法启动") and "top\\_k" in at.error[0].value
    finally:
        runtime._shared_services.clear()


def test_a_refusal_shows_the_closest_passages_folded_with_their_relevance(fake_service: FakeService):
    fake_service.refuse = True
    at = page_test(CHAT).run()
    ask(at, "火星上有茶馆吗？")
    near = next(e for e in at.expander if "最接近的段落" in e.label)
    assert near.label.startswith("最接近的段落（相关度都低于阈值 0.")
    assert not near.proto.expanded  # folded
    headings = [m.value for m in at.markdown if "相关度" in m.value]
    assert len(headings) == 3 and "茶馆\\.md" in headings[0] and "相关度 0.71" in headings[0]
    assert "第 3 页" in headings[1] and "相关度 0.20" in headings[2]  # the same source view, best first
    assert any("没有达到阈值" in c.value for c in at.caption)
    at.toggle(key="msg1-preview-1").set_value(True).run()  # and each opens on its document
    assert not at.exception, at.exception
    assert len(fake_service.searched) == 1  # asked once per answer, not on every rerun


def test_a_table_cell_answer_shows_its_cells_as_a_small_table(fake_service: FakeService):
    fake_service.reply = ["2023 年营业收入为 1,234 万元。[2]"]
    fake_service.cells = (TableCell("表 3 主要财务数据", "营业收入", "2023 年", "1,234", "万元", "/docs/guide.pdf", 3, 2),)
    at = page_test(CHAT).run()
    ask(at, "2023 年营业收入是多少？")
    assert any("表格中的数据（表 3 主要财务数据）" in c.value for c in at.caption)
    table = at.table[0].value
    assert list(table.columns) == ["行", "列", "数值", "单位", "页"]
    assert table.iloc[0].tolist() == ["营业收入", "2023 年", "1,234", "万元", "3"]
    at.run()  # drawn again from the history
    assert len(at.table) == 1


def test_a_refusal_names_another_knowledge_base_that_would_answer_and_asks_there_in_one_click(
        fake_service: FakeService):
    fake_service.refuse = True
    fake_service.elsewhere = {"manuals": 0.74}
    at = page_test(CHAT).run()
    ask(at, "茶馆几点打烊？")
    assert fake_service.matched == [{"query": "茶馆几点打烊？", "kbs": ["manuals"]}]  # only the ones not searched
    assert any("其他知识库中有达到阈值的段落" in c.value for c in at.caption)
    there = next(b for b in at.button if "manuals" in b.label)
    assert there.label == "在「manuals」中提问（相关度 0.74）"
    fake_service.refuse = False
    there.click().run()
    assert not at.exception, at.exception
    assert at.multiselect[0].value == ["manuals"]  # the chat now asks there
    assert fake_service.asked[-1]["question"] == "茶馆几点打烊？" and fake_service.asked[-1]["kbs"] == ["manuals"]


def test_a_refusal_with_no_other_knowledge_base_that_answers_offers_none(fake_service: FakeService):
    fake_service.refuse = True
    at = page_test(CHAT).run()
    ask(at, "火星上有茶馆吗？")
    assert not any("在「" in b.label for b in at.button)
    at.run()
    assert len(fake_service.matched) == 1  # checked once per question, not on every rerun
