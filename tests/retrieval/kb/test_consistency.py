"""The store stays consistent: dense file behind or damaged, readers behind a writer,
ids never reused, lexical rows repaired, one writer at a time (real SQLite and FAISS; the
tests that take `open_kb` run against Milvus Lite too)."""
from __future__ import annotations

import numpy as np
import pytest

from core.errors import KnowledgeBaseBusy
from core.types import Chunk
from retrieval.kb.faiss.dense_index import DenseIndex
from retrieval.kb.faiss.index import DENSE_FILE
from retrieval.kb.knowledge_base import CatalogueKnowledgeBase
from retrieval.kb.opening import open_catalogue_knowledge_base
from retrieval.kb.protocols import KnowledgeBase
from retrieval.lexical import query_tokens


def _chunks(source: str, texts: list[str]) -> list[Chunk]:
    return [Chunk(text=t, source=source, retrieval_text=t, position=i, page=1) for i, t in enumerate(texts)]


def _vectors(n: int, dim: int = 8, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _add(kb: KnowledgeBase, path: str, texts: list[str], seed: int) -> tuple[list[int], np.ndarray]:
    vectors = _vectors(len(texts), seed=seed)
    return kb.replace_document(path, f"h{seed}", _chunks(path, texts), vectors, model_name="m"), vectors


def _dense_ids(kb: CatalogueKnowledgeBase) -> set[int]:
    with kb.catalogue.mutex:
        return {int(i) for i in kb.index.ids()}


def test_dense_file_behind_is_rebuilt_and_saved_on_open(tmp_path):
    with open_catalogue_knowledge_base(tmp_path, "kb", create=True) as kb:
        ids, _ = _add(kb, "a", ["北京", "上海"], 1)
        kb.save()
        more, vectors = _add(kb, "b", ["杭州"], 2)  # committed, never saved: a kill here
    path = tmp_path / "kb" / DENSE_FILE
    assert DenseIndex.read_stamp(path).count == 2
    with open_catalogue_knowledge_base(tmp_path, "kb") as kb:  # the check on open repairs the file
        assert DenseIndex.read_stamp(path).generation == kb.generation
        assert DenseIndex.read_stamp(path).count == 3
        assert kb.dense_search(vectors[0], 1)[0][0] == more[0]
        assert kb.check().ok


@pytest.mark.parametrize("damage", ["truncate", "garbage", "legacy"])
def test_damaged_or_old_dense_files_are_rebuilt(tmp_path, damage):
    with open_catalogue_knowledge_base(tmp_path, "kb", create=True) as kb:
        ids, vectors = _add(kb, "a", ["一", "二", "三"], 3)
        kb.save()
    path = tmp_path / "kb" / DENSE_FILE
    data = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        path.write_bytes(b"\x00" * 100)
    else:  # the earlier format: a bare FAISS file with a JSON stamp beside it
        path.write_bytes(data[data.index(b"}") + 1:])
        path.with_name(path.name + ".json").write_text('{"generation": 1, "count": 3, "dim": 8}')
    (tmp_path / "kb" / "dense.faiss.123.tmp").write_bytes(b"left by a killed writer")
    with open_catalogue_knowledge_base(tmp_path, "kb") as kb:
        assert kb.dense_search(vectors[2], 1)[0][0] == ids[2]
        assert kb.check().ok
    assert DenseIndex.read_stamp(path) is not None
    assert not list((tmp_path / "kb").glob("*.tmp")) and not path.with_name(path.name + ".json").exists()


def test_reader_follows_commits_of_another_process(tmp_path, open_kb):
    writer = open_kb(tmp_path, "kb", create=True)
    first, v1 = _add(writer, "a", ["第一篇文档"], 1)
    writer.save()
    reader = open_kb(tmp_path, "kb")  # another connection, as another process has
    assert reader.dense_search(v1[0], 5)[0][0] == first[0]  # its index is now loaded
    second, v2 = _add(writer, "b", ["第二篇文档"], 2)
    writer.remove_document("a")
    # the reader's loaded index is behind: it syncs before searching
    found = [cid for cid, _ in reader.dense_search(v2[0], 5)]
    assert found == second
    assert reader.lexical_search(query_tokens("第一篇"), 5) == []
    assert reader.check().ok
    writer.close()
    reader.close()


def test_chunk_ids_are_never_reused(tmp_path, open_kb):
    with open_kb(tmp_path, "kb", create=True) as kb:
        first, _ = _add(kb, "a", ["甲", "乙"], 1)
        kb.remove_document("a")  # the highest ids go away…
        second, _ = _add(kb, "b", ["丙"], 2)
        assert min(second) > max(first)  # …and do not come back
    with open_kb(tmp_path, "kb") as kb:
        third, _ = _add(kb, "c", ["丁"], 3)
        assert min(third) > max(second)


def test_writer_applies_its_commit_after_another_process_committed(tmp_path, open_kb):
    one = open_kb(tmp_path, "kb", create=True)
    two = open_kb(tmp_path, "kb")
    a, va = _add(one, "a", ["一号"], 1)
    b, vb = _add(two, "b", ["二号"], 2)  # committed by "another process"
    c, vc = _add(one, "c", ["三号"], 3)  # `one` never saw b's commit: its index must still get b
    assert _dense_ids(one) == set(a + b + c) == _dense_ids(two)
    one.save()
    with open_kb(tmp_path, "kb") as three:
        assert _dense_ids(three) == set(a + b + c)
    one.close()
    two.close()


def test_check_finds_and_repair_fixes_lexical_disagreement(tmp_path, open_kb):
    with open_kb(tmp_path, "kb", create=True) as kb:
        ids, _ = _add(kb, "a", ["西湖在杭州", "玄武湖在南京"], 1)
        with kb.catalogue.transaction() as db:  # damage made by hand: what a bug or an old version could leave
            db.execute("DELETE FROM chunks_fts WHERE rowid = ?", (ids[0],))
            db.execute("INSERT INTO chunks_fts(rowid, tokens) VALUES (999, 'orphan')")
            db.execute("UPDATE documents SET chunks = 7")
        report = kb.check()
        assert not report.ok
        assert report.missing_lexical == [ids[0]] and report.orphan_lexical == [999] and report.wrong_counts == ["a"]
        assert "inconsistent" in report.summary()
        kb.repair()
        assert kb.check().ok
        assert kb.lexical_search(query_tokens("西湖"), 5)[0][0] == ids[0]


def test_one_writer_at_a_time(tmp_path, open_kb):
    first = open_kb(tmp_path, "kb", create=True)
    second = open_kb(tmp_path, "kb")
    told: list[str] = []
    with first.write_lock(timeout=5):
        with pytest.raises(KnowledgeBaseBusy, match="being written by another process"):
            with second.write_lock(timeout=0.2, on_wait=told.append):
                pass
        # readers are not held up by a writer
        assert second.documents() == [] and second.chunk_count() == 0
    assert told and "waiting up to" in told[0]
    with second.write_lock(timeout=1):  # free again once the first is done
        pass
    first.close()
    second.close()
