"""Hybrid search over one or more knowledge bases.

    dense top-n + BM25 top-n ─▶ [the dense list re-ordered by the candidates' child pieces]
        ─▶ RRF ─▶ pool of the best `candidate_pool` ─▶ [cross-encoder rerank]
        ─▶ [each document's best chunk first] ─▶ relevance (retrieval/relevance.py) ─▶ threshold
        ─▶ near-duplicates merged (retrieval/duplicates.py) ─▶ top k

Fused (or reranked) scores order the candidates; `relevance` is the calibrated score the
threshold compares against, because a rank cannot say "nothing here is about the
question". When nothing passes, the answering service refuses without calling the LLM.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import numpy as np

from core.config import SearchConfig
from core.enums import SearchMode
from core.errors import ConfigError
from core.types import ScoredChunk
from retrieval.children import best_child_ranking
from retrieval.duplicates import collapse
from retrieval.embedders import Embedder
from retrieval.fusion import diversify, reciprocal_rank_fusion
from retrieval.kb.protocols import KnowledgeBase
from retrieval.lexical import query_tokens
from retrieval.relevance import closeness_for, relevance_scores
from retrieval.rerank import CrossEncoderReranker, get_reranker, rerank_order

log = logging.getLogger(__name__)


def passing(pool: Sequence[ScoredChunk], threshold: float) -> list[ScoredChunk]:
    """The chunks of `pool` whose relevance reaches `threshold`, in pool order.

    The one threshold rule: when none pass, there is nothing to answer from (refuse).
    """
    return [c for c in pool if c.relevance >= threshold]


class HybridSearcher:
    """Search one knowledge base. Cheap to build; models load on the first query.

    The reranker is the one `config.reranker_model` names (shared by the process), or
    the one given; `rerank=False` turns it off for this searcher.
    """

    def __init__(self, kb: KnowledgeBase, embedder: Embedder, config: SearchConfig, *,
                 reranker: CrossEncoderReranker | None = None, rerank: bool = True) -> None:
        self.kb = kb
        self.embedder = embedder
        self.config = config
        if reranker is None and rerank and config.reranker_model.strip():
            reranker = get_reranker(config.reranker_model, config.rerank_max_length)
        self.reranker = reranker if rerank else None

    def search(self, query: str, k: int | None = None, *, mode: SearchMode = SearchMode.HYBRID,
               query_vector: np.ndarray | None = None) -> list[ScoredChunk]:
        """The top `k` chunks for `query`, best first, whose relevance reaches the threshold.

        A near-duplicate of a better-ranked chunk (the same text from another file, or a
        heavily overlapping chunk) is merged into it (`also_in`) before the cut, so its slot
        goes to the next result; the pool holds at least 2k candidates for that (the
        default `candidate_pool` of 20 already does for k up to 10).
        """
        k = k or self.config.top_k
        pool = self.candidates(query, mode=mode, query_vector=query_vector, pool=2 * k)
        return collapse(passing(pool, self.config.score_threshold), limit=k)

    def candidates(self, query: str, *, mode: SearchMode = SearchMode.HYBRID, query_vector: np.ndarray | None = None,
                   pool: int = 0) -> list[ScoredChunk]:
        """The candidate pool in its final order, each with its relevance; no threshold.

        `mode` is hybrid, dense or lexical (the last two for evaluation); the pool
        holds max(`candidate_pool`, `pool`) fused candidates.
        """
        if mode not in set(SearchMode):
            raise ValueError(f"unknown search mode {mode!r}: use one of {', '.join(SearchMode)}")
        mode = SearchMode(mode)
        s = self.config
        if not query.strip() or self.kb.embed_model is None:
            return []
        self.kb.check_embedder(self.embedder.name)
        qvec = query_vector if query_vector is not None else self.embedder.embed_query(query)

        dense = self.kb.dense_search(qvec, s.dense_candidates) if mode != SearchMode.LEXICAL else []
        lexical = (self.kb.lexical_search(query_tokens(query, self.kb.vocabulary()), s.lexical_candidates)
                   if mode != SearchMode.DENSE else [])
        cosine = dict(dense)  # each chunk's own cosine: what relevance uses
        if s.child_chunks and mode != SearchMode.LEXICAL:
            dense = self._by_children(qvec, [cid for cid, _ in dense + lexical], cosine)
        dense_ids = [cid for cid, _ in dense]
        lexical_ids = [cid for cid, _ in lexical]
        fused = reciprocal_rank_fusion([dense_ids, lexical_ids], k=s.rrf_k,
                                       weights=[s.dense_weight, s.lexical_weight])
        fused = fused[:max(s.candidate_pool, pool)]
        chunks = self.kb.chunks([cid for cid, _ in fused])
        fused = [(cid, score) for cid, score in fused if cid in chunks]
        if not fused:
            return []

        if self.reranker is not None:
            scores = self.reranker.score(query, [chunks[cid].retrieval_text for cid, _ in fused])
            fused = [(fused[i][0], float(scores[i])) for i in rerank_order(scores)]
        if s.doc_diversity:
            order = diversify([cid for cid, _ in fused], lambda cid: chunks[cid].source)
            score_of = dict(fused)
            fused = [(cid, score_of[cid]) for cid in order]

        missing = [cid for cid, _ in fused if cid not in cosine]
        for cid, vec in self.kb.embeddings(missing).items():
            cosine[cid] = float(np.dot(qvec, vec))
        relevance = relevance_scores(query, [chunks[cid].retrieval_text for cid, _ in fused],
                                     [cosine.get(cid, 0.0) for cid, _ in fused],
                                     closeness_for(self.embedder), s.relevance_dense_weight)
        dense_rank = {cid: i for i, cid in enumerate(dense_ids, 1)}
        lexical_rank = {cid: i for i, cid in enumerate(lexical_ids, 1)}
        return [
            ScoredChunk(chunk=chunks[cid], score=score, relevance=rel,
                        dense_rank=dense_rank.get(cid), lexical_rank=lexical_rank.get(cid))
            for (cid, score), rel in zip(fused, relevance)
        ]

    def _by_children(self, qvec: np.ndarray, candidates: list[int], cosine: dict[int, float]) -> list[tuple[int, float]]:
        """The dense list: both lists' candidates by their best child piece (retrieval/children.py).

        Adds the candidates' own cosines to `cosine`. A knowledge base without child pieces
        (built before them, or with them off) keeps the chunk vectors' own list.
        """
        candidates = list(dict.fromkeys(candidates))  # a chunk in both lists once
        children = self.kb.child_embeddings(candidates)
        if not children:
            return list(cosine.items())
        for cid, vec in self.kb.embeddings([c for c in candidates if c not in cosine and c not in children]).items():
            cosine[cid] = float(np.dot(qvec, vec))
        return best_child_ranking(qvec, candidates, children, cosine)


def merge_ranked(lists: Sequence[Sequence[ScoredChunk]], k: int) -> list[ScoredChunk]:
    """Merge ranked lists by score, keeping each list's own order (k-way merge of heads)."""
    heads = [0] * len(lists)
    merged: list[ScoredChunk] = []
    while len(merged) < k:
        best = None
        for i, ranked in enumerate(lists):
            if heads[i] < len(ranked) and (best is None or ranked[heads[i]].score > lists[best][heads[best]].score):
                best = i
        if best is None:
            break
        merged.append(lists[best][heads[best]])
        heads[best] += 1
    return merged


