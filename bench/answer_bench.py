"""Answer speed: time to first token and generation tokens/s with the default model, and
the service's overhead over sending the same prompt straight to llama-cpp-python.

A knowledge base of ~300-character Chinese passages (windows of CMRC 2018 documents) is
built in a temporary data dir; each question retrieves its top 3. For every question, in
alternating order, the service answers (`ask_stream`, retrieval included) and the very
prompt it built is sent to `llama_cpp.Llama.create_completion` directly; the KV cache is
reset before each run so neither side reuses the other's prompt.

    .venv/bin/python -m bench.answer_bench -n 12
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import tempfile
import time
from pathlib import Path

from app.answering.types import Answer
from app.llm.generator import LlamaCppGenerator
from app.services import AnswerService, build_services
from app.settings import load_settings
from prompts.types import GenerationRequest

DATA = Path(__file__).resolve().parents[2] / "shared" / "evaldata" / "cmrc2018"
WINDOW = 290  # characters per passage file: one chunk each at the default chunk size


class Capturing:
    """Delegates to the real generator and keeps the last request it was given."""

    def __init__(self, inner: LlamaCppGenerator) -> None:
        self.inner, self.name, self.last = inner, inner.name, None

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def stream(self, request: GenerationRequest):
        self.last = request
        return self.inner.stream(request)


def build_docs(folder: Path, n: int) -> list[tuple[str, list[str]]]:
    """Write one ~300-character passage per question (around its gold answer)."""
    corpus = {}
    for line in open(DATA / "corpus.jsonl", encoding="utf-8"):
        row = json.loads(line)
        corpus[row["doc_id"]] = row["text"]
    questions = []
    for line in open(DATA / "qa_sample300.jsonl", encoding="utf-8"):
        qa = json.loads(line)
        doc = corpus.get(qa["gold_doc_ids"][0]) if qa["gold_doc_ids"] else None
        if not doc or qa["gold_doc_ids"][0] in {q[0] for q in questions}:
            continue
        at = doc.find(qa["answers"][0])
        if at < 0 or len(doc) < WINDOW:
            continue
        start = max(0, min(at - WINDOW // 3, len(doc) - WINDOW))
        (folder / f"{qa['gold_doc_ids'][0]}.txt").write_text(doc[start:start + WINDOW], encoding="utf-8")
        questions.append((qa["gold_doc_ids"][0], qa["question"], qa["answers"]))
        if len(questions) >= max(n, 6):
            break
    return [(q, a) for _, q, a in questions[:n]]


def direct(llama, gen: LlamaCppGenerator, request: GenerationRequest, max_tokens: int, stop) -> tuple[float, int, float]:
    """TTFT (s), tokens, generation seconds for the prompt sent straight to llama-cpp-python."""
    llama.reset()
    t0 = time.perf_counter()
    first, n = None, 0
    params = dict(max_tokens=max_tokens, stop=stop, temperature=gen.temperature, seed=gen.seed,
                  repeat_penalty=gen.repeat_penalty, stream=True)
    if gen.chat:  # instruction-tuned model: the chat template, as the service does
        chunks = llama.create_chat_completion(messages=[{"role": "user", "content": request.prompt}], **params)
    else:
        chunks = llama.create_completion(request.prompt + request.answer_cue, **params)
    for _ in chunks:
        first = first or time.perf_counter()
        n += 1
    end = time.perf_counter()
    return (first or end) - t0, n, end - (first or end)


def via_service(service: AnswerService, llama, question: str) -> tuple[float, Answer]:
    llama.reset()
    t0 = time.perf_counter()
    first, answer = None, None
    for item in service.ask_stream(question, ["bench"]):
        if isinstance(item, Answer):
            answer = item
        elif first is None:
            first = time.perf_counter()
    return (first or time.perf_counter()) - t0, answer


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=12, help="questions")
    ap.add_argument("--budget", type=int, default=800,
                    help="context token budget (800 holds the top 3 ~300-character passages; "
                         "0 = the setting's default)")
    ap.add_argument("--gen-tokens", type=int, default=64, help="tokens generated for the tokens/s figure")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    load_before = round(os.getloadavg()[0], 2)

    with tempfile.TemporaryDirectory() as tmp:
        base = load_settings()
        # no threshold: every question gets its top 3 passages, relevant or not
        update = {"data_dir": Path(tmp) / "data", "top_k": 3, "score_threshold": -1.0}
        if args.budget:
            update["context_token_budget"] = args.budget
        settings = base.with_overrides(update)
        # reuse the assembled default model rather than assembling it again
        gen = LlamaCppGenerator(base.llm_config())
        llama = gen.llama
        capture = Capturing(gen)
        services = build_services(settings, generator=capture)
        service = services.answers
        docs = Path(tmp) / "docs"
        docs.mkdir()
        questions = build_docs(docs, args.n)
        services.knowledge.ingest("bench", sorted(docs.iterdir()))
        via_service(service, llama, questions[0][0])  # warm up: embedder, model, caches

        rows = []
        for i, (question, _golds) in enumerate(questions):
            order = ("service", "direct") if i % 2 == 0 else ("direct", "service")
            row = {"question": question}
            for arm in order:
                if arm == "service":
                    row["service_ttft"], answer = via_service(service, llama, question)
                    row["retrieval_ms"] = answer.timings["retrieval_ms"]
                    row["prompt_build_ms"] = answer.timings.get("prompt_build_ms", 0.0)
                    row["passages"] = answer.timings.get("passages", 0)
                    row["prompt_tokens"] = len(llama.tokenize((capture.last.prompt + capture.last.answer_cue).encode()))
                    row["answer"] = answer.text
                else:
                    request = capture.last if "service_ttft" in row else None
                    if request is None:  # direct goes first: build the prompt the service would
                        via_service(service, llama, question)
                        request = capture.last
                    row["direct_ttft"], _, _ = direct(llama, gen, request, 1, None)
            rows.append(row)
        _, n_tok, gen_s = direct(llama, gen, capture.last, args.gen_tokens, None)

    s_ttft = statistics.median(r["service_ttft"] for r in rows)
    d_ttft = statistics.median(r["direct_ttft"] for r in rows)
    report = {
        "load_average_1min": [load_before, round(os.getloadavg()[0], 2)],
        "model": gen.name, "threads": gen.n_threads, "questions": len(rows), "top_k": 3,
        "context_token_budget": settings.context_token_budget,
        "passages_median": statistics.median(r["passages"] for r in rows),
        "prompt_tokens_median": statistics.median(r["prompt_tokens"] for r in rows),
        "ttft_service_ms_median": round(1000 * s_ttft, 1), "ttft_direct_ms_median": round(1000 * d_ttft, 1),
        "service_overhead": round(s_ttft / d_ttft - 1, 4),
        "service_overhead_paired_median": round(statistics.median(
            r["service_ttft"] / r["direct_ttft"] - 1 for r in rows), 4),
        "overhead_without_retrieval_paired_median": round(statistics.median(
            (r["service_ttft"] - r["retrieval_ms"] / 1000) / r["direct_ttft"] - 1 for r in rows), 4),
        "retrieval_ms_median": statistics.median(r["retrieval_ms"] for r in rows),
        "prompt_build_ms_median": round(statistics.median(r["prompt_build_ms"] for r in rows), 2),
        "prompt_tokens_per_s": round(statistics.median(r["prompt_tokens"] / r["direct_ttft"] for r in rows), 1),
        "generation_tokens_per_s": round((n_tok - 1) / gen_s, 1) if gen_s else None,
        "samples": [{k: (round(v, 3) if isinstance(v, float) else v) for k, v in r.items()} for r in rows],
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
