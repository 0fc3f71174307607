"""Metrics on hand-written rankings, and the evaluator end to end on a tiny corpus."""
import json

import pytest

from core.errors import ConfigError
from evaluation.metrics import first_hit_rank, refusal_metrics, retrieval_metrics
from evaluation.qa import load_qa
from evaluation.runs import evaluate


def test_first_hit_rank():
    gold = frozenset({"d2"})
    assert first_hit_rank(["d1", "d2", "d2"], gold) == 2
    assert first_hit_rank(["d1", "d3"], gold) is None
    assert first_hit_rank(["d1"] * 10 + ["d2"], gold) is None  # beyond depth 10


def test_retrieval_metrics_by_hand():
    m = retrieval_metrics([1, 2, None, 6])
    assert m["hit@1"] == 0.25 and m["hit@5"] == 0.5
    assert m["mrr@10"] == pytest.approx((1 + 1 / 2 + 1 / 6) / 4)
    assert retrieval_metrics([]) == {"hit@1": 0.0, "hit@5": 0.0, "mrr@10": 0.0}


def test_refusal_metrics():
    m = refusal_metrics([False, False, True, False], [True, True, False])
    assert m["false_refusal_rate"] == 0.25 and m["refusal_recall"] == pytest.approx(2 / 3)
    assert "refusal_recall" not in refusal_metrics([False], [])


def _write_jsonl(path, rows):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")


def test_bad_qa_file_gives_a_clear_error(tmp_path):
    _write_jsonl(tmp_path / "qa.jsonl", [{"question": "没有编号"}])
    with pytest.raises(ConfigError, match="qid"):
        load_qa([tmp_path / "qa.jsonl"])
    with pytest.raises(ConfigError, match="not found"):
        load_qa([tmp_path / "missing.jsonl"])


def test_evaluator_end_to_end_on_a_tiny_corpus(tmp_path, settings, fake_embedder):
    corpus = tmp_path / "corpus.jsonl"
    _write_jsonl(corpus, [
        {"doc_id": "d1", "title": "长城", "text": "长城是中国古代的军事防御工程，东起山海关，西至嘉峪关。"},
        {"doc_id": "d2", "title": "西湖", "text": "西湖位于浙江省杭州市，以苏堤和白堤闻名。"},
        {"doc_id": "d3", "title": "黄河", "text": "黄河是中国第二长河，发源于青海省巴颜喀拉山脉。"},
    ])
    qa = tmp_path / "qa.jsonl"
    _write_jsonl(qa, [
        {"qid": "1", "question": "长城是什么样的工程？", "answers": ["军事防御工程"], "gold_doc_ids": ["d1"]},
        {"qid": "2", "question": "西湖在哪个城市？", "answers": ["杭州"], "gold_doc_ids": ["d2"]},
        {"qid": "3", "question": "黄河发源于哪里？", "answers": ["青海"], "gold_doc_ids": ["d3"]},
        {"qid": "4", "question": "火星上有水吗？", "answers": [], "gold_doc_ids": []},
    ])
    metrics = evaluate(corpus, [qa], settings, fake_embedder, progress=False)
    assert metrics["hit@1"] == 1.0 and metrics["mrr@10"] == 1.0
    assert (metrics["answerable"], metrics["unanswerable"], metrics["corpus_docs"]) == (3, 1, 3)
    # the index is reused on a second run: nothing is embedded again
    fake_embedder.calls.clear()
    again = evaluate(corpus, [qa], settings, fake_embedder, mode="lexical", progress=False)
    assert fake_embedder.calls == [] and again["hit@1"] == 1.0


# --- several QA files, details, thresholds, answers -------------------------------------
from evaluation.answers import answer_metrics  # noqa: E402
from evaluation.corpus_kb import eval_root  # noqa: E402
from evaluation.metrics import (  # noqa: E402
    answer_contains,
    answer_contains_any,
    best_rouge_l,
    choose_threshold,
    refusal_at,
    rouge_l,
)
from evaluation.runs import evaluate_many  # noqa: E402


