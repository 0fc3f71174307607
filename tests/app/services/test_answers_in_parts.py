"""A question that asks two things is answered part by part over the sample guide (the
real search with the bundled embedder): each part with its own quotation and citation, or
its own "not found"; the passages numbered once across the parts."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.answering.types import Answer
from app.services import build_services
from prompts.types import Turn
from tests.app.conftest import RecordingGenerator

DOCS = Path(__file__).resolve().parents[3] / "data" / "docs"
_MARK = re.compile(r"\[(\d+)\]")


@pytest.fixture(scope="module")
def guide(tmp_path_factory, use_embedder):
    """The sample guide indexed once for the module; the model is a recorder that says nothing."""
    from app.settings import Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp("parts") / "data", _env_file=None)
    model = RecordingGenerator("")
    services = build_services(settings, embedder=use_embedder, generator=model)
    services.knowledge.ingest("default", [DOCS])
    yield services, model
    services.close()


def _sections(answer: Answer) -> list[tuple[str, str]]:
    """(heading, body) of each part of the answer's text."""
    out = []
    for block in answer.text.split("\n\n"):
        heading, _, body = block.partition("\n")
        out.append((heading, body))
    return out


def _cited(body: str) -> list[int]:
    return [int(n) for n in _MARK.findall(body)]


def _one_number_per_passage(answer: Answer) -> None:
    indices = [c.index for c in answer.citations]
    assert len(indices) == len(set(indices)) == len({(c.source, c.page, c.text) for c in answer.citations})


def test_the_issues_two_part_question_gets_both_parts_answered_with_their_own_citations(guide):
    services, model = guide
    calls = len(model.calls)
    answer = services.answers.ask("資料儲存在哪裡？可以刪除知識庫嗎？", ["default"])
    (first, first_body), (second, second_body) = _sections(answer)
    assert first == "1. 資料儲存在哪裡？" and second == "2. 可以刪除知識庫嗎？"
    assert "data 目录" in first_body and "YIZHI_DATA_DIR" in first_body
    assert "删除知识库" in second_body and "无法撤销" in second_body
    by_number = {c.index: c for c in answer.citations}
    first_marks, [delete_mark] = _cited(first_body), _cited(second_body)  # part one may quote two passages
    assert any("data 目录" in by_number[n].text for n in first_marks)
    assert delete_mark not in first_marks and "删除知识库" in by_number[delete_mark].text
    _one_number_per_passage(answer)
    assert not answer.refused and answer.supported and answer.question == "資料儲存在哪裡？可以刪除知識庫嗎？"
    assert {s.passage for s in answer.sentences} == {*first_marks, delete_mark}
    # the model (which says nothing here) is asked each part alone, in the mainland's words
    # for things (資料儲存 → 數據保存); the evidence answers
    assert [c.prompt.rpartition("问题是：")[2] for c in model.calls[calls:]] == ["數據保存在哪裡？", "可以刪除知識庫嗎？"]
    # the same answer streams part after part
    prepared = services.answers.prepare("資料儲存在哪裡？可以刪除知識庫嗎？", ["default"])
    items = list(prepared.stream())
    assert items[-1].text == answer.text and "".join(items[:-1]) == answer.text
    # every evidence sentence is in the source its number names (numbers in listing order)
    assert all(e.text in by_number[e.passage].text for e in answer.evidence)


def test_a_part_the_guide_cannot_answer_gets_its_own_not_found(guide):
    services, _ = guide
    answer = services.answers.ask("数据保存在哪里？大熊猫吃什么？", ["default"])
    (first, first_body), (second, second_body) = _sections(answer)
    assert first == "1. 数据保存在哪里？" and "data 目录" in first_body and _cited(first_body)
    assert second == "2. 大熊猫吃什么？" and second_body == "根据已知信息无法回答该问题"
    assert not answer.refused and answer.supported
    _one_number_per_passage(answer)
    assert answer.to_dict()["refused"] is False  # the --json shape stays one answer


