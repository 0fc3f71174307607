"""The services every interface talks to, one per concern.

    knowledge  knowledge bases, documents, uploads, ingestion    (KnowledgeService)
    answers    search and answering                              (AnswerService)
    models     which models, loading them                        (ModelService)
    conversations  saved conversations (<data>/state/conversations.sqlite) (ConversationService)

They share one `Resources` (lazily loaded models, open knowledge bases). Nothing above
this package touches FAISS, SQLite, llama.cpp or a loader.
"""
from __future__ import annotations

from dataclasses import dataclass

from app.llm.generator import Generator
from app.services.answers import LocalAnswerService
from app.services.conversations import SqliteConversationService, conversations_path
from app.services.knowledge import LocalKnowledgeService
from app.services.models import LocalModelService
from app.services.protocols import AnswerService, ConversationService, KnowledgeService, ModelService
from app.services.resources import Resources
from app.settings import Settings
from retrieval.embedders import Embedder


@dataclass(frozen=True)
class Services:
    settings: Settings
    knowledge: KnowledgeService
    answers: AnswerService
    models: ModelService
    resources: Resources | None = None
    conversations: ConversationService | None = None

    def close(self) -> None:
        if self.resources is not None:
            self.resources.close()


def build_services(settings: Settings, *, embedder: Embedder | None = None,
                   generator: Generator | None = None) -> Services:
    """The services over one set of shared resources (cheap: nothing loads until used)."""
    resources = Resources(settings, embedder=embedder, generator=generator)
    conversations = SqliteConversationService(conversations_path(settings.data_dir))
    return Services(settings, LocalKnowledgeService(resources, conversations), LocalAnswerService(resources),
                    LocalModelService(resources), resources, conversations)


__all__ = ["AnswerService", "ConversationService", "KnowledgeService", "ModelService", "Services", "build_services"]
