"""Dataclasses at the knowledge-base boundaries: what loaders produce, what the splitter
emits, what the store holds and returns, and what one ingestion run reports."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from core.enums import DocStatus, FileStatus, UploadStatus


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


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a passage's text is: a file (its path as stored) and, for paged formats, the page."""

    source: str
    page: int | None = None

    def to_dict(self) -> dict:
        return {"source": self.source, "page": self.page}


@dataclass(frozen=True, slots=True)
class ScoredChunk:
    """A retrieved chunk with the evidence for it.

    `score` orders results: the fused RRF score, or the cross-encoder's score when a
    reranker is configured. `relevance` is the calibrated score (0..1) that thresholds
    compare against, because rank scores cannot say "nothing is relevant": the weighted
    share of the question's content words the chunk contains, mixed with the embedding
    similarity on the model's own scale (retrieval/relevance.py explains what 0.5 means).
    `dense_rank` / `lexical_rank` are 1-based ranks in each list, None when absent.
    `also_in`: the other places the same text was found (a guide's .pdf beside its .md, an
    overlapping chunk), merged into this result by retrieval/duplicates.py.
    """

    chunk: Chunk
    score: float
    relevance: float
    dense_rank: int | None = None
    lexical_rank: int | None = None
    also_in: tuple[SourceRef, ...] = ()

    def to_dict(self) -> dict:
        """One result of `search --json` (DESIGN.md), shared by the CLI and the HTTP API."""
        c = self.chunk
        return {"source": c.source, "page": c.page, "score": round(self.score, 6), "text": c.text,
                "relevance": round(self.relevance, 4), "heading": c.heading, "chunk_id": c.chunk_id,
                "also_in": [ref.to_dict() for ref in self.also_in]}


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    """One document row of a knowledge base."""

    doc_id: int
    path: str
    content_hash: str
    status: DocStatus
    error: str
    pages: int
    chunks: int
    ocr_pages: int
    updated_at: float = 0.0


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """What one ingestion run did with one file; `reason` says why when it failed, `code` is
    the error's kind and `setting` the setting it is about (`core.errors.YizhiError`), for
    interfaces to add a how-to."""

    path: str
    status: FileStatus
    reason: str = ""
    chunks: int = 0
    pages: int = 0
    ocr_pages: int = 0
    code: str = ""
    setting: str = ""


_INDEXED = (FileStatus.ADDED, FileStatus.UPDATED)


@dataclass(slots=True)
class IngestSummary:
    """Every file's outcome of one ingestion run, and its timings."""

    outcomes: list[FileOutcome] = field(default_factory=list)
    seconds: float = 0.0
    embed_seconds: float = 0.0

    def count(self, status: FileStatus) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def chunks(self) -> int:
        return sum(o.chunks for o in self.outcomes if o.status in _INDEXED)

    @property
    def pages(self) -> int:
        return sum(o.pages for o in self.outcomes if o.status in _INDEXED)

    @property
    def ocr_pages(self) -> int:
        return sum(o.ocr_pages for o in self.outcomes if o.status in _INDEXED)

    @property
    def chunks_per_second(self) -> float:
        return self.chunks / self.seconds if self.seconds > 0 else 0.0

    @property
    def failures(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == FileStatus.FAILED]


@dataclass(frozen=True, slots=True)
class SavedUpload:
    """Where an upload went. `status` is saved, unchanged (same name, same bytes) or
    duplicate (same bytes as another document, `path` is that document's)."""

    path: Path
    status: UploadStatus
    content_hash: str
    renamed_from: str = ""


@dataclass(frozen=True, slots=True)
class PassageContext:
    """A cited passage with the chunks around it; `found` is False when the file no
    longer yields that passage (changed since indexing, or chunked with other settings)."""

    before: tuple[str, ...]
    text: str
    after: tuple[str, ...]
    found: bool
