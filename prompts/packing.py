"""Pack retrieved chunks into the prompt's context under a token budget.

Pure functions: the caller passes the token-counting callable (the LLM's own tokenizer
in the service, anything in tests). Chunks stay in rank order and whole; when the
budget is short the lowest-ranked ones are dropped first.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from prompts.templates import Language, Passage, render_context

CountTokens = Callable[[str], int]


@dataclass(frozen=True, slots=True)
class PackedContext:
    """The context text and how many of the ranked passages it holds (a prefix)."""

    text: str
    count: int
    tokens: int
    truncated: bool = False  # the single top passage was cut to fit


def pack_passages(passages: Sequence[Passage], count_tokens: CountTokens, budget: int,
                  language: Language = "zh") -> PackedContext:
    """The longest rank-order prefix of whole `passages` whose rendered context fits `budget`.

    The count is taken on the rendered context (headers and fences included), so the
    budget is what the model actually reads. Returns `count == 0` when even the top
    passage does not fit; `pack_or_truncate` handles that case.
    """
    if budget <= 0:
        return PackedContext("", 0, 0)
    best = PackedContext("", 0, 0)
    for n in range(1, len(passages) + 1):
        text = render_context(passages[:n], language)
        tokens = count_tokens(text)
        if tokens > budget:
            break
        best = PackedContext(text, n, tokens)
    return best


def truncate_to_budget(passage: Passage, count_tokens: CountTokens, budget: int,
                       language: Language = "zh") -> Passage | None:
    """The longest head of `passage` whose rendered form fits, or None if no head does.

    Binary search over characters (token counts grow with length).
    """
    lo, hi = 0, len(passage.text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        cut = Passage(passage.text[:mid].rstrip() + "…", passage.source, passage.page)
        if count_tokens(render_context([cut], language)) <= budget:
            lo = mid
        else:
            hi = mid - 1
    if lo == 0:
        return None
    return Passage(passage.text[:lo].rstrip() + "…", passage.source, passage.page)


def pack_or_truncate(passages: Sequence[Passage], count_tokens: CountTokens, budget: int,
                     language: Language = "zh") -> tuple[PackedContext, list[Passage]]:
    """`pack_passages`, except that a top passage longer than the whole budget is cut
    rather than dropped (answering from part of the best passage beats refusing).

    Returns the packed context and the passages it shows.
    """
    packed = pack_passages(passages, count_tokens, budget, language)
    if packed.count or not passages:
        return packed, list(passages[:packed.count])
    cut = truncate_to_budget(passages[0], count_tokens, budget, language)
    if cut is None:
        return packed, []
    text = render_context([cut], language)
    return PackedContext(text, 1, count_tokens(text), truncated=True), [cut]


__all__ = ["CountTokens", "PackedContext", "pack_or_truncate", "pack_passages", "truncate_to_budget"]
