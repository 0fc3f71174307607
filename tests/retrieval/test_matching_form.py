"""Retrieval compares one spelling (core.text.fold): Traditional and Simplified, full and half width."""
import pytest

from retrieval.embedders import embedding_text
from retrieval.lexical import lexical_rows, query_tokens, tokenize
from retrieval.relevance import coverage, query_terms


def test_traditional_and_simplified_give_the_same_tokens():
    assert tokenize("臺北市的捷運系統很方便") == tokenize("台北市的捷运系统很方便")
    assert query_tokens("長城西至哪裡？") == query_tokens("长城西至哪里？")
    assert lexical_rows(["ＧＰＵ與記憶體"]) == lexical_rows(["gpu与记忆体"])


def test_coverage_across_scripts():
    passage = "长城是中国古代的军事防御工程，东起山海关，西至嘉峪关。"
    assert coverage(query_terms("長城的東邊起點是哪個關？"), passage) == pytest.approx(
        coverage(query_terms("长城的东边起点是哪个关？"), passage))
    assert coverage(query_terms("嘉峪關"), passage) == 1.0
    assert coverage(query_terms("嘉峪关"), "長城西至嘉峪關。") == 1.0


def test_embedders_are_given_simplified_text():
    assert embedding_text("臺灣的資料庫") == "台湾的资料库"
    assert embedding_text("ＡＢＣ Case") == "ＡＢＣ Case"  # width and case are the model's business


def test_the_default_embedder_sees_one_script(use_embedder):
    import numpy as np

    assert np.allclose(use_embedder.embed_query("臺灣的資料庫軟體"), use_embedder.embed_query("台湾的资料库软体"))
