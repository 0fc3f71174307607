"""The answer flow: refusal without the LLM, packing, citations, follow-ups, the CLI."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.answering import answer_stream, detect_language, is_follow_up, passage_of, retrieval_query
from app.cli.app_cli import main
from app.llm import LlamaCppGenerator
from app.services import build_services
from core.answers import Answer, Turn
from core.errors import ConfigError, KnowledgeBaseNotFound, ModelLoadError
from core.types import Chunk, ScoredChunk
from prompts.templates import render_context
from tests.app.conftest import RecordingGenerator, share_default_model


def _service(settings, fake_embedder, generator, docs=None, **update):
    service = build_services(settings.with_overrides(update), embedder=fake_embedder, generator=generator)
    if docs:
        service.knowledge.ingest("news", docs)
    return service


def _scored(text: str, source: str, score: float, page: int | None = None) -> ScoredChunk:
    return ScoredChunk(Chunk(text, source, text, 0, page), score, 0.5)


# --- language and follow-ups ------------------------------------------------------------
@pytest.mark.parametrize("text, lang", [
    ("RCEP包括哪些国家？", "zh"), ("What is RCEP?", "en"), ("What does 已知 mean in Yizhi?", "en"),
    ("iPhone 15 的电池容量是多少？", "zh"), ("", "zh"), ("2022", "zh"),
])
def test_detect_language(text, lang):
    assert detect_language(text) == lang


def test_follow_up_questions_use_the_previous_question():
    history = [Turn("RCEP包括哪些国家？", "十五个国家。")]
    assert retrieval_query("它什么时候生效？", history) == "RCEP包括哪些国家？ 它什么时候生效？"
    assert retrieval_query("这个协定的全称是什么？", history).startswith("RCEP包括哪些国家？")
    assert retrieval_query("生效时间？", history).startswith("RCEP包括哪些国家？")
    assert retrieval_query("那日本呢？", history).startswith("RCEP包括哪些国家？")
    # a self-contained question is searched as it is
    assert retrieval_query("大熊猫主要生活在哪些省份的山区？", history) == "大熊猫主要生活在哪些省份的山区？"
    assert retrieval_query("其他国家的大熊猫保护情况怎么样？", history).startswith("其他")
    assert retrieval_query("它什么时候生效？", []) == "它什么时候生效？"
    # chat-message dicts (the UI's history) work too
    messages = [{"role": "user", "content": "What is RCEP?"}, {"role": "assistant", "content": "A trade pact."}]
    assert retrieval_query("When did it take effect?", messages) == "What is RCEP? When did it take effect?"
    assert not is_follow_up("Which countries signed the Regional Comprehensive Economic Partnership?")


# --- honest refusal -----------------------------------------------------------------------
def test_nothing_relevant_refuses_without_calling_or_loading_the_llm(settings):
    fake = RecordingGenerator()
    made = []
    items = list(answer_stream("RCEP包括哪些国家？", ["news"], None, settings=settings,
                               search=lambda q, kbs: [], generator=lambda: made.append(1) or fake))
    answer = items[-1]
    assert isinstance(answer, Answer)
    assert answer.refused and answer.text == "根据已知信息无法回答该问题" and answer.citations == ()
    assert items[:-1] == ["根据已知信息无法回答该问题"]
    assert made == [] and fake.calls == []
    assert answer.to_dict() == {"answer": "根据已知信息无法回答该问题", "refused": True, "quoted": False,
                                "sources": [], "evidence": [], "citations": [], "timings": answer.timings}


def test_service_refuses_below_the_threshold_without_the_llm(settings, fake_embedder, tiny_docs):
    fake = RecordingGenerator()
    service = _service(settings, fake_embedder, fake, tiny_docs, score_threshold=0.99)
    answer = service.answers.ask("量子计算机的工作原理是什么？", ["news"])
    assert answer.refused and answer.citations == () and fake.calls == []
    english = service.answers.ask("How do quantum computers work?", ["news"])
    assert english.refused and english.text == "The question cannot be answered based on the known information"
    service.close()


def test_a_model_refusal_over_strong_evidence_becomes_a_quotation(settings, fake_embedder, tiny_docs):
    fake = RecordingGenerator("“根据已知信息无法回答该问题”。")
    service = _service(settings, fake_embedder, fake, tiny_docs)
    answer = service.answers.ask("RCEP包括哪些国家？", ["news"])
    assert len(fake.calls) == 1
    # the small model refused, but the passage says it: the user reads the document's own sentence
    assert not answer.refused and answer.quoted and answer.supported
    assert "十五个国家" in answer.text and answer.text.endswith("[1]")
    assert Path(answer.citations[0].source).name == "rcep.txt"
    service.close()


def test_a_model_refusal_over_weak_evidence_is_reported_as_refused(settings):
    results = [_scored("熊猫馆今天的开放时间另行通知。", "panda.txt", 0.5)]
    answer = list(answer_stream("大熊猫吃什么？", ["kb"], None, settings=settings, search=lambda q, kbs: results,
                                generator=lambda: RecordingGenerator("根据已知信息无法回答该问题。")))[-1]
    # refused, but the passages the model read are still shown to the user
    assert answer.refused and not answer.quoted and [c.source for c in answer.citations] == ["panda.txt"]


@pytest.mark.parametrize("reply", ["", "   ", "[2]", "[1] [2]"])
def test_an_empty_or_header_only_reply_becomes_a_refusal_when_the_evidence_is_weak(settings, reply):
    results = [_scored("熊猫馆今天的开放时间另行通知。", "panda.txt", 0.5)]  # on topic, but no answer
    items = list(answer_stream("大熊猫吃什么？", ["kb"], None, settings=settings, search=lambda q, kbs: results,
                               generator=lambda: RecordingGenerator(reply)))
    answer = items[-1]
    assert answer.refused and answer.text == "根据已知信息无法回答该问题"
    assert [c.source for c in answer.citations] == ["panda.txt"]
    assert "".join(items[:-1]).endswith("根据已知信息无法回答该问题")


# --- answering ------------------------------------------------------------------------------
def test_streams_pieces_then_an_answer_citing_the_given_passages(settings, fake_embedder, tiny_docs):
    fake = RecordingGenerator()
    service = _service(settings, fake_embedder, fake, tiny_docs)
    items = list(service.answers.ask_stream("RCEP包括哪些国家？", ["news"]))
    answer = items[-1]
    assert isinstance(answer, Answer) and not answer.refused
    assert "".join(items[:-1]) == fake.reply == answer.text
    assert Path(answer.citations[0].source).name == "rcep.txt"
    assert [c.index for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    prompt = fake.calls[0].prompt
    assert prompt.startswith("已知信息：\n[1] 来源：") and prompt.endswith("问题是：RCEP包括哪些国家？")
    assert fake.calls[0].answer_cue == "\n答案："
    out = answer.to_dict()
    assert set(out) == {"answer", "refused", "quoted", "sources", "evidence", "citations", "timings"}
    assert out["citations"] and all(c["supported"] for c in out["citations"])
    assert set(out["sources"][0]) == {"source", "page", "score", "text", "also_in"}  # also_in: other copies
    assert out["sources"][0]["also_in"] == []
    assert {"retrieval_ms", "first_token_ms", "total_ms"} <= set(out["timings"])
    service.close()


def test_english_evidence_is_weighed_by_the_knowledge_bases_embedder_and_chinese_is_not(settings, fake_embedder):
    results = [_scored("The library opened in 1921. Its first head was Mary Hill.", "library.txt", 1.0)]
    english = list(answer_stream("Who ran the library when it opened?", ["kb"], None, settings=settings,
                                 search=lambda q, kbs: results, generator=lambda: RecordingGenerator(""),
                                 embedder=fake_embedder))[-1]
    # the two sentences of the passage (the best few) were embedded beside the question
    assert fake_embedder.calls == [["The library opened in 1921.", "Its first head was Mary Hill."]]
    assert english.evidence
    fake_embedder.calls.clear()
    chinese = [_scored("图书馆于1921年开放。第一任馆长是玛丽。", "library.txt", 1.0)]
    list(answer_stream("图书馆的第一任馆长是谁？", ["kb"], None, settings=settings, search=lambda q, kbs: chinese,
                       generator=lambda: RecordingGenerator(""), embedder=fake_embedder))
    assert fake_embedder.calls == []


def test_citations_are_limited_to_the_packed_passages(settings):
    results = [_scored(f"第{i}段：" + "资料内容" * 20, f"doc{i}.txt", 1.0 / i, page=i) for i in range(1, 5)]
    fake = RecordingGenerator("答案在第一段。[1]")
    two = render_context([passage_of(r) for r in results[:2]])
    budget = len(two) + 10  # the fake counts one token per character: room for two passages, not three
    s = settings.with_overrides({"context_token_budget": budget})
    answer = list(answer_stream("资料讲了什么？", ["kb"], None, settings=s, search=lambda q, kbs: results,
                                generator=lambda: fake))[-1]
    assert [c.source for c in answer.citations] == ["doc1.txt", "doc2.txt"]
    assert [c.page for c in answer.citations] == [1, 2]
    assert answer.timings["passages"] == 2
    prompt = fake.calls[0].prompt
    assert "[2] 来源：doc2.txt，第2页" in prompt and "doc3.txt" not in prompt


def test_follow_up_retrieval_goes_through_the_service(settings, fake_embedder, tiny_docs):
    seen = []
    service = _service(settings, fake_embedder, RecordingGenerator(), tiny_docs)
    original = service.answers._search
    service.answers._search = lambda q, kbs, k, s: seen.append(q) or original(q, kbs, k, s)
    answer = service.answers.ask("它什么时候生效？", ["news"], history=[Turn("RCEP包括哪些国家？")])
    assert seen == ["RCEP包括哪些国家？ 它什么时候生效？"] and answer.query == seen[0]
    service.close()


# --- errors a user can act on ---------------------------------------------------------------
def test_empty_question_and_missing_kb(settings, fake_embedder):
    fake = RecordingGenerator()
    service = _service(settings, fake_embedder, fake)
    with pytest.raises(ConfigError, match="question is empty"):
        service.answers.ask("  ", ["news"])
    with pytest.raises(KnowledgeBaseNotFound, match="'nope' does not exist"):  # the CLI adds how to make it
        service.answers.ask("RCEP包括哪些国家？", ["nope"])
    assert fake.calls == []


def test_missing_or_bad_model_file_is_a_clear_error(settings, fake_embedder, tiny_docs, tmp_path):
    not_gguf = tmp_path / "model.bin"
    not_gguf.write_bytes(b"PK\x03\x04 not a gguf")
    for path, message in [(tmp_path / "missing.gguf", "not found: set YIZHI_LLM_MODEL"),
                          (not_gguf, "is not a GGUF file")]:
        s = settings.with_overrides({"llm_model": str(path)})
        service = _service(s, fake_embedder, LlamaCppGenerator.from_settings(s), tiny_docs)
        with pytest.raises(ModelLoadError, match=message):
            service.answers.ask("RCEP包括哪些国家？", ["news"])
        service.close()


def test_cli_errors_go_to_stderr_with_advice(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("YIZHI_DATA_DIR", str(tmp_path / "data"))
    assert main(["ask", "RCEP包括哪些国家？", "--kb", "news"]) == 2
    assert "make ingest KB=news" in capsys.readouterr().err
    assert main(["ask", "   ", "--json"]) == 2
    assert "question is empty" in capsys.readouterr().err


# --- the real path -------------------------------------------------------------------------
@pytest.mark.slow
def test_real_model_answers_from_a_real_knowledge_base(settings, use_embedder, tiny_docs, capsys,
                                                        assembled_default_model):
    share_default_model(assembled_default_model, settings.data_dir)  # YIZHI_LLM_MODEL stays empty
    service = build_services(settings, embedder=use_embedder)
    summary = service.knowledge.ingest("tiny", tiny_docs)
    assert summary.count("added") == 2
    answer = service.answers.ask("大熊猫主要吃什么？", ["tiny"])
    assert not answer.refused, answer
    assert "竹" in answer.text
    assert Path(answer.citations[0].source).name == "panda.txt"
    assert answer.timings["first_token_ms"] > 0

    # the CLI prints the same answer as JSON
    import app.cli.ask_cli as cli_ask
    assert cli_ask.run(type("Args", (), {"question": "大熊猫主要吃什么？", "kb": ["tiny"], "json": True})(),
                       settings) == 0
    out = json.loads(capsys.readouterr().out)
    assert "竹" in out["answer"] and Path(out["sources"][0]["source"]).name == "panda.txt"
    service.close()
