"""Metrics on hand-written rankings, and the evaluator end to end on a tiny corpus."""
import json

import pytest

from app.evaluation import evaluate, first_hit_rank, load_qa, refusal_metrics, retrieval_metrics
from app.errors import ConfigError


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
        {"qid": "1", "question": "长城西至哪里？", "answers": ["嘉峪关"], "gold_doc_ids": ["d1"]},
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
