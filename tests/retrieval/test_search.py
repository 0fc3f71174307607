"""Hybrid search on a small real knowledge base (FAISS + FTS5, or Milvus Lite: `open_kb`
runs each test once per backend): pool, diversity, threshold, merge."""
from dataclasses import replace

import pytest

from core.types import Chunk, ScoredChunk
from retrieval.fusion import diversify
from retrieval.search import HybridSearcher, merge_ranked, search_many

DOCS = {
    "great_wall.txt": ["长城是中国古代的军事防御工程，东起山海关，西至嘉峪关。",
                       "长城的修筑历经两千多年，明长城保存最为完整。"],
    "west_lake.txt": ["西湖位于浙江省杭州市，以苏堤和白堤闻名。"],
    "yellow_river.txt": ["黄河是中国第二长河，发源于青海省巴颜喀拉山脉。"],
}


def _kb(open_kb, root, embedder, name="kb"):
    kb = open_kb(root, name, create=True)
    for source, texts in DOCS.items():
        chunks = [Chunk(text=t, source=source, retrieval_text=t, position=i) for i, t in enumerate(texts)]
        kb.replace_document(source, source, chunks, embedder.embed_documents(texts), model_name=embedder.name)
    return kb


@pytest.fixture
def searcher(tmp_path, settings, fake_embedder, open_kb):
    kb = _kb(open_kb, tmp_path, fake_embedder)
    return HybridSearcher(kb, fake_embedder, settings.search_config())


def test_diversify_puts_each_documents_best_item_first():
    doc = {"a1": "a", "a2": "a", "b1": "b", "a3": "a", "c1": "c"}
    assert diversify(["a1", "a2", "b1", "a3", "c1"], doc.get) == ["a1", "b1", "c1", "a2", "a3"]
    assert diversify([], doc.get) == []


def test_search_finds_the_right_document_and_scores_relevance(searcher):
    results = searcher.search("长城西至哪里？", 3)
    assert results[0].chunk.source == "great_wall.txt"
    assert all(0.0 <= r.relevance <= 1.0 for r in results)
    assert results[0].relevance >= searcher.config.score_threshold


def test_pool_is_diversified_by_document(searcher):
    pool = searcher.candidates("长城", pool=10)
    sources = [c.chunk.source for c in pool]
    assert sources[0] == "great_wall.txt" and sources.count("great_wall.txt") == 2
    # the second great-wall chunk comes only after every other document's best chunk
    assert sources.index("great_wall.txt", 1) == len(set(sources))


def test_unrelated_question_is_refused_by_the_threshold(searcher):
    assert searcher.candidates("火星上有水吗？")  # fusion always ranks something…
    assert searcher.search("火星上有水吗？") == []  # …but nothing is relevant enough


def test_threshold_and_modes(searcher):
    loose = HybridSearcher(searcher.kb, searcher.embedder, replace(searcher.config, score_threshold=-1))
    assert len(loose.search("火星上有水吗？", 2)) == 2
    assert searcher.search("西湖在哪里", 1, mode="lexical")[0].chunk.source == "west_lake.txt"
    assert searcher.search("西湖在哪里", 1, mode="dense")[0].chunk.source == "west_lake.txt"
    with pytest.raises(ValueError, match="unknown search mode"):
        searcher.search("西湖", mode="fuzzy")
    assert searcher.search("   ") == []


def _scored(source, score):
    return ScoredChunk(chunk=Chunk(text=source, source=source, retrieval_text=source, position=0),
                       score=score, relevance=1.0)


def test_merge_ranked_keeps_each_lists_order():
    a = [_scored("a1", 0.9), _scored("a2", 0.5), _scored("a3", 0.7)]  # diversified: not sorted
    b = [_scored("b1", 0.8), _scored("b2", 0.6)]
    merged = [r.chunk.source for r in merge_ranked([a, b], 10)]
    assert merged == ["a1", "b1", "b2", "a2", "a3"]
    assert [r.chunk.source for r in merge_ranked([a, b], 2)] == ["a1", "b1"]
    assert merge_ranked([], 3) == []


def test_search_many_over_two_knowledge_bases(tmp_path, settings, fake_embedder, open_kb):
    kb1, kb2 = _kb(open_kb, tmp_path, fake_embedder, "one"), _kb(open_kb, tmp_path, fake_embedder, "two")
    results = search_many([HybridSearcher(kb, fake_embedder, settings.search_config()) for kb in (kb1, kb2)], "黄河发源于哪里", 2)
    # The same passage in both knowledge bases takes one slot (retrieval/duplicates.py); its
    # copy has the same file and page, so there is no other place to name.
    assert [r.chunk.source for r in results][:1] == ["yellow_river.txt"]
    assert [r.chunk.source for r in results].count("yellow_river.txt") == 1 and results[0].also_in == ()
