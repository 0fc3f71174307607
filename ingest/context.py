"""A cited passage among its neighbours, found by reading its file again.

Re-reads and re-splits the file with the knowledge base's chunk settings, so it needs
neither the index nor the embedder (the UI's source view uses it).
"""
from __future__ import annotations

from pathlib import Path

from core.config import IngestConfig
from core.errors import LoaderError
from core.types import PassageContext
from ingest.loaders import load_file
from ingest.splitter import split_documents


def passage_context(path: Path, source: str, text: str, config: IngestConfig, radius: int = 1) -> PassageContext:
    """The chunk of `path` that holds `text`, with `radius` chunks either side.

    Re-reads and re-splits the file with the current chunk settings, so it needs
    neither the index nor the embedder.
    """
    alone = PassageContext((), text, (), False)
    try:
        documents = load_file(path, source=source, content_hash="")
    except LoaderError:
        return alone
    chunks = [c.text for c in split_documents(documents, config.chunk_size, config.chunk_overlap,
                                              title_enhance=config.title_enhance)]
    index = _locate(chunks, text)
    if index is None:
        return alone
    return PassageContext(tuple(chunks[max(0, index - radius):index]), chunks[index],
                          tuple(chunks[index + 1:index + 1 + radius]), True)


def _locate(chunks: list[str], text: str) -> int | None:
    """Where `text` is among `chunks`: equal, or (a truncated citation) a prefix."""
    flat = " ".join(text.split())
    probe = flat.rstrip("…").strip()[:60]
    exact = next((i for i, c in enumerate(chunks) if " ".join(c.split()) == flat), None)
    if exact is not None or not probe:
        return exact
    return next((i for i, c in enumerate(chunks) if probe in " ".join(c.split())), None)
