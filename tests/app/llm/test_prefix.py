"""The prompt's fixed head, read once per model and kept (app/llm/prefix.py)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from app.llm.config import LlmConfig
from app.llm.generator import LlamaCppGenerator
from app.llm.prefix import HeadState, HeadStates, HeadUse, states_of
from prompts.chat import render_chat
from prompts.templates import ANSWER_CUES, STOP_SEQUENCES, Passage, fixed_head, render_context, render_prompt
from prompts.types import GenerationRequest


def test_kept_heads_are_bounded_in_number_and_bytes_least_recently_used_first():
    states = HeadStates(max_heads=2, max_bytes=10)
    states.put("中文", HeadState((1, 2), b"1234"))
    states.put("english", HeadState((1, 3), b"5678"))
    assert states.get("中文") is not None  # now the most recently used
    states.put("third", HeadState((1, 4), b"90"))
    assert len(states) == 2 and states.get("english") is None and states.get("中文") is not None
    states.put("big", HeadState((1, 5), b"x" * 8))  # 2 + 8 + 4 bytes > 10: the oldest go
    assert states.get("big") is not None and states.nbytes <= 10
    states.put("huge", HeadState((1, 6), b"y" * 20))  # larger than the bound alone: kept, alone
    assert len(states) == 1 and states.get("huge") is not None


PASSAGES = {
    "大熊猫主要吃什么？": "大熊猫生活在中国西南的山区，主要吃竹子，每天要花十几个小时进食。",
    "协定什么时候生效？": "区域全面经济伙伴关系协定于2022年1月1日对首批十个国家生效。",
    "已知需要显卡吗？": "已知的所有模型都在本机 CPU 上运行，不需要显卡，普通笔记本电脑即可。",
}


def _request(question: str) -> GenerationRequest:
    context = render_context([Passage(PASSAGES[question], "guide.md", 1)], "zh")
    return GenerationRequest(render_prompt(question, context, "zh"), ANSWER_CUES["zh"], STOP_SEQUENCES["zh"])


def _answer(gen: LlamaCppGenerator, request: GenerationRequest) -> tuple[str, int]:
    """The answer and how many prompt tokens llama.cpp evaluated for it (its own counters)."""
    import llama_cpp

    llama_cpp.llama_perf_context_reset(gen.llama.ctx)
    text = "".join(gen.stream(request))
    return text, llama_cpp.llama_perf_context(gen.llama.ctx).n_p_eval


@pytest.mark.slow
def test_the_default_model_reads_the_fixed_head_once_and_answers_the_same(assembled_default_model):
    config = LlmConfig(str(assembled_default_model), n_ctx=1024, max_tokens=24)
    kept, plain = LlamaCppGenerator(config), LlamaCppGenerator(replace(config, keep_prompt_head=False))
    llama = kept.llama
    assert plain.llama is llama and not kept.chat
    first, second, third = (_request(q) for q in PASSAGES)
    head_tokens = len(llama.tokenize(fixed_head(first.prompt).encode("utf-8"), special=True))
    assert head_tokens > 40

    llama.reset()
    answers = {}
    answers[1], _ = _answer(kept, first)
    assert kept.head_use == HeadUse.READ
    answers[2], evaluated = _answer(kept, second)  # the context still holds the head
    prompt_tokens = len(llama.tokenize((second.prompt + second.answer_cue).encode("utf-8"), special=True))
    assert kept.head_use == HeadUse.IN_CONTEXT
    assert evaluated <= prompt_tokens - head_tokens + 2  # what follows the head, and the answer's first token

    chat = render_chat([{"role": "user", "content": "你好，请介绍一下你自己。"}], "zh")
    assert chat is not None and fixed_head(chat.prompt) == ""
    "".join(plain.stream(chat))  # another prompt in between: the context no longer holds the head
    answers[3], evaluated = _answer(kept, third)
    assert kept.head_use == HeadUse.RESTORED
    assert evaluated <= len(llama.tokenize((third.prompt + third.answer_cue).encode("utf-8"), special=True)) \
        - head_tokens + 2
    assert len(states_of(llama)) == 1  # one head kept for this model (Chinese)

    for n, request in zip((1, 2, 3), (first, second, third)):
        llama.reset()  # nothing reused: every token of the prompt read again
        text, evaluated = _answer(plain, request)
        assert plain.head_use == HeadUse.NONE
        assert evaluated >= len(llama.tokenize((request.prompt + request.answer_cue).encode("utf-8"), special=True))
        assert text == answers[n], (request.prompt, text, answers[n])
    assert any(text.strip() for text in answers.values())
