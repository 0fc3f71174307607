"""`eval --answer`: ask every question through the answering service and score the answers.

The service is the one the UI and `python -m app ask` use (`services.answers.ask`), opened
on the evaluation knowledge base, with the configured LLM: refusals, prompts, packing
and generation are exactly what a user gets.

Figures: `answer_contains` (every gold element appears in the answer; a list element is
a set of alternatives: the rule of ../shared/evaldata/README.md), `answer_contains_any`
(any gold element appears), `answer_rouge_l` (character ROUGE-L against the best gold
answer, for free-text sets like DuReader), `answer_false_refusal_rate` (refusals among
questions that have gold answers) and `answer_refusal_rate_no_answer` (refusals among
questions without any, e.g. unanswerable ones or SQuAD's adversarial `is_impossible`)
and `llm_refusal_rate_no_answer` (the same among those that passed the relevance threshold,
so the LLM itself had to decide).
"""
from __future__ import annotations

import logging
import statistics
import time
from collections.abc import Sequence

from tqdm import tqdm

from app.llm.generator import make_generator
from app.services import build_services
from app.settings import Settings
from evaluation.corpus_kb import eval_data_dir
from evaluation.metrics import answer_contains, answer_contains_any, best_rouge_l
from evaluation.qa import QAItem
from retrieval.embedders import Embedder

log = logging.getLogger(__name__)


def answer_metrics(rows: Sequence[dict]) -> dict[str, float]:
    """Aggregate per-question answer rows ({"answers", "text", "refused"}) into figures."""
    with_gold = [r for r in rows if r["answers"]]
    without = [r for r in rows if not r["answers"]]
    answered = [r for r in with_gold if not r["refused"]]
    out: dict[str, float] = {"answered_questions": len(rows)}
    if with_gold:
        out["answer_contains"] = sum(answer_contains(r["text"], r["answers"]) for r in answered) / len(with_gold)
        out["answer_contains_any"] = sum(answer_contains_any(r["text"], r["answers"])
                                         for r in answered) / len(with_gold)
        out["answer_rouge_l"] = sum(best_rouge_l(r["text"], r["answers"]) for r in answered) / len(with_gold)
        out["answer_false_refusal_rate"] = sum(r["refused"] for r in with_gold) / len(with_gold)
    given = [r for r in rows if not r["refused"]]
    if given:
        out["answer_chars_median"] = statistics.median(len(r["text"]) for r in given)
        out["supported_rate"] = sum(r.get("supported", False) for r in given) / len(given)
        out["quoted_rate"] = sum(r.get("quoted", False) for r in given) / len(given)
    for name in ("first_token_ms", "first_text_ms", "total_ms"):  # first_text_ms: every answer's first words
        values = [r["timings"][name] for r in rows if name in r.get("timings", {})]
        if values:
            out[f"{name}_median"] = statistics.median(values)
    if without:
        out["answer_refusal_rate_no_answer"] = sum(r["refused"] for r in without) / len(without)
        reached = [r for r in without if r.get("llm_called", True)]
        if reached:  # of those that passed the threshold, how many the LLM itself refused
            out["llm_refusal_rate_no_answer"] = sum(r["refused"] for r in reached) / len(reached)
    return out


def evaluate_answers(kb_name: str, items: Sequence[QAItem], settings: Settings, embedder: Embedder, *,
                     generator=None, progress: bool = True, details: list[dict] | None = None) -> dict:
    """Answer each question with the service on the evaluation knowledge base `kb_name`."""
    services = build_services(settings.with_overrides(data_dir=eval_data_dir(settings)),
                              embedder=embedder, generator=generator or make_generator(settings.llm_config()))
    rows = []
    t0 = time.perf_counter()
    try:
        for item in tqdm(items, desc="answering", unit="q", disable=not progress or None):
            answer = services.answers.ask(item.question, [kb_name])
            row = {"qid": item.qid, "question": item.question, "answers": item.answers,
                   "text": answer.text, "refused": answer.refused, "supported": answer.supported,
                   "quoted": answer.quoted,
                   "llm_called": "first_token_ms" in answer.timings,
                   "sources": [c.source for c in answer.citations], "timings": answer.timings}
            rows.append(row)
            if details is not None:
                details.append({"run": "answer", **row})
    finally:
        services.close()
    seconds = time.perf_counter() - t0
    return {**answer_metrics(rows), "answer_seconds": round(seconds, 1),
            "seconds_per_answer": round(seconds / max(1, len(rows)), 2)}
