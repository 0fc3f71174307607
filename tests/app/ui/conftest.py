"""Fixtures for the UI tests: install a service (fake or real) as the app's shared one."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from app.settings import Settings
from app.ui import runtime
from tests.app.ui.helpers import FakeService


@pytest.fixture
def use_service(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Any], None]]:
    """Make the app's process-wide services this object (and forget any cached one, stopping
    its follower of the linked folders)."""
    def install(service: Any) -> None:
        monkeypatch.setattr(runtime, "build", lambda: service)
        runtime._shared_services.clear()
        runtime._folder_sync.clear()  # the follower of the services before stops

    yield install
    runtime._shared_services.clear()
    runtime._folder_sync.clear()


@pytest.fixture
def fake_service(settings: Settings, use_service) -> FakeService:
    service = FakeService(settings)
    use_service(service)
    return service
