"""pytest plugin (registered through the ``pytest11`` entry point).

Provides the ``amplitude_ai_mock`` fixture: a fresh :class:`MockAmplitudeAI` per test.
Imports are deferred so that merely having this package installed costs pytest nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .testing import MockAmplitudeAI


@pytest.fixture
def amplitude_ai_mock() -> Iterator[MockAmplitudeAI]:
    """A :class:`~amplitude_ai.testing.MockAmplitudeAI` capturing this test's events."""
    from .testing import MockAmplitudeAI

    mock = MockAmplitudeAI()
    yield mock
    mock.reset()
