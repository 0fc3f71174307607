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
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from app.answering.types import Answer
from app.api.errors import ApiError
from app.services.records import PreparedAnswer

log = logging.getLogger("yizhi.api")
POLL_S = 0.25  # how often a waiter checks that its client is still there
_FIRST_GUESS_S = 5.0  # the duration assumed for an answer before any was measured
_END = object()


@dataclass(frozen=True, slots=True)
class Place:
    """A place in the line for the LLM (`GenerationGate.join`): `turn` is done when it is ours
    (None: the LLM was free and is ours already)."""

    turn: asyncio.Future[None] | None


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

    def join(self) -> Place:
        """Take a place in line now; raises ApiError 429 when the line is full. Use it in
        `slot`, or give it back with `leave`."""
        if self._busy and self.waiting >= self.queue_size:
            self.counts["refused"] += 1
            raise ApiError(429, f"the LLM is busy: {self.waiting} answer(s) are already waiting, the most allowed "
                                "(YIZHI_GENERATION_QUEUE); try again shortly", type="rate_limit_error",
                           code="queue_full", retry_after=self.retry_after())
        if not self._busy:
            self._busy = True
            return Place(None)
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(turn)
        return Place(turn)

    def leave(self, place: Place) -> None:
        """Give back a place taken by `join` and not used: hand the LLM on if it was ours."""
        turn = place.turn
        if turn is None or (turn.done() and not turn.cancelled()):
            self._release()
        else:
            turn.cancel()
            self._waiters.remove(turn)

    @asynccontextmanager
    async def slot(self, request: Request | None = None, place: Place | None = None) -> AsyncIterator[None]:
        """Hold the LLM for the body of the `async with`, from `place` (taken by `join`) or a new
        one; raises ApiError 429/503 or ClientGone."""
        await self._wait(place or self.join(), request)
        started = time.monotonic()
        try:
            yield
            self.counts["served"] += 1
        finally:
            self._durations.append(time.monotonic() - started)
            self._release()

    async def _wait(self, place: Place, request: Request | None) -> None:
        turn = place.turn
        if turn is None:
            return
        loop = asyncio.get_running_loop()
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
        except asyncio.CancelledError:  # a streamed response is cancelled when its client goes
            self.counts["left"] += 1
            self.leave(place)  # the LLM may have been handed to us as we gave up: hand it on
            raise
        except BaseException:
            self.leave(place)
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


async def generate(request: Request, gate: GenerationGate, start: Callable[[Callable[[], bool]], Iterator[Any]],
                   place: Place | None = None) -> AsyncIterator[Any]:
    """The items of a blocking generator, produced under the gate in the LLM's own thread,
    and stopped as soon as the client disconnects.

    `start(stop)` builds the generator once the LLM is ours; `stop()` turns True when the
    client is gone (a watcher polls for it while a piece is generated; the services check
    it between tokens). `place`: one taken in line already (`GenerationGate.join`). Use with
    `contextlib.aclosing`.
    """
    async with gate.slot(request, place):
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
    if not prepared.opening:
        async with aclosing(generate(request, gate, prepared.stream)) as items:
            async for item in items:
                yield item
        return
    place = gate.join()  # in line before the opening is sent: a full line is a 429 status
    started = False
    try:
        yield prepared.opening
        started = True
        async with aclosing(generate(request, gate, prepared.rest, place)) as items:
            async for item in items:
                yield item
    finally:
        if not started:  # the client took the opening and left
            gate.leave(place)