def test_threshold_logic_on_crafted_scores():
    answerable = [0.9, 0.8, 0.75, 0.7, 0.65, 0.6, 0.58, 0.57, 0.56, 0.3]  # one hard answerable question
    unanswerable = [0.1, 0.2, 0.3, 0.4, 0.5, 0.62]
    assert refusal_at(0.55, answerable, unanswerable) == (0.1, pytest.approx(5 / 6))
    t = choose_threshold(answerable, unanswerable, max_false_refusal=0.1)
    assert 0.5 < t <= 0.56  # refuses 0.5 and below, keeps every answerable but the hard one
    assert refusal_at(t, answerable, unanswerable) == (0.1, pytest.approx(5 / 6))
    strict = choose_threshold(answerable, unanswerable, max_false_refusal=0.0)
    assert strict <= 0.3 and refusal_at(strict, answerable, unanswerable)[0] == 0.0
    assert choose_threshold(answerable, unanswerable, max_false_refusal=0.1, margin=0.05) == pytest.approx(t - 0.05)
    with pytest.raises(ValueError):
        choose_threshold([], [0.1])


def test_answer_scoring_follows_the_shared_format():
    assert answer_contains("雨燕卫星在2009年探测到了它。", ["雨燕", "雨燕卫星"])
    assert not answer_contains("是雨燕。", ["雨燕", "雨燕卫星"])  # every element must appear
    assert answer_contains("It happened in the 10th century.", [["10th", "tenth"], "century"])  # list = alternatives
    assert answer_contains_any("是雨燕。", ["雨燕", "雨燕卫星"]) and not answer_contains("任何", [])
    assert rouge_l("杭州西湖", "西湖在杭州") == pytest.approx(2 * (2 / 4) * (2 / 5) / (2 / 4 + 2 / 5))
    assert best_rouge_l("嘉峪关", ["山海关", ["嘉峪关", "别的"]]) == 1.0 and rouge_l("", "x") == 0.0
    m = answer_metrics([
        {"answers": ["杭州"], "text": "在杭州。", "refused": False},
        {"answers": ["青海"], "text": "根据已知信息无法回答该问题", "refused": True},
        {"answers": [], "text": "根据已知信息无法回答该问题", "refused": True},
        {"answers": [], "text": "火星有水。", "refused": False},
    ])
    assert m["answer_contains"] == 0.5 and m["answer_false_refusal_rate"] == 0.5
    assert m["answer_refusal_rate_no_answer"] == 0.5 and m["answered_questions"] == 4


def test_several_qa_files_details_and_refusal(tmp_path, settings, fake_embedder):
    corpus = tmp_path / "corpus.jsonl"
    _write_jsonl(corpus, [
        {"doc_id": "d1", "title": "长城", "text": "长城是中国古代的军事防御工程，东起山海关，西至嘉峪关。"},
        {"doc_id": "d2", "title": "西湖", "text": "西湖位于浙江省杭州市，以苏堤和白堤闻名。"},
    ])
    answerable, unanswerable = tmp_path / "qa_a.jsonl", tmp_path / "qa_u.jsonl"
    _write_jsonl(answerable, [
        {"qid": "1", "question": "长城是什么样的工程？", "answers": ["军事防御工程"], "gold_doc_ids": ["d1"]},
        {"qid": "2", "question": "西湖位于哪里？", "answers": ["杭州"], "gold_doc_ids": ["d2"]},
    ])
    _write_jsonl(unanswerable, [
        {"qid": "u1", "question": "火星上有水吗？", "answers": [], "gold_doc_ids": []},
        {"qid": "u2", "question": "量子计算机的原理", "answers": [], "gold_doc_ids": []},
        {"qid": "1", "question": "重复的编号只算一次", "answers": [], "gold_doc_ids": []},
    ])
    details = []
    report = evaluate_many(corpus, [answerable, unanswerable], settings, fake_embedder,
                           runs=["hybrid", "lexical", "dense"], progress=False, details=details)
    assert [r["mode"] for r in report["runs"]] == ["hybrid", "lexical", "dense"]
    hybrid = report["runs"][0]
    assert (hybrid["answerable"], hybrid["unanswerable"], hybrid["questions"]) == (2, 2, 4)
    assert hybrid["refusal_recall"] == 1.0 and hybrid["false_refusal_rate"] == 0.0
    assert len(details) == 12 and {d["run"] for d in details} == {"hybrid", "lexical", "dense"}
    row = next(d for d in details if d["qid"] == "u1" and d["run"] == "hybrid")
    assert row["refused"] and row["best_relevance"] < settings.score_threshold and row["first_hit_rank"] is None
    assert (eval_root(settings) / report["kb"] / "kb.sqlite").exists()
    with pytest.raises(ConfigError, match="reranker"):
        evaluate_many(corpus, [answerable], settings, fake_embedder, runs=["hybrid+rerank"], progress=False)


