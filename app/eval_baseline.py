"""The baseline: the plain LangChain recipe many users start from, measured like Yizhi.

    RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50)   # default separators
    FAISS.from_documents(chunks, embeddings)                           # langchain_community
    store.similarity_search(question, k=10)

with the same embedding model as Yizhi, wrapped as LangChain `Embeddings`: dense-only,
no lexical side, no fusion, no reranking, no relevance threshold (so it never refuses).
The chunk vectors are cached under `$YIZHI_DATA_DIR/eval/langchain/` as a NumPy array
and a JSONL file of chunks (no pickle), keyed by corpus, embedder and splitter settings;
the LangChain FAISS store is rebuilt from them in memory on each run.
"""
from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings
from tqdm import tqdm

from app.eval_metrics import RANK_DEPTH, first_hit_rank, refusal_metrics, retrieval_metrics
from app.settings import Settings
from retrieval.embedders import Embedder

log = logging.getLogger(__name__)

CHUNK_SIZE = 500
CHUNK_OVERLAP = 50


class LangChainEmbeddings(Embeddings):
    """A Yizhi embedder as LangChain `Embeddings`."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return np.asarray(self.embedder.embed_documents(texts), dtype=np.float32).tolist()

    def embed_query(self, text: str) -> list[float]:
        return np.asarray(self.embedder.embed_query(text), dtype=np.float32).tolist()


def split_corpus(rows: Sequence[dict]) -> tuple[list[str], list[dict]]:
    """The recipe's chunks: texts and metadatas ({"doc_id"}) in corpus order."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    docs = splitter.create_documents([r["text"] for r in rows], metadatas=[{"doc_id": str(r["doc_id"])} for r in rows])
    return [d.page_content for d in docs], [d.metadata for d in docs]


def _cache_dir(corpus: Path, settings: Settings, embedder_name: str) -> Path:
    digest = hashlib.sha256(Path(corpus).read_bytes())
    digest.update(json.dumps([embedder_name, CHUNK_SIZE, CHUNK_OVERLAP]).encode())
    return settings.data_dir / "eval" / "langchain" / f"{Path(corpus).parent.name}-{digest.hexdigest()[:12]}"


def _read_cache(folder: Path) -> tuple[list[str], list[dict], np.ndarray] | None:
    """Chunks and vectors of an earlier run, or None when absent or unreadable (rebuild)."""
    vectors_path, chunks_path = folder / "vectors.npy", folder / "chunks.jsonl"
    if not (vectors_path.exists() and chunks_path.exists()):
        return None
    try:
        # split on "\n" only: chunk texts may hold other line separators (U+2028 …)
        rows = [json.loads(line) for line in chunks_path.read_text(encoding="utf-8").split("\n") if line]
        vectors = np.load(vectors_path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        log.warning("baseline cache %s is unreadable (%s): rebuilding it", folder, exc)
        return None
    if len(rows) != len(vectors):
        log.warning("baseline cache %s holds %d chunks but %d vectors: rebuilding it", folder, len(rows), len(vectors))
        return None
    return [r["text"] for r in rows], [{"doc_id": r["doc_id"]} for r in rows], vectors


def _write_cache(folder: Path, texts: Sequence[str], metadatas: Sequence[dict], vectors: np.ndarray) -> None:
    """Chunks first, vectors last, each renamed into place: a crash leaves no half cache."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vectors.npy").unlink(missing_ok=True)
    tmp = folder / "chunks.jsonl.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        for text, meta in zip(texts, metadatas):
            fh.write(json.dumps({"doc_id": meta["doc_id"], "text": text}, ensure_ascii=False) + "\n")
    tmp.replace(folder / "chunks.jsonl")
    np.save(folder / "vectors.tmp.npy", vectors)
    (folder / "vectors.tmp.npy").replace(folder / "vectors.npy")


def build_baseline_store(corpus: Path, settings: Settings, embedder: Embedder, *, progress: bool = True):
    """The LangChain FAISS store over the corpus (vectors from the cache when present)."""
    from langchain_community.vectorstores import FAISS

    from app.evaluation import read_jsonl

    folder = _cache_dir(corpus, settings, embedder.name)
    cached = _read_cache(folder)
    if cached is not None:
        texts, metadatas, vectors = cached
    else:
        texts, metadatas = split_corpus(read_jsonl(corpus))
        batch = 64
        parts = [np.asarray(embedder.embed_documents(texts[i:i + batch]), dtype=np.float32)
                 for i in tqdm(range(0, len(texts), batch), desc="indexing (langchain)", unit="batch",
                               disable=not progress or None)]
        vectors = np.vstack(parts) if parts else np.zeros((0, 1), np.float32)
        _write_cache(folder, texts, metadatas, vectors)
    store = FAISS.from_embeddings(list(zip(texts, vectors.tolist())), LangChainEmbeddings(embedder),
                                  metadatas=metadatas)
    return store, len(texts)


def evaluate_langchain(corpus: Path, items: Sequence, qvecs: Sequence[np.ndarray], settings: Settings,
                       embedder: Embedder, *, progress: bool = True, details: list[dict] | None = None) -> dict:
    """hit@1, hit@5, MRR@10 of the plain recipe; it has no threshold, so it never refuses."""
    t0 = time.perf_counter()
    store, chunks = build_baseline_store(corpus, settings, embedder, progress=progress)
    index_seconds = time.perf_counter() - t0
    ranks, refused_ok, refused_no = [], [], []
    t1 = time.perf_counter()
    for item, qvec in tqdm(list(zip(items, qvecs)), desc="asking (langchain)", unit="q",
                           disable=not progress or None):
        hits = store.similarity_search_with_score_by_vector(np.asarray(qvec, dtype=np.float32).tolist(),
                                                            k=RANK_DEPTH)
        ranked = [doc.metadata["doc_id"] for doc, _ in hits]
        if item.answerable:
            ranks.append(first_hit_rank(ranked, item.gold_doc_ids))
            refused_ok.append(False)
        else:
            refused_no.append(False)
        if details is not None:
            details.append({"run": "langchain", "qid": item.qid, "question": item.question,
                            "gold": sorted(item.gold_doc_ids), "first_hit_rank": ranks[-1] if item.answerable else None,
                            "refused": False, "top": [{"source": d, "score": round(float(s), 5)}
                                                      for d, (_, s) in zip(ranked[:5], hits[:5])]})
    seconds = time.perf_counter() - t1
    return {"run": "langchain", **retrieval_metrics(ranks), **refusal_metrics(refused_ok, refused_no),
            "answerable": len(ranks), "unanswerable": len(refused_no), "chunks": chunks,
            "index_seconds": round(index_seconds, 2), "query_seconds": round(seconds, 2),
            "ms_per_query": round(1000 * seconds / max(1, len(items)), 1)}
