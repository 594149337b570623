"""Suite-wide guards.

Every event any ``AmplitudeAI``/``MockAmplitudeAI`` delivers during a test (direct calls,
agents, sessions, decorators, provider wrappers, ``patch()``) is checked against the event
catalog, and so is every ``[Agent]`` event any local capture server receives (which covers
events sent by application subprocesses); a test fails at teardown if one does not
conform. Tests that deliberately send non-conforming events opt out with
``@pytest.mark.allow_invalid_events``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# LiteLLM fetches its model cost map from the internet when it is imported unless told to
# use the copy it ships; nothing in the suite leaves the machine.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

_TESTS_DIR = str(Path(__file__).resolve().parent)
if _TESTS_DIR not in sys.path:  # shared helpers import as ``support.*``
    sys.path.insert(0, _TESTS_DIR)

import pytest  # noqa: E402

from amplitude_ai import _logging  # noqa: E402
from amplitude_ai.catalog import validate_event  # noqa: E402
from amplitude_ai.client import AmplitudeAI  # noqa: E402
from amplitude_ai.testing import MockAmplitudeAI  # noqa: E402
from support.capture_server import live_servers  # noqa: E402


@pytest.fixture(autouse=True)
def _private_spool(tmp_path_factory, monkeypatch):
    """Undelivered events of a test spool into its own directory, never the user's cache
    (and a test never resends another test's events)."""
    monkeypatch.setenv("AMPLITUDE_AI_SPOOL_DIR", str(tmp_path_factory.mktemp("spool")))


@pytest.fixture(autouse=True)
def _events_match_catalog(request, monkeypatch):
    problems: list[str] = []
    delivered: list[dict] = []

    def checking(original):
        def _deliver(self, record):
            delivered.append(record)
            for problem in validate_event(
                record["event_type"],
                record["event_properties"],
                user_id=record.get("user_id"),
                device_id=record.get("device_id"),
            ):
                problems.append(f"{record['event_type']}: {problem}")
            return original(self, record)

        return _deliver

    for cls in (AmplitudeAI, MockAmplitudeAI):
        monkeypatch.setattr(cls, "_deliver", checking(cls.__dict__["_deliver"]))
    _logging.reset_log_once()
    for server in live_servers():
        server.catalog_problems()  # what earlier tests' servers received is theirs
    yield delivered
    for server in live_servers():
        problems.extend(server.catalog_problems())
    if problems and request.node.get_closest_marker("allow_invalid_events") is None:
        pytest.fail(
            "events that do not match the catalog were delivered:\n  " + "\n  ".join(problems)
        )
