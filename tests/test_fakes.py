"""Every fake the tests use stands for a Protocol, and has all of it: a member added to the
Protocol and not to its fake fails here. The real implementations are checked the same way."""
from __future__ import annotations

import pytest

from app.answering.flow import Retriever
from app.llm.config import LlmConfig
from app.llm.generator import Generator, LlamaCppGenerator
from app.llm.remote import RemoteChatGenerator
from app.llm.stoppable import StoppableGenerator
from app.services import build_services
from app.services.protocols import AnswerService, ConversationService, KnowledgeService, ModelService
from retrieval.embedders import Embedder, UseEmbedder
from retrieval.search import MultiSearcher
from tests.app.api.conftest import SlowGenerator, TunedGenerator
from tests.app.conftest import FixedRetriever, RecordingGenerator
from tests.app.ui.helpers import FakeService
from tests.conftest import RecordingEmbedder
from tests.protocols import unmet

SERVICE_PARTS = {"knowledge": KnowledgeService, "answers": AnswerService, "models": ModelService,
                 "conversations": ConversationService}


@pytest.mark.parametrize("make, protocol", [
    (lambda s: RecordingEmbedder(), Embedder),
    (lambda s: UseEmbedder(), Embedder),
    (lambda s: RecordingGenerator(), Generator),
    (lambda s: SlowGenerator(), Generator),
    (lambda s: TunedGenerator(LlmConfig()), Generator),
    (lambda s: LlamaCppGenerator(s.llm_config()), Generator),
    (lambda s: RemoteChatGenerator(s.with_overrides(llm_url="http://127.0.0.1:11434").llm_config()), Generator),
    (lambda s: StoppableGenerator(RecordingGenerator(), lambda: False), Generator),
    (lambda s: FixedRetriever(), Retriever),
    (lambda s: MultiSearcher([], lambda name: None, RecordingEmbedder(), s.search_config()), Retriever),
], ids=["RecordingEmbedder", "UseEmbedder", "RecordingGenerator", "SlowGenerator", "TunedGenerator",
        "LlamaCppGenerator", "RemoteChatGenerator", "StoppableGenerator", "FixedRetriever", "MultiSearcher"])
def test_each_fake_and_implementation_has_all_of_its_protocol(settings, make, protocol):
    assert unmet(make(settings), protocol) == []


@pytest.mark.parametrize("part", sorted(SERVICE_PARTS))
def test_the_real_services_and_the_uis_fake_have_all_of_each_service_protocol(settings, part):
    services = build_services(settings)
    assert unmet(getattr(services, part), SERVICE_PARTS[part]) == []
    assert unmet(getattr(FakeService(settings), part), SERVICE_PARTS[part]) == []
    services.close()
