import pytest

from retrieval.fusion import reciprocal_rank_fusion


def test_item_in_both_lists_beats_items_in_one():
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["c", "d"]], k=60)
    assert [item for item, _ in fused] == ["c", "a", "b", "d"]
    assert fused[0][1] == pytest.approx(1 / 63 + 1 / 61)


def test_scores_follow_the_formula_and_weights():
    fused = dict(reciprocal_rank_fusion([["x", "y"], ["y"]], k=1, weights=[1.0, 2.0]))
    assert fused["x"] == pytest.approx(1 / 2)
    assert fused["y"] == pytest.approx(1 / 3 + 2 / 2)


def test_ties_keep_first_seen_order_and_chinese_ids_work():
    fused = reciprocal_rank_fusion([["北京", "上海"], ["上海", "北京"]], k=60)
    assert [item for item, _ in fused] == ["北京", "上海"]


def test_empty_and_invalid_inputs():
    assert reciprocal_rank_fusion([[], []]) == []
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([["a"]], k=0)
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([["a"], ["b"]], weights=[1.0])
