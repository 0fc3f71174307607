"""First-token time with the prompt's fixed head read once (app/llm/prefix.py) against
reading the whole prompt, on ten real questions, per model.

    python -m bench.prefix_bench [--models gemma3-270m smollm2-135m /path/to/other.gguf] [-n 10] [--rounds 2]

The sample guide (data/docs) is indexed into a knowledge base in a temporary data folder;
each question is asked through the service with each model's tokenizer, and the very prompt
the service built is kept (retrieval and packing as the app does them). Then, per model
and question, three arms run one after the other (the order of the first two alternating;
every question `--rounds` times), generating one token (so the time is reading the prompt plus the first token):

  read whole   the context emptied, the head not kept: every prompt token is read (baseline)
  kept state   the context emptied (as after any other prompt), the head's kept state put back
  in context   right after another question: llama-cpp-python's own prefix match reuses the head

"tokens read" are llama.cpp's own counters (`llama_perf_context`: prompt tokens evaluated),
which the machine's load does not change; milliseconds do, so the ratio is the median of
the per-question ratios to "read whole" (× ms, × tokens), each pair measured back to back. The last lines compute (not
measure) what a 1.5B model's first token costs on this machine with the prompt lengths
Yizhi sends, from the prompt-reading rate measured here per non-embedding parameter.
"""
from __future__ import annotations

import argparse
import logging
import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from app.answering.types import Answer
from app.llm.generator import DEFAULT_LLM, LlamaCppGenerator
from app.llm.prefix import HeadUse
from app.services import build_services
from app.settings import load_settings
from prompts.templates import fixed_head
from prompts.types import GenerationRequest

DOCS = Path(__file__).resolve().parents[1] / "data" / "docs"
# Real questions a user asks of the guide; those answered without the model (a value found in
# the passages, a refusal) are skipped, the first `-n` that reach the model are measured.
QUESTIONS = (
    "已知支持哪些文件格式？", "怎么新建知识库？", "扫描版 PDF 能用吗？", "数据保存在哪里？", "已知需要显卡吗？",
    "怎么删除知识库？", "相关度阈值有什么作用？", "默认的大语言模型是什么？", "追问时可以怎么问？",
    "上传同名文件会怎样？", "How do I create a knowledge base?", "Does Yizhi need a GPU?",
    "What happens when nothing relevant is found?", "How do I switch to a better model?",
    "重新索引有什么用？", "温度设为 0 有什么效果？",
)
ARMS = ("read whole", "kept state", "in context")
# Qwen2.5-1.5B-Instruct's published size (its model card): 1.54B parameters, 1.31B without embeddings.
QWEN_1_5B_NON_EMBEDDING = 1.31e9


class Capturing:
    """A `Generator` that delegates counting to a real one and keeps the requests it is
    given without generating (the bench needs the prompts, not the answers)."""

    def __init__(self, inner: LlamaCppGenerator) -> None:
        self.inner, self.name, self.requests = inner, inner.name, []

    @property
    def chat(self) -> bool:
        return self.inner.chat

    @property
    def context_window(self) -> int:
        return self.inner.context_window

    @property
    def max_tokens(self) -> int:
        return self.inner.max_tokens

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        self.requests.append(request)
        return iter(())


@dataclass
class Figures:
    """Per arm, per question index: first-token milliseconds, prompt tokens read, what was
    done with the head."""

    ms: dict[str, dict[int, float]] = field(default_factory=lambda: {arm: {} for arm in ARMS})
    read: dict[str, dict[int, int]] = field(default_factory=lambda: {arm: {} for arm in ARMS})
    uses: dict[str, set[str]] = field(default_factory=lambda: {arm: set() for arm in ARMS})

    def add(self, arm: str, index: int, ms: float, read: int, use: HeadUse) -> None:
        self.ms[arm][index], self.read[arm][index] = ms, read
        self.uses[arm].add(use.value)


def first_token(gen: LlamaCppGenerator, request: GenerationRequest, empty: bool) -> tuple[float, int, HeadUse]:
    """Milliseconds to read `request` and generate one token, and prompt tokens evaluated."""
    import llama_cpp

    llama = gen.llama
    if empty:
        llama.reset()
    llama_cpp.llama_perf_context_reset(llama.ctx)
    t0 = time.perf_counter()
    for _ in gen.stream(request):
        pass
    ms = 1000 * (time.perf_counter() - t0)
    return ms, llama_cpp.llama_perf_context(llama.ctx).n_p_eval, gen.head_use


def prompts_for(service, capture: Capturing, n: int) -> list[GenerationRequest]:
    capture.requests.clear()
    for question in QUESTIONS:
        before = len(capture.requests)
        for item in service.ask_stream(question, ["guide"]):
            if isinstance(item, Answer):
                break
        if len(capture.requests) > before and len(capture.requests) >= n:
            break
    return capture.requests[:n]


