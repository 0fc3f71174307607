"""Hybrid search over one or more knowledge bases: dense + BM25, fused by RRF.

Every candidate also gets a `relevance`: the cosine between the query and the chunk's
stored embedding. Fused RRF scores only order candidates; relevance is what a
threshold can compare against to say "nothing here is about the question".
"""
from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from app.settings import Settings
from retrieval.embedders import Embedder
from retrieval.fusion import reciprocal_rank_fusion
from retrieval.lexical import query_tokens
from retrieval.store import KnowledgeBase
from retrieval.types import ScoredChunk

log = logging.getLogger(__name__)


class HybridSearcher:
    """Search one knowledge base. Cheap to build; the embedder loads on the first query."""

    def __init__(self, kb: KnowledgeBase, embedder: Embedder, settings: Settings) -> None:
        self.kb = kb
        self.embedder = embedder
        self.settings = settings

    def search(self, query: str, k: int | None = None, *, mode: str = "hybrid",
               query_vector: np.ndarray | None = None) -> list[ScoredChunk]:
        """The top `k` chunks for `query`, best first, above the score threshold.

        `mode` is "hybrid", "dense" or "lexical" (the last two for evaluation).
        """
        if mode not in ("hybrid", "dense", "lexical"):
            raise ValueError(f"unknown search mode {mode!r}")
        s = self.settings
        k = k or s.top_k
        if not query.strip() or self.kb.embed_model is None:
            return []
        self.kb.check_embedder(self.embedder.name)
        qvec = query_vector if query_vector is not None else self.embedder.embed_query(query)

        dense = self.kb.dense_search(qvec, s.dense_candidates) if mode != "lexical" else []
        lexical = self.kb.lexical_search(query_tokens(query), s.lexical_candidates) if mode != "dense" else []
        dense_ids = [cid for cid, _ in dense]
        lexical_ids = [cid for cid, _ in lexical]
        fused = reciprocal_rank_fusion([dense_ids, lexical_ids], k=s.rrf_k,
                                       weights=[s.dense_weight, s.lexical_weight])

        relevance = dict(dense)
        missing = [cid for cid, _ in fused if cid not in relevance]
        for cid, vec in self.kb.embeddings(missing).items():
            relevance[cid] = float(np.dot(qvec, vec))

        dense_rank = {cid: i for i, cid in enumerate(dense_ids, 1)}
        lexical_rank = {cid: i for i, cid in enumerate(lexical_ids, 1)}
        kept = [(cid, score) for cid, score in fused if relevance.get(cid, -1.0) >= s.score_threshold][:k]
        chunks = self.kb.chunks([cid for cid, _ in kept])
        return [
            ScoredChunk(chunk=chunks[cid], score=score, relevance=relevance[cid],
                        dense_rank=dense_rank.get(cid), lexical_rank=lexical_rank.get(cid))
            for cid, score in kept if cid in chunks
        ]


def search_many(searchers: Sequence[HybridSearcher], query: str, k: int) -> list[ScoredChunk]:
    """Search several knowledge bases and merge by fused score (RRF scores share a scale)."""
    if not searchers:
        return []
    qvec = searchers[0].embedder.embed_query(query) if query.strip() else None
    merged: list[ScoredChunk] = []
    for searcher in searchers:
        same_model = searcher.embedder.name == searchers[0].embedder.name
        merged.extend(searcher.search(query, k, query_vector=qvec if same_model else None))
    merged.sort(key=lambda sc: (-sc.score, -sc.relevance))
    return merged[:k]
