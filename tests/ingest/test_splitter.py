import pytest

from core.types import Chunk, Document
from ingest.child_pieces import child_texts
from ingest.splitter import retrieval_text, split_documents, split_text

ZH = (
    "已知是一个离线知识库问答应用。它在笔记本电脑的处理器上运行，不需要联网！"
    "用户把文档拖进浏览器页面，然后用中文或英文提问；系统只根据检索到的段落回答？"
    "如果文档里没有答案，它会诚实地说无法回答。"
)


def test_short_text_is_one_chunk():
    assert split_text("你好，世界。", 100, 10) == ["你好，世界。"]


def test_chinese_text_is_cut_at_sentence_ends_within_size():
    pieces = split_text(ZH, 40, 0)
    assert all(len(p) <= 40 for p in pieces)
    # every piece ends where a sentence or clause ends, never mid-word
    assert all(p[-1] in "。！？；，" for p in pieces)
    assert "".join(pieces) == ZH


def test_overlap_repeats_text_between_neighbours():
    text = "".join(f"第{i}句话讲的是第{i}件事。" for i in range(30))
    pieces = split_text(text, 60, 20)
    assert len(pieces) > 3
    assert any(a[-10:] in b for a, b in zip(pieces, pieces[1:]))


def test_paragraphs_are_preferred_over_sentences():
    text = "第一段。" * 5 + "\n\n" + "第二段。" * 5
    assert split_text(text, 30, 0) == ["第一段。" * 5, "第二段。" * 5]


def test_english_sentences_split_too():
    text = "Yizhi answers offline. It cites sources! Does it refuse? Yes; always."
    pieces = split_text(text, 30, 0)
    assert all(len(p) <= 30 for p in pieces)
    assert pieces[0] == "Yizhi answers offline."


def test_invalid_sizes():
    with pytest.raises(ValueError):
        split_text("x", 0, 0)
    with pytest.raises(ValueError):
        split_text("x", 10, 10)


def test_title_enhancement_prepends_heading_once():
    assert retrieval_text("正文", "标题", "安装 > 下载", True) == "安装 > 下载\n正文"
    assert retrieval_text("正文", "标题", "", True) == "标题\n正文"
    assert retrieval_text("标题\n正文", "标题", "", True) == "标题\n正文"
    assert retrieval_text("正文", "标题", "安装", False) == "正文"


def test_split_documents_keeps_source_page_heading_and_positions():
    docs = [Document(text=ZH, source="a.pdf", page=1, title="指南", heading="简介"),
            Document(text="第二页。", source="a.pdf", page=2, title="指南")]
    chunks = split_documents(docs, 40, 5)
    assert [c.position for c in chunks] == list(range(len(chunks)))
    assert {c.page for c in chunks} == {1, 2}
    assert chunks[0].heading == "简介" and chunks[0].retrieval_text.startswith("简介\n")
    assert chunks[-1].heading == "指南" and chunks[-1].source == "a.pdf"


# --- child pieces: sentence-sized pieces that find a chunk ------------------------------
CHUNK_TEXT = ("嘉峪关是明长城西端的起点，位于甘肃省。山海关是明长城东端的起点，位于河北省。"
              "八达岭长城在北京延庆，是保存最好的一段。")


def _chunk(text: str, heading: str = "长城") -> Chunk:
    return Chunk(text=text, source="great_wall.md", retrieval_text=f"{heading}\n{text}", position=0, heading=heading)


def test_child_texts_are_the_chunks_sentences_labelled_like_the_chunk():
    kids = child_texts(_chunk(CHUNK_TEXT), 30)
    assert kids == ["长城\n嘉峪关是明长城西端的起点，位于甘肃省。", "长城\n山海关是明长城东端的起点，位于河北省。",
                    "长城\n八达岭长城在北京延庆，是保存最好的一段。"]
    assert "".join(k.removeprefix("长城\n") for k in kids) == CHUNK_TEXT  # all of the text, no overlap


def test_child_texts_without_title_enhancement_and_without_a_heading():
    assert child_texts(_chunk(CHUNK_TEXT), 30, title_enhance=False)[0] == "嘉峪关是明长城西端的起点，位于甘肃省。"
    assert child_texts(_chunk(CHUNK_TEXT, heading=""), 30)[1] == "山海关是明长城东端的起点，位于河北省。"


def test_a_single_piece_or_size_zero_has_no_children():
    assert child_texts(_chunk("嘉峪关位于甘肃省。"), 30) == []  # its own vector is its only one
    assert child_texts(_chunk(CHUNK_TEXT), 0) == []
    # a long sentence is cut at commas, like chunks are
    assert all(len(k) <= 3 + 20 for k in child_texts(_chunk(CHUNK_TEXT), 20))