def measure(kept: LlamaCppGenerator, requests: list[GenerationRequest], rounds: int) -> Figures:
    plain = LlamaCppGenerator(replace(kept.config, keep_prompt_head=False))
    figures = Figures()
    for request in {fixed_head(r.prompt): r for r in requests}.values():
        first_token(kept, request, True)  # read each head once (as the app's first question does)
    n = len(requests)
    for k in range(rounds * n):
        i, request = k % n, requests[k % n]
        order = ((plain, ARMS[0]), (kept, ARMS[1])) if k % 2 == 0 else ((kept, ARMS[1]), (plain, ARMS[0]))
        for gen, arm in order:
            figures.add(arm, k, *first_token(gen, request, True))
        # The context now holds this question's prompt; the next question of the same language follows.
        j = (i + 1) % n
        if j != i and fixed_head(requests[j].prompt) == fixed_head(request.prompt):
            figures.add(ARMS[2], k - i + j, *first_token(kept, requests[j], False))  # paired with q j, this round
    return figures


def non_embedding_params(gen: LlamaCppGenerator) -> float:
    import llama_cpp

    llama = gen.llama
    return float(llama_cpp.llama_model_n_params(llama.model) - llama.n_vocab() * llama.n_embd())


def report(gen: LlamaCppGenerator, figures: Figures) -> tuple[float, float, float]:
    """Print the model's figures; return its prompt-reading rate in tokens/s times its
    non-embedding parameters, and the median prompt tokens read whole and with the head kept."""
    base, whole = figures.ms[ARMS[0]], figures.read[ARMS[0]]
    print(f"\n{gen.name}: {'chat template' if gen.chat else 'completion'}, {gen.n_threads} threads, "
          f"{len(base)} measurements per arm")
    print(f"  {'arm':<12} {'first token ms':>15} {'× ms':>6} {'tokens read':>12} {'× tokens':>9}  head")
    for arm in ARMS:
        ms, read = figures.ms[arm], figures.read[arm]
        if not ms:
            continue
        ratio = statistics.median(base[i] / ms[i] for i in ms)
        fewer = statistics.median(whole[i] / read[i] for i in read)
        print(f"  {arm:<12} {statistics.median(ms.values()):15.0f} {ratio:6.2f} {statistics.median(read.values()):12.0f} "
              f"{fewer:9.2f}  {', '.join(sorted(figures.uses[arm]))}")
    rate = statistics.median(whole[i] / (base[i] / 1000) for i in base)
    print(f"  whole prompts read at {rate:.0f} tokens/s (median of the per-question rates, first token included)")
    return (rate * non_embedding_params(gen), statistics.median(whole.values()),
            statistics.median(figures.read[ARMS[1]].values()))


def extrapolate(rates: dict[str, float], whole: float, rest: float) -> None:
    print(f"\n1.5B model on this machine, computed (no 1.5B GGUF is here): Qwen2.5-1.5B has "
          f"{QWEN_1_5B_NON_EMBEDDING / 1e9:.2f}B non-embedding parameters; the prompts Yizhi sent the first "
          f"model above: {whole:.0f} tokens read whole, {rest:.0f} with the head kept (medians)")
    for name, per_param in rates.items():
        rate = per_param / QWEN_1_5B_NON_EMBEDDING
        print(f"  scaled from {name}: {rate:.1f} prompt tokens/s → first token ≈ {whole / rate:.1f} s "
              f"reading the whole prompt, ≈ {rest / rate:.1f} s with the head kept")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", nargs="+", default=[DEFAULT_LLM, "smollm2-135m"],
                    help="built-in names or GGUF paths (add the largest GGUF you have)")
    ap.add_argument("-n", type=int, default=10, help="questions that reach the model")
    ap.add_argument("--rounds", type=int, default=2, help="times every question is measured in every arm")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    load = os.getloadavg()[0]
    base = load_settings()
    rates: dict[str, float] = {}
    tokens: tuple[float, float] = (0.0, 0.0)
    with tempfile.TemporaryDirectory() as tmp:
        settings = base.with_overrides({"data_dir": Path(tmp) / "data"})
        first = LlamaCppGenerator(replace(base.llm_config(), model=args.models[0], max_tokens=1))
        capture = Capturing(first)
        services = build_services(settings, generator=capture)
        try:
            services.knowledge.ingest("guide", sorted(DOCS.iterdir()))
            for model in args.models:
                gen = LlamaCppGenerator(replace(base.llm_config(), model=model, max_tokens=1))
                capture.inner = gen
                requests = prompts_for(services.answers, capture, args.n)
                rates[gen.name], whole, rest = report(gen, measure(gen, requests, args.rounds))
                if model == args.models[0]:
                    tokens = (whole, rest)
        finally:
            services.close()
    extrapolate(rates, *tokens)
    print(f"\nload average (1 min): {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end; "
          f"{os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
