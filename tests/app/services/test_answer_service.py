"""Answering through the service: the real search over a real knowledge base, the fake LLM
recording what it is asked; errors a user can act on; the real model once."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.answering.types import Answer
from app.cli.app_cli import main
from app.llm.generator import LlamaCppGenerator
from app.services import build_services
from core.errors import ConfigError, KnowledgeBaseNotFound, ModelLoadError
from prompts.templates import fixed_head
from prompts.types import Turn
from tests.app.conftest import RecordingGenerator, share_default_model


def _service(settings, fake_embedder, generator, docs=None, **update):
    service = build_services(settings.with_overrides(update), embedder=fake_embedder, generator=generator)
    if docs:
        service.knowledge.ingest("news", docs)
    return service


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
    answer = service.answers.ask("RCEP是什么？", ["news"])
    assert len(fake.calls) == 1
    # the small model refused, but the passage says it: the user reads the document's own sentence
    assert not answer.refused and answer.quoted and answer.supported
    assert "十五个国家" in answer.text and answer.text.endswith("[1]")
    assert Path(answer.citations[0].source).name == "rcep.txt"
    service.close()



def test_streams_pieces_then_an_answer_citing_the_given_passages(settings, fake_embedder, tiny_docs):
    fake = RecordingGenerator("RCEP由东盟十国以及中国、日本、韩国、澳大利亚、新西兰共十五个国家签署。[1]协定于2022年1月1日正式生效。")
    service = _service(settings, fake_embedder, fake, tiny_docs)
    items = list(service.answers.ask_stream("RCEP是什么？", ["news"]))
    answer = items[-1]
    assert isinstance(answer, Answer) and not answer.refused
    # the quotation, then the model's one new sentence (its first said what the quotation said)
    assert items[:-1] == ["“《区域全面经济伙伴关系协定》（RCEP）由东盟十国以及中国、日本、韩国、澳大利亚、新西兰共十五个国家签署。”[1]",
                          "协定于2022年1月1日正式生效。[1]"]
    assert "".join(items[:-1]) == answer.text
    assert Path(answer.citations[0].source).name == "rcep.txt"
    assert [c.index for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    prompt = fake.calls[0].prompt
    assert prompt.startswith(fixed_head(prompt)) and "\n已知信息：\n[1] 来源：" in prompt
    assert prompt.endswith("问题是：RCEP是什么？")
    assert fake.calls[0].answer_cue == "\n答案："
    out = answer.to_dict()
    assert set(out) == {"answer", "refused", "quoted", "sources", "evidence", "citations", "cells", "timings"}
    assert out["citations"] and all(c["supported"] for c in out["citations"])
    assert set(out["sources"][0]) == {"source", "page", "score", "text", "also_in"}  # also_in: other copies
    assert out["sources"][0]["also_in"] == []
    assert {"retrieval_ms", "first_text_ms", "first_token_ms", "total_ms"} <= set(out["timings"])
    service.close()



def test_follow_up_retrieval_goes_through_the_service(settings, fake_embedder, tiny_docs):
    service = _service(settings, fake_embedder, RecordingGenerator(), tiny_docs)
    answer = service.answers.ask("它什么时候生效？", ["news"], history=[Turn("RCEP是什么？")])
    assert answer.query == "RCEP是什么？ 它什么时候生效？"
    assert Path(answer.citations[0].source).name == "rcep.txt"
    service.close()


def test_prepare_searches_without_the_llm_and_stream_generates(settings, fake_embedder, tiny_docs):
    fake = RecordingGenerator()
    service = _service(settings, fake_embedder, fake, tiny_docs)
    refused = service.answers.prepare("量子计算机的工作原理是什么？", ["news"], overrides={"score_threshold": 0.99})
    assert refused.ready is not None and refused.ready.refused and fake.calls == []
    pending = service.answers.prepare("RCEP是什么？", ["news"])
    assert pending.ready is None and fake.calls == []  # searched and scored; the LLM not yet asked
    answer = pending.answer_whole()
    assert len(fake.calls) == 1 and not answer.refused
    service.close()


# --- errors a user can act on ---------------------------------------------------------------
def test_empty_question_and_missing_kb(settings, fake_embedder):
    fake = RecordingGenerator()
    service = _service(settings, fake_embedder, fake)
    with pytest.raises(ConfigError, match="question is empty"):
        service.answers.ask("  ", ["news"])
    with pytest.raises(KnowledgeBaseNotFound, match="'nope' does not exist"):  # the CLI adds how to make it
        service.answers.ask("RCEP是什么？", ["nope"])
    assert fake.calls == []


def test_missing_or_bad_model_file_is_a_clear_error(settings, fake_embedder, tiny_docs, tmp_path):
    not_gguf = tmp_path / "model.bin"
    not_gguf.write_bytes(b"PK\x03\x04 not a gguf")
    for path, message in [(tmp_path / "missing.gguf", "not found: the model must be"),
                          (not_gguf, "is not a GGUF file")]:
        s = settings.with_overrides({"llm_model": str(path)})
        service = _service(s, fake_embedder, LlamaCppGenerator(s.llm_config()), tiny_docs)
        with pytest.raises(ModelLoadError, match=message):
            service.answers.ask("RCEP是什么？", ["news"])
        service.close()


def test_cli_errors_go_to_stderr_with_advice(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("YIZHI_DATA_DIR", str(tmp_path / "data"))
    assert main(["ask", "RCEP是什么？", "--kb", "news"]) == 2
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


def test_matches_in_names_the_knowledge_bases_where_a_question_reaches_the_threshold(settings, fake_embedder,
                                                                                       tiny_docs, tmp_path):
    service = _service(settings, fake_embedder, RecordingGenerator(), tiny_docs)
    recipes = tmp_path / "recipes"
    recipes.mkdir()
    (recipes / "面条.txt").write_text("手擀面要先和面，醒面半小时，再擀成薄片切条。", encoding="utf-8")
    service.knowledge.ingest("recipes", [recipes / "面条.txt"])
    found = service.answers.matches_in("RCEP是什么？", ["recipes", "news"])
    assert [m.kb_name for m in found] == ["news"]  # the recipes hold nothing about RCEP
    assert found[0].relevance >= settings.score_threshold
    assert found[0].relevance == service.answers.search("RCEP是什么？", ["news"], 1)[0].relevance  # as asking it would
    assert service.answers.matches_in("RCEP是什么？", ["recipes"]) == []
    with pytest.raises(KnowledgeBaseNotFound):
        service.answers.matches_in("RCEP是什么？", ["nowhere"])
    service.close()


@pytest.mark.slow
def test_the_real_models_answer_is_exactly_what_streamed_with_the_quotation_before_its_first_token(
        settings, use_embedder, tiny_docs, assembled_default_model):
    share_default_model(assembled_default_model, settings.data_dir)
    service = build_services(settings, embedder=use_embedder)
    service.knowledge.ingest("tiny", tiny_docs)
    try:
        wrote: list[bool] = []
        for question in ("大熊猫主要吃什么？", "RCEP是什么？"):
            prepared = service.answers.prepare(question, ["tiny"])
            *pieces, answer = list(prepared.stream())
            assert pieces[0] == prepared.opening and prepared.opening.startswith("“")  # the evidence, quoted
            assert "".join(pieces) == answer.text and answer.supported and not answer.refused
            timings = answer.timings
            # the model may add nothing (no token at all: the quotation said it); when it writes,
            # the quotation was shown before its first token
            assert 0 < timings["first_text_ms"] < timings.get("model_first_token_ms", timings["total_ms"] + 1)
            assert timings["first_text_ms"] <= timings["total_ms"]
            wrote.append("model_first_token_ms" in timings)
        assert any(wrote)  # the model was asked and wrote after the quotation at least once
    finally:
        service.close()
