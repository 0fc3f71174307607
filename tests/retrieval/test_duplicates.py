"""Near-duplicate passages (retrieval/duplicates.py), on hand-written Chinese passages: the
same paragraph as a .md and a .pdf give it is one source; different paragraphs on one topic
stay two. The overlaps measured here are the ones the module's docstring quotes."""
from __future__ import annotations

import pytest

from core.types import Chunk, ScoredChunk, SourceRef
from retrieval.duplicates import DUPLICATE_OVERLAP, bigrams, collapse, duplicate_of, near_duplicates, overlap

MD = ("望月茶馆位于青石镇东街，每天早上七点开门，晚上十点打烊。招牌茶是桂花乌龙，用本地山泉水冲泡；"
      "周末下午有评弹表演，需要提前一天预订座位。")
# The same paragraph as a PDF's text layer gives it: lines broken mid-word, a page footer.
PDF = ("望月茶馆位于青石镇东街，每天早上七点开门，晚\n上十点打烊。招牌茶是桂花乌龙，用本地山泉水冲\n"
       "泡；周末下午有评弹表演，需要提前一天预订座位。\n\n青石镇旅游指南 · 第 2 页")
# … as bullets under a heading line, with a page number between dashes.
BULLETS = ("营业与特色\n• 望月茶馆位于青石镇东街，每天早上七点开门，晚上十点打烊。\n"
           "• 招牌茶是桂花乌龙，用本地山泉水冲泡；周末下午有评弹表演，需要提前一天预订座位。\n— 2 —")
# … in Traditional script, full-width marks and all.
TRADITIONAL = ("望月茶館位於青石鎮東街，每天早上七點開門，晚上十點打烊。招牌茶是桂花烏龍，用本地山泉水沖泡；"
               "週末下午有評彈表演，需要提前一天預訂座位。")
# … read by OCR from a scan, three characters wrong.
OCR = ("望月茶馆位于青石镇东街，每天早上七点开门，晚上十点打洋。招牌茶是桂花乌尤，用本地山泉水冲泡；"
       "周末下午有评弹表演，需要提前一天预汀座位。")
# Other paragraphs about the same tea house: the same names and terms, other sentences.
SAME_TOPIC = ("望月茶馆的桂花乌龙选用安溪铁观音做底，每年秋天窨制三次桂花。茶馆每天早上七点开门，"
              "店里也卖茶叶和茶点，可以打包带走。")
SAME_STREET = "青石镇东街有三家老茶馆，望月茶馆是其中最早开门的一家。周末人多，建议早上去，评弹表演在二楼，座位有限。"
# A chunk that begins with this paragraph's first sentence, then goes on about something else.
HALF = MD[:40] + "另外，茶馆二楼新开了一间书房，提供免费的地方志和老照片供客人翻阅，每月还有一次讲座。"
# Two neighbouring chunks of one file, sharing the splitter's overlap ("每个文件都会显示处理结果。").
STEP_1 = ("第一步：在「知识库」页面新建一个知识库，名称可以用中文、字母、数字、下划线、连字符和点，最长 64 个字符。"
          "第二步：拖入文件上传，每个文件都会显示处理结果。")
STEP_2 = "每个文件都会显示处理结果。第三步：到「问答」页面选择知识库并提问，回答下面会列出编号来源，点开可以查看原文所在的那一页。"


def result(text: str, source: str, page: int | None = None, score: float = 1.0, chunk_id: int = 0,
           also_in: tuple[SourceRef, ...] = ()) -> ScoredChunk:
    return ScoredChunk(Chunk(text, source, text, 0, page, chunk_id=chunk_id), score, 0.8, also_in=also_in)


@pytest.mark.parametrize(("other", "at_least"), [
    (PDF, 1.0), (BULLETS, 1.0), (TRADITIONAL, 1.0), (MD[20:], 1.0), (OCR, 0.89)],
    ids=["pdf-line-breaks-footer", "bullets-heading-page-number", "traditional", "contained", "ocr-errors"])
def test_one_paragraph_in_two_renderings_overlaps_almost_wholly(other, at_least):
    assert overlap(bigrams(MD), bigrams(other)) >= at_least
    assert near_duplicates(bigrams(MD), bigrams(other))


