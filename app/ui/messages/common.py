"""Messages of the frame: the app's name, navigation, the sidebar (conversations, model, settings)."""

MESSAGES: dict[str, dict[str, str]] = {
    "app.name": {"zh": "已知", "en": "Yizhi"},
    "app.tagline": {"zh": "只根据你的文档回答，离线运行。", "en": "Answers from your documents only, offline."},
    "app.cannot_start": {"zh": "已知无法启动", "en": "Yizhi cannot start"},
    "app.colon": {"zh": "：", "en": ": "},
    "app.list_sep": {"zh": "；", "en": "; "},
    "app.choose": {"zh": "请选择…", "en": "Choose…"},
    "app.no_options": {"zh": "没有可选的项（没有匹配的，或已选满）", "en": "Nothing to pick (no match, or the most "
                                                                   "are picked)"},

    "nav.chat": {"zh": "问答", "en": "Chat"},
    "nav.kb": {"zh": "知识库", "en": "Knowledge bases"},
    "nav.retrieval": {"zh": "命中测试", "en": "Retrieval test"},

    "conv.new": {"zh": "新对话", "en": "New conversation"},
    "conv.title": {"zh": "历史对话", "en": "Conversations"},
    "conv.none": {"zh": "提问后，对话会保存在这里。", "en": "Your conversations are kept here once you ask."},
    "conv.item_help": {"zh": "知识库：{kbs} · {turns} 轮 · {when}", "en": "Knowledge bases: {kbs} · {turns} "
                                                                     "exchange(s) · {when}"},
    "conv.manage": {"zh": "重命名或删除", "en": "Rename or delete"},
    "conv.title_label": {"zh": "对话名称", "en": "Conversation name"},
    "conv.rename": {"zh": "重命名", "en": "Rename"},
    "conv.renamed": {"zh": "已重命名为「{title}」", "en": "Renamed to “{title}”"},
    "conv.rename_failed": {"zh": "无法重命名", "en": "Cannot rename"},
    "conv.delete": {"zh": "删除这个对话", "en": "Delete this conversation"},
    "conv.confirm_delete": {"zh": "删除后无法恢复。", "en": "This cannot be undone."},
    "conv.delete_confirm": {"zh": "确认删除", "en": "Delete"},
    "conv.deleted": {"zh": "对话已删除", "en": "Conversation deleted"},

    "model.title": {"zh": "回答模型", "en": "Answering model"},
    "model.label": {"zh": "大模型", "en": "LLM"},
    "model.help": {"zh": "只对当前浏览器会话有效；第一次使用某个模型时需要加载，会慢一些。",
                   "en": "For this browser session only; a model loads on its first use, which takes a moment."},
    "model.configured": {"zh": "默认", "en": "default"},
    "model.chat_yes": {"zh": "对话模型", "en": "chat model"},
    "model.chat_no": {"zh": "基础模型（无对话模板，回答较弱）", "en": "base model (no chat template: weaker answers)"},
    "model.chat_unknown": {"zh": "内置模型", "en": "built-in model"},
    "model.about.gemma3-270m": {"zh": "Gemma 3 270M 基础模型（随软件安装，小而快，回答较弱）",
                                "en": "Gemma 3 270M base model (installed with Yizhi; small and fast, weak answers)"},
    "model.about.smollm2-135m": {"zh": "SmolLM2 135M 对话模型（随软件安装，适合英文）",
                                 "en": "SmolLM2 135M instruction model (installed with Yizhi; fine in English)"},
    "model.bigger": {"zh": "想要更好的回答？在终端运行 `{command}`，下载的模型会出现在这里。",
                     "en": "Want better answers? Run `{command}` in a terminal; the downloaded model appears here."},

    "settings.title": {"zh": "高级设置", "en": "Advanced settings"},
    "settings.session_only": {"zh": "只对当前会话有效", "en": "For this session only"},
    "settings.top_k": {"zh": "检索段落数", "en": "Passages (top-k)"},
    "settings.top_k_help": {"zh": "每个问题最多把多少个段落交给模型", "en": "How many passages each question gives the model "
                                                                   "at most"},
    "settings.threshold": {"zh": "相关度阈值", "en": "Relevance threshold"},
    "settings.threshold_help": {"zh": "相关度低于阈值的段落被丢弃；没有段落达到阈值时拒绝回答。在「命中测试」页可以看到阈值的作用。",
                                "en": "Passages below it are dropped; with none left Yizhi refuses. The Retrieval "
                                      "test page shows what it keeps."},
    "settings.temperature": {"zh": "温度", "en": "Temperature"},
    "settings.temperature_help": {"zh": "越低越稳定；0 表示每次回答相同", "en": "Lower is steadier; 0 gives the same answer "
                                                                       "every time"},
    "settings.max_tokens": {"zh": "最大生成长度", "en": "Max new tokens"},
    "settings.max_tokens_help": {"zh": "回答最多生成的词元数", "en": "The longest answer, in tokens"},
    "settings.reset": {"zh": "恢复默认", "en": "Reset"},
    "settings.embedder": {"zh": "嵌入模型：`{name}`（更换需设置 YIZHI_EMBED_MODEL 并重新导入文档）",
                          "en": "Embedding model: `{name}` (to change it set YIZHI_EMBED_MODEL and import the "
                                "documents again)"},
}
