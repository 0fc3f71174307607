"""Errors as sentences in the user's language (the tools' isError results)."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.mcp.arguments import SearchArguments
from app.mcp.messages import arguments_message, error_message, language_of
from core.enums import EmbedBackend, Language
from core.errors import EmbedBackendMismatch, InputTooLarge, KnowledgeBaseNotFound, LoaderError


@pytest.mark.parametrize("texts, locale, expected", [
    (["京沪高铁有多长？"], "C.UTF-8", Language.ZH),
    (["How long is the Beijing–Shanghai line?"], "zh_CN.UTF-8", Language.EN),
    ([], "zh_CN.UTF-8", Language.ZH),
    (["123 ???"], "en_US.UTF-8", Language.EN),
])
def test_the_language_is_the_questions_else_the_locales(monkeypatch, texts, locale, expected):
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", locale)
    assert language_of(texts) == expected


def test_messages_say_what_went_wrong_in_either_language():
    too_long = InputTooLarge("the query is 5,000 characters long, more than the 4,000 allowed",
                             setting="max_question_chars")
    assert error_message(too_long, Language.EN).endswith("(server setting YIZHI_MAX_QUESTION_CHARS)")
    assert error_message(too_long, Language.ZH).startswith("输入超出了长度上限：the query is 5,000")
    assert error_message(KnowledgeBaseNotFound("书"), Language.ZH).startswith("知识库“书”不存在")
    assert error_message(LoaderError("cannot read it"), Language.ZH) == "无法完成：cannot read it"
    backend = EmbedBackendMismatch("书", "all-MiniLM-L6-v2", EmbedBackend.TORCH, EmbedBackend.ONNX_INT8)
    assert error_message(backend, Language.ZH).startswith("知识库是用同一嵌入模型的另一种运行后端建立的（YIZHI_EMBED_BACKEND）："
                                                          "knowledge base '书' was built with 'all-MiniLM-L6-v2' run by "
                                                          "the torch backend")
    with pytest.raises(ValidationError) as bad:
        SearchArguments.model_validate({"query": "高铁", "k": 0, "extra": 1})
    said = arguments_message(bad.value, Language.ZH)
    assert said.startswith("参数有误：invalid arguments: ") and "k:" in said and "extra:" in said
