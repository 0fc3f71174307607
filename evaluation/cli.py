"""`python -m app eval --corpus FILE --qa FILE [--qa FILE…] [--compare] [--answer] [--json]`
and `python -m app eval --docs FOLDER [--docs FOLDER…] --qa FILE [--json]`.

With a corpus: hit@1, hit@5, MRR@10, refusal figures and timings for Yizhi's default
configuration; `--compare` adds the plain LangChain recipe and Yizhi's dense-only,
BM25-only and hybrid (and, with a reranker, hybrid + reranker) configurations side by
side, with each one's ratio to the LangChain baseline.

With document folders: the files are ingested as a user ingests them and every question is
answered through the service (evaluation/docs.py): answers right, false refusals, refusals
of unanswerable questions, support, by kind of question.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from app.settings import Settings
from evaluation.qa import load_qa
from evaluation.runs import RUNS, evaluate_many
from retrieval.embedders import Embedder, make_embedder

RUN_CHOICES = tuple(RUNS) + ("langchain",)
COLUMNS = [("hit@1", ".3f"), ("hit@5", ".3f"), ("mrr@10", ".3f"), ("refusal_recall", ".1%"),
           ("false_refusal_rate", ".1%"), ("ms_per_query", ".1f")]


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("eval", help="measure retrieval (and answers) on QA sets: hit@k, MRR, refusals")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--corpus", type=Path, help="corpus*.jsonl: one passage per line")
    source.add_argument("--docs", type=Path, action="append", metavar="FOLDER",
                        help="folders of real documents, ingested and asked through the service (repeatable)")
    p.add_argument("--qa", type=Path, action="append", required=True,
                   help="qa*.jsonl (repeatable: answerable and unanswerable sets together)")
    p.add_argument("--mode", choices=RUN_CHOICES,
                   help="the configuration to measure (default: hybrid, or hybrid+rerank with a reranker)")
    p.add_argument("--compare", action="store_true",
                   help="the LangChain baseline and Yizhi's configurations side by side, with ratios")
    p.add_argument("--reranker", metavar="MODEL",
                   help="cross-encoder (hub name in the cache, or folder) for this run; sets YIZHI_RERANKER_MODEL")
    p.add_argument("--threshold", type=float, help="score threshold for this run (default: the setting)")
    p.add_argument("--answer", action="store_true", help="also answer every question with the configured LLM")
    p.add_argument("--limit", type=int, default=0,
                   help="with --answer: answer only N questions, spread evenly over the QA files")
    p.add_argument("--details", type=Path, help="write per-question results to this JSONL file")
    p.add_argument("--json", action="store_true", help="print one JSON object of metrics")


def spread(items: list, n: int) -> list:
    """`n` items spread evenly over the list, in order (all of them when n <= 0)."""
    if n <= 0 or n >= len(items):
        return list(items)
    return [items[i * len(items) // n] for i in range(n)]


def _runs(args: argparse.Namespace, settings: Settings) -> list[str]:
    reranking = bool(settings.reranker_model.strip())
    if args.compare:
        return ["langchain", "dense", "lexical", "hybrid"] + (["hybrid+rerank"] if reranking else [])
    return [args.mode or ("hybrid+rerank" if reranking else "hybrid")]


def run(args: argparse.Namespace, settings: Settings) -> int:
    settings = settings.with_overrides(reranker_model=args.reranker or None, score_threshold=args.threshold)
    embedder = make_embedder(settings.embed_config())
    details: list[dict] | None = [] if args.details else None
    if args.docs:
        return _run_docs(args, settings, embedder, details)
    report = evaluate_many(args.corpus, args.qa, settings, embedder, runs=_runs(args, settings),
                           progress=not args.json, details=details)
    if args.answer:
        from evaluation.answers import evaluate_answers  # loads the LLM stack only when asked

        items = spread(load_qa(args.qa), args.limit)
        report["answers"] = evaluate_answers(report["kb"], items, settings, embedder,
                                             progress=not args.json, details=details)
    _write_details(args.details, details)
    if args.json:
        print(json.dumps(_json_object(report), ensure_ascii=False, indent=2))
    else:
        print_report(report, args.corpus, settings)
    return 0


def _run_docs(args: argparse.Namespace, settings: Settings, embedder: Embedder, details: list[dict] | None) -> int:
    from evaluation.docs import evaluate_docs  # loads the LLM stack only when asked

    report = evaluate_docs(args.docs, args.qa, settings, embedder, progress=not args.json, details=details)
    _write_details(args.details, details)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    print(f"{report['files']} files, {report['answerable']} answerable + {report['unanswerable']} unanswerable "
          f"questions (ingested in {report['ingest_seconds']} s; 0 when reused)")
    for name in ("answer_contains", "answer_false_refusal_rate", "answer_refusal_rate_no_answer", "supported_rate",
                 "answer_chars_median", "first_token_ms_median", "first_text_ms_median", "total_ms_median"):
        if name in report:
            print(f"  {name:<32} {report[name]}")
    for kind, value in dict(report.get("answer_contains_by_kind", {})).items():
        print(f"  answer_contains[{kind}]{'':<{14 - len(kind)}} {value} ({report['questions_by_kind'][kind]} questions)")
    return 0


def _write_details(path: Path | None, details: list[dict] | None) -> None:
    if path:
        with open(path, "w", encoding="utf-8") as fh:
            for row in details or []:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def _json_object(report: dict) -> dict:
    """One object of metrics (DESIGN.md); several runs as {"runs": [...]} beside it."""
    first = dict(report["runs"][0])
    if "answers" in report:
        first.update(report["answers"])
    first["total_seconds"] = report["total_seconds"]
    if len(report["runs"]) > 1:
        first["runs"] = report["runs"]
    return first


def _cell(value, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


def print_report(report: dict, corpus: Path, settings: Settings) -> None:
    runs = report["runs"]
    yizhi = next((r for r in runs if r["mode"] != "langchain"), runs[0])
    print(f"corpus {corpus}: {yizhi['corpus_docs']} documents, {yizhi['chunks']} chunks; "
          f"{yizhi['answerable']} answerable + {yizhi['unanswerable']} unanswerable questions; "
          f"embedder {yizhi['embedder']}; threshold {settings.score_threshold}"
          + (f"; reranker {settings.reranker_model}" if settings.reranker_model else ""))
    base = next((r for r in runs if r["mode"] == "langchain"), None)
    header = f"{'configuration':<16}" + "".join(f"{name:>20}" for name, _ in COLUMNS)
    print(header)
    for r in runs:
        cells = []
        for name, fmt in COLUMNS:
            cell = _cell(r.get(name), fmt)
            if base is not None and r is not base and name in ("hit@1", "hit@5", "mrr@10") and base.get(name):
                cell += f" (×{r[name] / base[name]:.2f})"
            cells.append(f"{cell:>20}")
        print(f"{r['mode']:<16}" + "".join(cells))
    print(f"timings: indexing {yizhi['index_seconds']:.1f} s (0 when reused), question embedding "
          f"{yizhi['question_embed_seconds']:.1f} s, total {report['total_seconds']:.1f} s"
          + (f"; langchain indexing {base['index_seconds']:.1f} s" if base else ""))
    if base is not None:
        print("ratios (×) are against the plain LangChain recipe; it has no threshold, so it never refuses")
    answers = report.get("answers")
    if answers:
        print("answers (" + f"{answers['answered_questions']} questions, {answers['seconds_per_answer']} s each): "
              + ", ".join(f"{k} {v:.3f}" for k, v in answers.items()
                          if (k.startswith("answer_") or k.startswith("llm_")) and k != "answer_seconds"))