def test_every_part_not_found_is_a_refusal(guide):
    services, _ = guide
    answer = services.answers.ask("大熊猫吃什么？量子计算机的工作原理是什么？", ["default"])
    assert answer.refused
    assert [body for _, body in _sections(answer)] == ["根据已知信息无法回答该问题"] * 2


def test_english_parts_and_a_single_question_as_before(guide):
    services, _ = guide
    answer = services.answers.ask("Where is the data stored? Can I delete a knowledge base?", ["default"])
    (first, first_body), (second, second_body) = _sections(answer)
    assert first == "1. Where is the data stored?" and second == "2. Can I delete a knowledge base?"
    assert "Delete a knowledge base" in second_body and _cited(second_body)
    _one_number_per_passage(answer)
    single = services.answers.ask("可以刪除知識庫嗎？", ["default"])
    assert not single.text.startswith("1. ") and "删除知识库" in single.text and single.text.endswith("[1]")


def test_a_follow_up_still_leans_on_the_question_before(guide):
    services, _ = guide
    answer = services.answers.ask("那怎么删除呢？", ["default"], history=[Turn("怎么新建知识库？")])
    assert answer.query == "怎么新建知识库？ 那怎么删除呢？" and "删除" in answer.text
    # each part of a question of two is asked in the conversation as it would be alone
    both = services.answers.ask("那怎么删除呢？数据保存在哪里？", ["default"], history=[Turn("怎么新建知识库？")])
    assert both.query.splitlines() == ["怎么新建知识库？ 那怎么删除呢？", "数据保存在哪里？"]
    (_, first_body), (_, second_body) = _sections(both)
    assert "删除" in first_body and "data 目录" in second_body


def test_a_chat_models_parts_stream_one_after_the_other_with_their_marks_renumbered(settings, fake_embedder,
                                                                                    tiny_docs):
    model = RecordingGenerator("大熊猫主要吃竹子，每天要吃十几公斤竹子。[1]")
    model.chat = True  # its draft streams as it comes
    services = build_services(settings, embedder=fake_embedder, generator=model)
    services.knowledge.ingest("news", tiny_docs)
    try:
        items = list(services.answers.ask_stream("RCEP由哪些国家签署？大熊猫主要吃什么？", ["news"]))
    finally:
        services.close()
    answer, streamed = items[-1], "".join(items[:-1])
    (first, first_body), (second, second_body) = _sections(answer)
    assert first == "1. RCEP由哪些国家签署？" and "十五个国家" in first_body  # the documents' list, no model
    panda = next(c.index for c in answer.citations if Path(c.source).name == "panda.txt")
    rcep = next(c.index for c in answer.citations if Path(c.source).name == "rcep.txt")
    # part two: the evidence quoted first (the model's sentence says nothing new after it), its mark renumbered
    assert second == "2. 大熊猫主要吃什么？" and "十几公斤竹子" in second_body and second_body.endswith(f"[{panda}]")
    assert panda != rcep and streamed == answer.text
    assert streamed.startswith("1. RCEP由哪些国家签署？\n") and streamed.endswith(f"\n\n2. 大熊猫主要吃什么？\n{second_body}")
    assert [c.prompt.rpartition("问题是：")[2] for c in model.calls] == ["大熊猫主要吃什么？"]


def test_a_traditional_question_found_in_no_passage_as_written_is_asked_in_the_mainlands_words(guide):
    services, _ = guide
    answer = services.answers.ask("資料儲存在哪裡？", ["default"])
    assert not answer.refused and "data 目录" in answer.text
    assert answer.query == "數據保存在哪裡？" and answer.question == "資料儲存在哪裡？"
    # answered as written: asked as written (OpenCC's table turns words both sides use into others)
    formats = services.answers.ask("已知支援哪些檔案格式？", ["default"])
    assert not formats.refused and formats.query == "已知支援哪些檔案格式？" and "Markdown" in formats.text
