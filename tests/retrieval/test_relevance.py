"""The calibrated relevance score on hand-written questions, passages and similarities."""
import numpy as np
import pytest

from retrieval.relevance import (
    CALIBRATION_PAIRS,
    Closeness,
    closeness_for,
    closeness_from_similarities,
    combine,
    coverage,
    english_stem,
    query_terms,
    relevance_scores,
    term_weight,
)


def _texts(question):
    return [t.text for t in query_terms(question)]


def test_question_words_and_particles_carry_no_weight():
    assert _texts("陈荣捷卒于哪一年？") == ["陈荣捷", "卒"]
    assert "什么" not in _texts("大熊猫主要吃什么？") and "吗" not in _texts("火星上有水吗")
    assert _texts("What do koalas eat?") == ["koala", "eat"]


def test_weights_come_from_a_fixed_general_language_table():
    # a function word weighs little, an ordinary word more, an unknown name the table's median
    assert term_weight("的") < term_weight("城市") < term_weight("嘉峪关")
    assert term_weight("Zyxwvut名字") == pytest.approx(term_weight("qwertyuiop"))


def test_english_light_stem():
    assert english_stem("located") == "locat" and english_stem("classes") == "class"
    assert english_stem("Norman's") == "norman" and english_stem("is") == "is"
    # a final e or y goes, so the question's word finds its inflected forms in the passage
    assert english_stem("country") == english_stem("countries") == "countr"
    assert english_stem("locate") == "locat" and english_stem("marry") == "marr"
    assert english_stem("flee") == "flee" and english_stem("army") == "army" and english_stem("type") == "type"


def test_coverage_is_the_weighted_share_of_content_words_found():
    terms = query_terms("长城西至哪里？")
    assert coverage(terms, "长城东起山海关，西至嘉峪关。") == pytest.approx(1.0)
    assert coverage(terms, "黄河发源于青海省。") == 0.0
    partial = coverage(query_terms("嘉峪关在哪个省份"), "嘉峪关是明长城的西端起点。")
    assert 0.5 < partial < 1.0  # the rare name is found, the ordinary word 省份 is not


def test_unknown_segmentation_gets_partial_credit_by_character_pairs():
    terms = query_terms("潘淑是怎么死的？")  # jieba keeps 潘淑是 as one unknown word
    assert [t.text for t in terms][0] == "潘淑是"
    assert 0.0 < coverage(terms, "潘淑，会稽句章人，孙权的皇后。") < 1.0


def test_english_words_match_by_stem():
    terms = query_terms("Where is Normandy located?")
    assert coverage(terms, "Normandy is a region whose location is in northern France.") == pytest.approx(1.0)
    assert coverage(terms, "Koalas feed on eucalyptus leaves.") == 0.0


def test_no_content_words_means_no_coverage():
    assert coverage(query_terms("什么？"), "任何文字") == 0.0


def test_closeness_maps_the_model_scale_to_0_1():
    scale = Closeness(unrelated=0.1, answering=0.5)
    assert scale(0.1) == 0.0 and scale(0.5) == 1.0 and scale(0.3) == pytest.approx(0.5)
    assert scale(-0.4) == 0.0 and scale(0.9) == 1.0
    assert Closeness(0.5, 0.5)(0.6) == 1.0 and Closeness(0.5, 0.5)(0.4) == 0.0


def test_closeness_from_a_crafted_similarity_matrix():
    sims = np.array([[0.8, 0.2, 0.0], [0.1, 0.6, 0.3], [0.2, 0.2, 0.7]])
    scale = closeness_from_similarities(sims)
    assert scale.answering == pytest.approx(0.7) and scale.unrelated == pytest.approx(1.0 / 6)
    with pytest.raises(ValueError):
        closeness_from_similarities(np.ones((2, 3)))


def test_closeness_for_measures_each_model_once(fake_embedder):
    fake_embedder.name = "fake-for-closeness"
    first = closeness_for(fake_embedder)
    calls = len(fake_embedder.calls)
    assert closeness_for(fake_embedder) is first and len(fake_embedder.calls) == calls
    assert calls == 1 and len(fake_embedder.calls[0]) == len(CALIBRATION_PAIRS)
    assert first.answering > first.unrelated  # answering pairs share characters


def test_combine_and_what_the_default_threshold_means():
    assert combine(1.0, 0.0, 0.4) == pytest.approx(0.6)  # every word, no similarity: passes 0.55
    assert combine(0.25, 1.0, 0.4) == pytest.approx(0.55)  # a quarter of the words, typical similarity
    assert combine(0.5, 0.0, 0.4) < 0.55  # half the words and nothing else: refused
    with pytest.raises(ValueError):
        combine(0.5, 0.5, 1.5)


def test_relevance_of_a_passage_does_not_depend_on_the_other_passages():
    scale = Closeness(0.0, 0.5)
    passage = "西湖位于浙江省杭州市。"
    alone = relevance_scores("西湖在哪个城市？", [passage], [0.3], scale, 0.4)
    among_many = relevance_scores("西湖在哪个城市？", [passage] + ["无关的文字"] * 50, [0.3] + [0.0] * 50, scale, 0.4)
    assert alone[0] == among_many[0]
    with pytest.raises(ValueError):
        relevance_scores("问题", ["a", "b"], [0.1], scale, 0.4)


def test_english_questions_on_english_passages_are_on_the_chinese_scale():
    from retrieval.relevance import ENGLISH_SCALE

    scale = Closeness(0.0, 0.5)
    english = "The Normans were descended from Norse raiders who settled in Normandy."
    chinese = "诺曼人是定居在诺曼底的北欧人后裔，Normandy 位于法国北部。"
    question = "Where did the Norse raiders settle?"
    plain = combine(coverage(query_terms(question), english), scale(0.2), 0.4)
    assert relevance_scores(question, [english], [0.2], scale, 0.4)[0] == pytest.approx(min(1.0, plain / ENGLISH_SCALE))
    # a Chinese passage, or a Chinese question, keeps its relevance as it is
    on_chinese = combine(coverage(query_terms(question), chinese), scale(0.2), 0.4)
    assert relevance_scores(question, [chinese], [0.2], scale, 0.4)[0] == pytest.approx(on_chinese)
    zh_question = "诺曼人定居在哪里？"
    assert relevance_scores(zh_question, [english], [0.2], scale, 0.4)[0] == pytest.approx(
        combine(coverage(query_terms(zh_question), english), scale(0.2), 0.4))


def test_a_noun_after_a_demonstrative_counts_for_little():
    """"这个应用能做什么？" asks about the thing the documents describe, which they call by its
    name ("已知能做什么"): "应用" must not decide the refusal."""
    from retrieval.relevance import DEICTIC_WEIGHT, query_terms, term_weight

    weights = {t.text: t.weight for t in query_terms("这个应用能做什么？")}
    assert "这个" not in weights and weights["应用"] == pytest.approx(term_weight("应用") * DEICTIC_WEIGHT)
    assert {t.text: t.weight for t in query_terms("应用能做什么？")}["应用"] == pytest.approx(term_weight("应用"))
