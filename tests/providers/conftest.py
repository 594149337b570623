"""Fixtures: the shared local fake provider server (tests/support), real SDK clients aimed
at it.

Raw and instrumented clients share the server, so a test can send the same scripted
reply through both and compare what the caller gets. Retries are off to stay fast.
"""

from __future__ import annotations

import pytest

from amplitude_ai.testing import MockAmplitudeAI
from support.llm_fixtures import ai, llm, no_leftover_patches, server  # noqa: F401


@pytest.fixture
def session(ai: MockAmplitudeAI):  # noqa: F811 (the imported fixture)
    with ai.agent("support-bot").session(user_id="user-1") as s:
        s.new_trace()
        yield s
