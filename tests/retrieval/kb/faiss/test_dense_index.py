"""The dense index by size: exact up to `exact_max`, IVF above, recall against exact search."""
from __future__ import annotations

import numpy as np
import pytest

from retrieval.kb.faiss.dense_index import DenseIndex

DIM = 32


def _clustered(n: int, seed: int = 0, clusters: int = 40) -> np.ndarray:
    """Vectors around a few centres, as embeddings of a few subjects are."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(clusters, DIM))
    v = centres[rng.integers(0, clusters, n)] + 0.6 * rng.normal(size=(n, DIM))
    v = v.astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _recall_at_10(index: DenseIndex, vectors: np.ndarray, ids: np.ndarray, queries: np.ndarray) -> float:
    truth = np.argsort(-(queries @ vectors.T), axis=1)[:, :10]
    hits = [len({i for i, _ in index.search(q, 10)} & set(ids[t].tolist())) / 10 for q, t in zip(queries, truth)]
    return float(np.mean(hits))


@pytest.fixture(scope="module")
def data():
    vectors = _clustered(5000)
    ids = np.arange(100, 5100, dtype=np.int64)  # chunk ids need not start at 0
    return ids, vectors, _clustered(100, seed=1)


def test_small_index_is_exact(data):
    ids, vectors, queries = data
    index = DenseIndex(DIM)
    index.add(ids, vectors)
    assert index.kind == "flat" and len(index) == 5000
    assert _recall_at_10(index, vectors, ids, queries) == 1.0


def test_above_the_threshold_it_is_ivf_with_recall_of_exact(data, tmp_path):
    ids, vectors, queries = data
    index = DenseIndex(DIM, exact_max=1000)
    index.add(ids[:800], vectors[:800])
    assert index.kind == "flat"
    index.add(ids[800:], vectors[800:])  # crossing the threshold trains the lists on every vector
    assert index.kind == "ivf" and len(index) == 5000
    assert sorted(index.ids().tolist()) == ids.tolist()
    assert _recall_at_10(index, vectors, ids, queries) >= 0.98

    # saved and loaded, it is the same IVF index
    path = tmp_path / "dense.faiss"
    index.save(path, generation=7)
    stamp = DenseIndex.read_stamp(path)
    assert (stamp.generation, stamp.count, stamp.kind, stamp.trained_at) == (7, 5000, "ivf", 5000)
    loaded = DenseIndex.load(path, 7, DIM, exact_max=1000)
    assert loaded.kind == "ivf" and loaded.search(queries[0], 10) == index.search(queries[0], 10)


def test_ivf_removes_and_returns_to_exact_when_small(data):
    ids, vectors, queries = data
    index = DenseIndex(DIM, exact_max=1000)
    index.add(ids, vectors)
    gone = ids[:3000]
    index.remove(gone)
    assert index.kind == "ivf" and len(index) == 2000
    assert not {i for i, _ in index.search(vectors[0], 50)} & set(gone.tolist())
    index.remove(ids[3000:4200])  # 800 left: below the threshold, above half of it
    assert index.kind == "ivf"
    index.remove(ids[4200:4600])  # 400 left: exact again
    assert index.kind == "flat" and sorted(index.ids().tolist()) == ids[4600:].tolist()
    assert _recall_at_10(index, vectors[4600:], ids[4600:], queries) == 1.0


def test_ivf_is_retrained_when_it_has_grown(data):
    ids, vectors, _ = data
    index = DenseIndex(DIM, exact_max=500)
    index.add(ids[:600], vectors[:600])
    assert index._trained_at == 600
    index.add(ids[600:2000], vectors[600:2000])  # less than fourfold: the lists stay
    assert index._trained_at == 600
    index.add(ids[2000:], vectors[2000:])
    assert index._trained_at == 5000 and len(index) == 5000
