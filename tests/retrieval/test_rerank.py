"""The reranker path with a small cross-encoder that the test builds and saves locally.

No cross-encoder ships through the package index, so the test assembles one: the
tokenizer of the packaged all-MiniLM-L6-v2 and a two-layer BERT with a one-label head
(random weights, fixed seed), saved with `save_pretrained` and loaded back by folder
exactly as a user's bge-reranker-base folder would be.
"""
import numpy as np
import pytest

from core.errors import ConfigError, ModelLoadError
from core.types import Chunk
from retrieval.kb.opening import open_knowledge_base
from retrieval.rerank import CrossEncoderReranker, get_reranker, rerank_order
from retrieval.search import HybridSearcher


def build_tiny_cross_encoder(folder):
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from retrieval.embedders import minilm_folder

    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(str(minilm_folder()))
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=512, num_labels=1)
    BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def tiny_reranker_folder(tmp_path_factory):
    return build_tiny_cross_encoder(tmp_path_factory.mktemp("tiny-cross-encoder"))


def test_rerank_order_is_best_first_and_stable():
    assert rerank_order([0.1, 0.9, 0.5]) == [1, 2, 0]
    assert rerank_order([0.3, 0.3, 0.7]) == [2, 0, 1]
    assert rerank_order([]) == []


def test_bad_reranker_settings_and_missing_model_give_actionable_errors(tmp_path):
    with pytest.raises(ConfigError, match="reranker model name is empty") as empty:
        CrossEncoderReranker("  ")
    assert empty.value.setting == "reranker_model"
    with pytest.raises(ConfigError):
        CrossEncoderReranker("x", max_length=4)
    missing = CrossEncoderReranker(str(tmp_path / "no-such-model"))
    with pytest.raises(ModelLoadError, match="bge-reranker-base"):
        missing.score("问题", ["段落"])


@pytest.mark.slow
def test_cross_encoder_from_a_local_folder_scores_pairs(tiny_reranker_folder):
    reranker = CrossEncoderReranker(str(tiny_reranker_folder), max_length=64)
    scores = reranker.score("长城西至哪里？", ["长城东起山海关，西至嘉峪关。", "西湖位于杭州。", "黄河发源于青海。"])
    assert scores.shape == (3,) and scores.dtype == np.float32 and np.isfinite(scores).all()
    again = reranker.score("长城西至哪里？", ["长城东起山海关，西至嘉峪关。", "西湖位于杭州。", "黄河发源于青海。"])
    assert np.allclose(scores, again)  # deterministic
    assert reranker.score("问题", []).shape == (0,)
    assert get_reranker(str(tiny_reranker_folder), 64) is get_reranker(str(tiny_reranker_folder), 64)


@pytest.mark.slow
def test_searcher_orders_the_pool_by_the_reranker(tmp_path, settings, fake_embedder, tiny_reranker_folder):
    kb = open_knowledge_base(tmp_path, "kb", create=True)
    texts = {"a.txt": "长城东起山海关，西至嘉峪关。", "b.txt": "长城的修筑历经两千多年。",
             "c.txt": "西湖位于浙江省杭州市。", "d.txt": "黄河发源于青海省。"}
    for source, text in texts.items():
        kb.replace_document(source, source, [Chunk(text=text, source=source, retrieval_text=text, position=0)],
                            fake_embedder.embed_documents([text]), model_name=fake_embedder.name)
    reranked = settings.with_overrides({"reranker_model": str(tiny_reranker_folder), "rerank_max_length": 64,
                                           "score_threshold": -1.0})
    searcher = HybridSearcher(kb, fake_embedder, reranked.search_config())
    assert searcher.reranker is not None
    pool = searcher.candidates("长城在哪里", pool=4)
    expected = searcher.reranker.score("长城在哪里", [c.chunk.retrieval_text for c in pool])
    # the pool's order and scores are the reranker's (one chunk per document: diversity keeps it)
    assert [c.score for c in pool] == pytest.approx(sorted(expected.tolist(), reverse=True))
    plain = HybridSearcher(kb, fake_embedder, reranked.search_config(), rerank=False)
    assert plain.reranker is None and plain.candidates("长城在哪里")[0].chunk.source == "a.txt"
    kb.close()
