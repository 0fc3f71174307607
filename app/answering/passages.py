"""The retrieved chunks as the prompt shows them and as the user is shown them."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath

from app.answering.config import AnswerContext
from app.answering.evidence.sentences import split_sentences
from app.answering.types import Citation, Evidence
from core.types import ScoredChunk
from prompts.types import Passage


def passage_of(result: ScoredChunk) -> Passage:
    """The passage as the prompt shows it: the file's name, not its full path (fewer tokens,
    and no local paths in the prompt); citations keep the full source."""
    source = result.chunk.source
    return Passage(text=result.chunk.text, source=PurePath(source).name or source, page=result.chunk.page)


def citations(results: Sequence[ScoredChunk], numbers: set[int]) -> tuple[Citation, ...]:
    """The sources a user is shown: the passages the model read and every passage the answer
    cites, numbered as in the prompt (`[n]` is the n-th result)."""
    return tuple(
        Citation(index=i, source=r.chunk.source, page=r.chunk.page, score=r.score, text=r.chunk.text,
                 relevance=r.relevance, heading=r.chunk.heading, also_in=r.also_in)
        for i, r in enumerate(results, 1) if i in numbers
    )


def prompt_passages(results: Sequence[ScoredChunk], evidence: Sequence[Evidence],
                    context: AnswerContext) -> list[Passage]:
    """Whole chunks (`passages`), or each chunk's best evidence sentence with its neighbours
    (`evidence`: a shorter prompt, and a faster first token), numbered as the results."""
    passages = [passage_of(r) for r in results]
    if context != AnswerContext.EVIDENCE or not evidence:
        return passages
    best: dict[int, Evidence] = {}
    for e in evidence:
        best.setdefault(e.passage, e)
    out = []
    for i, (result, passage) in enumerate(zip(results, passages), 1):
        if i in best:
            passage = Passage(text=around(result.chunk.text, best[i].start, best[i].end), source=passage.source,
                              page=passage.page)
        out.append(passage)
    return out


def around(text: str, start: int, end: int) -> str:
    """The sentence at text[start:end] with the sentence before and the one after it."""
    sentences = split_sentences(text)
    index = next((i for i, s in enumerate(sentences) if s.start <= start < s.end), None)
    if index is None:
        return text[start:end]
    lo, hi = max(0, index - 1), min(len(sentences), index + 2)
    return text[sentences[lo].start:sentences[hi - 1].end]


__all__ = ["around", "citations", "passage_of", "prompt_passages"]
