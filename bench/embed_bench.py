"""The embedding backends side by side: torch, onnx and onnx-int8 (YIZHI_EMBED_BACKEND).

    python -m bench.embed_bench [--model all-MiniLM-L6-v2] [--evaldata ../shared/evaldata]
                                [--rounds 5] [--json]

1. Parity: retrieval on SQuAD (../shared/evaldata/squad: 87 passages, the 293 answerable
   questions) measured by `python -m app eval`'s own code (evaluation.runs.evaluate_many:
   the corpus indexed into an evaluation knowledge base of each backend's own, under
   <data>/eval), dense-only and hybrid: hit@1, hit@5, MRR@10 and false refusals, each
   backend beside torch. The goal: hit@5 within 0.01.
2. Speed: what ingestion embeds for the same corpus, document by document as the pipeline
   does (its chunks and their child pieces in one call), by each backend in turn, round
   after round (torch, onnx, onnx-int8, torch, …), so each figure has its baseline under
   the same load. Chunks per second per round, the median, and the median of the per-round
   ratios to torch. PyTorch runs twice per round, on one thread and on every physical core:
   it shares FAISS's OpenMP runtime, which retrieval/kb/faiss/dense_index.py sets to one
   thread after each search and index layout, so in a process that has searched (the app,
   once it has answered a question) PyTorch embeds on one thread, while a fresh process
   starts on every core. ONNX Runtime has its own threads (the physical cores).

The first use of an onnx backend exports the model (once, under <data>/cache/onnx); that
happens in part 1, outside the timings.
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import onnxruntime
import torch

from app.settings import Settings, load_settings
from core.cpu import physical_cores
from core.enums import EmbedBackend
from core.types import Document
from evaluation.qa import read_jsonl
from evaluation.runs import evaluate_many
from ingest.child_pieces import child_texts
from ingest.splitter import split_documents
from retrieval.embedders import MINILM_NAME, Embedder, make_embedder

EVALDATA = Path(__file__).resolve().parents[2] / "shared" / "evaldata"
BACKENDS = tuple(EmbedBackend)
RUNS = ("dense", "hybrid")
METRICS = ("hit@1", "hit@5", "mrr@10", "false_refusal_rate")
PARITY = 0.01  # hit@5 of a backend within this of torch's


def workload(corpus: Path, settings: Settings) -> list[list[str]]:
    """Per document, the texts ingestion embeds in one call: its chunks, then their child pieces."""
    config = settings.ingest_config()
    calls = []
    for row in read_jsonl(corpus):
        doc = Document(text=row["text"], source=str(row["doc_id"]), title=row.get("title", ""))
        chunks = split_documents([doc], config.chunk_size, config.chunk_overlap, title_enhance=config.title_enhance)
        pieces = [t for c in chunks for t in child_texts(c, config.child_chunk_size, title_enhance=config.title_enhance)]
        calls.append([c.retrieval_text for c in chunks] + pieces)
    return calls


def chunk_count(corpus: Path, settings: Settings) -> int:
    config = settings.ingest_config()
    docs = [Document(text=r["text"], source=str(r["doc_id"]), title=r.get("title", "")) for r in read_jsonl(corpus)]
    return len(split_documents(docs, config.chunk_size, config.chunk_overlap, title_enhance=config.title_enhance))


def time_embedding(embedder: Embedder, calls: list[list[str]]) -> float:
    started = time.perf_counter()
    for texts in calls:
        embedder.embed_documents(texts)
    return time.perf_counter() - started


def speed_variants(embedders: dict[EmbedBackend, Embedder], cores: int) -> list[tuple[str, Embedder, int]]:
    """(label, embedder, PyTorch threads): torch on one thread (as it runs once FAISS has
    searched in the process) and on every core (as a process starts), then each ONNX backend."""
    torch_runs = [(f"torch/{n}", embedders[EmbedBackend.TORCH], n) for n in sorted({1, cores})]
    return torch_runs + [(str(b), e, cores) for b, e in embedders.items() if b != EmbedBackend.TORCH]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default=MINILM_NAME, help="a sentence-transformers model (name or folder)")
    p.add_argument("--evaldata", type=Path, default=EVALDATA)
    p.add_argument("--rounds", type=int, default=5, help="speed rounds, each variant once per round")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    squad = args.evaldata / "squad"
    corpus, qa = squad / "corpus.jsonl", [squad / "qa_answerable293.jsonl"]
    base = load_settings(embed_model=args.model)
    embedders = {b: make_embedder(base.with_overrides(embed_backend=b).embed_config()) for b in BACKENDS}

    parity: dict[str, dict[str, dict[str, float]]] = {}
    for backend, embedder in embedders.items():
        report = evaluate_many(corpus, qa, base, embedder, runs=RUNS, progress=not args.json)
        parity[backend] = {r["mode"]: {m: r[m] for m in METRICS if m in r} for r in report["runs"]}

    calls = workload(corpus, base)
    chunks, texts = chunk_count(corpus, base), sum(len(c) for c in calls)
    variants = speed_variants(embedders, physical_cores())
    speed: dict[str, list[float]] = {label: [] for label, _, _ in variants}
    for _ in range(args.rounds):
        for label, embedder, threads in variants:
            torch.set_num_threads(threads)
            speed[label].append(chunks / time_embedding(embedder, calls))
    torch_labels = [label for label in speed if label.startswith("torch/")]
    ratios = {label: {t: round(statistics.median(s / b for s, b in zip(speed[label], speed[t])), 2)
                      for t in torch_labels} for label in speed}
    result = {"model": args.model, "corpus": str(corpus), "documents": len(calls), "chunks": chunks,
              "texts_embedded": texts, "rounds": args.rounds, "onnxruntime_threads": physical_cores(),
              "onnxruntime": onnxruntime.__version__, "parity": parity,
              "chunks_per_second": {label: [round(v, 2) for v in values] for label, values in speed.items()},
              "median_chunks_per_second": {label: round(statistics.median(v), 2) for label, v in speed.items()},
              "median_ratio_to": ratios,
              "hit@5_within_0.01": {b: all(abs(parity[b][run]["hit@5"] - parity[EmbedBackend.TORCH][run]["hit@5"])
                                           <= PARITY for run in RUNS) for b in BACKENDS}}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_report(result)
    return 0


def print_report(result: dict) -> None:
    print(f"model {result['model']}; SQuAD: {result['documents']} documents, {result['chunks']} chunks "
          f"({result['texts_embedded']} texts with the child pieces); onnxruntime {result['onnxruntime']} on "
          f"{result['onnxruntime_threads']} threads")
    print(f"\nretrieval ({', '.join(RUNS)}), each backend beside torch:")
    print(f"{'backend':<11}{'run':<8}" + "".join(f"{m:>20}" for m in METRICS))
    torch_row = result["parity"][EmbedBackend.TORCH]
    for backend, runs in result["parity"].items():
        for run, metrics in runs.items():
            cells = []
            for m in METRICS:
                value, delta = metrics.get(m), metrics.get(m, 0) - torch_row[run].get(m, 0)
                cells.append("-" if value is None else f"{value:.3f} ({delta:+.3f})")
            print(f"{backend:<11}{run:<8}" + "".join(f"{c:>20}" for c in cells))
    print("hit@5 within " + f"{PARITY} of torch's: " + ", ".join(
        f"{b} {'yes' if ok else 'NO'}" for b, ok in result["hit@5_within_0.01"].items()))
    print(f"\nchunks/s embedded as ingestion embeds them, {result['rounds']} rounds interleaved "
          "(torch/N: PyTorch on N threads); per round; median; median of the per-round ratios:")
    for label, rounds in result["chunks_per_second"].items():
        ratios = ", ".join(f"×{r:.2f} of {t}" for t, r in result["median_ratio_to"][label].items())
        print(f"{label:<11}{', '.join(f'{v:6.1f}' for v in rounds)};  {result['median_chunks_per_second'][label]:6.1f};"
              f"  {ratios}")


if __name__ == "__main__":
    raise SystemExit(main())
