"""HNSW's search breadth follows the number of results asked for and the collection's size
(collection.py `hnsw_ef`)."""
from retrieval.kb.milvus.collection import hnsw_ef


def test_ef_is_twice_n_within_milvus_bounds():
    assert hnsw_ef(5) == 64  # the floor: a narrow walk saves nothing worth its recall
    assert hnsw_ef(50) == 100  # the default dense_candidates
    assert all(hnsw_ef(n) >= n for n in (1, 32, 64, 1000, 16_384))  # Milvus refuses ef < limit
    assert hnsw_ef(20_000) == 32_768  # Milvus's ceiling


def test_up_to_100k_rows_the_size_changes_nothing():
    assert [hnsw_ef(50, rows) for rows in (0, 1, 1_510, 99_999, 100_000)] == [100] * 5
    assert hnsw_ef(5, 100_000) == 64


def test_ef_grows_by_its_base_for_each_tenfold_growth_beyond_100k():
    assert hnsw_ef(50, 1_000_000) == 200  # measured: recall@10 0.995 at a million chunks (docs/SCALE.md)
    assert hnsw_ef(50, 10_000_000) == 300
    assert hnsw_ef(5, 1_000_000) == 128  # the floor grows too
    assert hnsw_ef(50, 200_000) == 131  # 100 · (1 + log10 2), rounded up
    sizes = [100_000, 150_000, 300_000, 1_000_000, 5_000_000, 50_000_000]
    efs = [hnsw_ef(50, rows) for rows in sizes]
    assert efs == sorted(efs) and len(set(efs)) == len(efs)  # never narrower for a bigger collection


def test_the_size_never_breaks_milvus_bounds():
    for rows in (0, 10**6, 10**9, 10**12):
        for n in (1, 50, 1000, 16_384):
            assert n <= hnsw_ef(n, rows) <= 32_768
