"""Large knowledge bases leave their very common tokens out of the BM25 query (FTS5 scores
every matching row); small ones rank exactly as before."""
from __future__ import annotations

import numpy as np

from core.types import Chunk
from retrieval.kb import fts_search
from retrieval.kb.knowledge_base import CatalogueKnowledgeBase
from retrieval.kb.opening import open_catalogue_knowledge_base


def _kb(tmp_path, n: int) -> CatalogueKnowledgeBase:
    kb = open_catalogue_knowledge_base(tmp_path, "kb", create=True)
    texts = [f"城市 第{i}号 文档" + (" 西湖" if i == 7 else "") for i in range(n)]
    chunks = [Chunk(text=t, source="a", retrieval_text=t, position=i) for i, t in enumerate(texts)]
    vectors = np.eye(n, 8, dtype=np.float32) + 0.01
    kb.replace_document("a", "h", chunks, vectors / np.linalg.norm(vectors, axis=1, keepdims=True), model_name="m",
                        lexical_tokens=[" ".join(t.split()) for t in texts])
    return kb


def test_common_tokens_are_left_out_only_in_large_knowledge_bases(tmp_path, monkeypatch):
    with _kb(tmp_path, 30) as kb:
        rows = kb.catalogue.rows
        common = fts_search.CommonTokens()
        assert common.kept(["城市", "西湖"], rows, kb.generation) == ["城市", "西湖"]  # small: all kept
        monkeypatch.setattr(fts_search, "COMMON_ROWS", 10)  # as if it were large
        common = fts_search.CommonTokens()
        assert common.kept(["城市", "西湖"], rows, kb.generation) == ["西湖"]  # in all 30 rows: dropped
        assert common.kept(["城市", "文档"], rows, kb.generation) in (["城市"], ["文档"])  # all common: the rarest
        assert common.kept(["城市"], rows, kb.generation) == ["城市"]
        # the knowledge base's own lexical search prunes so (its counts are read afresh: it has not searched yet)
        assert kb.lexical_search(["城市", "西湖"], 3)[0][0] == 8  # chunk ids start at 1: the 8th holds 西湖
