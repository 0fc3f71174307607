"""The answer flow: question -> retrieve -> refuse or pack -> stream -> Answer.

Kept apart from the service so it can be tested with any search callable and any
`Generator`. The service wires in its real searcher and its lazily loaded LLM.
"""
from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import PurePath

from app.llm import Generator
from app.settings import Settings
from core.answers import Answer, Citation, GenerationRequest, Turn, as_turns
from core.errors import ConfigError
from core.types import ScoredChunk
from prompts.packing import pack_or_truncate
from prompts.templates import ANSWER_CUES, REFUSALS, STOP_SEQUENCES, Language, Passage, is_refusal, render_prompt

log = logging.getLogger(__name__)

SearchFn = Callable[[str, Sequence[str]], list[ScoredChunk]]
History = Sequence[Turn | Mapping[str, str]]

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]+")
# Pronouns and demonstratives that point back to the previous turn. `其` and `该` only
# when they are not part of an ordinary word (其他, 尤其, 应该 …).
_ZH_ANAPHORA = re.compile(
    r"它|他们|她们|[这那](?:个|些|种|样|里|位|项|款|家|本|次)|"
    r"(?<![尤极与])其(?![他它实余次中])|(?<![应活])该(?![死])"
)
_EN_ANAPHORA = re.compile(r"\b(it|its|they|them|their|this|that|these|those|he|she|his|her)\b", re.I)
_ZH_TRAILING_NE = re.compile(r"呢[？?。\s]*$")
SHORT_ZH_CHARS = 5  # a Latin word (RCEP, iPhone) counts as two characters
SHORT_EN_WORDS = 4
# A small base model sometimes "answers" by copying a passage header: `[2]` and no more.
_CITATIONS_ONLY = re.compile(r"(?:\[\d+\][\s,，、]*)*")
# Tokens kept free in the context window besides the passages and the answer.
_CTX_MARGIN = 16


def detect_language(text: str) -> Language:
    """"zh" when Chinese characters outnumber Latin words, else "en"."""
    cjk = len(_CJK.findall(text))
    words = len(_LATIN_WORD.findall(text))
    return "zh" if cjk and cjk >= words else ("en" if words else "zh")


def is_follow_up(question: str) -> bool:
    """Short questions and questions with pronouns lean on the previous turn."""
    if detect_language(question) == "zh":
        size = len(_CJK.findall(question)) + 2 * len(_LATIN_WORD.findall(question))
        return (size <= SHORT_ZH_CHARS or bool(_ZH_ANAPHORA.search(question))
                or bool(_ZH_TRAILING_NE.search(question)))
    return len(_LATIN_WORD.findall(question)) <= SHORT_EN_WORDS or bool(_EN_ANAPHORA.search(question))


def retrieval_query(question: str, history: History | None = None) -> str:
    """What to search for: the question, joined to the previous one for a follow-up."""
    question = question.strip()
    turns = [t for t in as_turns(history) if t.question.strip()]
    if turns and is_follow_up(question):
        return f"{turns[-1].question.strip()} {question}"
    return question


def passage_of(result: ScoredChunk) -> Passage:
    """The passage as the prompt shows it: the file's name, not its full path (fewer tokens,
    and no local paths in the prompt); citations keep the full source."""
    source = result.chunk.source
    return Passage(text=result.chunk.text, source=PurePath(source).name or source, page=result.chunk.page)


def _citations(results: Sequence[ScoredChunk], shown: Sequence[Passage]) -> tuple[Citation, ...]:
    return tuple(
        Citation(index=i, source=r.chunk.source, page=r.chunk.page, score=r.score, text=p.text,
                 relevance=r.relevance, heading=r.chunk.heading)
        for i, (r, p) in enumerate(zip(results, shown), 1)
    )


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def answer_stream(question: str, kb_names: Sequence[str], history: History | None, *,
                  settings: Settings, search: SearchFn,
                  generator: Callable[[], Generator]) -> Iterator[str | Answer]:
    """Yield the answer's text pieces as they are generated, then the `Answer`.

    `generator` is called only when there is something to answer from, so a refusal
    never loads (or calls) the LLM.
    """
    if not question or not question.strip():
        raise ConfigError("the question is empty: type a question")
    question = question.strip()
    t0 = time.perf_counter()
    language: Language = (detect_language(question) if settings.answer_language == "auto"
                          else settings.answer_language)  # type: ignore[assignment]
    query = retrieval_query(question, history)
    results = search(query, kb_names)
    t_retrieved = time.perf_counter()
    timings: dict[str, float] = {"retrieval_ms": _ms(t_retrieved - t0)}

    if not results:
        refusal = REFUSALS[language][0]
        log.info("nothing passed the score threshold for %r: refusing without the LLM", query)
        timings["total_ms"] = _ms(time.perf_counter() - t0)
        yield refusal
        yield Answer(question, refusal, True, (), timings, language, query)
        return

    gen = generator()
    empty_prompt = render_prompt(question, "", language)
    budget = min(settings.context_token_budget,
                 settings.llm_n_ctx - settings.llm_max_tokens - gen.count_tokens(empty_prompt) - _CTX_MARGIN)
    packed, shown = pack_or_truncate([passage_of(r) for r in results], gen.count_tokens, budget, language)
    if not shown:
        raise ConfigError(f"no room for any passage in the prompt (budget {budget} tokens): raise "
                          "YIZHI_LLM_N_CTX or lower YIZHI_LLM_MAX_TOKENS")
    if packed.count < len(results):
        log.info("packed %d of %d passages into %d tokens", packed.count, len(results), packed.tokens)
    request = GenerationRequest(prompt=render_prompt(question, packed.text, language),
                                answer_cue=ANSWER_CUES[language].replace("{question}", question),
                                stop=STOP_SEQUENCES[language])
    t_prompt = time.perf_counter()
    timings["prompt_build_ms"] = _ms(t_prompt - t_retrieved)
    timings["context_tokens"] = packed.tokens
    timings["passages"] = packed.count

    pieces: list[str] = []
    t_first = None
    for piece in gen.stream(request):
        if t_first is None:
            t_first = time.perf_counter()
        pieces.append(piece)
        yield piece
    t_done = time.perf_counter()
    text = "".join(pieces).strip()
    timings["first_token_ms"] = _ms((t_first or t_done) - t0)
    timings["generation_ms"] = _ms(t_done - (t_first or t_done))
    timings["answer_tokens"] = gen.count_tokens(text)
    timings["total_ms"] = _ms(t_done - t0)

    said_nothing = _CITATIONS_ONLY.fullmatch(text) is not None  # also matches ""
    if said_nothing or is_refusal(text):
        if said_nothing:
            text = REFUSALS[language][0]
            yield ("\n" if pieces else "") + text
        # The passages the model was given stay attached: a small model refuses answerable
        # questions too, and the user can still read what was found.
        yield Answer(question, text, True, _citations(results, shown), timings, language, query)
        return
    yield Answer(question, text, False, _citations(results, shown), timings, language, query)


def answer(question: str, kb_names: Sequence[str], history: History | None, **kwargs) -> Answer:
    """`answer_stream` without the streaming: just the `Answer`."""
    result = None
    for item in answer_stream(question, kb_names, history, **kwargs):
        if isinstance(item, Answer):
            result = item
    assert result is not None
    return result


__all__ = ["History", "SearchFn", "answer", "answer_stream", "detect_language", "is_follow_up", "passage_of",
           "retrieval_query"]
