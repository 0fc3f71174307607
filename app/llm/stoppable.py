"""A generator that can be told to stop: its stream ends once `stop()` says so (a client
went away), checked between tokens, so the LLM is free again within one token."""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from collections.abc import Generator as PyGenerator

from app.llm.generator import Generator
from prompts.types import GenerationRequest

log = logging.getLogger(__name__)

Stop = Callable[[], bool]  # asked between tokens: True ends the generation


class StoppableGenerator:
    """`generator` with a stream that ends early once `stop()` returns True."""

    def __init__(self, generator: Generator, stop: Stop) -> None:
        self._generator, self._stop = generator, stop
        self.name = generator.name

    @property
    def chat(self) -> bool:
        return self._generator.chat

    @property
    def context_window(self) -> int:
        return self._generator.context_window

    @property
    def max_tokens(self) -> int:
        return self._generator.max_tokens

    def count_tokens(self, text: str) -> int:
        return self._generator.count_tokens(text)

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        pieces = self._generator.stream(request)
        try:
            for piece in pieces:
                if self._stop():
                    log.info("generation stopped: nobody is waiting for it any more")
                    return
                yield piece
        finally:
            if isinstance(pieces, PyGenerator):  # a generator function's stream: stop its model too
                pieces.close()


def stoppable(generator: Generator, stop: Stop | None) -> Generator:
    return generator if stop is None else StoppableGenerator(generator, stop)


__all__ = ["Stop", "StoppableGenerator", "stoppable"]
