"""Messages for errors and failed files from the lower layers (keyed by `err.<kind>`, see
`error_kind`); the lower layer's own sentence is shown after them as the detail."""

MESSAGES: dict[str, dict[str, str]] = {
    "err.detail": {"zh": "详情：", "en": "Details: "},
    "err.detail_original": {"zh": "详情（英文原文）：", "en": "Details: "},
    "err.error": {"zh": "出了点问题", "en": "Something went wrong"},
    "err.unreadable": {"zh": "文件无法读取", "en": "The file cannot be read"},
    "err.unsupported": {"zh": "不支持这种文件类型：请上传 PDF、Word（.docx）、PowerPoint（.pptx）、Excel（.xlsx）、CSV、"
                              "Markdown、纯文本或 HTML",
                        "en": "This file type is not supported: upload PDF, Word (.docx), PowerPoint (.pptx), Excel "
                              "(.xlsx), CSV, Markdown, text or HTML"},
    "err.encrypted": {"zh": "文件有密码保护：请先去掉密码再上传", "en": "The file is password-protected: remove the "
                                                                  "password and upload it again"},
    "err.wrong_password": {"zh": "文件的密码不对", "en": "The file's password is wrong"},
    "err.kb_not_found": {"zh": "这个知识库不存在了（可能刚在别处被删除）：请刷新页面",
                         "en": "This knowledge base no longer exists (deleted elsewhere?): reload the page"},
    "err.empty": {"zh": "文件是空的", "en": "The file is empty"},
    "err.too_large": {"zh": "文件超过大小上限（可用环境变量 YIZHI_MAX_FILE_MB 调整）",
                      "en": "The file is over the size limit (YIZHI_MAX_FILE_MB sets it)"},
    "err.no_text": {"zh": "PDF 没有文字层（扫描件），且无法用 OCR 读取", "en": "The PDF has no text layer (a scan) and OCR "
                                                                     "could not read it"},
    "err.old_doc": {"zh": "这是旧格式的 Word 或 WPS 文字文件（.doc、.wps）：请在 Word 或 WPS 中另存为 .docx 再上传",
                    "en": "This is an old-format Word or WPS Writer file (.doc, .wps): save it as .docx in Word or WPS "
                          "and upload that"},
    "err.old_xls": {"zh": "这是旧格式的 Excel 或 WPS 表格文件（.xls、.et）：请在 Excel 或 WPS 中另存为 .xlsx 再上传",
                    "en": "This is an old-format Excel or WPS Spreadsheets file (.xls, .et): save it as .xlsx in Excel "
                          "or WPS and upload that"},
    "err.old_ppt": {"zh": "这是旧格式的 PowerPoint 或 WPS 演示文件（.ppt、.dps）：请在 PowerPoint 或 WPS 中另存为 .pptx "
                          "再上传",
                    "en": "This is an old-format PowerPoint or WPS Presentation file (.ppt, .dps): save it as .pptx in "
                          "PowerPoint or WPS and upload that"},
    "err.encoding": {"zh": "无法识别文本编码：请另存为 UTF-8 再上传", "en": "Unknown text encoding: save it as UTF-8 "
                                                                 "and upload it again"},
    "err.binary": {"zh": "这不是文本文件（含有二进制数据）", "en": "This is not a text file (it holds binary data)"},
    "err.too_many_pages": {"zh": "PDF 页数超过上限（可用 YIZHI_MAX_PAGES 调整）", "en": "The PDF has more pages than "
                                                                                "allowed (YIZHI_MAX_PAGES)"},
    "err.zip_bomb": {"zh": "这个 Office 文件（.docx、.xlsx、.pptx）解压后过大，为安全起见拒绝读取",
                     "en": "This Office file (.docx, .xlsx, .pptx) unpacks to too much data and was refused for "
                           "safety"},
    "err.too_many_cells": {"zh": "表格的单元格超过上限（可用 YIZHI_MAX_TABLE_CELLS 调整）",
                           "en": "The spreadsheet has more cells than allowed (YIZHI_MAX_TABLE_CELLS)"},
    "err.bad_pdf": {"zh": "不是有效的 PDF，或已损坏", "en": "Not a valid PDF, or damaged"},
    "err.kb_name": {"zh": "知识库名称不可用：可用中文、字母、数字和 _ - .，最长 64 个字符，不能以点开头",
                    "en": "Not a usable name: letters (any script), digits, _ - ., at most 64, not starting with a "
                          "dot"},
    "err.kb_exists": {"zh": "已有同名知识库：请换一个名称", "en": "A knowledge base with this name exists: pick "
                                                             "another"},
    "err.empty_question": {"zh": "问题是空的：请输入问题", "en": "The question is empty: type one"},
    "err.no_kb": {"zh": "没有选择知识库", "en": "No knowledge base selected"},
    "err.conversation_gone": {"zh": "这个对话已被删除（可能在另一个标签页）", "en": "This conversation was deleted "
                                                                         "(in another tab?)"},
    "err.offline": {"zh": "这台电脑无法联网下载模型：请按详情中的地址手动下载", "en": "This machine is offline: fetch "
                                                                          "the model by hand (see the details)"},
    "err.model_load": {"zh": "模型无法加载：请检查 YIZHI_LLM_MODEL 和 YIZHI_EMBED_MODEL 的设置，或换一个模型",
                       "en": "A model cannot be loaded: check YIZHI_LLM_MODEL and YIZHI_EMBED_MODEL, or pick another "
                             "model"},
    "err.llm_unavailable": {"zh": "无法使用回答问题的模型服务器：请确认它正在运行，并检查 YIZHI_LLM_URL（以及 "
                                  "YIZHI_LLM_MODEL、YIZHI_LLM_API_KEY）",
                            "en": "The model server that answers cannot be used: check that it is running, and "
                                  "YIZHI_LLM_URL (and YIZHI_LLM_MODEL, YIZHI_LLM_API_KEY)"},
    "err.vector_store_unavailable": {"zh": "无法使用保存向量的 Milvus 服务器：请确认它正在运行，并检查 YIZHI_MILVUS_URI"
                                           "（服务器恢复后，知识库会自动与数据库对齐，不会丢失内容）",
                                     "en": "The Milvus server that holds the vectors cannot be used: check that it is "
                                           "running, and YIZHI_MILVUS_URI (once it is back, the knowledge base is "
                                           "brought level by itself: nothing is lost)"},
    "err.embedder_mismatch": {"zh": "这个知识库是用另一个嵌入模型建立的：请换回那个模型，或新建知识库重新导入",
                              "en": "This knowledge base was built with another embedding model: switch back, or "
                                    "build a new one"},
    "err.embed_backend_mismatch": {"zh": "这个知识库是用同一嵌入模型的另一种运行后端建立的：请把 YIZHI_EMBED_BACKEND "
                                         "改回建立时的后端，或新建知识库重新导入",
                                   "en": "This knowledge base was built with the same embedding model on another "
                                         "backend: set YIZHI_EMBED_BACKEND back to it, or build a new one"},
    "err.busy": {"zh": "知识库正忙（另一个导入正在进行）：请稍后再试", "en": "The knowledge base is busy (another "
                                                                 "import is running): try again shortly"},
    "err.disk_full": {"zh": "磁盘已满：请腾出空间后再试（写了一半的文件已删除，知识库保持原样）",
                      "en": "The disk is full: free some space and try again (what was half written was removed; "
                            "the knowledge base is as it was)"},
    "err.too_long": {"zh": "输入超出了长度上限", "en": "The input is over its limit"},
    "err.bad_text": {"zh": "输入中有无法保存或显示的字符（控制字符或残缺的编码）：请删除后再试",
                     "en": "The input holds characters that cannot be stored or shown (control characters or a "
                           "broken encoding): remove them"},
    "err.preview": {"zh": "这一页无法预览", "en": "This page cannot be previewed"},
    "err.link_not_absolute": {"zh": "请填写文件夹的完整路径（以“/”或“~”开头）",
                              "en": "Give the folder's whole path (starting with “/” or “~”)"},
    "err.link_missing": {"zh": "这个文件夹不存在：请检查路径", "en": "This folder does not exist: check the path"},
    "err.link_not_folder": {"zh": "这是一个文件，不是文件夹：请填写文件夹的路径",
                            "en": "This is a file, not a folder: give a folder's path"},
    "err.link_unreadable": {"zh": "没有读取这个文件夹的权限：请检查它的权限",
                            "en": "This folder cannot be read: check its permissions"},
    "err.link_data_folder": {"zh": "这是已知自己的数据文件夹，或在它里面、或包含它：请关联存放文档的其他文件夹",
                             "en": "This is Yizhi's own data folder, inside it or holding it: link another folder of "
                                   "documents"},
    "err.link_too_many": {"zh": "这个知识库关联的文件夹已达上限：请先取消关联一个",
                          "en": "This knowledge base has as many linked folders as it can: unlink one first"},
}
