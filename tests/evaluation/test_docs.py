"""`eval --docs`: real files ingested as a user ingests them, questions asked through the
service, answers matched the way the document QA set says (whitespace, script, case)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.answering.types import Answer
from core.errors import ConfigError
from evaluation.docs import DocQuestion, evaluate_docs, is_right, load_doc_questions, metrics
from tests.app.conftest import RecordingGenerator

ROOT = Path(__file__).resolve().parents[2]
GUIDE = "# 茶馆指南\n\n望月茶馆每天早上七点开门，晚上十点关门。\n\n招牌茶是桂花乌龙，每壶三十八元。\n"


def _question(groups=(("七点",),), unanswerable=False, kind="date") -> DocQuestion:
    return DocQuestion("q", "几点开门？", tuple(tuple(g) for g in groups), "茶馆.md", kind, unanswerable)


def _answer(text: str, refused: bool = False) -> Answer:
    return Answer("q", text, refused)


def test_matching_ignores_whitespace_script_and_case_and_needs_every_group():
    assert is_right(_answer("每天早上 七 点开门。"), _question())
    assert is_right(_answer("招牌是桂花烏龍"), _question((("桂花乌龙",),)))  # Traditional in the answer
    assert is_right(_answer("Uses SSE and WebSocket"), _question((("sse",), ("websocket", "ws"))))
    assert not is_right(_answer("Uses SSE only"), _question((("sse",), ("websocket", "ws"))))
    assert not is_right(_answer("七点", refused=True), _question())  # a refusal is never right when answerable
    assert is_right(_answer("根据已知信息无法回答该问题", refused=True), _question((), unanswerable=True))
    assert not is_right(_answer("研发费用是 3 元"), _question((), unanswerable=True))


def test_the_qa_file_needs_answers_for_answerable_questions(tmp_path):
    qa = tmp_path / "qa.jsonl"
    qa.write_text(json.dumps({"qid": "a", "question": "?", "answers": [], "unanswerable": False}) + "\n",
                  encoding="utf-8")
    with pytest.raises(ConfigError, match="no answers"):
        load_doc_questions([qa])
    qa.write_text(json.dumps({"qid": "a", "question": "?", "answers": ["x", "y"], "kind": "name"}) + "\n",
                  encoding="utf-8")
    assert load_doc_questions([qa])[0].groups == (("x", "y"),)  # `answers` are alternatives of one group


def test_metrics_by_kind_and_refusals():
    rows = [{"right": True, "refused": False, "unanswerable": False, "kind": "table", "supported": True,
             "answer": "3", "timings": {"first_token_ms": 100.0}},
            {"right": False, "refused": True, "unanswerable": False, "kind": "list", "supported": True,
             "answer": "拒", "timings": {}},
            {"right": True, "refused": True, "unanswerable": True, "kind": "number", "supported": True,
             "answer": "拒", "timings": {}}]
    out = metrics(rows)
    assert out["answer_contains"] == 0.5 and out["answer_false_refusal_rate"] == 0.5
    assert out["answer_refusal_rate_no_answer"] == 1.0 and out["answer_contains_by_kind"] == {"list": 0.0, "table": 1.0}
    assert out["supported_rate"] == 1.0 and out["first_token_ms_median"] == 100.0


def test_documents_are_ingested_once_and_asked_through_the_service(tmp_path, settings, fake_embedder):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "茶馆.md").write_text(GUIDE, encoding="utf-8")
    qa = tmp_path / "qa.jsonl"
    qa.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in [
        {"qid": "1", "question": "望月茶馆每天几点开门？", "answers": ["七点"], "kind": "date", "unanswerable": False},
        {"qid": "2", "question": "火星上的沙尘暴持续多久？", "answers": [], "kind": "number", "unanswerable": True},
    ]) + "\n", encoding="utf-8")
    details: list[dict] = []
    generator = RecordingGenerator("望月茶馆每天早上七点开门。[1]")
    report = evaluate_docs([docs], [qa], settings, fake_embedder, generator=generator, progress=False,
                           details=details)
    assert report["files"] == 1 and report["ingest_seconds"] > 0
    assert report["answer_contains"] == 1.0 and report["answer_refusal_rate_no_answer"] == 1.0
    assert [d["qid"] for d in details] == ["1", "2"] and details[0]["sources"][0].startswith("茶馆.md")
    again = evaluate_docs([docs], [qa], settings, fake_embedder, generator=generator, progress=False)
    assert again["ingest_seconds"] == 0  # the same files and code: the knowledge base is reused


@pytest.mark.slow
def test_the_command_line_evaluates_answers_with_the_real_model(tmp_path):
    corpus, qa = tmp_path / "corpus.jsonl", tmp_path / "qa.jsonl"
    corpus.write_text(json.dumps({"doc_id": "d1", "title": "茶馆", "text": GUIDE}, ensure_ascii=False) + "\n",
                      encoding="utf-8")
    qa.write_text(json.dumps({"qid": "1", "question": "望月茶馆每天几点开门？", "answers": ["七点"],
                              "gold_doc_ids": ["d1"]}, ensure_ascii=False) + "\n", encoding="utf-8")
    env = {"YIZHI_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "app", "eval", "--corpus", str(corpus), "--qa", str(qa),
                           "--answer", "--json"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["answered_questions"] == 1 and "answer_contains" in figures
