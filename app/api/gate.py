"""The generation gate: one answer generates at a time, a bounded number wait.

llama.cpp is not thread-safe, so answers are serialised: one holds the LLM, at most
`YIZHI_GENERATION_QUEUE` wait in line (first come, first served), and any more are
refused at once with 429 and a `Retry-After` estimated from recent answers. A waiter that
waited `YIZHI_GENERATION_WAIT_TIMEOUT` seconds gets 503. A client that disconnects,
waiting or generating, leaves the line and its generation stops at the next token.
Generation runs in one dedicated thread; searches, evidence and embeddings never pass
through here: they run in the server's thread pool beside it, before an answer queues
(`answered`), so a question that is refused, or answered without the LLM, never waits
behind another's generation.
"""
from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import aclosing, asynccontextmanager
from typing import Any

from starlette.requests import Request

from app.answering.types import Answer
from app.api.errors import ApiError
from app.services.records import PreparedAnswer

log = logging.getLogger("yizhi.api")
POLL_S = 0.25  # how often a waiter checks that its client is still there
_FIRST_GUESS_S = 5.0  # the duration assumed for an answer before any was measured
_END = object()


class ClientGone(Exception):
    """The client disconnected; whatever it was waiting for was stopped."""


class GenerationGate:
    def __init__(self, queue_size: int, wait_timeout: float) -> None:
        self.queue_size = queue_size
        self.wait_timeout = wait_timeout
        self._busy = False
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._durations: deque[float] = deque([_FIRST_GUESS_S], maxlen=16)
        self.counts: Counter[str] = Counter()  # served, refused, timed_out, left (the line), stopped
        # Every generation runs in this one thread: llama.cpp always sees the same caller
        # (its OpenMP team is made once, not per worker thread), and memory stays flat.
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="yizhi-llm")

    def close(self) -> None:
        self.thread.shutdown(wait=False, cancel_futures=True)

    @property
    def waiting(self) -> int:
        return sum(not f.done() for f in self._waiters)

    @property
    def busy(self) -> bool:
        return self._busy

    def retry_after(self) -> int:
        """Seconds until a place is likely free: the recent mean answer time per answer ahead."""
        mean = sum(self._durations) / len(self._durations)
        return max(1, min(120, math.ceil(mean * (self.waiting + 1))))

    def check_room(self) -> None:
        """Raise ApiError 429 when the line is full (the LLM busy, the most allowed waiting)."""
        if self._busy and self.waiting >= self.queue_size:
            self.counts["refused"] += 1
            raise ApiError(429, f"the LLM is busy: {self.waiting} answer(s) are already waiting, the most allowed "
                                "(YIZHI_GENERATION_QUEUE); try again shortly", type="rate_limit_error",
                           code="queue_full", retry_after=self.retry_after())

    @asynccontextmanager
    async def slot(self, request: Request | None = None) -> AsyncIterator[None]:
        """Hold the LLM for the body of the `async with`; raises ApiError 429/503 or ClientGone."""
        self.check_room()
        await self._acquire(request)
        started = time.monotonic()
        try:
            yield
            self.counts["served"] += 1
        finally:
            self._durations.append(time.monotonic() - started)
            self._release()

    async def _acquire(self, request: Request | None) -> None:
        if not self._busy:
            self._busy = True
            return
        loop = asyncio.get_running_loop()
        turn: asyncio.Future[None] = loop.create_future()
        self._waiters.append(turn)
        deadline = loop.time() + self.wait_timeout
        try:
            while not turn.done():
                remaining = deadline - loop.time()
                if remaining <= 0:
                    self.counts["timed_out"] += 1
                    raise ApiError(503, f"the LLM stayed busy for {self.wait_timeout:.0f} s "
                                        "(YIZHI_GENERATION_WAIT_TIMEOUT); try again later", type="server_error",
                                   code="queue_timeout", retry_after=self.retry_after())
                await asyncio.wait({turn}, timeout=min(POLL_S, remaining))  # never cancels `turn`
                if not turn.done() and request is not None and await request.is_disconnected():
                    self.counts["left"] += 1
                    raise ClientGone()
        except BaseException:
            if turn.done() and not turn.cancelled():
                self._release()  # the LLM was handed to us as we gave up: hand it on
            else:
                turn.cancel()
                self._waiters.remove(turn)
            raise

    def _release(self) -> None:
        """Hand the LLM to the next waiter (it stays busy), or mark it free."""
        while self._waiters:
            turn = self._waiters.popleft()
            if not turn.done():
                turn.set_result(None)
                return
        self._busy = False


def _close(iterator: Iterator[Any]) -> None:
    try:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()
    except Exception:  # a generator that fails while closing must not take the LLM thread down
        log.exception("closing a generation failed")


async def generate(request: Request, gate: GenerationGate,
                   start: Callable[[Callable[[], bool]], Iterator[Any]]) -> AsyncIterator[Any]:
    """The items of a blocking generator, produced under the gate in the LLM's own thread,
    and stopped as soon as the client disconnects.

    `start(stop)` builds the generator once the LLM is ours; `stop()` turns True when the
    client is gone (a watcher polls for it while a piece is generated; the services check
    it between tokens). Use with `contextlib.aclosing`.
    """
    async with gate.slot(request):
        gone = threading.Event()

        async def watch() -> None:
            while not gone.is_set():
                if await request.is_disconnected():
                    gone.set()
                    return
                await asyncio.sleep(POLL_S)

        loop = asyncio.get_running_loop()
        watcher = asyncio.create_task(watch())
        iterator = start(gone.is_set)
        ended = False
        try:
            while not gone.is_set():
                item = await loop.run_in_executor(gate.thread, next, iterator, _END)
                if item is _END:
                    ended = True
                    return
                yield item
            raise ClientGone()
        finally:
            watcher.cancel()
            if not ended:
                gate.counts["stopped"] += 1
            gone.set()  # a piece still being generated (a cancelled request) ends at its next token
            # Closed in the LLM's thread, after that piece: a running generator cannot be closed,
            # and whatever the next answer runs there waits its turn.
            gate.thread.submit(_close, iterator)


async def answered(request: Request, gate: GenerationGate, prepared: PreparedAnswer) -> AsyncIterator[str | Answer]:
    """The items of a prepared answer (`AnswerService.prepare`, run before this): at once when
    it needs no LLM, else generated under the gate; its opening (the quotation of the
    evidence) comes at once, before the LLM is free. Use with `contextlib.aclosing`."""
    if prepared.ready is not None:
        for item in prepared.stream():
            yield item
        return
    start = prepared.stream
    if prepared.opening:
        gate.check_room()  # a full line is still a 429 status, not an error after the opening
        yield prepared.opening
        start = prepared.rest
    async with aclosing(generate(request, gate, start)) as items:
        async for item in items:
            yield item
