"""pytest plugin (registered through the ``pytest11`` entry point).

Provides the ``amplitude_ai_mock`` fixture (a fresh :class:`MockAmplitudeAI` per test) and
``amplitude_ai_fake_llm`` (a :class:`FakeLLM` answering every provider SDK call offline).
Imports are deferred so that merely having this package installed costs pytest nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .testing import FakeLLM, MockAmplitudeAI


@pytest.fixture
def amplitude_ai_mock() -> Iterator[MockAmplitudeAI]:
    """A :class:`~amplitude_ai.testing.MockAmplitudeAI` capturing this test's events."""
    from .testing import MockAmplitudeAI

    mock = MockAmplitudeAI()
    yield mock
    mock.reset()


@pytest.fixture
def amplitude_ai_fake_llm() -> Iterator[FakeLLM]:
    """A :class:`~amplitude_ai.testing.FakeLLM` answering OpenAI, Azure OpenAI and Anthropic
    calls made anywhere in the process during this test (no network)."""
    from .testing import fake_llm

    with fake_llm() as llm:
        yield llm
