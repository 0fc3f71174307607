"""Yizhi's retrieval inside a LangChain chain."""
from __future__ import annotations

from pathlib import Path

from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnableLambda

from app.langchain_retriever import YizhiRetriever
from app.service import YizhiService


def test_retriever_returns_documents_with_sources(settings, fake_embedder, tiny_docs):
    service = YizhiService(settings, embedder=fake_embedder)
    service.ingest("news", tiny_docs)
    retriever = YizhiRetriever(service=service, kb_names=["news"], k=2)
    assert isinstance(retriever, BaseRetriever)

    docs = retriever.invoke("RCEP包括哪些国家？")
    assert 1 <= len(docs) <= 2 and all(isinstance(d, Document) for d in docs)
    top = docs[0]
    assert "十五个国家" in top.page_content
    assert Path(top.metadata["source"]).name == "rcep.txt"
    assert {"page", "score", "relevance", "heading", "chunk_id"} <= set(top.metadata)

    # dropped into a user's own chain
    chain = retriever | RunnableLambda(lambda ds: "\n".join(Path(d.metadata["source"]).name for d in ds))
    assert chain.invoke("大熊猫吃什么？").splitlines()[0] == "panda.txt"
    service.close()


def test_retriever_honours_the_threshold(settings, fake_embedder, tiny_docs):
    service = YizhiService(settings.model_copy(update={"score_threshold": 0.99}), embedder=fake_embedder)
    service.ingest("news", tiny_docs)
    assert YizhiRetriever(service=service, kb_names=["news"]).invoke("量子计算机的原理") == []
    service.close()
