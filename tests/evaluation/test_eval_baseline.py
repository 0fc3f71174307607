"""The plain LangChain baseline: its recipe, its cache and its figures on a tiny corpus."""
import json

import numpy as np

from evaluation.baseline import CHUNK_OVERLAP, CHUNK_SIZE, LangChainEmbeddings, build_baseline_store, split_corpus
from evaluation.runs import evaluate_many


def _write_jsonl(path, rows):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")


CORPUS = [
    {"doc_id": "wall", "text": "长城是中国古代的军事防御工程，东起山海关，西至嘉峪关。" * 30},
    {"doc_id": "lake", "text": "西湖位于浙江省杭州市，以苏堤和白堤闻名。"},
    {"doc_id": "river", "text": "黄河是中国第二长河，发源于青海省巴颜喀拉山脉。"},
]


def test_recipe_is_the_default_recursive_splitter_at_500_50():
    assert (CHUNK_SIZE, CHUNK_OVERLAP) == (500, 50)
    texts, metas = split_corpus(CORPUS)
    assert all(len(t) <= 500 for t in texts)
    assert [m["doc_id"] for m in metas].count("wall") == len([t for t in texts if "长城" in t]) > 1
    assert metas[-1] == {"doc_id": "river"}


def test_embeddings_adapter_returns_plain_lists(fake_embedder):
    adapter = LangChainEmbeddings(fake_embedder)
    vectors = adapter.embed_documents(["长城", "西湖"])
    assert isinstance(vectors, list) and len(vectors) == 2 and isinstance(vectors[0][0], float)
    assert np.allclose(adapter.embed_query("长城"), vectors[0])


def test_store_is_cached_without_pickle(tmp_path, settings, fake_embedder):
    corpus = tmp_path / "corpus.jsonl"
    _write_jsonl(corpus, CORPUS)
    store, n = build_baseline_store(corpus, settings, fake_embedder, progress=False)
    cache = next((settings.data_dir / "eval" / "langchain").iterdir())
    assert sorted(p.name for p in cache.iterdir()) == ["chunks.jsonl", "vectors.npy"]
    fake_embedder.calls.clear()
    again, n2 = build_baseline_store(corpus, settings, fake_embedder, progress=False)
    assert fake_embedder.calls == [] and n2 == n
    doc, _ = again.similarity_search_with_score_by_vector(fake_embedder.embed_query("西湖在杭州"), k=1)[0]
    assert doc.metadata["doc_id"] == "lake"


def test_compare_runs_the_baseline_beside_yizhi(tmp_path, settings, fake_embedder):
    corpus, qa = tmp_path / "corpus.jsonl", tmp_path / "qa.jsonl"
    _write_jsonl(corpus, CORPUS)
    _write_jsonl(qa, [
        {"qid": "1", "question": "长城西至哪里？", "answers": ["嘉峪关"], "gold_doc_ids": ["wall"]},
        {"qid": "2", "question": "西湖在哪个城市？", "answers": ["杭州"], "gold_doc_ids": ["lake"]},
        {"qid": "3", "question": "火星上有水吗？", "answers": [], "gold_doc_ids": []},
    ])
    report = evaluate_many(corpus, [qa], settings, fake_embedder, runs=["langchain", "hybrid"], progress=False)
    base, hybrid = report["runs"]
    assert base["mode"] == "langchain" and hybrid["mode"] == "hybrid"
    assert base["answerable"] == hybrid["answerable"] == 2 and base["unanswerable"] == 1
    assert base["refusal_recall"] == 0.0  # the plain recipe has no threshold: it never refuses
    assert hybrid["hit@1"] == 1.0 and hybrid["refusal_recall"] == 1.0
    assert base["chunks"] != hybrid["chunks"]  # its own splitter, its own index


def test_cache_survives_line_separators_and_rebuilds_when_damaged(tmp_path, settings, fake_embedder):
    corpus = tmp_path / "corpus.jsonl"
    _write_jsonl(corpus, CORPUS + [{"doc_id": "sep", "text": "网页里的文字\u2028常带有行分隔符\x85和\x1c控制字符。"}])
    _, n = build_baseline_store(corpus, settings, fake_embedder, progress=False)
    fake_embedder.calls.clear()
    _, again = build_baseline_store(corpus, settings, fake_embedder, progress=False)
    assert again == n and fake_embedder.calls == []  # read back as written
    cache = next((settings.data_dir / "eval" / "langchain").iterdir())
    (cache / "chunks.jsonl").write_text('{"doc_id": "wall", "te', encoding="utf-8")  # a damaged cache
    _, rebuilt = build_baseline_store(corpus, settings, fake_embedder, progress=False)
    assert rebuilt == n and fake_embedder.calls  # re-embedded instead of failing
