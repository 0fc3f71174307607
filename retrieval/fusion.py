"""Reciprocal rank fusion and document diversity: pure functions over ranked id lists."""
from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[Hashable]],
    *,
    k: int = 60,
    weights: Sequence[float] | None = None,
) -> list[tuple[Hashable, float]]:
    """Fuse ranked lists: score(d) = sum_i w_i / (k + rank_i(d)), ranks from 1.

    Ties keep the order in which ids were first seen (earlier lists, higher ranks first),
    so the result is deterministic. Returns (id, score), best first.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    if weights is None:
        weights = [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError(f"{len(rankings)} rankings but {len(weights)} weights")
    scores: dict[Hashable, float] = {}
    for ranking, weight in zip(rankings, weights):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    order = {item: i for i, item in enumerate(scores)}
    return sorted(scores.items(), key=lambda pair: (-pair[1], order[pair[0]]))


def diversify(items: Sequence[Hashable], group_of: Callable[[Hashable], Hashable]) -> list[Hashable]:
    """Each group's first item in order, then every other item in order.

    With groups = documents, the top of a ranking shows the best chunk of as many
    documents as possible before a second chunk of any of them (stable otherwise).
    """
    firsts: list[Hashable] = []
    rest: list[Hashable] = []
    seen: set[Hashable] = set()
    for item in items:
        group = group_of(item)
        (rest if group in seen else firsts).append(item)
        seen.add(group)
    return firsts + rest
