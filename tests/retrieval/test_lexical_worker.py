"""jieba in a child process: the same rows as in-process, errors that say what to do,
and a child that never outlives its parent."""
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from core.errors import WorkerError
from retrieval.lexical import lexical_rows
from retrieval.lexical_worker import LexicalWorker

ROOT = Path(__file__).resolve().parents[2]

TEXTS = [
    "知识库问答系统在笔记本电脑上离线运行。\n第二行：RCEP包括哪些国家？",
    "Hard-wrapped English\nlines, with numbers 3.14 and e-mail a@b.cn",
    "",
    "表格 | 单元格 | 2018年第一季度",
    "emoji 🙂 and a lone surrogate \ud800 from a damaged file",
]


@pytest.fixture
def worker():
    w = LexicalWorker()
    yield w
    w.close()


def test_rows_are_those_of_the_in_process_tokenizer(worker):
    assert worker.submit(TEXTS).result() == lexical_rows(TEXTS)
    assert worker.submit([]).result() == []
    assert worker.submit(TEXTS[:1]).result() == lexical_rows(TEXTS[:1])  # the same child again


def test_threads_take_turns(worker):
    results: dict[int, list[bool]] = {}

    def ask(n: int) -> None:
        texts = [f"第{n}号线程的第{i}段文字，关于离线检索。" for i in range(5)]
        results[n] = [worker.submit(texts).result() == lexical_rows(texts) for _ in range(10)]

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert results == {n: [True] * 10 for n in range(3)}


def test_a_child_killed_mid_request_is_a_clear_error_and_the_next_request_restarts_it(worker):
    worker.submit(["预热"]).result()
    pending = worker.submit(TEXTS * 2000)  # about a second of work: killed long before it answers
    worker._process.kill()
    with pytest.raises(WorkerError, match="run the ingest again"):
        pending.result()
    assert worker.submit(TEXTS).result() == lexical_rows(TEXTS)
    with pytest.raises(RuntimeError, match="already taken"):
        pending.result()


def test_the_child_exits_with_its_parent(tmp_path):
    parent = subprocess.Popen(
        [sys.executable, "-c",
         ("import sys, time; from retrieval.lexical_worker import LexicalWorker\n"
          "w = LexicalWorker(); w.submit(['父进程']).result(); print(w._process.pid, flush=True); time.sleep(300)")],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    parent.send_signal(signal.SIGKILL)
    parent.wait(timeout=30)
    deadline = time.monotonic() + 30
    while _alive(child):
        assert time.monotonic() < deadline, "the tokenizer child outlived its killed parent"
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (exited, not yet reaped by init) counts as gone
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False
