"""One spelling for lexical matching: NFKC, Traditional → Simplified, case folding."""
import opencc
import pytest

from retrieval.embedders import embedding_text
from retrieval.lexical import lexical_rows, query_tokens, tokenize
from retrieval.normalize import normalize_for_match, normalize_script, to_simplified
from retrieval.relevance import coverage, query_terms


@pytest.mark.parametrize("written, matched", [
    ("ＡＢＣ１２３", "abc123"),                       # full-width letters and digits
    ("２０１８年", "2018年"),
    ("資料庫管理系統", "资料库管理系统"),              # Traditional characters
    ("臺灣的捷運", "台湾的捷运"),
    ("一目瞭然", "一目了然"),                          # a phrase of OpenCC's table
    ("乾燥的天氣", "干燥的天气"),
    ("乾隆皇帝", "乾隆皇帝"),                          # …and one it keeps
    ("iPhone 與 MacBook", "iphone 与 macbook"),      # case folded
    ("面積100㎡", "面积100m2"),                        # compatibility forms
    ("北京是中国的首都。", "北京是中国的首都。"),       # Simplified text as written
    ("", ""),
])
def test_normalize_for_match(written, matched):
    assert normalize_for_match(written) == matched


def test_script_normalisation_keeps_case_for_jieba():
    assert normalize_script("Ｔ恤與iPhone") == "T恤与iPhone"


def test_normalisation_is_idempotent():
    for text in ("資料庫ＡＢＣ", "乾隆年間的乾燥氣候", "Straße 街道"):
        once = normalize_for_match(text)
        assert normalize_for_match(once) == once


def test_the_table_converter_gives_opencc_output():
    reference = opencc.OpenCC("t2s")
    texts = [
        "我們在臺北的軟體公司開發資料庫，一目瞭然。他反覆思量後回覆了郵件。",
        "乾隆年間，乾燥的北方；著名的著作《紅樓夢》記載了這些事。",
        "傢俱、藉口與覆蓋：彷彿沈默的牴觸。衹是瞭解而已。",
        "English words, ５個全形數字 and 標點！？",
    ]
    # every phrase of OpenCC's table, inside other text
    from retrieval.normalize import _t2s
    convert, _ = _t2s()
    phrases = getattr(convert.__self__, "phrases", {})
    texts.append("，".join(f"前{p}後" for p in list(phrases)[:300]))
    for text in texts:
        assert to_simplified(text) == reference.convert(text)


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
