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
from typing import Any

from app.answer_compose import compose, is_echo
from app.llm import Generator
from app.settings import Settings
from core.answers import Answer, Citation, GenerationRequest, Passage, Turn, as_turns
from core.enums import Language
from core.errors import ConfigError
from core.script import Script, in_script, script_of
from core.types import ScoredChunk
from prompts.packing import pack_or_truncate
from prompts.templates import ANSWER_CUES, REFUSALS, STOP_SEQUENCES, render_prompt
from retrieval.embedders import Embedder
from retrieval.evidence.dense import dense_weight
from retrieval.evidence.scoring import select_evidence
from retrieval.evidence.sentences import split_sentences

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
# Tokens kept free in the context window besides the passages and the answer.
_CTX_MARGIN = 16
EVIDENCE_SENTENCES = 3


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


def _citations(results: Sequence[ScoredChunk], numbers: set[int]) -> tuple[Citation, ...]:
    """The sources a user is shown: the passages the model read and every passage the answer
    cites, numbered as in the prompt (`[n]` is the n-th result)."""
    return tuple(
        Citation(index=i, source=r.chunk.source, page=r.chunk.page, score=r.score, text=r.chunk.text,
                 relevance=r.relevance, heading=r.chunk.heading, also_in=r.also_in)
        for i, r in enumerate(results, 1) if i in numbers
    )


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _generate(gen: Generator, request: GenerationRequest, stream: bool, timings: dict[str, float],
              t0: float) -> Iterator[str]:
    """The model's draft, piece by piece; yielded as it comes only when `stream` (chat models)."""
    t_first = None
    pieces: list[str] = []
    for piece in gen.stream(request):
        if t_first is None:
            t_first = time.perf_counter()
            timings["model_first_token_ms"] = _ms(t_first - t0)
        pieces.append(piece)
        if stream:
            yield piece
    timings["generation_ms"] = _ms(time.perf_counter() - (t_first or time.perf_counter()))
    timings["answer_tokens"] = gen.count_tokens("".join(pieces).strip())
    timings["_draft"] = "".join(pieces)  # type: ignore[assignment]  (taken out by the caller)


def answer_stream(question: str, kb_names: Sequence[str], history: History | None, *,
                  settings: Settings, search: SearchFn,
                  generator: Callable[[], Generator], embedder: Embedder | None = None) -> Iterator[str | Answer]:
    """Yield the answer's text pieces, then the `Answer`.

    `generator` is called only when there is something to answer from, so a refusal
    never loads (or calls) the LLM. A chat model's draft streams as it is generated; a
    base model's short draft is checked first, so what streams is the answer itself. The
    final `Answer.text` is what to show: it differs from the streamed pieces when a chat
    model's draft was replaced by a quotation. `embedder` (the knowledge base's) adds
    sentence similarity to the best evidence of an English question (dense_weight).
    """
    if not question or not question.strip():
        raise ConfigError("the question is empty: type a question")
    question = question.strip()
    t0 = time.perf_counter()
    language: Language = (detect_language(question) if settings.answer_language == "auto"
                          else settings.answer_language)  # type: ignore[assignment]
    script = script_of(question) if language == "zh" else Script.LATIN
    refusal = REFUSALS[language][0]
    query = retrieval_query(question, history)
    results = search(query, kb_names)
    t_retrieved = time.perf_counter()
    timings: dict[str, float] = {"retrieval_ms": _ms(t_retrieved - t0)}

    if not results:
        log.info("nothing passed the score threshold for %r: refusing without the LLM", query)
        text = in_script(refusal, script)
        timings["total_ms"] = _ms(time.perf_counter() - t0)
        yield text
        yield Answer(question, text, True, (), timings, language, query)
        return

    evidence = [e for e in select_evidence(question, results, limit=EVIDENCE_SENTENCES + 1,
                                           embedder=embedder, dense_weight=dense_weight(language))
                if not is_echo(e.text, question)][:EVIDENCE_SENTENCES]  # the question itself is no evidence
    timings["evidence_ms"] = _ms(time.perf_counter() - t_retrieved)
    gen = generator()
    empty_prompt = render_prompt(question, "", language)
    budget = min(settings.context_token_budget,
                 settings.llm_n_ctx - settings.llm_max_tokens - gen.count_tokens(empty_prompt) - _CTX_MARGIN)
    passages = prompt_passages(results, evidence, settings.answer_context)
    packed, shown = pack_or_truncate(passages, gen.count_tokens, budget, language)
    if not shown:
        raise ConfigError(f"no room for any passage in the prompt (budget {budget} tokens): raise "
                          "YIZHI_LLM_N_CTX or lower YIZHI_LLM_MAX_TOKENS")
    request = GenerationRequest(prompt=render_prompt(question, packed.text, language),
                                answer_cue=ANSWER_CUES[language].replace("{question}", question),
                                stop=STOP_SEQUENCES[language])
    timings["prompt_build_ms"] = _ms(time.perf_counter() - t_retrieved)
    timings["context_tokens"] = packed.tokens
    timings["passages"] = packed.count

    streaming = bool(getattr(gen, "chat", False))
    streamed = []
    for piece in _generate(gen, request, streaming, timings, t0):
        if not streamed:
            timings["first_token_ms"] = _ms(time.perf_counter() - t0)
        streamed.append(piece)
        yield piece
    draft = str(timings.pop("_draft", ""))
    composed = compose(question, draft, evidence, [r.chunk.text for r in results], language=language,
                       script=script, refusal=refusal, relevances=[r.relevance for r in results])
    cited = {s.passage for s in composed.sentences if s.passage is not None}
    citations = _citations(results, set(range(1, len(shown) + 1)) | cited)
    if not streamed:
        timings["first_token_ms"] = _ms(time.perf_counter() - t0)
        yield composed.text
    elif composed.text != draft.strip():
        yield "\n\n" + composed.text
    timings["total_ms"] = _ms(time.perf_counter() - t0)
    # A refusal keeps the passages the model was given: the user can still read what was found.
    yield Answer(question, composed.text, composed.refused, citations, timings, language, query,
                 evidence=tuple(evidence), sentences=composed.sentences, quoted=composed.quoted)


def prompt_passages(results: Sequence[ScoredChunk], evidence: Sequence, mode: str) -> list[Passage]:
    """Whole chunks (`passages`), or each chunk's best evidence sentence with its neighbours
    (`evidence`: a shorter prompt, and a faster first token), numbered as the results."""
    passages = [passage_of(r) for r in results]
    if mode != "evidence" or not evidence:
        return passages
    best: dict[int, Any] = {}
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
