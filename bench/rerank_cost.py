"""What a cross-encoder reranker costs per query on this machine (CPU).

No cross-encoder ships through the package index, so the two stand-ins are built here:
- `minilm-l6`: the packaged all-MiniLM-L6-v2 encoder (6 layers, 384 wide) under a
  one-label head: the size of cross-encoder/ms-marco-MiniLM-L-6-v2;
- `base`: a 12-layer, 768-wide BERT with random weights: the compute of
  bge-reranker-base (XLM-RoBERTa base; its larger vocabulary only costs a table lookup).
Random weights rank nothing well; only the time is measured. The passages are real
chunks of the evaluation corpus, scored in `candidate_pool` pairs per query; BERT's
vocabulary makes each Chinese character a token, a little more than XLM-R's.

    python -m bench.rerank_cost --corpus ../shared/evaldata/cmrc2018/corpus.jsonl --queries 10
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from app.settings import Settings
from retrieval.rerank import CrossEncoderReranker


def build(folder: Path, size: str) -> Path:
    import torch
    from transformers import AutoModel, AutoTokenizer, BertConfig, BertForSequenceClassification

    from retrieval.embedders import minilm_folder

    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(str(minilm_folder()))
    if size == "minilm-l6":
        encoder = AutoModel.from_pretrained(str(minilm_folder()))
        config = encoder.config
        config.num_labels = 1
        model = BertForSequenceClassification(config)
        model.bert.load_state_dict(encoder.state_dict(), strict=False)
    else:
        model = BertForSequenceClassification(BertConfig(vocab_size=tokenizer.vocab_size, num_labels=1))
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=Path("../shared/evaldata/cmrc2018/corpus.jsonl"))
    parser.add_argument("--queries", type=int, default=10)
    parser.add_argument("--sizes", nargs="+", default=["minilm-l6", "base"])
    parser.add_argument("--max-length", type=int, nargs="+", default=[512, 256])
    args = parser.parse_args()
    import torch

    settings = Settings()
    pool = settings.candidate_pool
    rows = [json.loads(line) for line in args.corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
    passages = [r["text"][:settings.chunk_size] for r in rows]
    print(f"torch threads {torch.get_num_threads()}, {pool} candidates per query, "
          f"passages of {settings.chunk_size} characters")
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            folder = build(Path(tmp) / size, size)
            for max_length in args.max_length:
                reranker = CrossEncoderReranker(str(folder), max_length=max_length)
                reranker.score("预热", passages[:2])
                t0 = time.perf_counter()
                for q in range(args.queries):
                    reranker.score(rows[q].get("title", "问题") + "是什么？", passages[q * pool:(q + 1) * pool])
                per_query = (time.perf_counter() - t0) / args.queries
                print(f"{size:<10} max_length {max_length:>4}: {per_query * 1000:8.0f} ms per query", flush=True)


if __name__ == "__main__":
    main()
