"""Long work (uploads, re-indexing) as jobs: run one at a time in a worker thread, polled
by id at `GET /api/v1/jobs/{id}` with per-file progress. The last `MAX_JOBS` are kept."""
from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from core.errors import YizhiError

log = logging.getLogger("yizhi.api")

MAX_JOBS = 200
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


@dataclass
class Job:
    """One job's state. `files` holds one outcome per file as each finishes
    (`{"name", "status": indexed|skipped|failed|removed, "note", "chunks"}`)."""

    id: str
    kind: str
    kb: str
    total: int
    status: str = QUEUED
    current: str = ""
    files: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""
    created: float = field(default_factory=time.time)
    finished: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def start(self, name: str) -> None:
        with self._lock:
            self.current = name

    def add(self, outcome: dict[str, Any]) -> None:
        with self._lock:
            self.files.append(outcome)
            self.total = max(self.total, len(self.files))

    def to_dict(self) -> dict[str, Any]:
        with self._lock:
            done = len(self.files)
            return {"id": self.id, "kind": self.kind, "knowledge_base": self.kb, "status": self.status,
                    "total": self.total, "done": done,
                    "progress": 1.0 if self.status in (DONE, FAILED) else round(done / self.total, 3) if self.total else 0.0,
                    "current": self.current if self.status == RUNNING else "",
                    "files": [dict(f) for f in self.files],
                    "failed": sum(f.get("status") == "failed" for f in self.files),
                    "error": self.error, "created": self.created, "finished": self.finished}


class JobRunner:
    def __init__(self) -> None:
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="yizhi-job")

    def submit(self, kind: str, kb: str, total: int, work: Callable[[Job], None]) -> tuple[Job, Future[None]]:
        job = Job(uuid.uuid4().hex, kind, kb, total)
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > MAX_JOBS:
                self._jobs.popitem(last=False)
        return job, self._pool.submit(self._run, job, work)

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    @staticmethod
    def _run(job: Job, work: Callable[[Job], None]) -> None:
        job.status = RUNNING
        try:
            work(job)
        except YizhiError as exc:
            job.error = str(exc)
        except Exception as exc:  # a job must end with a state, never die silently
            log.exception("job %s (%s of %s) failed", job.id, job.kind, job.kb)
            job.error = f"unexpected {type(exc).__name__}: details are in the server's log file"
        finally:
            job.status = FAILED if job.error else DONE
            job.finished = time.time()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
