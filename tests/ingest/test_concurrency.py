"""Two writers on one knowledge base: the second waits for the first (never interleaves),
or gives up with a clear message after the lock timeout; readers keep searching."""
from __future__ import annotations

import time

import pytest

from retrieval.kb.opening import open_knowledge_base
from retrieval.lexical import query_tokens
from tests.ingest.ingest_proc import committed, env_for, make_docs, query, start_ingest, wait_for

KB = "shared"
N_FILES = 20


@pytest.mark.slow
def test_two_writers_take_turns(tmp_path):
    # Enough files that the first writer still holds the lock when the second has started
    # (20 small files once finished before a slow-starting second process asked for it).
    files = 3 * N_FILES
    make_docs(tmp_path / "a", files, "alpha")
    make_docs(tmp_path / "b", files, "beta")
    env = env_for(tmp_path / "data")
    db_path = tmp_path / "data" / "kb" / KB / "kb.sqlite"
    first = start_ingest(tmp_path / "a", KB, env)
    second = start_ingest(tmp_path / "b", KB, env)
    results = [proc.communicate(timeout=300) for proc in (first, second)]
    for proc, (out, err) in zip((first, second), results):
        assert proc.returncode == 0, err
        assert "Traceback" not in out + err
    assert committed(db_path) == 2 * files
    times = dict(query(db_path, "SELECT path, updated_at FROM documents"))
    alpha = [t for p, t in times.items() if "/alpha" in p]
    beta = [t for p, t in times.items() if "/beta" in p]
    assert max(alpha) < min(beta) or max(beta) < min(alpha), "the two batches interleaved"
    waited = [err for _, err in results if "being written by another process: waiting" in err]
    assert len(waited) == 1  # the one that came second was told why it waits
    with open_knowledge_base(tmp_path / "data" / "kb", KB) as kb:
        assert kb.check().ok


@pytest.mark.slow
def test_busy_knowledge_base_times_out_with_a_clear_message(tmp_path):
    make_docs(tmp_path / "c", 2, "gamma")
    kb_root = tmp_path / "data" / "kb"
    with open_knowledge_base(kb_root, KB, create=True) as holder, holder.write_lock(timeout=1):
        # another writer (an upload in the UI, say) holds the knowledge base throughout
        impatient = start_ingest(tmp_path / "c", KB, env_for(tmp_path / "data", YIZHI_LOCK_TIMEOUT="0.5"))
        out, err = impatient.communicate(timeout=120)
    assert impatient.returncode == 2
    assert "being written by another process" in err and "YIZHI_LOCK_TIMEOUT" in err
    assert "Traceback" not in out + err
    assert committed(kb_root / KB / "kb.sqlite") == 0


@pytest.mark.slow
def test_readers_keep_searching_while_a_writer_works(tmp_path):
    make_docs(tmp_path / "a", 3 * N_FILES, "alpha")
    env = env_for(tmp_path / "data")
    kb_root = tmp_path / "data" / "kb"
    db_path = kb_root / KB / "kb.sqlite"
    query_tokens("预热分词词典")  # load jieba's dictionary before the race starts
    writer = start_ingest(tmp_path / "a", KB, env)
    assert wait_for(writer, db_path, 1)

    counts: set[int] = set()
    slowest = 0.0
    with open_knowledge_base(kb_root, KB) as reader:
        counts.add(reader.chunk_count())
        first_id = reader.lexical_search(query_tokens("alpha000"), 1)[0][0]
        vector = reader.embeddings([first_id])[first_id]
        while writer.poll() is None:
            started = time.perf_counter()
            dense = reader.dense_search(vector, 5)
            lexical = reader.lexical_search(query_tokens("知识库问答系统"), 5)
            slowest = max(slowest, time.perf_counter() - started)
            assert dense and dense[0][1] > 0.999  # the query is a stored vector: it finds itself (or a twin)
            ids = [cid for cid, _ in dense + lexical]
            assert set(reader.chunks(ids)) == set(ids)  # nothing found that the database lacks
            counts.add(reader.chunk_count())
            time.sleep(0.02)
        assert reader.check().ok
    out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    assert len(counts) > 1, "the reader did not see the writer's progress while it worked"
    assert slowest < 5.0
