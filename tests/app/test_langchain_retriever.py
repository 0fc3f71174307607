"""Yizhi's retrieval inside a LangChain chain."""
from __future__ import annotations

from pathlib import Path

from langchain_core.documents import Document
from langchain_core.runnables import RunnableLambda

from app.langchain_retriever import YizhiRetriever
from app.services import build_services


def test_retriever_returns_documents_with_sources(settings, fake_embedder, tiny_docs):
    service = build_services(settings, embedder=fake_embedder)
    service.knowledge.ingest("news", tiny_docs)
    retriever = YizhiRetriever(service=service.answers, kb_names=["news"], k=2)

    docs = retriever.invoke("RCEP包括哪些国家？")
    assert 1 <= len(docs) <= 2 and all(isinstance(d, Document) for d in docs)
    top = docs[0]
    assert "十五个国家" in top.page_content
    assert Path(top.metadata["source"]).name == "rcep.txt"
    assert {"page", "score", "relevance", "heading", "chunk_id"} <= set(top.metadata)
    # the same passages, in the same order, as Yizhi's own search
    own = service.answers.search("RCEP包括哪些国家？", ["news"], 2)
    assert [d.metadata["chunk_id"] for d in docs] == [r.chunk.chunk_id for r in own]

    # dropped into a user's own chain
    chain = retriever | RunnableLambda(lambda ds: "\n".join(Path(d.metadata["source"]).name for d in ds))
    assert chain.invoke("大熊猫吃什么？").splitlines()[0] == "panda.txt"
    service.close()


def test_retriever_honours_the_threshold(settings, fake_embedder, tiny_docs):
    question = "RCEP包括哪些国家？"  # shares its words with rcep.txt: found at the default threshold
    lenient = build_services(settings, embedder=fake_embedder)
    lenient.knowledge.ingest("news", tiny_docs)
    assert YizhiRetriever(service=lenient.answers, kb_names=["news"]).invoke(question)
    lenient.close()

    strict = build_services(settings.with_overrides({"score_threshold": 0.99}), embedder=fake_embedder)
    assert YizhiRetriever(service=strict.answers, kb_names=["news"]).invoke(question) == []
    strict.close()
