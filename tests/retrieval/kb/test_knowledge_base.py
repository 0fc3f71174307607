"""The knowledge base on disk: real SQLite, and real FAISS or Milvus Lite (`open_kb` runs
each test once per backend)."""
import multiprocessing
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from core.enums import VectorStore
from core.errors import ConfigError, EmbedderMismatch, KnowledgeBaseNotFound, YizhiError
from core.types import Chunk
from retrieval.kb.opening import knowledge_base_names, open_catalogue_knowledge_base
from retrieval.lexical import query_tokens


def _chunks(source: str, texts: list[str]) -> list[Chunk]:
    return [Chunk(text=t, source=source, retrieval_text=t, position=i, page=1) for i, t in enumerate(texts)]


def _vectors(n: int, dim: int = 8, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_missing_kb_and_bad_names(tmp_path, open_kb):
    with pytest.raises(KnowledgeBaseNotFound, match="does not exist"):
        open_kb(tmp_path, "nope")
    for bad in ["../x", "a/b", ".hidden", "", "x" * 65]:
        with pytest.raises(ConfigError):
            open_kb(tmp_path, bad, create=True)
    assert knowledge_base_names(tmp_path) == []


def test_replace_search_and_remove(tmp_path, open_kb):
    kb = open_kb(tmp_path, "知识库", create=True)
    vecs = _vectors(3)
    ids = kb.replace_document("/d/a.txt", "h1", _chunks("/d/a.txt", ["北京是中国的首都", "上海是港口城市", "杭州有西湖"]),
                              vecs, model_name="m")
    assert kb.chunk_count() == 3 and kb.embed_model == "m" and kb.dim == 8
    assert kb.dense_search(vecs[1], 1)[0][0] == ids[1]
    assert kb.lexical_search(query_tokens("西湖在哪里"), 5)[0][0] == ids[2]
    # replacing the document drops the old chunks everywhere
    new_ids = kb.replace_document("/d/a.txt", "h2", _chunks("/d/a.txt", ["南京有玄武湖"]), _vectors(1, seed=1),
                                  model_name="m")
    assert kb.chunk_count() == 1
    assert kb.lexical_search(query_tokens("西湖"), 5) == []
    assert {i for i, _ in kb.dense_search(vecs[2], 10)} == set(new_ids)
    assert kb.document("/d/a.txt").content_hash == "h2"
    assert kb.remove_document("/d/a.txt")
    assert kb.chunk_count() == 0 and kb.dense_search(vecs[0], 5) == [] and kb.documents() == []
    kb.close()


def test_refuses_vectors_from_another_model(tmp_path, open_kb):
    with open_kb(tmp_path, "kb", create=True) as kb:
        kb.replace_document("a", "h", _chunks("a", ["x"]), _vectors(1), model_name="model-a")
        with pytest.raises(EmbedderMismatch, match="built with the embedding model 'model-a', but 'model-b'"):
            kb.replace_document("b", "h", _chunks("b", ["y"]), _vectors(1), model_name="model-b")


def test_failed_document_is_recorded_with_reason(tmp_path, open_kb):
    with open_kb(tmp_path, "kb", create=True) as kb:
        kb.mark_failed("/d/bad.pdf", "h", "file is encrypted: give its password with --password")
        doc = kb.document("/d/bad.pdf")
        assert doc.status == "failed" and "password" in doc.error and doc.chunks == 0


def _killed_before_the_index_write(kb) -> None:
    """Make `kb`'s next commits reach the database only, as a kill right after each commit
    would: FAISS's file is written by save() (not called), Milvus's rows right after the commit."""
    if kb.backend == VectorStore.MILVUS:
        kb.index.apply = lambda commit: None


def test_index_persists_and_is_brought_level_when_behind(tmp_path, open_kb):
    vecs = _vectors(4)
    with open_kb(tmp_path, "kb", create=True) as kb:
        ids = kb.replace_document("a", "h", _chunks("a", list("abcd")), vecs, model_name="m")
        kb.save()
    with open_kb(tmp_path, "kb") as kb:
        assert kb.dense_search(vecs[3], 1)[0][0] == ids[3]
        # a write that commits but dies before its index write…
        _killed_before_the_index_write(kb)
        more = kb.replace_document("b", "h", _chunks("b", ["e"]), _vectors(1, seed=5), model_name="m")
        kb.remove_document("a")
    # …leaves the index behind the database; opening again brings it level from stored embeddings
    with open_kb(tmp_path, "kb") as kb:
        found = {i for i, _ in kb.dense_search(_vectors(1, seed=5)[0], 10)}
        assert found == set(more)
        assert kb.lexical_search(["e"], 5)[0][0] == more[0]
        assert kb.check().ok, kb.check().summary()


def _open_at_once(kb_root: str, barrier) -> str:
    barrier.wait()  # every process opens the new knowledge base at the same instant
    try:
        with open_catalogue_knowledge_base(Path(kb_root), "together", create=True) as kb:
            return f"generation {kb.generation}"
    except YizhiError as exc:
        return f"{type(exc).__name__}: {exc}"
    except sqlite3.OperationalError as exc:  # what the unserialised WAL switch raised
        return f"OperationalError: {exc}"


def test_processes_creating_one_knowledge_base_at_once_all_succeed(tmp_path):
    # Regression: two `make ingest` runs starting together on a new knowledge base failed
    # with "database is locked" (SQLite does not wait for the lock the switch to WAL needs).
    ctx = multiprocessing.get_context("fork")
    for round_ in range(8):
        root = tmp_path / str(round_)
        barrier = ctx.Manager().Barrier(4)
        with ctx.Pool(4) as pool:
            results = pool.starmap(_open_at_once, [(str(root), barrier)] * 4)
        assert results == ["generation 0"] * 4, results
        assert knowledge_base_names(root) == ["together"]


def test_child_vectors_are_stored_with_their_chunk_and_added_to_older_databases(tmp_path, open_kb):
    kb = open_kb(tmp_path, "kb", create=True)
    pieces = _vectors(2, seed=3)
    ids = kb.replace_document("a", "h", _chunks("a", ["长城东起山海关。西至嘉峪关。", "西湖在杭州。"]), _vectors(2),
                              model_name="m", child_vectors=[pieces, None])
    stored = kb.child_embeddings(ids)
    assert list(stored) == [ids[0]] and np.allclose(stored[ids[0]], pieces, atol=1e-3)
    with pytest.raises(ValueError, match="child rows"):
        kb.replace_document("b", "h", _chunks("b", ["黄河"]), _vectors(1), model_name="m", child_vectors=[])
    kb.close()

    # a database made before child pieces: no such column until it is opened by this Yizhi
    (tmp_path / "old").mkdir()
    db = sqlite3.connect(tmp_path / "old" / "kb.sqlite")
    db.executescript("CREATE TABLE chunks (chunk_id INTEGER PRIMARY KEY, doc_id INTEGER, position INTEGER,"
                     " page INTEGER, heading TEXT, ocr INTEGER, text TEXT, retrieval_text TEXT, embedding BLOB,"
                     " match_text TEXT NOT NULL DEFAULT '')")
    db.close()
    old = open_catalogue_knowledge_base(tmp_path, "old")
    try:
        assert "child_embeddings" in {r[1] for r in old.catalogue.rows("PRAGMA table_info(chunks)")}
        assert old.child_embeddings([1]) == {}
    finally:
        old.close()
