"""The evaluation knowledge base: each corpus line indexed as one document whose source is
its `doc_id`, under `$YIZHI_DATA_DIR/eval/kb/`, reused while the corpus and the settings
that shape the index are unchanged. Plus the question vectors every run shares."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from tqdm import tqdm

from app.settings import Settings
from core.errors import ConfigError
from core.types import Document
from evaluation.qa import QAItem, read_jsonl
from ingest.pipeline import IngestPipeline
from retrieval.embedders import EMBED_TEXT_VERSION, Embedder, OnnxEmbedder, SentenceTransformerEmbedder, UseEmbedder
from retrieval.kb.opening import open_knowledge_base
from retrieval.kb.protocols import KnowledgeBase

__all__ = ["eval_data_dir", "eval_root", "eval_kb_name", "build_eval_kb", "embed_questions"]


def eval_data_dir(settings: Settings) -> Path:
    """The data folder of evaluation: a service with this `data_dir` sees the eval KBs."""
    return settings.data_dir / "eval"


def eval_root(settings: Settings) -> Path:
    """Where evaluation knowledge bases live (the `kb_root` of a service on eval_data_dir)."""
    return eval_data_dir(settings) / "kb"


def eval_kb_name(corpus: Path, settings: Settings, embedder_name: str) -> str:
    """A name that changes whenever the corpus or an index-shaping setting does."""
    digest = hashlib.sha256(Path(corpus).read_bytes())
    shape = [embedder_name, settings.chunk_size, settings.chunk_overlap, settings.title_enhance, EMBED_TEXT_VERSION]
    if settings.child_chunk_size:  # the names of indexes without child pieces stay as they were
        shape.append(["children", settings.child_chunk_size])
    digest.update(json.dumps(shape).encode())
    backend = "" if settings.vector_store == "faiss" else f"-{settings.vector_store}"  # each backend its own
    return f"{Path(corpus).parent.name}-{Path(corpus).stem}-{digest.hexdigest()[:12]}{backend}"


def build_eval_kb(corpus: Path, settings: Settings, embedder: Embedder, *, progress: bool = True) -> KnowledgeBase:
    """Index the corpus (resuming or reusing an earlier build) and return its knowledge base."""
    rows = read_jsonl(corpus)
    kb = open_knowledge_base(eval_root(settings), eval_kb_name(corpus, settings, embedder.name),
                             settings.store_config(), create=True)
    pipeline = IngestPipeline(kb, embedder, settings.ingest_config(), progress=False)
    todo = []
    for row in rows:
        if "doc_id" not in row or not str(row.get("text", "")).strip():
            raise ConfigError(f"{corpus}: every line needs a doc_id and a non-empty text")
        content_hash = hashlib.sha256(row["text"].encode("utf-8")).hexdigest()
        known = kb.document(str(row["doc_id"]))
        if known is None or known.content_hash != content_hash:
            todo.append((row, content_hash))
    for row, content_hash in tqdm(todo, desc="indexing corpus", unit="doc", disable=not progress or None):
        doc = Document(text=row["text"], source=str(row["doc_id"]), title=row.get("title", ""),
                       content_hash=content_hash)
        pipeline.index_documents(doc.source, content_hash, [doc])
    kb.save()
    return kb


def embed_questions(items: Sequence[QAItem], embedder: Embedder) -> list[np.ndarray]:
    """Query vectors, computed once and shared by every run.

    Batched for the embedders whose `embed_query` is `embed_documents` of the (prefixed)
    question; any other embedder is asked one question at a time.
    """
    if isinstance(embedder, (UseEmbedder, SentenceTransformerEmbedder, OnnxEmbedder)):
        prefix = getattr(embedder, "query_prefix", "")
        return list(embedder.embed_documents([prefix + item.question for item in items]))
    return [embedder.embed_query(item.question) for item in items]
