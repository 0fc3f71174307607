"""Concurrency inside one process, once per backend (FAISS, and Milvus through Milvus Lite,
which serves one process at a time, so tests/ingest/test_concurrency.py's processes run
on FAISS only).

This is the UI's case: one Streamlit process builds the services once and every browser
session is a thread using them, so two sessions uploading into one knowledge base share
its open object (`Resources.knowledge_base`) and its write lock, and a third session
searches it meanwhile. Two writers take turns (the write lock is a file lock, held per
thread); readers never wait for a batch (at most for one file's commit, whose catalogue
transaction and index writes hold the store's mutex, as the searches do) and find only
what the catalogue holds, never a replaced document half done.
"""
from __future__ import annotations

import threading
import time
from functools import partial
from pathlib import Path

import pytest

from app.services import build_services
from core.enums import FileStatus
from ingest.pipeline import IngestPipeline
from retrieval.lexical import query_tokens
from tests.ingest.ingest_proc import PARAGRAPH, make_docs

KB = "shared"
N_FILES = 30  # each writer's batch
CHUNKS_PER_FILE = 4  # make_docs' files at chunk_size 120 (the heading joins the first paragraph)
WAIT = 60.0  # seconds a hand-over between threads may take before the test says it hung


@pytest.fixture
def services(kb_settings, fake_embedder):
    """The services of one process, as the UI builds them (shared by every session)."""
    svc = build_services(kb_settings.with_overrides(chunk_size=120, chunk_overlap=20, ocr=False),
                         embedder=fake_embedder)
    query_tokens("预热分词词典")  # load jieba's dictionary before any race starts
    yield svc
    svc.close()


class Worker(threading.Thread):
    """A thread that keeps its result or the exception it died of (a thread's exception
    would otherwise only be printed)."""

    def __init__(self, target, *args) -> None:
        super().__init__(daemon=True)
        self._call = (target, args)
        self.result, self.error = None, None

    def run(self) -> None:
        target, args = self._call
        try:
            self.result = target(*args)
        except BaseException as exc:  # noqa: BLE001  (reported by finish())
            self.error = exc

    def finish(self, timeout: float = 300):
        self.join(timeout)
        assert not self.is_alive(), "the thread did not finish"
        if self.error is not None:
            raise self.error
        return self.result


def _batches_apart(kb, *prefixes: str) -> None:
    """Each batch's documents were committed one after the other, never interleaved."""
    times = {p: sorted(d.updated_at for d in kb.documents() if Path(d.path).name.startswith(p)) for p in prefixes}
    assert all(len(t) == N_FILES for t in times.values()), {p: len(t) for p, t in times.items()}
    first, second = sorted(times.values(), key=lambda t: t[0])
    assert first[-1] < second[0], "the two batches interleaved"


def _consistent(kb, chunks: int) -> None:
    report = kb.check()
    assert report.ok, report.summary()
    assert report.chunks == report.lexical_rows == report.dense_vectors == chunks


def _findable(kb, prefixes: tuple[str, ...], every: int = 7) -> None:
    """A sample of the files is found by its unique word, lexically and by its own vector."""
    for prefix in prefixes:
        for i in range(0, N_FILES, every):
            word = f"{prefix}{i:03d}"
            hits = kb.lexical_search(query_tokens(word), 3)
            assert hits, word
            top = kb.chunks([hits[0][0]])[hits[0][0]]
            assert Path(top.source).stem == word
            vector = kb.embeddings([hits[0][0]])[hits[0][0]]
            dense = kb.dense_search(vector, 1)
            assert dense and dense[0][1] > 0.999, word


def _take_turns(first_ingest, second_ingest) -> tuple[list, dict[str, list[str]]]:
    """Run two batches in two threads, the second started once the first has committed a
    file (so it holds the write lock, inside its batch): the second must wait for it.
    Each `ingest(on_file, on_wait)` runs one batch. Returns the summaries and what each was
    told while it waited."""
    first_committed = threading.Event()
    waits: dict[str, list[str]] = {"first": [], "second": []}
    first = Worker(first_ingest, lambda outcome: first_committed.set(), waits["first"].append)
    second = Worker(second_ingest, None, waits["second"].append)
    first.start()
    try:
        assert first_committed.wait(WAIT), first.error
        second.start()
    finally:  # never leave a writer running past its test
        first.join(WAIT)
        if second.ident is not None:
            second.join(WAIT)
    return [first.finish(), second.finish()], waits