@pytest.mark.parametrize(("other", "below"), [
    (SAME_TOPIC, 0.3), (SAME_STREET, 0.35), (HALF, 0.6)], ids=["same-topic", "same-street", "same-first-sentence"])
def test_different_paragraphs_on_one_topic_overlap_far_less(other, below):
    assert overlap(bigrams(MD), bigrams(other)) < below < DUPLICATE_OVERLAP
    assert not near_duplicates(bigrams(MD), bigrams(other))


def test_neighbouring_chunks_sharing_their_overlap_are_not_duplicates():
    assert overlap(bigrams(STEP_1), bigrams(STEP_2)) < 0.3
    assert not near_duplicates(bigrams(STEP_1), bigrams(STEP_2))


def test_bigrams_ignore_whitespace_punctuation_and_case():
    assert bigrams("Yizhi 已知，\n离线！") == bigrams("yizhi已知离线")
    assert bigrams("") == frozenset() and bigrams("。") == frozenset() and bigrams("茶") == {"茶"}


def test_short_passages_are_one_only_when_identical():
    assert not near_duplicates(bigrams("营业时间"), bigrams("营业时间：七点至二十二点。"))
    assert near_duplicates(bigrams("营业时间"), bigrams("营业时间。"))
    assert not near_duplicates(frozenset(), frozenset())


def test_the_better_ranked_passage_stays_and_names_the_other_file():
    ranked = [result(MD, "guide.md", score=0.9, chunk_id=1), result(SAME_TOPIC, "tea.md", score=0.8, chunk_id=2),
              result(PDF, "guide.pdf", 2, score=0.7, chunk_id=3)]
    out = collapse(ranked)
    assert [r.chunk.chunk_id for r in out] == [1, 2]
    assert out[0].also_in == (SourceRef("guide.pdf", 2),) and out[1].also_in == ()
    assert out[0].score == 0.9 and out[0].chunk.text == MD  # the kept passage itself is unchanged


def test_duplicate_of_names_the_passage_each_copy_is_merged_into():
    ranked = [result(MD, "guide.md"), result(SAME_TOPIC, "tea.md"), result(PDF, "guide.pdf", 2),
              result(TRADITIONAL, "guide_tw.md"), result(SAME_STREET, "street.md")]
    assert duplicate_of(ranked) == [None, None, 0, 0, None]
    # the same answer as collapse: the kept ones are those it keeps
    assert [r.chunk.source for r, twin in zip(ranked, duplicate_of(ranked)) if twin is None] == \
        [r.chunk.source for r in collapse(ranked)]
    assert duplicate_of([]) == []


def test_a_pdf_ranked_first_keeps_its_page_and_names_the_markdown():
    out = collapse([result(PDF, "guide.pdf", 2), result(MD, "guide.md")])
    assert len(out) == 1 and out[0].chunk.source == "guide.pdf" and out[0].also_in == (SourceRef("guide.md"),)


def test_every_copy_is_named_once_and_never_the_kept_passage_itself():
    ranked = [result(MD, "guide.md"), result(PDF, "guide.pdf", 2), result(BULLETS, "guide.pdf", 2),
              result(TRADITIONAL, "guide_tw.md", also_in=(SourceRef("guide_tw.docx"),)),
              result(MD[20:], "guide.md")]  # an overlapping chunk of the kept file: nothing new to name
    [kept] = collapse(ranked)
    assert kept.also_in == (SourceRef("guide.pdf", 2), SourceRef("guide_tw.md"), SourceRef("guide_tw.docx"))


def test_a_limit_keeps_that_many_and_still_reads_the_rest_for_copies():
    ranked = [result(MD, "guide.md"), result(PDF, "guide.pdf", 2), result(SAME_TOPIC, "tea.md"),
              result(STEP_1, "help.md"), result(BULLETS, "guide_print.pdf", 5)]
    out = collapse(ranked, limit=2)
    assert [r.chunk.source for r in out] == ["guide.md", "tea.md"]  # the duplicate's slot went to the next one
    assert out[0].also_in == (SourceRef("guide.pdf", 2), SourceRef("guide_print.pdf", 5))
    assert collapse([], limit=3) == [] and len(collapse(ranked)) == 3


def test_nothing_to_collapse_returns_the_same_results():
    ranked = [result(MD, "a.md"), result(SAME_STREET, "b.md"), result(STEP_1, "c.md")]
    assert collapse(ranked) == ranked
