"""Fixtures for the framework integration tests: one local fake provider server per
session (real provider SDK clients and framework clients talk to it over HTTP), an
in-memory ``MockAmplitudeAI``, and no patches left behind."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

_TESTS_DIR = str(Path(__file__).resolve().parent.parent)
if _TESTS_DIR not in sys.path:
    sys.path.insert(0, _TESTS_DIR)

import pytest  # noqa: E402

import amplitude_ai  # noqa: E402
from amplitude_ai.testing import MockAmplitudeAI  # noqa: E402
from support.llm_server import LLMServer  # noqa: E402


@pytest.fixture(scope="session")
def server() -> Iterator[LLMServer]:
    with LLMServer() as srv:
        yield srv


@pytest.fixture
def llm(server: LLMServer):
    server.llm.reset()
    yield server.llm
    server.llm.reset()


@pytest.fixture
def ai() -> MockAmplitudeAI:
    return MockAmplitudeAI()


@pytest.fixture(autouse=True)
def _no_leftover_patches():
    yield
    amplitude_ai.unpatch()
