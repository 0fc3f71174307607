"""Reading images of pages in worker processes, several pages at once.

On two cores, two processes with one ONNX Runtime thread each read pages with about a
third less CPU time than one process with two threads (most of recognition is small
matrix products that two threads share badly), so a PDF with several pages to OCR
is read that much faster (bench/ocr_bench.py). The pool:
- has at most as many workers as the machine has physical cores, each engine with its
  share of the cores' threads; it starts on first use and serves the whole process;
- starts workers with "spawn" (never fork a process that runs ONNX Runtime threads);
- gives each worker a thread that ends it when its parent is gone, so none outlives it;
- stops at exit; a worker that dies breaks the pool (`BrokenProcessPool` on the pages in
  flight, which the loader reports as pages OCR failed on), and the next call gets a new one.
"""
from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from core.cpu import physical_cores
from ingest.loaders.ocr import OcrLine, recognise
from ingest.loaders.ocr_engine import OcrUnavailable, use_threads

log = logging.getLogger(__name__)

_PARENT_CHECK_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class Unavailable:
    """A worker's answer when its engine cannot load (the exception itself does not
    travel back intact: its `setting` would be lost)."""

    message: str


def worker_count() -> int:
    """How many worker processes read pages: one per physical core."""
    return physical_cores()


def _start_worker(parent: int, threads: int) -> None:
    use_threads(threads)
    threading.Thread(target=_watch_parent, args=(parent,), name="watch-parent", daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_PARENT_CHECK_SECONDS)
    os._exit(0)  # the parent is gone (killed): nothing is waiting for this worker's answers


def _read(image: np.ndarray, upright: bool) -> list[OcrLine] | Unavailable:
    try:
        return recognise(image, upright=upright)
    except OcrUnavailable as exc:
        return Unavailable(str(exc))


class OcrPool:
    """A bounded pool of worker processes that read images of pages."""

    def __init__(self, workers: int) -> None:
        self.workers = max(1, min(workers, physical_cores()))
        threads = max(1, physical_cores() // self.workers)
        self._executor = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_start_worker, initargs=(os.getpid(), threads))
        log.info("OCR worker pool: %d processes of %d thread%s", self.workers, threads, "s" if threads > 1 else "")

    def submit(self, image: np.ndarray, upright: bool) -> Future:
        """Start reading an image; the future's result is its lines (`OcrLine`s) or `Unavailable`."""
        return self._executor.submit(_read, image, upright)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


_shared: OcrPool | None = None
_shared_lock = threading.Lock()


def shared_pool() -> OcrPool:
    """The process's pool, started on first use."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = OcrPool(worker_count())
        return _shared


def discard_pool(pool: OcrPool) -> None:
    """Drop a pool that broke (a worker died), so that the next call starts a new one."""
    global _shared
    with _shared_lock:
        if _shared is pool:
            _shared = None
    pool.close()


@atexit.register
def _close_shared() -> None:
    with _shared_lock:
        pool = _shared
    if pool is not None:
        pool.close()
