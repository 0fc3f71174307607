"""Messages of the chat page: asking, the answer card, its sources, the first screen."""

MESSAGES: dict[str, dict[str, str]] = {
    "chat.title": {"zh": "问答", "en": "Chat"},
    "chat.kbs": {"zh": "知识库", "en": "Knowledge bases"},
    "chat.kbs_placeholder": {"zh": "选择一个或多个知识库", "en": "Pick one or more"},
    "chat.placeholder": {"zh": "输入问题…", "en": "Ask a question…"},
    "chat.switched": {"zh": "问答已切换到知识库「{name}」（刚在「知识库」页面新建或上传了文件）。",
                      "en": "Now asking {name} (just created or uploaded into on the Knowledge bases page)."},
    "chat.pick_one": {"zh": "请至少选择一个知识库。", "en": "Pick at least one knowledge base."},
    "chat.no_kb": {"zh": "还没有知识库：请先在「知识库」页面新建一个并上传文件。",
                   "en": "No knowledge base yet: create one on the Knowledge bases page and upload files."},
    "chat.loading_models": {"zh": "第一次提问，正在加载模型…", "en": "Loading the models (first question only)…"},
    "chat.models_failed": {"zh": "模型加载失败", "en": "The models could not be loaded"},
    "chat.cannot_answer": {"zh": "无法回答", "en": "Cannot answer"},
    "chat.stopped": {"zh": "回答已停止：在它完成之前提出了新的问题", "en": "Stopped: a new question was asked "
                                                                      "before this answer was complete"},
    "chat.not_saved": {"zh": "对话没能保存", "en": "The conversation could not be saved"},

    "answer.refused": {"zh": "知识库中没有找到足以回答的内容。可以换个问法，或在「命中测试」页看看检索到了什么。",
                       "en": "The knowledge bases hold nothing that answers this. Rephrase, or see what retrieval "
                             "finds on the Retrieval test page."},
    "answer.searched": {"zh": "已检索的知识库：{kbs}", "en": "Knowledge bases searched: {kbs}"},
    "answer.kb_sep": {"zh": "、", "en": ", "},
    "answer.model_refused": {"zh": "模型没能从下面的段落中作答，请直接查看原文。",
                             "en": "The model could not answer from the passages below: read them yourself."},
    "answer.quoted": {"zh": "原文摘录", "en": "Quoted from the documents"},
    "answer.quoted_help": {"zh": "这段回答直接摘自文档原文（模型的回答没有得到原文支持，所以改为引用原文）。",
                           "en": "This answer quotes the documents word for word (the model's own answer was not "
                                 "backed by them, so the sources speak instead)."},
    "answer.unsupported": {"zh": "未在原文中找到依据", "en": "not found in the sources"},
    "answer.unsupported_note": {"zh": "标记的句子在引用的段落中找不到依据，请核对原文。",
                                "en": "The marked sentences are not backed by the cited passages: check the sources."},

    "sources.cited": {"zh": "引用的来源（{n}）", "en": "Cited sources ({n})"},
    "sources.also_read": {"zh": "模型还读过 {n} 个段落", "en": "{n} more passage(s) the model read"},
    "sources.all": {"zh": "来源（{n}）", "en": "Sources ({n})"},
    "sources.read_not_answered": {"zh": "模型读过的 {n} 个段落（没能据此作答）",
                                  "en": "The {n} passage(s) the model read (it did not answer from them)"},
    "cells.title": {"zh": "表格中的数据（{caption}）：", "en": "From the table ({caption}):"},
    "cells.title_plain": {"zh": "表格中的数据：", "en": "From the table:"},
    "cells.row": {"zh": "行", "en": "Row"},
    "cells.column": {"zh": "列", "en": "Column"},
    "cells.value": {"zh": "数值", "en": "Value"},
    "cells.unit": {"zh": "单位", "en": "Unit"},
    "cells.page": {"zh": "页", "en": "Page"},
    "near.label": {"zh": "最接近的段落（相关度都低于阈值 {threshold}）",
                   "en": "The closest passages (all below the threshold {threshold})"},
    "near.note": {"zh": "这 {n} 个段落最接近问题，但相关度都没有达到阈值 {threshold}，所以没有据此作答。",
                  "en": "These {n} passage(s) came closest, but none reached the threshold {threshold}, so none "
                        "was answered from."},
    "near.none": {"zh": "所选知识库中还没有可以比较的段落。", "en": "The selected knowledge bases hold no passages "
                                                                "to compare."},
    "elsewhere.found": {"zh": "其他知识库中有达到阈值的段落：", "en": "Other knowledge bases hold passages that reach "
                                                                 "the threshold:"},
    "elsewhere.ask": {"zh": "在「{name}」中提问（相关度 {relevance}）", "en": "Ask in “{name}” (relevance {relevance})"},
    "elsewhere.failed": {"zh": "无法检查其他知识库", "en": "Cannot check the other knowledge bases"},
    "near.failed": {"zh": "无法查找最接近的段落", "en": "Cannot look for the closest passages"},
    "sources.page": {"zh": "第 {page} 页", "en": "p. {page}"},
    "sources.also_in": {"zh": "也见于 {places}", "en": "Also in {places}"},
    "sources.also_in_place": {"zh": "{name} 第 {page} 页", "en": "{name}, p. {page}"},
    "sources.also_in_sep": {"zh": "、", "en": "; "},
    "sources.also_in_help": {"zh": "这些文件里有几乎相同的文字（例如同一份指南的 Markdown 和 PDF 版本），只列出一次。",
                             "en": "These files hold almost the same text (a guide's Markdown and PDF versions, "
                                   "say), so it is listed once."},
    "sources.relevance": {"zh": "相关度 {value}", "en": "relevance {value}"},
    "sources.relevance_help": {"zh": "相关度（0–1）：问题中的关键词有多少出现在这段文字里，并结合语义相似度计算。"
                                     "达到阈值 {threshold} 的段落才会交给模型。",
                               "en": "Relevance (0–1): how much of the question's key words this passage contains, "
                                     "combined with meaning similarity. Passages at or above the threshold "
                                     "({threshold}) reach the model."},
    "sources.show_in_document": {"zh": "在原文中查看", "en": "Show in the document"},
    "sources.file_gone": {"zh": "原文件已不存在，只能显示引用的段落。", "en": "The file is gone: only the cited passage is "
                                                                  "shown."},
    "sources.file_changed": {"zh": "文件在索引后改变过，或无法重新读取，只显示引用的段落。",
                             "en": "The file changed since it was indexed: only the cited passage is shown."},
    "sources.rendering": {"zh": "正在渲染页面…", "en": "Rendering the page…"},
    "sources.no_preview": {"zh": "无法预览", "en": "No preview"},
    "sources.page_caption": {"zh": "{name} · 第 {page} 页", "en": "{name} · page {page}"},
    "sources.pdf_legend": {"zh": "黄色：引用的段落；橙色加下划线：回答所依据的句子。",
                           "en": "Yellow: the cited passage; orange, underlined: the sentence the answer rests on."},
    "sources.not_on_page": {"zh": "未能在页面上标出该段落。", "en": "The passage could not be located on the page."},

    "timings.label": {"zh": "耗时", "en": "Timings"},
    "timings.line": {"zh": "检索 {retrieval} · 首字 {first} · 总计 {total}",
                     "en": "retrieval {retrieval} · first token {first} · total {total}"},
    "timings.passages": {"zh": "交给模型的段落：{n} 个（{tokens} 个词元）", "en": "passages given to the model: {n} "
                                                                      "({tokens} tokens)"},

    "welcome.title": {"zh": "可以问些什么？", "en": "What can I ask?"},
    "welcome.holds": {"zh": "**{kbs}**：{documents} 个文档，{chunks} 个段落，最近更新 {when}。",
                      "en": "**{kbs}**: {documents} document(s), {chunks} passage(s), last updated {when}."},
    "examples.label": {"zh": "示例问题", "en": "Example questions"},
    "welcome.failed": {"zh": "另有 {n} 个文件没能索引（原因见「知识库」页面）。",
                       "en": " {n} more file(s) could not be indexed (the Knowledge bases page says why)."},
    "welcome.empty": {"zh": "所选知识库还没有文档：请在「知识库」页面上传文件。",
                      "en": "The selected knowledge bases hold no documents yet: upload files on the Knowledge "
                            "bases page."},
    "welcome.try": {"zh": "试试这些问题（来自文档的标题和常见问题）：",
                    "en": "Try one of these (drawn from the documents' headings and questions):"},
    "welcome.about_zh": {"zh": "介绍一下「{topic}」", "en": "介绍一下「{topic}」"},
    "welcome.about_en": {"zh": "Tell me about “{topic}”", "en": "Tell me about “{topic}”"},
    "welcome.model": {"zh": "回答模型：**{name}**（{about}）", "en": "Answering model: **{name}** ({about})"},
    "welcome.change_model": {"zh": "更换", "en": "Change"},
}
