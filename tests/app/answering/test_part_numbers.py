"""The passages of a question's parts numbered once: one number per passage, the marks,
sources, evidence and sentences of each part's answer following it, streamed or whole."""
from __future__ import annotations

from app.answering.part_numbers import mark_stream, number_parts, renumber_marks, renumbered
from app.answering.types import Answer, Citation, Evidence, SentenceSupport, TableCell
from core.types import Chunk, ScoredChunk

GUIDE = ("默认保存在项目的 data 目录下。", "上传的文件保存在 files 文件夹中。", "删除知识库：输入名称确认后才会删除。",
         "新建知识库：输入名称后点击创建。", "扫描页会自动用 OCR 读出文字。")
DATA, KEPT, DELETE, CREATE, OCR = GUIDE


def _found(*texts: str) -> list[ScoredChunk]:
    """Search results: passages of one guide, as a part's search finds them."""
    return [ScoredChunk(Chunk(t, "guide.md", t, GUIDE.index(t)), 0.5, 0.8) for t in texts]


def test_each_passage_gets_one_number_the_shown_ones_first():
    first, second = _found(DATA, KEPT, OCR), _found(DELETE, DATA, CREATE)
    numbering = number_parts([first, second], shown=2)
    assert [r.chunk.text for r in numbering.results] == [DATA, KEPT, DELETE, OCR, CREATE]
    assert numbering.numbers == ((1, 2, 4), (3, 1, 5))  # the shared passage keeps the first part's number
    alone = number_parts([first], shown=5)
    assert alone.numbers == ((1, 2, 3),) and alone.results == tuple(first)


def test_marks_name_the_new_numbers_and_a_mark_naming_nothing_is_left_out():
    numbers = (3, 1, 4)
    assert renumber_marks("删除知识库需要确认。[1]默认在 data 目录[2]。", numbers) == "删除知识库需要确认。[3]默认在 data 目录[1]。"
    assert renumber_marks("见【1】与 [1, 3]", numbers) == "见【3】与 [3, 4]"
    assert renumber_marks("没有这一段 [9]。", numbers) == "没有这一段。"


def test_a_streamed_mark_cut_in_two_is_held_until_it_closes():
    stream = mark_stream((3, 1, 4))
    pieces = [stream.feed(p) for p in ["删除知识库需", "要确认。[", "1", "]默认在[2", "]。"]]
    assert pieces == ["删除知识库需", "要确认。", "", "[3]默认在", "[1]。"]
    assert "".join(pieces) + stream.flush() == renumber_marks("删除知识库需要确认。[1]默认在[2]。", (3, 1, 4))
    unclosed = mark_stream((2,))
    assert unclosed.feed("共 [1") == "共 " and unclosed.flush() == "[1"  # never closed: no mark


def test_an_answer_follows_its_passages_new_numbers():
    text = "“删除知识库：输入名称确认后才会删除。”[1]"
    answer = Answer("可以删除知识库吗？", text, False,
                    (Citation(1, "guide.md", None, 0.5, DELETE), Citation(2, "guide.md", None, 0.4, DATA)),
                    evidence=(Evidence(1, "guide.md", None, 7, DELETE, 0, len(DELETE), 0.9),
                              Evidence(5, "guide.md", None, 8, OCR, 0, len(OCR), 0.1)),
                    sentences=(SentenceSupport(text, (1,), True, 1, 1.0),),
                    cells=(TableCell("", "删除", "确认", "名称", "", "guide.md", None, 2),))
    moved = renumbered(answer, (3, 1))
    assert moved.text == "“删除知识库：输入名称确认后才会删除。”[3]"
    assert [(c.index, c.text) for c in moved.citations] == [(3, DELETE), (1, DATA)]
    assert [e.passage for e in moved.evidence] == [3]  # passage 5 is none of this part's
    assert moved.sentences == (SentenceSupport(moved.text, (3,), True, 3, 1.0),)
    assert [c.passage for c in moved.cells] == [1]
    assert moved.question == answer.question and moved.refused is False