def _turns_taken(summaries, waits) -> None:
    for summary in summaries:
        assert [o.status for o in summary.outcomes] == [FileStatus.ADDED] * N_FILES
    assert waits["first"] == [] and len(waits["second"]) == 1  # only the second waited, and was told once
    assert "being written by another" in waits["second"][0]


def test_two_sessions_uploading_to_one_knowledge_base_take_turns(tmp_path, services, backend):
    """The UI's path: two threads call `knowledge.ingest` on the same services (so on one
    shared open knowledge base); the second waits for the first's whole batch, then does its own."""
    make_docs(tmp_path / "a", N_FILES, "alpha")
    make_docs(tmp_path / "b", N_FILES, "beta")
    summaries, waits = _take_turns(
        lambda on_file, on_wait: services.knowledge.ingest(KB, [tmp_path / "a"], on_file=on_file, on_wait=on_wait),
        lambda on_file, on_wait: services.knowledge.ingest(KB, [tmp_path / "b"], on_file=on_file, on_wait=on_wait))

    _turns_taken(summaries, waits)
    kb = services.resources.knowledge_base(KB)
    total = 2 * N_FILES * CHUNKS_PER_FILE
    assert sum(s.chunks for s in summaries) == kb.chunk_count() == total
    assert all(d.status == "ok" and d.chunks == CHUNKS_PER_FILE for d in kb.documents())
    _batches_apart(kb, "alpha", "beta")
    _consistent(kb, total)
    _findable(kb, ("alpha", "beta"))
    assert services.knowledge.vector_store(KB) == backend


def test_two_pipelines_on_separate_handles_take_turns(tmp_path, open_kb, fake_embedder, kb_settings):
    """Two `IngestPipeline`s, each on its own open copy of one knowledge base in one process:
    the write lock (a file lock) keeps them apart too, and neither copy's index misses the
    other's chunks (FAISS: synced by the generation; Milvus: one collection, kept level by it)."""
    make_docs(tmp_path / "a", N_FILES, "alpha")
    make_docs(tmp_path / "b", N_FILES, "beta")
    config = kb_settings.with_overrides(chunk_size=120, chunk_overlap=20, ocr=False).ingest_config()
    query_tokens("预热分词词典")
    handles = [open_kb(tmp_path / "kb", KB, create=True), open_kb(tmp_path / "kb", KB)]

    def batch(kb, folder: Path):
        return lambda on_file, on_wait: IngestPipeline(kb, fake_embedder, config, progress=False).run(
            [folder], on_file=on_file, on_wait=on_wait)

    summaries, waits = _take_turns(batch(handles[0], tmp_path / "a"), batch(handles[1], tmp_path / "b"))

    _turns_taken(summaries, waits)
    total = 2 * N_FILES * CHUNKS_PER_FILE
    for kb in handles:  # both copies see everything, and agree with themselves
        assert kb.chunk_count() == total
        _batches_apart(kb, "alpha", "beta")
        _consistent(kb, total)
        _findable(kb, ("alpha", "beta"), every=10)


