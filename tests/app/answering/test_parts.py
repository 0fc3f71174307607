"""A question is cut into the questions it asks only where each part stands alone."""
from __future__ import annotations

import pytest

from app.answering.parts import MAX_PARTS, MAX_SPLIT_CHARS, question_parts


@pytest.mark.parametrize("question, parts", [
    # the question, Traditional, and its Simplified twin
    ("資料儲存在哪裡？可以刪除知識庫嗎？", ("資料儲存在哪裡？", "可以刪除知識庫嗎？")),
    ("数据保存在哪里？可以删除知识库吗？", ("数据保存在哪里？", "可以删除知识库吗？")),
    # question particles before a comma end a question too
    ("可以删除知识库吗，数据保存在哪里？", ("可以删除知识库吗", "数据保存在哪里？")),
    ("数据保存在哪里呢，可以删除知识库吗？", ("数据保存在哪里呢", "可以删除知识库吗？")),
    ("默认的嵌入模型是什么？扫描版 PDF 能用吗？", ("默认的嵌入模型是什么？", "扫描版 PDF 能用吗？")),
    # numbered questions lose their numbers; a lead-in that asks nothing goes with the next part
    ("1. 数据保存在哪里？ 2. 可以删除知识库吗？", ("数据保存在哪里？", "可以删除知识库吗？")),
    ("你知道吗？数据保存在哪里？可以删除知识库吗？", ("你知道吗？数据保存在哪里？", "可以删除知识库吗？")),
    ("大熊猫吃什么？RCEP是什么？", ("大熊猫吃什么？", "RCEP是什么？")),
    ("第一次安装大约需要多久？第一，換了嵌入模型以後要怎麼辦？", ("第一次安装大约需要多久？", "換了嵌入模型以後要怎麼辦？")),
    ("Where is the data stored? Can I delete a knowledge base?",
     ("Where is the data stored?", "Can I delete a knowledge base?")),
    ("Where is the data stored, and also can I delete a knowledge base?",
     ("Where is the data stored", "can I delete a knowledge base?")),
    ("How do I create a knowledge base?Where is the data stored?",
     ("How do I create a knowledge base?", "Where is the data stored?")),
])
def test_a_question_of_several_parts_is_cut_into_them(question, parts):
    assert question_parts(question) == parts


@pytest.mark.parametrize("question", [
    "数据保存在哪里？",
    "数据保存在哪里，怎么修改？",  # one question with a comma
    "用FAISS还是Milvus？",  # an alternative
    "是用FAISS？还是用Milvus？",
    "Is it FAISS? Or Milvus?",
    "为什么回答说“根据已知信息无法回答该问题”？",  # a quoted sentence
    "文档里“扫描版 PDF 能用吗？”这一问的答案是什么？",  # a quoted question
    "「可以刪除知識庫嗎？」這句話出自哪一節？",
    "《你好吗？》这本书讲了什么？",  # a title
    "数据呢，保存在哪里？",  # 呢 as a pause, not a question
    "你知道吗，数据保存在哪里？",  # a lead-in that asks nothing
    "数据保存在哪里？谢谢！",  # thanks is no question
    "数据保存在哪里？？",
    "真的吗？？",
    "RCEP是什么？它什么时候生效？",  # the second part points back
    "RCEP是什么？什么时候生效？",  # too thin to stand alone
    "北京海鸿源投资管理有限公司持股比例多少？质押了多少股？",  # the company carries over
    "可以删除文档吗？那知识库呢？",  # "what about …"
    "What is RCEP? When did it take effect?",
    "What does Yizhi do? Why?",
    "What are the advantages and also the disadvantages of FAISS?",
    "See http://example.com/a?b=1 what is it?",  # a question mark inside an address
])
def test_a_question_that_asks_one_thing_is_left_whole(question):
    assert question_parts(question) == (question,)


def test_at_most_three_parts_the_rest_staying_with_the_last():
    question = "已知支持哪些文件格式？默认的嵌入模型是什么？数据保存在哪里？可以删除知识库吗？"
    parts = question_parts(question)
    assert len(parts) == MAX_PARTS == 3
    assert parts == ("已知支持哪些文件格式？", "默认的嵌入模型是什么？", "数据保存在哪里？可以删除知识库吗？")


def test_a_long_text_is_not_cut():
    question = "数据保存在哪里？" + "这是一段很长的背景说明。" * (MAX_SPLIT_CHARS // 12) + "可以删除知识库吗？"
    assert len(question) > MAX_SPLIT_CHARS
    assert question_parts(question) == (question,)
    assert question_parts("") == ("",)
