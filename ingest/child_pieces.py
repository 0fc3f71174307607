"""A chunk's sentence-sized child pieces: their vectors find the chunk in dense search
("small pieces to find, the chunk to read", as QAnything does), while the chunk itself is
what is shown, scored and given to the model (retrieval/children.py ranks by them).
"""
from __future__ import annotations

from core.types import Chunk
from ingest.splitter import retrieval_text, split_text


def child_texts(chunk: Chunk, size: int, *, title_enhance: bool = True) -> list[str]:
    """The texts to embed for a chunk's child pieces: its text cut at sentence ends into
    pieces of at most `size` characters (no overlap), each labelled like the chunk.

    Empty when `size` is 0 (off) or the chunk is a single piece: its own vector is then
    its only one.
    """
    if size <= 0:
        return []
    pieces = split_text(chunk.text, size, 0)
    if len(pieces) < 2:
        return []
    return [retrieval_text(piece, "", chunk.heading, title_enhance) for piece in pieces]
