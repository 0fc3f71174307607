"""Parity of the backends: the same corpus and questions on FAISS (embedded), on Milvus as
a Milvus Lite file and on Milvus as a server (`milvus_lite server` over TCP), side by side.

    python -m bench.milvus_parity [--corpus FILE] [--qa FILE] [--docs 300] [--runs dense,hybrid] [--json]

The corpus's first `--docs` lines are indexed into a throwaway data folder once per side
with the configured embedder (the evaluation's own indexing, evaluation/corpus_kb.py), and
every question is asked through the evaluation loop (evaluation/runs.py): hit@1, hit@5 and
MRR@10 over the answerable questions, per run. The dense run shows the vector index alone
(FAISS searches exactly at this size; Milvus walks its HNSW graph with ef from
retrieval/kb/milvus/collection.py `hnsw_ef`); the hybrid run is what the app searches with.
"""
from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from app.settings import Settings
from bench.corpus_text import SHARED
from bench.milvus_server import MilvusLiteServer
from evaluation.qa import read_jsonl
from evaluation.runs import evaluate_many
from retrieval.embedders import make_embedder

SQUAD = SHARED / "squad"
SIDES = ("faiss", "milvus-file", "milvus-server")
KEYS = ("hit@1", "hit@5", "mrr@10", "ms_per_query", "index_seconds")


def limited_corpus(corpus: Path, docs: int, folder: Path) -> Path:
    """The first `docs` lines of the corpus, as a file of their own."""
    rows = read_jsonl(corpus)[:docs]
    path = folder / f"{corpus.stem}-{len(rows)}.jsonl"
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path


def side_settings(side: str, folder: Path, server_uri: str) -> Settings:
    """A data folder of its own per side (the evaluation names its knowledge base by backend only)."""
    data = folder / side
    if side == "faiss":
        return Settings(data_dir=data, vector_store="faiss", _env_file=None)
    uri = server_uri if side == "milvus-server" else ""  # "": a Lite file in the knowledge base's folder
    return Settings(data_dir=data, vector_store="milvus", milvus_uri=uri, _env_file=None)


def measure(corpus: Path, qa: Path, docs: int, runs: list[str]) -> dict[str, dict[str, dict]]:
    """{side: {run: metrics}}."""
    results: dict[str, dict[str, dict]] = {}
    with tempfile.TemporaryDirectory(prefix="yizhi-parity-") as tmp:
        folder = Path(tmp)
        small = limited_corpus(corpus, docs, folder)
        embedder = make_embedder(Settings(_env_file=None).embed_config())
        with MilvusLiteServer(folder / "milvus-server-data") as server:
            for side in SIDES:
                report = evaluate_many(small, [qa], side_settings(side, folder, server.uri), embedder,
                                       runs=runs, progress=False)
                results[side] = {r["mode"]: r for r in report["runs"]}
    return results


def print_table(results: dict[str, dict[str, dict]], runs: list[str]) -> None:
    first = next(iter(results.values()))[runs[0]]
    print(f"{first['corpus_docs']} documents, {first['chunks']} chunks, {first['answerable']} answerable questions, "
          f"embedder {first['embedder']}")
    print(f"{'run':<8} {'side':<14} " + " ".join(f"{k:>13}" for k in KEYS))
    for run in runs:
        for side, by_run in results.items():
            row = by_run[run]
            print(f"{run:<8} {side:<14} " + " ".join(f"{row[k]:>13.3f}" for k in KEYS))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=SQUAD / "corpus.jsonl")
    parser.add_argument("--qa", type=Path, default=SQUAD / "qa_answerable293.jsonl")
    parser.add_argument("--docs", type=int, default=300, help="index at most this many corpus lines")
    parser.add_argument("--runs", default="dense,hybrid", help="evaluation runs, comma-separated")
    parser.add_argument("--json", action="store_true", help="print one JSON object {side: {run: metrics}}")
    args = parser.parse_args()
    runs = [r.strip() for r in args.runs.split(",") if r.strip()]
    results = measure(args.corpus, args.qa, args.docs, runs)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=1))
    else:
        print_table(results, runs)


if __name__ == "__main__":
    main()
