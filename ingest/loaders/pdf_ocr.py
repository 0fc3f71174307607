"""OCR of the pages of one open PDF that need it, several pages at once, results in page order.

With two or more pages to read and two or more cores, pages are rendered here and read
by the worker processes of `ocr_pool`, a few pages ahead of the one the loader waits
for (at most `_AHEAD` images per worker in flight: memory stays bounded, whatever the
length of the file). Otherwise they are read in this process (`ocr.ocr_text`).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool

import pymupdf

from ingest.loaders import ocr, ocr_pool
from ingest.loaders.ocr_engine import OcrUnavailable
from ingest.loaders.pdf_quality import OcrPlan

log = logging.getLogger(__name__)

_AHEAD = 2  # pages in flight per worker process


class WorkerStopped(Exception):
    """A worker process died while it held this page (the pool is broken)."""


class PageOcr:
    """Reads the pages of `doc` that `plans` (page number -> plan) say need OCR."""

    def __init__(self, doc: pymupdf.Document, plans: dict[int, OcrPlan],
                 on_page: Callable[[int, int], None] | None = None) -> None:
        self.doc = doc
        self.plans = plans
        self.on_page = on_page
        self._order = sorted(plans)
        self._started = 0  # pages whose reading was reported through on_page
        self._pool = ocr_pool.shared_pool() if len(plans) > 1 and ocr_pool.worker_count() > 1 else None
        self._next = 0  # index in _order of the next page to send to the pool
        # page number -> the pool reading it and one future per image of the page
        self._pending: dict[int, tuple[ocr_pool.OcrPool, list[Future]]] = {}

    def text(self, number: int, known_text: str) -> str:
        """The text OCR reads on page `number` (pages must be asked for in order).

        Raises `OcrUnavailable` when the engine cannot load, `WorkerStopped` when a
        worker process died, and whatever the engine raised when it failed on the page.
        """
        self._started += 1
        if self._pool is not None:
            self._send_up_to(number)
        if self.on_page is not None:
            self.on_page(self._started, len(self.plans))
        plan = self.plans[number]
        if self._pool is None:
            return self._read_here(number, plan, known_text)
        pool, futures = self._pending.pop(number)
        self._send_up_to(None)
        texts = [ocr.text_of(self._result(pool, future), known_text if not plan.full else "") for future in futures]
        return "\n\n".join(t for t in texts if t)

    def _read_here(self, number: int, plan: OcrPlan, known_text: str) -> str:
        page = self.doc.load_page(number - 1)
        if plan.full:
            return ocr.ocr_text(page, rotation=plan.rotation)
        texts = (ocr.ocr_text(page, region, known_text=known_text) for region in plan.regions)
        return "\n\n".join(t for t in texts if t)

    def _send_up_to(self, number: int | None) -> None:
        """Send pages to the pool: through `number`, and then while fewer than the
        pool can hold ahead are in flight."""
        limit = _AHEAD * self._pool.workers
        while self._next < len(self._order):
            candidate = self._order[self._next]
            if (number is None or candidate > number) and len(self._pending) >= limit:
                break
            self._pending[candidate] = self._send(candidate)
            self._next += 1

    def _send(self, number: int) -> tuple[ocr_pool.OcrPool, list[Future]]:
        plan = self.plans[number]
        page = self.doc.load_page(number - 1)
        if plan.full:
            images = [(ocr.render(page, rotation=plan.rotation or 0), plan.rotation is not None)]
        else:
            images = [(ocr.render(page, region), False) for region in plan.regions]
        try:
            return self._pool, [self._pool.submit(image, upright) for image, upright in images]
        except BrokenProcessPool:  # it broke on an earlier page: this one goes to a new pool
            self._renew(self._pool)
            return self._pool, [self._pool.submit(image, upright) for image, upright in images]

    def _result(self, pool: ocr_pool.OcrPool, future: Future) -> list[ocr.OcrLine]:
        try:
            result = future.result()
        except BrokenProcessPool as exc:
            self._renew(pool)
            raise WorkerStopped("an OCR worker process stopped") from exc
        if isinstance(result, ocr_pool.Unavailable):
            self.close()
            raise OcrUnavailable(result.message, setting="ocr")
        return result

    def _renew(self, broken: ocr_pool.OcrPool) -> None:
        """A new pool for the pages still to send; those in flight in the broken one fail."""
        if broken is self._pool:
            log.error("an OCR worker process stopped: the pages it held are not read")
            ocr_pool.discard_pool(broken)
            self._pool = ocr_pool.shared_pool()

    def close(self) -> None:
        """Cancel what is still in flight (OCR stopped, or the file failed)."""
        for _, futures in self._pending.values():
            for future in futures:
                future.cancel()
        self._pending.clear()
        self._next = len(self._order)
