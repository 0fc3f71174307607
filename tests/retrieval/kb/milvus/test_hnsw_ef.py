"""HNSW's search breadth follows the number of results asked for (collection.py `hnsw_ef`)."""
from retrieval.kb.milvus.collection import hnsw_ef


def test_ef_is_twice_n_within_milvus_bounds():
    assert hnsw_ef(5) == 64  # the floor: a narrow walk saves nothing worth its recall
    assert hnsw_ef(50) == 100  # the default dense_candidates
    assert all(hnsw_ef(n) >= n for n in (1, 32, 64, 1000, 16_384))  # Milvus refuses ef < limit
    assert hnsw_ef(20_000) == 32_768  # Milvus's ceiling
