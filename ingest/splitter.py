"""Chinese-aware splitting of documents into chunks.

Text is cut at paragraph breaks first, then at sentence ends (。！？； and their
English counterparts), then at commas, and only as a last resort inside a sentence;
pieces are merged back up to `size` characters with about `overlap` characters
repeated between neighbours. LangChain's recursive splitter does the merging.
"""
from __future__ import annotations

from collections.abc import Iterable

from langchain_text_splitters import RecursiveCharacterTextSplitter

from core.types import Chunk, Document

SEPARATORS = [
    "\n\n", "\n",
    "。", "！", "？", "；", "…",
    "! ", "? ", "; ", ". ",
    "，", "、", ", ",
    " ", "",
]


def split_text(text: str, size: int, overlap: int) -> list[str]:
    """Split one text into pieces of at most `size` characters, sentence-aware."""
    if size <= 0:
        raise ValueError(f"size must be positive, got {size}")
    if not 0 <= overlap < size:
        raise ValueError(f"overlap must be in [0, size), got {overlap}")
    splitter = RecursiveCharacterTextSplitter(
        separators=SEPARATORS,
        chunk_size=size,
        chunk_overlap=overlap,
        keep_separator="end",
        strip_whitespace=True,
    )
    return [piece for piece in splitter.split_text(text) if piece.strip()]


def retrieval_text(text: str, title: str, heading: str, enhance: bool) -> str:
    """The text embedded and indexed: the heading path (or title) prepended when enhancing."""
    if not enhance:
        return text
    label = heading or title
    return f"{label}\n{text}" if label and label not in text[: len(label) + 2] else text


def split_documents(
    documents: Iterable[Document], size: int, overlap: int, *, title_enhance: bool = True
) -> list[Chunk]:
    """Chunks of all documents of one file, numbered in order (`position`)."""
    chunks: list[Chunk] = []
    for doc in documents:
        for piece in split_text(doc.text, size, overlap):
            chunks.append(Chunk(
                text=piece,
                source=doc.source,
                retrieval_text=retrieval_text(piece, doc.title, doc.heading, title_enhance),
                position=len(chunks),
                page=doc.page,
                heading=doc.heading or doc.title,
                ocr=doc.ocr,
            ))
    return chunks
