"""Evaluation: how well Yizhi retrieves, refuses and answers on QA sets in the shared format
(../shared/evaldata/README.md), measured beside the plain LangChain recipe.

A tool on top of the layers, like `bench/`: it may use `app` (settings, services, the
LLM), `ingest`, `retrieval` and `core`; nothing in those imports it back.

    qa          the QA files: QAItem, read_jsonl, load_qa
    corpus_kb   the evaluation knowledge base built from a corpus file, question vectors
    metrics     pure functions: hit@k, MRR, refusals, thresholds, answer scoring
    runs        the one run loop, Yizhi's configurations (dense, lexical, hybrid, hybrid+rerank)
    baseline    the LangChain recipe, as another retriever for that loop
    answers     `eval --answer`: answers through the answering service, scored
    cli         `python -m app eval …`
"""
import core  # noqa: F401  (first: turns third-party telemetry off, see core/telemetry.py)