def _search_while_writing(tmp_path, services, reader) -> None:
    """One thread ingests 2×N_FILES files through the services; this one keeps searching
    `reader` (the services' own open copy, or another) and, through the services, hybrid.

    The writer pauses twice inside its batch (after its first file and half way) until the
    reader has looked, so the reader sees the count grow while the batch is still running."""
    files = 2 * N_FILES
    make_docs(tmp_path / "a", files, "alpha")
    paused = threading.Event()  # the writer waits inside its batch for the reader to look
    looked = threading.Event()
    abandoned = threading.Event()  # the reader failed: the writer goes on without it
    pause_at = {1, files // 2}
    finished: list = []

    def on_file(outcome) -> None:
        finished.append(outcome)
        if len(finished) in pause_at:
            looked.clear()
            paused.set()
            while not looked.wait(0.05):
                assert not abandoned.is_set(), "the reader gave up"

    writer = Worker(lambda: services.knowledge.ingest(KB, [tmp_path / "a"], on_file=on_file))
    writer.start()
    seen: list[int] = []  # chunk counts seen while the writer worked
    searches = 0
    slowest = 0.0
    try:
        assert paused.wait(WAIT), writer.error
        kb = reader()
        first_id = kb.lexical_search(query_tokens("alpha000"), 1)[0][0]
        vector = kb.embeddings([first_id])[first_id]

        def look() -> None:
            nonlocal searches, slowest
            started = time.perf_counter()
            dense = kb.dense_search(vector, 5)
            lexical = kb.lexical_search(query_tokens("知识库问答系统"), 5)
            hybrid = services.answers.search("知识库问答系统离线运行吗", [KB], 5)
            slowest = max(slowest, time.perf_counter() - started)
            assert dense and dense[0][1] > 0.999  # the query is a stored vector: it finds itself (or a twin)
            assert lexical and hybrid
            ids = [cid for cid, _ in dense + lexical] + [r.chunk.chunk_id for r in hybrid]
            assert set(kb.chunks(ids)) == set(ids)  # nothing found that the catalogue lacks
            assert all(r.chunk.source.startswith(str(tmp_path / "a")) for r in hybrid)
            seen.append(kb.chunk_count())
            searches += 1

        while writer.is_alive():
            waiting = paused.is_set()
            look()
            if waiting:  # this look happened while the writer stood inside its batch
                paused.clear()
                looked.set()
            time.sleep(0.01)
    except BaseException:
        abandoned.set()
        raise
    finally:
        writer.join(WAIT)
    writer.finish()
    look()  # and once all is in
    assert searches > 2
    assert len(set(seen[:-1])) > 1, f"the reader did not see the writer's progress while it worked: {seen}"
    assert seen == sorted(seen) and seen[-1] == files * CHUNKS_PER_FILE
    assert slowest < 5.0
    _consistent(kb, files * CHUNKS_PER_FILE)


def test_a_session_searches_while_another_uploads(tmp_path, services):
    """The UI's path: the searching session uses the very object the uploading one writes."""
    _search_while_writing(tmp_path, services, lambda: services.resources.knowledge_base(KB))


def test_a_second_open_copy_searches_while_the_services_ingest(tmp_path, services, open_kb):
    """Another open copy of the knowledge base in the same process (a second handle) reads
    what the writer commits: FAISS by syncing with the generation, Milvus from the collection."""
    _search_while_writing(tmp_path, services, lambda: open_kb(services.settings.kb_root, KB))


def test_a_search_never_sees_a_document_half_replaced(tmp_path, services):
    """While another session re-indexes changed files, a search finds each of them, in its old
    version or its new one, at every moment: a replacement (the catalogue's transaction and
    the vector/BM25 index's delete and insert) is never seen half done. The reader asks for
    the file being replaced right now (the writer goes through them in order)."""
    docs = make_docs(tmp_path / "a", N_FILES, "alpha")
    services.knowledge.ingest(KB, [tmp_path / "a"])
    kb = services.resources.knowledge_base(KB)
    searches = 0
    for version in (2, 3):
        paragraph = PARAGRAPH.replace("答案。", f"答案（第{version}版）。")
        for path in docs:
            path.write_text(f"{path.stem}\n\n" + "\n\n".join([paragraph] * 4), encoding="utf-8")
        finished: list = []
        writer = Worker(partial(services.knowledge.ingest, KB, [tmp_path / "a"], on_file=finished.append))
        writer.start()
        try:
            while writer.is_alive():
                word = docs[min(len(finished), N_FILES - 1)].stem
                hits = kb.lexical_search(query_tokens(word), 3)
                assert hits, f"{word} was not found while it was being replaced (version {version})"
                searches += 1
        finally:
            summary = writer.finish()
        assert [o.status for o in summary.outcomes] == [FileStatus.UPDATED] * N_FILES
    assert searches > 2
    assert kb.chunk_count() == N_FILES * CHUNKS_PER_FILE
    texts = [c.text for c in kb.chunks([int(i) for i in kb.chunk_ids()]).values()]
    assert all("（第3版）" in t for t in texts if "答案" in t) and any("答案" in t for t in texts)
    _consistent(kb, N_FILES * CHUNKS_PER_FILE)
