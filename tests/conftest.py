"""Suite-wide guards.

Every event any ``AmplitudeAI``/``MockAmplitudeAI`` delivers during a test is checked
against the event catalog; a test fails at teardown if one does not conform. Tests that
deliberately send non-conforming events opt out with ``@pytest.mark.allow_invalid_events``.
"""

from __future__ import annotations

import pytest

from amplitude_ai import _logging
from amplitude_ai.catalog import validate_event
from amplitude_ai.client import AmplitudeAI
from amplitude_ai.testing import MockAmplitudeAI


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
    yield delivered
    if problems and request.node.get_closest_marker("allow_invalid_events") is None:
        pytest.fail(
            "events that do not match the catalog were delivered:\n  " + "\n  ".join(problems)
        )