def search_many(searchers: Sequence[HybridSearcher], query: str, k: int) -> list[ScoredChunk]:
    """Search several knowledge bases and merge by score (fused or reranker scores share a scale);
    a passage found in two knowledge bases takes one slot and names the other copy."""
    if not searchers:
        return []
    qvec = searchers[0].embedder.embed_query(query) if query.strip() else None
    results = []
    for searcher in searchers:
        same_model = searcher.embedder.name == searchers[0].embedder.name
        results.append(searcher.search(query, k, query_vector=qvec if same_model else None))
    if len(results) == 1:
        return results[0]
    return collapse(merge_ranked(results, sum(len(r) for r in results)), limit=k)


class MultiSearcher:
    """One search over several knowledge bases with one embedder: what the answer flow is
    given (its `Retriever`), and what the services search with. Cheap to build: the
    knowledge bases are checked and opened (`open_kb`, which raises KnowledgeBaseNotFound)
    on the first search, so a question that needs no search needs no knowledge base."""

    def __init__(self, kb_names: Sequence[str], open_kb: Callable[[str], KnowledgeBase], embedder: Embedder,
                 config: SearchConfig, k: int | None = None) -> None:
        self.kb_names, self._open_kb, self.embedder, self.config = list(kb_names), open_kb, embedder, config
        self.k = k or config.top_k
        self._texts: dict[str, str] = {}  # one question's documents, read once

    def searchers(self) -> list[HybridSearcher]:
        if not self.kb_names:
            raise ConfigError("no knowledge base selected")
        return [HybridSearcher(self._open_kb(name), self.embedder, self.config) for name in self.kb_names]

    def document_text(self, source: str) -> str:
        """The whole text of a found document in matching form ("" when no knowledge base holds
        it): what the answer checks a question's names and numbers against."""
        if source not in self._texts:
            kb = next((kb for kb in map(self._open_kb, self.kb_names) if kb.document(source) is not None), None)
            self._texts[source] = kb.document_text(source) if kb is not None else ""
        return self._texts[source]

    def search(self, query: str) -> list[ScoredChunk]:
        """The best `k` chunks whose relevance reaches the threshold, best first."""
        _check_query(query)
        return search_many(self.searchers(), query, self.k)

    def candidates(self, query: str) -> list[ScoredChunk]:
        """Every knowledge base's candidate pool before the threshold, merged by score (ranks
        are per knowledge base): what the threshold keeps and drops."""
        _check_query(query)
        searchers = self.searchers()
        qvec = self.embedder.embed_query(query)
        pools = [s.candidates(query, query_vector=qvec, pool=self.config.top_k) for s in searchers]
        return merge_ranked(pools, sum(len(p) for p in pools))


def _check_query(query: str) -> None:
    if not query or not query.strip():
        raise ConfigError("the question is empty: type a question")
