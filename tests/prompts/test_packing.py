"""Packing retrieved passages under a token budget (a pure function)."""
from __future__ import annotations

from prompts.packing import pack_or_truncate, pack_passages, truncate_to_budget
from prompts.templates import Passage, render_context


def char_tokens(text: str) -> int:
    """One token per non-space character: roughly how CJK text tokenizes."""
    return sum(1 for ch in text if not ch.isspace())


PASSAGES = [
    Passage("区域全面经济伙伴关系协定由东盟十国发起，邀请中国、日本、韩国、澳大利亚、新西兰共同参加。" * 2, "rcep.txt", 1),
    Passage("协定于二〇二二年一月一日对文莱、柬埔寨、老挝、新加坡、泰国、越南、中国、日本、新西兰和澳大利亚生效。", "rcep.txt", 2),
    Passage("韩国于同年二月一日加入生效行列，马来西亚于三月十八日生效。", "news.md"),
    Passage("这是一段排名最低的资料，讲的是天气。", "weather.txt"),
]


def test_everything_fits_in_a_large_budget():
    packed = pack_passages(PASSAGES, char_tokens, 10_000)
    assert packed.count == 4
    assert packed.text == render_context(PASSAGES)
    assert packed.tokens == char_tokens(packed.text)


def test_lowest_ranked_dropped_first_and_budget_respected():
    full = [char_tokens(render_context(PASSAGES[:n])) for n in range(1, 5)]
    for n in range(1, 4):
        budget = full[n - 1] + (full[n] - full[n - 1]) // 2  # room for n passages and a half
        packed = pack_passages(PASSAGES, char_tokens, budget)
        assert packed.count == n
        assert packed.tokens <= budget
        assert packed.text == render_context(PASSAGES[:n])  # rank order, whole passages
        for p in PASSAGES[:n]:
            assert p.text in packed.text
        assert "天气" not in packed.text


def test_exact_budget_is_inclusive():
    budget = char_tokens(render_context(PASSAGES[:2]))
    assert pack_passages(PASSAGES, char_tokens, budget).count == 2
    assert pack_passages(PASSAGES, char_tokens, budget - 1).count == 1


def test_a_later_short_passage_does_not_jump_the_queue():
    # Passage 2 does not fit; the shorter passage 3 would, but ranks are kept.
    budget = char_tokens(render_context(PASSAGES[:1])) + 20
    packed = pack_passages(PASSAGES, char_tokens, budget)
    assert packed.count == 1


def test_nothing_fits_and_empty_inputs():
    assert pack_passages(PASSAGES, char_tokens, 5).count == 0
    assert pack_passages([], char_tokens, 100).text == ""
    assert pack_passages(PASSAGES, char_tokens, 0).count == 0


def test_an_oversized_top_passage_is_cut_not_dropped():
    budget = 80
    packed, shown = pack_or_truncate(PASSAGES, char_tokens, budget)
    assert packed.truncated and packed.count == 1 and len(shown) == 1
    assert packed.tokens <= budget
    assert shown[0].text.endswith("…")
    assert PASSAGES[0].text.startswith(shown[0].text[:-1])
    # the cut is as long as the budget allows
    longer = Passage(PASSAGES[0].text[:len(shown[0].text)] + "…", "rcep.txt", 1)
    assert char_tokens(render_context([longer])) > budget


def test_truncate_gives_up_when_even_the_header_does_not_fit():
    assert truncate_to_budget(PASSAGES[0], char_tokens, 3) is None
    packed, shown = pack_or_truncate(PASSAGES, char_tokens, 3)
    assert packed.count == 0 and shown == []


def test_pack_or_truncate_keeps_whole_passages_when_they_fit():
    packed, shown = pack_or_truncate(PASSAGES, char_tokens, 10_000)
    assert not packed.truncated and shown == PASSAGES
