"""Citation numbers in listing order (issue 24): an answer citing [2] only is shown as [1],
its source listed first; text, sources, sentences, evidence and cells agree."""
from __future__ import annotations

from app.answering.evidence.support import cited_numbers
from app.answering.numbering import StreamNumbering, in_listing_order, listing_order, numbered_stream
from app.answering.types import Answer, Citation, Evidence, SentenceSupport, TableCell

TEA = "望月茶馆每天早上七点开门。"
HOURS = "营业时间：七点至二十二点。"
TOWN = "青石镇的银杏树有一百年了。"
FEE = "茶位费每人十元。"


def _citations(*numbers: int) -> tuple[Citation, ...]:
    texts = {1: TEA, 2: HOURS, 3: TOWN, 4: FEE}
    return tuple(Citation(n, f"/docs/{n}.md", None, 0.1 / n, texts.get(n, f"段落{n}"), 0.9 - n / 10) for n in numbers)


def _answer(text: str, citations: tuple[Citation, ...], sentences=(), evidence=(), cells=(), refused=False) -> Answer:
    return Answer("茶馆几点开门？", text, refused, citations, {}, sentences=tuple(sentences), evidence=tuple(evidence),
                  cells=tuple(cells))


def test_an_answer_citing_only_its_second_passage_starts_at_one():
    answer = _answer("茶馆七点开门。[2]", _citations(1, 2, 3),
                     sentences=[SentenceSupport("茶馆七点开门。[2]", (2,), True, 2, 0.8)],
                     evidence=[Evidence(2, "/docs/2.md", None, 5, HOURS, 0, len(HOURS), 1.0),
                               Evidence(1, "/docs/1.md", None, 4, TEA, 0, len(TEA), 0.5)])
    numbered = in_listing_order(answer)
    assert numbered.text == "茶馆七点开门。[1]"
    assert [(c.index, c.text) for c in numbered.citations] == [(1, HOURS), (2, TEA), (3, TOWN)]
    assert numbered.sentences[0].text == "茶馆七点开门。[1]"
    assert numbered.sentences[0].cited == (1,) and numbered.sentences[0].passage == 1
    assert [(e.passage, e.text) for e in numbered.evidence] == [(1, HOURS), (2, TEA)]
    # the API's `sources[n-1]` is `[n]`
    assert numbered.to_dict()["sources"][0]["text"] == HOURS


def test_first_mention_orders_the_sources_then_backing_sentences_then_the_rest():
    text = "茶馆七点开门【3】，营业到二十二点[1，3]。"
    sentences = [SentenceSupport("茶馆七点开门【3】，营业到二十二点[1，3]。", (3, 1), True, 3),
                 SentenceSupport("茶位费每人十元。", (), True, 4)]
    answer = _answer(text, _citations(1, 2, 3, 4), sentences=sentences)
    assert listing_order(answer) == [3, 1, 4, 2]
    numbered = in_listing_order(answer)
    assert numbered.text == "茶馆七点开门【1】，营业到二十二点[2，1]。"
    assert [c.text for c in numbered.citations] == [TOWN, TEA, FEE, HOURS]
    assert numbered.sentences[1].passage == 3 and numbered.sentences[0].cited == (1, 2)


def test_an_answer_already_in_order_comes_back_as_it_was():
    answer = _answer("七点开门。[1] 营业到二十二点。[2]", _citations(1, 2, 3))
    assert in_listing_order(answer) is answer
    once = in_listing_order(_answer("营业到二十二点。[2]", _citations(1, 2)))
    assert in_listing_order(once) is once


def test_table_cells_follow_their_passage():
    cell = TableCell("价目表", "乌龙", "价格", "30", "元", "/docs/4.md", 2, 4)
    numbered = in_listing_order(_answer("价目表：乌龙，价格为 30[4]", _citations(1, 4), cells=[cell]))
    assert numbered.text == "价目表：乌龙，价格为 30[1]"
    assert numbered.cells[0].passage == 1 and [c.index for c in numbered.citations] == [1, 2]
    assert numbered.citations[0].text == FEE


def test_marks_naming_no_listed_source():
    # [9] names nothing and lies beyond the three listed: it stays; "[2014]" in a quoted
    # document number is no citation of ours either
    kept = in_listing_order(_answer("依据国发[2014]号文件，七点开门。[3][9]", _citations(1, 2, 3)))
    assert kept.text == "依据国发[2014]号文件，七点开门。[1][9]"
    # passage 3 is not listed: after renumbering [3] would name the third listed source (old 2)
    dropped = in_listing_order(_answer("七点开门。[5] 见[3]。", _citations(1, 2, 5),
                                       evidence=[Evidence(3, "/docs/3.md", None, 1, TOWN, 0, 3, 0.2),
                                                 Evidence(4, "/docs/4.md", None, 1, FEE, 0, 3, 0.2)]))
    assert dropped.text == "七点开门。[1] 见。"
    assert [e.passage for e in dropped.evidence] == [4]  # beyond the listed three: names nothing, as before


def test_a_refusal_keeps_the_rank_order():
    answer = _answer("根据已知信息无法回答该问题[2]", _citations(2, 3), refused=True)
    numbered = in_listing_order(answer)
    assert [c.text for c in numbered.citations] == [HOURS, TOWN] and [c.index for c in numbered.citations] == [1, 2]


def test_named_numbers_reads_every_kind_of_mark():
    assert list(cited_numbers("甲[2]乙【3】丙[2, 1]丁[4、5]")) == [2, 3, 1, 4, 5]


def test_a_stream_is_renumbered_by_first_mention_even_when_a_mark_is_cut():
    numbering = StreamNumbering(passages=5)
    pieces = ["茶馆七点开门[", "3", "]，营业到", "二十二点【1】。[3", "]", "国发[2014]号"]
    shown = "".join(numbering.feed(p) for p in pieces) + numbering.flush()
    assert shown == "茶馆七点开门[1]，营业到二十二点【2】。[1]国发[2014]号"


def test_the_numbered_stream_agrees_with_its_answer():
    answer = _answer("茶馆七点开门。[2]", _citations(1, 2),
                     sentences=[SentenceSupport("茶馆七点开门。[2]", (2,), True, 2)])
    items = list(numbered_stream(["茶馆七点开门。[", "2]", answer], passages=2))
    final = items[-1]
    assert isinstance(final, Answer)
    assert "".join(i for i in items if isinstance(i, str)) == final.text == "茶馆七点开门。[1]"
    assert final.citations[0].text == HOURS


def test_a_range_of_passages_is_renumbered_passage_by_passage():
    from app.answering.numbering import rewrite_marks

    new = {1: 3, 2: 1, 3: 2}.get
    assert rewrite_marks("见[1-3]。", new) == "见[3, 1, 2]。"
    assert rewrite_marks("没有这一段 [9]。", new) == "没有这一段。"  # a mark naming nothing goes, with its space
