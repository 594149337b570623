"""Pytest fixtures around the local fake provider server, shared by the suites that drive
real provider and framework clients against it (``tests/providers``,
``tests/integrations``). A conftest imports the ones it uses by name::

    from support.llm_fixtures import ai, llm, no_leftover_patches, server  # noqa: F401
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import amplitude_ai
from amplitude_ai.testing import FakeLLM, MockAmplitudeAI
from support.llm_server import LLMServer


@pytest.fixture(scope="session")
def server() -> Iterator[LLMServer]:
    """One server per test session; every client of every test may talk to it."""
    with LLMServer() as srv:
        yield srv


@pytest.fixture
def llm(server: LLMServer) -> Iterator[FakeLLM]:
    """The server's scripted LLM, reset before and after the test."""
    server.llm.reset()
    yield server.llm
    server.llm.reset()


@pytest.fixture
def ai() -> MockAmplitudeAI:
    return MockAmplitudeAI()


@pytest.fixture(autouse=True)
def no_leftover_patches() -> Iterator[None]:
    """``patch()`` is process-wide: undo it after every test of the importing suite."""
    yield
    amplitude_ai.unpatch()