def _tiny_sets(tmp_path):
    corpus, qa = tmp_path / "corpus.jsonl", tmp_path / "qa.jsonl"
    _write_jsonl(corpus, [
        {"doc_id": "d1", "title": "长城", "text": "长城是中国古代的军事防御工程，东起山海关，西至嘉峪关。"},
        {"doc_id": "d2", "title": "西湖", "text": "西湖位于浙江省杭州市，以苏堤和白堤闻名。"},
    ])
    _write_jsonl(qa, [
        {"qid": "1", "question": "长城是什么样的工程？", "answers": ["军事防御工程"], "gold_doc_ids": ["d1"]},
        {"qid": "2", "question": "火星上有水吗？", "answers": [], "gold_doc_ids": []},
    ])
    return corpus, qa


def test_answers_go_through_the_service_with_the_configured_llm(tmp_path, settings, fake_embedder):
    from evaluation.answers import evaluate_answers
    from tests.app.conftest import RecordingGenerator

    corpus, qa = _tiny_sets(tmp_path)
    report = evaluate_many(corpus, [qa], settings, fake_embedder, progress=False)
    llm = RecordingGenerator(reply="长城是中国古代的军事防御工程。[1]")
    details = []
    m = evaluate_answers(report["kb"], load_qa([qa]), settings, fake_embedder, generator=llm,
                         progress=False, details=details)
    assert m["answer_contains"] == 1.0 and m["answer_false_refusal_rate"] == 0.0
    assert m["answer_refusal_rate_no_answer"] == 1.0  # refused before the LLM…
    assert len(llm.calls) == 1  # …which was asked only the answerable question
    assert details[0]["sources"] == ["d1"] and details[1]["refused"]


def test_cli_prints_a_table_and_json(tmp_path, settings, fake_embedder, monkeypatch, capsys):
    import evaluation.cli as cli_eval
    from app.cli.app_cli import main

    corpus, qa = _tiny_sets(tmp_path)
    monkeypatch.setenv("YIZHI_DATA_DIR", str(settings.data_dir))
    monkeypatch.setattr(cli_eval, "make_embedder", lambda *a, **k: fake_embedder)
    assert main(["eval", "--corpus", str(corpus), "--qa", str(qa), "--compare"]) == 0
    out = capsys.readouterr().out
    assert "langchain" in out and "hybrid" in out and "(×" in out and "refusal_recall" in out
    details = tmp_path / "details.jsonl"
    assert main(["eval", "--corpus", str(corpus), "--qa", str(qa), "--json", "--details", str(details)]) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert {"hit@1", "hit@5", "mrr@10", "refusal_recall", "false_refusal_rate", "questions"} <= set(metrics)
    assert metrics["mode"] == "hybrid" and len(details.read_text(encoding="utf-8").splitlines()) == 2
    assert main(["eval", "--corpus", str(tmp_path / "none.jsonl"), "--qa", str(qa)]) == 2
    assert "not found" in capsys.readouterr().err


def test_answer_sample_is_spread_over_the_files():
    from evaluation.cli import spread

    assert spread(list(range(10)), 5) == [0, 2, 4, 6, 8]
    assert spread(list(range(3)), 0) == [0, 1, 2] and spread(list(range(3)), 9) == [0, 1, 2]


def test_llm_refusals_are_told_apart_from_threshold_refusals():
    m = answer_metrics([
        {"answers": [], "text": "根据已知信息无法回答该问题", "refused": True, "llm_called": False},
        {"answers": [], "text": "根据已知信息无法回答该问题", "refused": True, "llm_called": True},
        {"answers": [], "text": "编造的答案", "refused": False, "llm_called": True},
    ])
    assert m["answer_refusal_rate_no_answer"] == pytest.approx(2 / 3) and m["llm_refusal_rate_no_answer"] == 0.5


def test_refusal_at_agrees_with_the_search_threshold():
    """The threshold tuner and the searcher (and so the runs) apply one rule: retrieval.search.passing."""
    from core.types import Chunk, ScoredChunk
    from retrieval.search import passing

    def pool(*relevances):
        chunk = Chunk(text="t", source="s", retrieval_text="t", position=0)
        return [ScoredChunk(chunk=chunk, score=1.0, relevance=r) for r in relevances]

    pools = [pool(0.6, 0.2), pool(0.3), pool(0.55)]
    best = [max(c.relevance for c in p) for p in pools]
    for threshold in (0.3, 0.55, 0.6, 0.61):
        refused = [not passing(p, threshold) for p in pools]
        assert refusal_at(threshold, best, []) == (pytest.approx(sum(refused) / len(refused)), 0.0)
    assert passing(pool(0.6, 0.2), 0.5) == pool(0.6) and passing([], 0.0) == []  # nothing retrieved: refuse
