"""LangChain interop: Yizhi's retrieval as a LangChain `BaseRetriever`.

    from app.langchain_retriever import YizhiRetriever
    retriever = YizhiRetriever(service=build_services(load_settings()).answers, kb_names=["news"], k=4)
    docs = retriever.invoke("RCEP包括哪些国家？")

Each `Document` carries the chunk text and, in `metadata`, its source, page, heading,
fused score and relevance. Retrieval goes through the service, so the score threshold,
hybrid search and multi-knowledge-base merge are the same as in Yizhi itself.
"""
from __future__ import annotations

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from app.services.protocols import AnswerService
from core.types import ScoredChunk


def to_document(result: ScoredChunk) -> Document:
    c = result.chunk
    return Document(page_content=c.text, metadata={
        "source": c.source, "page": c.page, "heading": c.heading, "chunk_id": c.chunk_id,
        "score": result.score, "relevance": result.relevance})


class YizhiRetriever(BaseRetriever):
    """Retrieve passages from Yizhi knowledge bases through an `AnswerService`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    service: AnswerService = Field(description="the answering service (app.services.AnswerService)")
    kb_names: list[str] = Field(default_factory=lambda: ["default"])
    k: int | None = Field(default=None, description="passages per query; None = the top_k setting")

    def _get_relevant_documents(self, query: str, *,
                                run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [to_document(r) for r in self.service.search(query, self.kb_names, self.k)]


__all__ = ["YizhiRetriever", "to_document"]
