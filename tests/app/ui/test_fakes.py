"""The UI's fake services have the real services' interface, method by method."""
from __future__ import annotations

import inspect

import pytest

from app.services import build_services
from app.services.protocols import AnswerService, ConversationService, KnowledgeService, ModelService
from tests.app.ui.helpers import FakeService

PROTOCOLS = {"knowledge": KnowledgeService, "answers": AnswerService, "models": ModelService,
             "conversations": ConversationService}


def protocol_methods(protocol: type) -> list[str]:
    return [name for name, member in vars(protocol).items() if callable(member) and not name.startswith("_")]


def parameters(function) -> list[tuple[str, object]]:
    """Names and kinds of the parameters after self (annotations are not compared)."""
    params = list(inspect.signature(function).parameters.values())
    return [(p.name, p.kind) for p in params if p.name != "self"]


@pytest.mark.parametrize("part", sorted(PROTOCOLS))
def test_the_real_services_implement_their_protocols(settings, part):
    services = build_services(settings)
    implementation, protocol = getattr(services, part), PROTOCOLS[part]
    assert isinstance(implementation, protocol)
    for name in protocol_methods(protocol):
        assert parameters(getattr(implementation, name)) == parameters(getattr(protocol, name)), name


@pytest.mark.parametrize("part", sorted(PROTOCOLS))
def test_the_fake_has_the_signature_of_every_method_it_plays(settings, part):
    """The fake implements only what the chat page uses; each of those matches the Protocol."""
    fake, protocol = getattr(FakeService(settings), part), PROTOCOLS[part]
    played = [name for name in protocol_methods(protocol) if hasattr(fake, name)]
    assert played, f"the fake plays nothing of {protocol.__name__}"
    for name in played:
        assert parameters(getattr(fake, name)) == parameters(getattr(protocol, name)), name
