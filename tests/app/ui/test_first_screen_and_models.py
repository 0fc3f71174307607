"""The chat's first screen (what the knowledge bases hold, example questions, the model) and
picking a model for the session."""
from __future__ import annotations

from app.llm.catalog import ModelInfo
from app.services import build_services
from app.services.overview import headings_of, questions_of
from app.services.records import KnowledgeOverview
from app.ui.chat_welcome import pick_examples, question_for
from core.types import Chunk
from tests.app.ui.helpers import FakeService, home_test, page_test

CHAT = "app.ui.chat_page"


def overview(headings=(), questions=(), name="kb") -> KnowledgeOverview:
    return KnowledgeOverview(name, 1, 0, 3, 0, 0, 0.0, tuple(headings), tuple(questions))


def test_headings_and_questions_are_read_from_chunks():
    chunks = [Chunk("正文", "/a.md", "", 0, heading="指南 > 安装与启动"), Chunk("正文", "/a.md", "", 1, heading="指南 > 安装与启动"),
              Chunk("**扫描版 PDF 能用吗？** 能用。**数据保存在哪里？** data 目录。", "/a.md", "", 2, heading="指南 > 常见问题"),
              Chunk("Do scanned PDFs work? Yes. Why? Because.", "/b.md", "", 0, heading="Guide"),
              Chunk("x", "/c.md", "", 0, heading="1.2")]
    assert headings_of(chunks) == ["安装与启动", "常见问题", "Guide"]
    assert questions_of(c.text for c in chunks) == ["扫描版 PDF 能用吗？", "数据保存在哪里？", "Do scanned PDFs work?"]


def test_example_questions_prefer_the_documents_own_and_the_page_language():
    assert question_for("已知能做什么") == "已知能做什么？"
    assert question_for("安装与启动") == "介绍一下「安装与启动」"
    assert question_for("常见问题") is None and question_for("Frequently asked questions") is None
    assert question_for("Installing and starting") == "Tell me about “Installing and starting”"
    both = [overview(["安装与启动", "Installing and starting", "管理知识库"],
                     ["扫描版 PDF 能用吗？", "Do scanned PDFs work?", "追问时可以直接说“它支持哪些格式？"])]
    assert pick_examples(both, "zh") == ["扫描版 PDF 能用吗？", "介绍一下「安装与启动」", "介绍一下「管理知识库」"]
    assert pick_examples(both, "en") == ["Do scanned PDFs work?", "Tell me about “Installing and starting”"]
    assert len(pick_examples([overview([f"第{i}章 主题" for i in range(9)])], "zh")) == 5


def test_the_first_screen_says_what_is_there_and_an_example_asks(fake_service: FakeService):
    at = page_test(CHAT).run()
    text = " ".join(m.value for m in at.markdown)
    assert "可以问些什么" in text and "**default**：2 个文档，7 个段落，最近更新 2023-11-1" in text
    examples = [b.label for b in at.button if b.key and b.key.startswith("example-")]
    assert examples == ["茶馆几点开门？", "介绍一下「望月茶馆」", "介绍一下「营业时间」"]
    assert any("回答模型：**fake\\-llm**" in c.value for c in at.caption)
    at.button(key="example-0").click().run()
    assert fake_service.asked[0]["question"] == "茶馆几点开门？" and len(at.chat_message) == 2
    assert not any("可以问些什么" in m.value for m in at.markdown)  # gone once the chat has begun


def test_an_empty_knowledge_base_says_to_upload(settings, fake_embedder, use_service):
    services = build_services(settings, embedder=fake_embedder)
    use_service(services)
    try:
        services.knowledge.create_knowledge_base("default")
        at = page_test(CHAT).run()
        assert "所选知识库还没有文档" in at.info[0].value
        assert not [b for b in at.button if b.key and b.key.startswith("example-")]
    finally:
        services.close()


