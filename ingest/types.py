"""Dataclasses at the ingest boundary: what loaders produce and what the splitter emits."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Document:
    """A run of text from one file: a PDF page, a Markdown section, a whole text file.

    `source` is the file's path as stored in the knowledge base; `page` is 1-based and
    only set for paged formats; `heading` is the heading path ("指南 > 安装") the text
    sits under; `content_hash` is the hash of the whole file's bytes.
    """

    text: str
    source: str
    page: int | None = None
    title: str = ""
    heading: str = ""
    content_hash: str = ""
    ocr: bool = False


@dataclass(frozen=True, slots=True)
class Chunk:
    """A piece of a document small enough to embed and to show as a source.

    `text` is what users see; `retrieval_text` is what gets embedded and tokenised
    (the heading prepended when title enhancement is on). `position` orders the chunks
    of one file. `chunk_id` is assigned by the knowledge base when stored.
    """

    text: str
    source: str
    retrieval_text: str
    position: int
    page: int | None = None
    heading: str = ""
    ocr: bool = False
    chunk_id: int | None = None
