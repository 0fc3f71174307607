"""The baseline: the plain LangChain recipe many users start from, measured like Yizhi.

    RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50)   # default separators
    FAISS.from_documents(chunks, embeddings)                           # langchain_community
    store.similarity_search(question, k=10)

with the same embedding model as Yizhi, wrapped as LangChain `Embeddings`: dense-only,
no lexical side, no fusion, no reranking, no relevance threshold (so it never refuses).
The chunk vectors are cached under `$YIZHI_DATA_DIR/eval/langchain/` as a NumPy array
and a JSONL file of chunks (no pickle), keyed by corpus, embedder and splitter settings;
the LangChain FAISS store is rebuilt from them in memory on each run.

`langchain_retriever(store)` is the recipe as a retriever for the one run loop
(evaluation/loop.py): the baseline and Yizhi are measured by the same code.
"""
from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings
from tqdm import tqdm

from app.settings import Settings
from evaluation.loop import Retrieve, Retrieved
from evaluation.metrics import RANK_DEPTH
from evaluation.qa import QAItem, read_jsonl
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
        for text, meta in zip(texts, metadatas, strict=True):
            fh.write(json.dumps({"doc_id": meta["doc_id"], "text": text}, ensure_ascii=False) + "\n")
    tmp.replace(folder / "chunks.jsonl")
    np.save(folder / "vectors.tmp.npy", vectors)
    (folder / "vectors.tmp.npy").replace(folder / "vectors.npy")


def build_baseline_store(corpus: Path, settings: Settings, embedder: Embedder, *, progress: bool = True):
    """The LangChain FAISS store over the corpus (vectors from the cache when present)."""
    from langchain_community.vectorstores import FAISS

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
    store = FAISS.from_embeddings(list(zip(texts, vectors.tolist(), strict=True)), LangChainEmbeddings(embedder),
                                  metadatas=metadatas)
    return store, len(texts)


def langchain_retriever(store) -> Retrieve:
    """The recipe's `similarity_search` (top 10 by vector) for each question.

    It has no relevance threshold, so it never refuses.
    """
    def retrieve(item: QAItem, qvec: np.ndarray) -> Retrieved:
        hits = store.similarity_search_with_score_by_vector(np.asarray(qvec, dtype=np.float32).tolist(),
                                                            k=RANK_DEPTH)
        ranked = [doc.metadata["doc_id"] for doc, _ in hits]
        return Retrieved(ranked, refused=False,
                         top=[{"source": d, "score": round(float(s), 5)} for d, (_, s) in zip(ranked[:5], hits[:5], strict=True)])

    return retrieve
