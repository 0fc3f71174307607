"""The prompt's fixed head read once per model: llama.cpp's state after it, kept and reused.

Every answer prompt of a language opens with the same instructions (prompts/templates.py
`fixed_head`). llama-cpp-python by itself reuses only the token prefix shared with the
*previous* prompt its context evaluated; any other prompt in between (the other language,
a plain chat, another question's follow-up) makes it read the head again. Here the state of
the head's tokens (llama.cpp's per-sequence state: the KV cells of those positions, no
logits) is saved once per model and head, and put back before a prompt that opens with it,
so llama.cpp reads only what follows.

The head's tokens are those the model really reads: the head is first sent the way the
generator sends prompts (`prime`: the same completion or chat-template call, one token),
so BOS, a chat template's system and user preamble and the tokenizer's treatment of the
boundary all match the real prompts; llama-cpp-python's own prefix match then keeps the
longest shared run.

Bounded: `HeadStates` keeps at most `MAX_HEADS` heads and `MAX_BYTES` per loaded model,
the least recently used dropped first (a head of ~60 tokens is about 1 MB for Gemma 3 270M,
about 3 MB for a 1.5B model with grouped KV heads).
"""
from __future__ import annotations

import ctypes
import logging
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

log = logging.getLogger(__name__)

MAX_HEADS = 4
MAX_BYTES = 64 << 20
_SEQ = 0  # llama-cpp-python evaluates every prompt as sequence 0


class HeadUse(StrEnum):
    """What happened to a prompt's head before generation."""

    NONE = "none"          # no fixed head, keeping is off, or llama.cpp refused the kept state (logged)
    IN_CONTEXT = "in_context"  # the context still holds it: llama-cpp-python's prefix match reuses it
    RESTORED = "restored"  # its kept state was put back
    READ = "read"          # read for the first time with this model, and kept
    UNAVAILABLE = "unavailable"  # this model's chat template does not show the head verbatim


@dataclass(frozen=True, slots=True)
class HeadState:
    """The head's tokens as the model reads them and llama.cpp's sequence state after them."""

    tokens: tuple[int, ...]
    data: bytes


class HeadStates:
    """The kept heads of one loaded model, least recently used first out."""

    def __init__(self, max_heads: int = MAX_HEADS, max_bytes: int = MAX_BYTES) -> None:
        self.max_heads, self.max_bytes = max_heads, max_bytes
        self._states: OrderedDict[str, HeadState] = OrderedDict()

    def get(self, head: str) -> HeadState | None:
        state = self._states.get(head)
        if state is not None:
            self._states.move_to_end(head)
        return state

    def put(self, head: str, state: HeadState) -> None:
        self._states[head] = state
        self._states.move_to_end(head)
        while len(self._states) > self.max_heads or (self.nbytes > self.max_bytes and len(self._states) > 1):
            dropped, _ = self._states.popitem(last=False)
            log.debug("dropped the kept state of a prompt head (%d characters)", len(dropped))

    @property
    def nbytes(self) -> int:
        return sum(len(s.data) for s in self._states.values())

    def __len__(self) -> int:
        return len(self._states)


_PER_MODEL: weakref.WeakKeyDictionary[Any, HeadStates] = weakref.WeakKeyDictionary()
_PER_MODEL_LOCK = threading.Lock()


def states_of(llama: Any) -> HeadStates:
    """The kept heads of this loaded `llama_cpp.Llama` (one set per model in the process)."""
    with _PER_MODEL_LOCK:
        if llama not in _PER_MODEL:
            _PER_MODEL[llama] = HeadStates()
        return _PER_MODEL[llama]


def prepare(llama: Any, head: str, prime: Callable[[str], None]) -> HeadUse:
    """Make `llama`'s context hold the state after `head` before a prompt that opens with it.

    `prime(head)` must evaluate `head` exactly as a prompt is evaluated (it is called once per
    model and head). Call with the model's use lock held.
    """
    if not head:
        return HeadUse.NONE
    states = states_of(llama)
    state = states.get(head)
    if state is None:
        state = _read(llama, head, prime)
        states.put(head, state)
        return HeadUse.READ if state.tokens else HeadUse.UNAVAILABLE
    if not state.tokens:
        return HeadUse.UNAVAILABLE
    if _holds(llama, state.tokens):
        return HeadUse.IN_CONTEXT
    return HeadUse.RESTORED if _restore(llama, state) else HeadUse.NONE


def _memory(llama: Any) -> Any:
    import llama_cpp

    return llama_cpp.llama_get_memory(llama.ctx)


def _holds(llama: Any, tokens: tuple[int, ...]) -> bool:
    """True when the context's first positions are `tokens`, every one still in its cache
    (a sliding-window cache may have let the oldest go)."""
    import llama_cpp

    n = len(tokens)
    if llama.n_tokens < n or tuple(int(t) for t in llama.input_ids[:n]) != tokens:
        return False
    return llama_cpp.llama_memory_seq_pos_min(_memory(llama), _SEQ) <= 0


def _read(llama: Any, head: str, prime: Callable[[str], None]) -> HeadState:
    """Evaluate `head` the way prompts are, cut the context after its tokens, save the state."""
    import llama_cpp

    prime(head)
    evaluated = [int(t) for t in llama.input_ids[:llama.n_tokens]]
    n = _head_length(llama, evaluated, head.strip().encode("utf-8"))
    if n == 0:
        log.warning("the chat template of this model does not show the prompt's instructions verbatim: "
                    "they are read again for every question")
        return HeadState((), b"")
    llama_cpp.llama_memory_seq_rm(_memory(llama), _SEQ, n, -1)
    llama.n_tokens = n
    size = llama_cpp.llama_state_seq_get_size(llama.ctx, _SEQ)
    buffer = (ctypes.c_uint8 * size)()
    written = llama_cpp.llama_state_seq_get_data(llama.ctx, buffer, size, _SEQ)
    log.info("kept the state of a prompt head: %d tokens, %.1f MB", n, written / 1e6)
    return HeadState(tuple(evaluated[:n]), bytes(buffer)[:written])


def _head_length(llama: Any, tokens: list[int], head: bytes) -> int:
    """The fewest leading `tokens` whose text holds all of `head` (0: none does)."""
    def holds(n: int) -> bool:
        return head in llama.detokenize(tokens[:n], special=True)

    if not head or not holds(len(tokens)):
        return 0
    lo, hi = 1, len(tokens)
    while lo < hi:
        mid = (lo + hi) // 2
        if holds(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def _restore(llama: Any, state: HeadState) -> bool:
    """Put the kept state back as the context's only content; False (logged) if llama.cpp refuses."""
    import llama_cpp

    buffer = (ctypes.c_uint8 * len(state.data)).from_buffer_copy(state.data)
    if llama_cpp.llama_state_seq_set_data(llama.ctx, buffer, len(state.data), _SEQ) != len(state.data):
        log.warning("llama.cpp did not take back the kept state of the prompt's head: it is read again")
        llama.reset()
        return False
    n = len(state.tokens)
    llama.input_ids[:n] = state.tokens
    llama.n_tokens = n
    return True


__all__ = ["HeadState", "HeadStates", "HeadUse", "MAX_BYTES", "MAX_HEADS", "prepare", "states_of"]