def test_the_real_overview_counts_and_collects(settings, fake_embedder, tmp_path):
    services = build_services(settings, embedder=fake_embedder)
    try:
        docs = tmp_path / "docs"
        docs.mkdir()
        (docs / "guide.md").write_text("# 指南\n\n## 安装与启动\n\n运行 make run。\n\n## 常见问题\n\n**扫描版 PDF 能用吗？** 能用。",
                                       encoding="utf-8")
        (docs / "bad.pdf").write_bytes(b"not a pdf")
        services.knowledge.ingest("kb", [docs])
        o = services.knowledge.overview("kb")
        assert (o.documents, o.failed) == (2, 1) and o.chunks >= 2 and o.updated_at > 0
        assert "安装与启动" in o.headings and "扫描版 PDF 能用吗？" in o.questions
    finally:
        services.close()


def test_a_model_picked_in_the_sidebar_answers_this_session(fake_service: FakeService):
    at = home_test().run()
    picker = at.selectbox(key="llm_pick_sidebar")
    assert picker.value == "fake-llm" and picker.options == ["fake-llm · 默认", "qwen.gguf · 1100 MB"]
    assert any("python -m app models pull qwen2.5-1.5b-instruct" in c.value for c in at.sidebar.caption)
    picker.select("/models/qwen.gguf").run()
    assert any("Instruct · 对话模型" in c.value for c in at.sidebar.caption)
    assert any("回答模型：**qwen\\.gguf" in c.value for c in at.caption)  # the first screen's model line follows
    at.chat_input[0].set_value("望月茶馆几点开门？").run()
    assert fake_service.asked[0]["tuning"] == {"llm_model": "/models/qwen.gguf"}
    at.selectbox(key="llm_pick_sidebar").select("fake-llm").run()
    at.chat_input[0].set_value("再问一次").run()
    assert fake_service.asked[1]["tuning"] == {}  # the configured model: no override


def test_the_first_screen_can_change_the_model_too(fake_service: FakeService):
    at = home_test().run()
    at.selectbox(key="llm_pick_welcome").select("/models/qwen.gguf").run()
    assert at.selectbox(key="llm_pick_sidebar").value == "/models/qwen.gguf"


def test_each_model_says_its_languages_and_an_english_only_one_warns(fake_service: FakeService, monkeypatch):
    models = [ModelInfo("gemma3-270m", "Gemma", None, None, True, languages=("zh", "en")),
              ModelInfo("smollm2-135m", "SmolLM2", None, None, False, languages=("en",))]
    monkeypatch.setattr(fake_service, "list_models", lambda active=None: models)
    at = home_test().run()
    picker = at.selectbox(key="llm_pick_sidebar")
    assert picker.options == ["gemma3-270m · 中英文 · 默认", "smollm2-135m · 仅英文"]
    assert not at.warning
    picker.select("smollm2-135m").run()
    assert "只会写英文" in at.sidebar.warning[0].value  # the UI is in Chinese
    at.chat_input[0].set_value("望月茶馆几点开门？").run()
    assert any("只会写英文" in w.value for w in at.main.warning)  # on the chat page too
    at.button_group(key="lang_switch").set_value("en").run()
    assert not at.sidebar.warning  # an English page …
    assert "writes English only" in at.main.warning[0].value  # … but a Chinese question
    at.chat_input[0].set_value("When does it open?").run()
    assert not at.warning


def test_examples_are_whole_questions_not_contents_entries_nor_ones_that_point_back():
    # the suggestions a newcomer got for an uploaded standard
    assert question_for("目 次") is None and question_for("前 言") is None and question_for("1 范围") is None
    assert question_for("2 规范性引用文件") is None
    assert question_for("3.2 其他元素") == "介绍一下「其他元素」"
    standard = overview(["目 次", "4 化学成分"],
                        ["这个等式说明什么呢？", "那么，它的价值量是怎样计量的呢？", "钛合金按组织分为哪几类？"])
    assert pick_examples([standard], "zh") == ["钛合金按组织分为哪几类？", "介绍一下「化学成分」"]
    assert question_for("已知（Yizhi）用户指南") is None and question_for("Yizhi (已知) User Guide") is None
