"""What only the Milvus backend has: which backend a knowledge base opens with, migration
both ways without re-embedding, collections of their own, the one-process rule of Milvus
Lite, and a collection that is missing or behind being rebuilt from the catalogue."""
from __future__ import annotations

import multiprocessing

import numpy as np
import pytest

from core.config import StoreConfig
from core.enums import VectorStore
from core.errors import ConfigError, KnowledgeBaseBusy
from core.types import Chunk
from retrieval.kb.faiss.index import DENSE_FILE
from retrieval.kb.manage import migrate_knowledge_base as migrate
from retrieval.kb.manage import remove_knowledge_base
from retrieval.kb.milvus import connection as milvus_conn
from retrieval.kb.milvus.index import COLLECTION_KEY, LITE_FILE
from retrieval.kb.opening import open_catalogue_knowledge_base, open_knowledge_base, recorded_backend
from retrieval.kb.protocols import KnowledgeBase
from retrieval.lexical import query_tokens


def _chunks(source: str, texts: list[str]) -> list[Chunk]:
    return [Chunk(text=t, source=source, retrieval_text=t, position=i, page=1) for i, t in enumerate(texts)]


def _vectors(n: int, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, 8)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.fixture
def milvus(milvus_lite_uri) -> StoreConfig:
    return StoreConfig(vector_store="milvus", milvus_uri=milvus_lite_uri)


def _fill(kb) -> tuple[list[int], np.ndarray]:
    vectors = _vectors(3)
    ids = kb.replace_document("/d/a.txt", "h1", _chunks("/d/a.txt", ["北京是中国的首都", "上海是港口城市", "杭州有西湖"]),
                              vectors, model_name="m")
    return ids, vectors


def _collection(kb) -> str:
    return kb.catalogue.meta(COLLECTION_KEY)


def test_both_backends_satisfy_the_protocol(tmp_path, milvus):
    with open_knowledge_base(tmp_path, "a", milvus, create=True) as kb:
        assert kb.backend == VectorStore.MILVUS and isinstance(kb, KnowledgeBase)
    with open_knowledge_base(tmp_path, "b", StoreConfig(), create=True) as kb:
        assert kb.backend == VectorStore.FAISS and isinstance(kb, KnowledgeBase)


def test_an_existing_knowledge_base_keeps_its_backend(tmp_path, milvus):
    with open_knowledge_base(tmp_path, "old", StoreConfig(), create=True) as kb:
        _fill(kb)
        kb.save()
    with open_knowledge_base(tmp_path, "new", milvus, create=True) as kb:
        _fill(kb)
    assert recorded_backend(tmp_path, "old") == "faiss" and recorded_backend(tmp_path, "new") == "milvus"
    assert recorded_backend(tmp_path, "none") is None
    with open_knowledge_base(tmp_path, "old", milvus) as kb:  # the setting names the backend of new ones only
        assert kb.backend == VectorStore.FAISS
    with open_knowledge_base(tmp_path, "new", StoreConfig()) as kb:
        assert kb.backend == VectorStore.MILVUS and kb.chunk_count() == 3


def test_migrate_both_ways_copies_without_re_embedding(tmp_path, milvus):
    with open_knowledge_base(tmp_path, "kb", StoreConfig(), create=True) as kb:
        ids, vectors = _fill(kb)
        kb.save()
    line = migrate(tmp_path, "kb", "milvus", milvus, lock_timeout=5)
    assert "moved from faiss to milvus" in line and "consistent: 3 chunks" in line
    assert not (tmp_path / "kb" / DENSE_FILE).exists()
    with open_catalogue_knowledge_base(tmp_path, "kb", StoreConfig()) as kb:
        assert kb.backend == VectorStore.MILVUS
        assert kb.dense_search(vectors[1], 1)[0][0] == ids[1]
        assert kb.lexical_search(query_tokens("西湖在哪里"), 5)[0][0] == ids[2]
        assert np.array_equal(kb.embeddings([ids[0]])[ids[0]], vectors[0])
        collection = _collection(kb)
    assert "already uses milvus" in migrate(tmp_path, "kb", "milvus", milvus, lock_timeout=5)
    assert "moved from milvus to faiss" in migrate(tmp_path, "kb", "faiss", milvus, lock_timeout=5)
    assert not milvus_conn.acquire(milvus.milvus_uri).has_collection(collection)  # the collection is gone
    milvus_conn.release(milvus.milvus_uri)
    with open_knowledge_base(tmp_path, "kb", milvus) as kb:
        assert kb.backend == VectorStore.FAISS and kb.check().ok
        assert kb.dense_search(vectors[1], 1)[0][0] == ids[1]
    with pytest.raises(ConfigError, match="unknown vector store"):
        migrate(tmp_path, "kb", "chroma", milvus, lock_timeout=5)


def test_each_knowledge_base_has_its_own_collection(tmp_path, milvus):
    one = open_catalogue_knowledge_base(tmp_path / "x", "kb", milvus, create=True)
    two = open_catalogue_knowledge_base(tmp_path / "y", "kb", milvus, create=True)  # the same name, one Milvus
    try:
        assert _collection(one) != _collection(two)
        ids, vectors = _fill(one)
        assert two.dense_search(vectors[0], 5) == [] and two.lexical_search(["西湖"], 5) == []
        assert one.dense_search(vectors[0], 1)[0][0] == ids[0]
    finally:
        two.close()
    collection = _collection(one)
    with one.write_lock(5):
        remove_knowledge_base(one)  # the folder and the collection
    assert not (tmp_path / "x" / "kb").exists()
    assert not milvus_conn.acquire(milvus.milvus_uri).has_collection(collection)
    milvus_conn.release(milvus.milvus_uri)


def test_a_dropped_collection_is_rebuilt_from_the_catalogue(tmp_path, milvus):
    with open_knowledge_base(tmp_path, "kb", milvus, create=True) as kb:
        ids, vectors = _fill(kb)
        kb.drop_index()  # lost with a Milvus server, or another milvus_uri configured
    with open_knowledge_base(tmp_path, "kb", milvus) as kb:
        assert kb.dense_search(vectors[2], 1)[0][0] == ids[2]
        assert kb.check().ok


def _open_in_child(kb_root: str) -> str:
    try:
        with open_knowledge_base(kb_root, "lite", StoreConfig(vector_store="milvus"), create=True):
            return "opened"
    except KnowledgeBaseBusy as exc:
        return str(exc)


def test_milvus_lite_serves_one_process_at_a_time(tmp_path):
    # uri "" = a Milvus Lite file in the knowledge base's folder; while this process has it
    # open, another process is told why it cannot, and what to do
    with open_knowledge_base(tmp_path, "lite", StoreConfig(vector_store="milvus"), create=True) as kb:
        assert (tmp_path / "lite" / LITE_FILE).is_dir()
        _fill(kb)
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            message = pool.apply(_open_in_child, (str(tmp_path),))
        assert "open in another process" in message and "Milvus server" in message
    with multiprocessing.get_context("spawn").Pool(1) as pool:  # closed: free for the next process
        assert pool.apply(_open_in_child, (str(tmp_path),)) == "opened"


def test_a_lite_file_must_end_in_db(tmp_path):
    with pytest.raises(ConfigError, match="must end in .db"):
        open_knowledge_base(tmp_path, "kb", StoreConfig(vector_store="milvus", milvus_uri=str(tmp_path / "m")),
                            create=True)
