"""The one run loop: ask every question through a retriever, score what comes back.

Yizhi's configurations (evaluation/runs.py) and the LangChain baseline
(evaluation/baseline.py) differ only in the `Retrieve` callable they hand to `measure`;
ranks, refusals, metrics, timings and per-question details are computed here, once.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from tqdm import tqdm

from evaluation.metrics import first_hit_rank, refusal_metrics, retrieval_metrics
from evaluation.qa import QAItem

__all__ = ["Retrieved", "Retrieve", "measure"]


@dataclass(frozen=True, slots=True)
class Retrieved:
    """What a retriever returns for one question.

    `sources`: the documents of the ranked candidates, best first (a document may repeat);
    `refused`: whether the system would refuse to answer; `best_relevance`: the best
    candidate's relevance when the retriever has one; `top`: a few candidates for details.
    """

    sources: Sequence[str]
    refused: bool
    best_relevance: float | None = None
    top: Sequence[dict] = field(default_factory=tuple)


Retrieve = Callable[[QAItem, np.ndarray], Retrieved]


def measure(run: str, items: Sequence[QAItem], qvecs: Sequence[np.ndarray], retrieve: Retrieve, *,
            progress: bool = True, details: list[dict] | None = None) -> dict:
    """Ask every question of one run; hit@1, hit@5, MRR@10, refusal figures and timings.

    Appends one row per question to `details` when given.
    """
    ranks: list[int | None] = []
    refused_ok: list[bool] = []
    refused_no: list[bool] = []
    t0 = time.perf_counter()
    for item, qvec in tqdm(list(zip(items, qvecs, strict=True)), desc=f"asking ({run})", unit="q",
                           disable=not progress or None):
        got = retrieve(item, qvec)
        rank = first_hit_rank(got.sources, item.gold_doc_ids) if item.answerable else None
        if item.answerable:
            ranks.append(rank)
            refused_ok.append(got.refused)
        else:
            refused_no.append(got.refused)
        if details is not None:
            row = {"run": run, "qid": item.qid, "question": item.question, "gold": sorted(item.gold_doc_ids),
                   "first_hit_rank": rank, "refused": got.refused}
            if got.best_relevance is not None:
                row["best_relevance"] = round(got.best_relevance, 4)
            details.append({**row, "top": list(got.top)})
    seconds = time.perf_counter() - t0
    return {"run": run, **retrieval_metrics(ranks), **refusal_metrics(refused_ok, refused_no),
            "answerable": len(ranks), "unanswerable": len(refused_no),
            "query_seconds": round(seconds, 2), "ms_per_query": round(1000 * seconds / max(1, len(items)), 1)}
