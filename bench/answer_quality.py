"""Answer quality and latency of candidate LLMs on CMRC 2018, through the real answer flow.

For the first N answerable questions whose gold document the real hybrid searcher
retrieves (top_k, no threshold), run `app.answering.flow.answer_stream` with each model and
record whether the answer contains a gold answer span, refusals, time to first token
and total time. Every model sees the same retrieved chunks, packed under the same token
budget with its own tokenizer.

    .venv/bin/python -m bench.answer_quality -n 60 --models gemma3-270m smollm2-135m
"""
from __future__ import annotations

import argparse
import json
import logging
import re
import statistics
import time
from dataclasses import replace
from pathlib import Path

from app.answering.flow import answer_stream
from app.answering.types import Answer
from app.llm.generator import LlamaCppGenerator
from app.settings import Settings, load_settings
from core.types import ScoredChunk
from evaluation.corpus_kb import build_eval_kb
from evaluation.qa import load_qa
from retrieval.embedders import Embedder, make_embedder
from retrieval.kb.protocols import KnowledgeBase
from retrieval.search import HybridSearcher

DATA = Path(__file__).resolve().parents[2] / "shared" / "evaldata" / "cmrc2018"


def norm(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def contains_gold(answer: str, golds: list[str]) -> bool:
    a = norm(answer)
    return any(norm(g) and norm(g) in a for g in golds)


class GivenResults:
    """The flow's `Retriever` for one question whose results were searched already."""

    def __init__(self, results: list[ScoredChunk], embedder: Embedder, kb: KnowledgeBase) -> None:
        self.results, self.embedder, self.kb = results, embedder, kb

    def search(self, query: str) -> list[ScoredChunk]:
        return self.results

    def document_text(self, source: str) -> str:
        return self.kb.document_text(source)


def select_questions(settings: Settings, corpus: Path, qa: Path, n: int, embedder: Embedder):
    kb = build_eval_kb(corpus, settings, embedder)
    searcher = HybridSearcher(kb, embedder, replace(settings.search_config(), score_threshold=-1.0))
    chosen, seen = [], 0
    for item in load_qa([qa]):
        if not item.answerable:
            continue
        seen += 1
        results = searcher.search(item.question, settings.top_k)
        if any(r.chunk.source in item.gold_doc_ids for r in results):
            chosen.append((item, results))
        if len(chosen) >= n:
            break
    return chosen, seen, kb


def run_model(spec: str, settings: Settings, chosen, show: int, embedder: Embedder, kb: KnowledgeBase) -> dict:
    s = settings.with_overrides({"llm_model": spec})
    gen = LlamaCppGenerator(s.llm_config())
    t0 = time.perf_counter()
    _ = gen.llama  # load outside the timings
    load_s = time.perf_counter() - t0
    rows = []
    for i, (item, results) in enumerate(chosen):
        answer = None
        for piece in answer_stream(item.question, None, GivenResults(results, embedder, kb), lambda: gen,
                                   s.answer_config()):
            if isinstance(piece, Answer):
                answer = piece
        assert answer is not None
        gold_in_context = any(c.source in item.gold_doc_ids and any(norm(g) in norm(c.text) for g in item.answers)
                              for c in answer.citations) if answer.citations else None
        rows.append({"qid": item.qid, "question": item.question, "gold": item.answers, "answer": answer.text,
                     "hit": contains_gold(answer.text, item.answers), "refused": answer.refused,
                     "gold_in_cited_context": gold_in_context, **answer.timings})
        if i < show:
            logging.info("%s | %s | gold %s -> %r", spec, item.question, item.answers[0], answer.text[:80])
    ttft = [r["first_token_ms"] for r in rows]
    total = [r["total_ms"] for r in rows]
    return {
        "model": spec, "file": gen.name, "chat_template": gen.chat, "questions": len(rows),
        "contains_gold": round(sum(r["hit"] for r in rows) / len(rows), 3),
        "refused": round(sum(r["refused"] for r in rows) / len(rows), 3),
        "context_tokens_mean": round(statistics.mean(r["context_tokens"] for r in rows), 1),
        "passages_mean": round(statistics.mean(r["passages"] for r in rows), 2),
        "ttft_ms_median": round(statistics.median(ttft), 1), "ttft_ms_mean": round(statistics.mean(ttft), 1),
        "total_ms_median": round(statistics.median(total), 1), "total_ms_mean": round(statistics.mean(total), 1),
        "load_s": round(load_s, 2), "rows": rows,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=DATA / "corpus.jsonl")
    ap.add_argument("--qa", type=Path, default=DATA / "qa_sample300.jsonl")
    ap.add_argument("-n", type=int, default=60, help="questions (with the gold document retrieved)")
    ap.add_argument("--models", nargs="+", default=["gemma3-270m", "smollm2-135m"],
                    help="GGUF paths or built-in names")
    ap.add_argument("--budget", type=int, default=None, help="context token budget (default: the setting)")
    ap.add_argument("--max-tokens", type=int, default=None)
    ap.add_argument("--show", type=int, default=5, help="log the first answers of each model")
    ap.add_argument("--out", type=Path, default=None, help="write per-question rows as JSON here")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("app").setLevel(logging.WARNING)

    settings = load_settings()
    update = {k: v for k, v in {"context_token_budget": args.budget, "llm_max_tokens": args.max_tokens}.items()
              if v is not None}
    settings = settings.with_overrides(update)
    embedder = make_embedder(settings.embed_config())
    chosen, seen, kb = select_questions(settings, args.corpus, args.qa, args.n, embedder)
    logging.info("%d questions with the gold document in the top %d (of the first %d answerable)",
                 len(chosen), settings.top_k, seen)
    results = [run_model(spec, settings, chosen, args.show, embedder, kb) for spec in args.models]
    summary = [{k: v for k, v in r.items() if k != "rows"} for r in results]
    print(json.dumps({"budget": settings.context_token_budget, "max_tokens": settings.llm_max_tokens,
                      "top_k": settings.top_k, "models": summary}, ensure_ascii=False, indent=2))
    if args.out:
        args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
