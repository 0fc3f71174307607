"""Errors as the sentence an assistant shows its user, in the user's language: a tool's
error result (`isError`), never a dropped connection.

The language is the request's: Chinese when its text (a question, a query) is written in
Chinese, English when in English, and the locale's (LANG, as the command line) when it
holds no words. The English sentence is the error's own, with the server's setting it is
about (as the HTTP API says it); the Chinese one leads with what went wrong in Chinese and
keeps the error's own sentence after it (names, numbers and limits stay exact).
"""
from __future__ import annotations

import logging
import os
from collections.abc import Iterable

from pydantic import ValidationError

from core.enums import Language
from core.errors import (
    DiskFull,
    EmbedBackendMismatch,
    EmbedderMismatch,
    InputTooLarge,
    KnowledgeBaseBusy,
    KnowledgeBaseNotFound,
    LlmBusy,
    LlmUnavailable,
    ModelLoadError,
    PassageNotFound,
    UnusableText,
    YizhiError,
)
from core.text import detect_language, han_count, latin_words

log = logging.getLogger("yizhi.mcp")

# What Chinese users are told in full, by error class (its fields fill the blanks).
_ZH_WHOLE: tuple[tuple[type[YizhiError], str], ...] = (
    (KnowledgeBaseNotFound, "知识库“{exc.name}”不存在：用 list_knowledge_bases 查看现有的知识库"),
    (PassageNotFound, "知识库“{exc.kb_name}”中没有段落 {exc.chunk_id}：它所在的文档可能已更新或删除，请重新搜索"),
)
# What Chinese users read first, by error class (the first that matches); the error's own sentence follows.
_ZH: tuple[tuple[type[YizhiError], str], ...] = (
    (InputTooLarge, "输入超出了长度上限"),
    (UnusableText, "输入中含有无法处理的字符"),
    (KnowledgeBaseBusy, "知识库正在被写入，请稍后再试"),
    (LlmBusy, "语言模型正忙，请稍后再试"),
    (EmbedBackendMismatch, "知识库是用同一嵌入模型的另一种运行后端建立的（YIZHI_EMBED_BACKEND）"),
    (EmbedderMismatch, "知识库是用另一个嵌入模型建立的"),
    (LlmUnavailable, "无法使用回答问题的模型服务器（YIZHI_LLM_URL）"),
    (ModelLoadError, "模型无法加载"),
    (DiskFull, "磁盘已满"),
)
_ZH_OTHER = "无法完成"
_ZH_ARGUMENTS = "参数有误"
_ZH_UNEXPECTED = "服务器内部出错（详情见服务器的日志文件）"


def language_of(texts: Iterable[str]) -> Language:
    """The language of the request's words; the locale's when it has none."""
    text = " ".join(texts)
    if han_count(text) or latin_words(text):
        return detect_language(text)
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            return Language.ZH if value.lower().startswith("zh") else Language.EN
    return Language.EN


def _english(exc: YizhiError) -> str:
    message = str(exc)
    if exc.setting and "YIZHI_" not in message:
        message += f" (server setting YIZHI_{exc.setting.upper()})"
    return message


def error_message(exc: YizhiError, language: Language) -> str:
    """One of Yizhi's own errors, as a sentence in `language`."""
    english = _english(exc)
    if language != Language.ZH:
        return english
    whole = next((text for kind, text in _ZH_WHOLE if isinstance(exc, kind)), None)
    if whole is not None:
        return whole.format(exc=exc)
    lead = next((text for kind, text in _ZH if isinstance(exc, kind)), _ZH_OTHER)
    return f"{lead}：{english}"


def arguments_message(exc: ValidationError, language: Language) -> str:
    """Bad arguments (pydantic's findings, at most five), as a sentence in `language`."""
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error.get("loc", ())) or "arguments"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    english = "invalid arguments: " + "; ".join(parts)
    return f"{_ZH_ARGUMENTS}：{english}" if language == Language.ZH else english


def unknown_tool_message(name: str, known: Iterable[str], language: Language) -> str:
    english = f"there is no tool '{name[:80]}': the tools are {', '.join(known)}"
    return f"没有这个工具：{english}" if language == Language.ZH else english


def unexpected_message(exc: Exception, language: Language) -> str:
    english = f"unexpected {type(exc).__name__}: details are in the server's log file"
    return f"{_ZH_UNEXPECTED}：{english}" if language == Language.ZH else english


__all__ = ["arguments_message", "error_message", "language_of", "unexpected_message", "unknown_tool_message"]
