"""``inject_context``/``extract_context``: session context across service boundaries."""

from __future__ import annotations

import re

import pytest

from amplitude_ai import MockAmplitudeAI, SessionContext, extract_context, inject_context

TRACEPARENT_RE = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-01$")


@pytest.fixture
def mock() -> MockAmplitudeAI:
    return MockAmplitudeAI()


def test_round_trip_inside_a_session(mock):
    with mock.agent("gateway").session("sess-prop", user_id="u1") as s:
        trace = s.new_trace()
        headers = inject_context({"Authorization": "Bearer t"})

    assert headers["Authorization"] == "Bearer t"
    assert headers["x-amplitude-session-id"] == "sess-prop"
    assert headers["x-amplitude-trace-id"] == trace
    assert headers["x-amplitude-agent-id"] == "gateway"
    assert extract_context(headers) == {
        "trace_id": trace,
        "session_id": "sess-prop",
        "agent_id": "gateway",
    }


def test_receiver_continues_the_session(mock):
    with mock.agent("gateway").session("sess-remote", user_id="u1") as s:
        trace = s.new_trace()
        outgoing = inject_context()
    mock.reset()

    incoming = extract_context(outgoing)
    worker = mock.agent("worker", user_id="u1")
    with worker.session(session_id=incoming["session_id"], trace_id=incoming["trace_id"]) as ws:
        ws.track_span(span_name="downstream", latency_ms=4.0)
    mock.assert_event_tracked(
        "[Agent] Span", session_id="sess-remote", trace_id=trace, agent_id="worker"
    )


def test_traceparent_is_valid_w3c_and_matches_a_uuid_trace(mock):
    with mock.agent("gateway").session(user_id="u1") as s:
        trace = s.new_trace()
        first = inject_context()
        second = inject_context()
    match = TRACEPARENT_RE.match(first["traceparent"])
    assert match is not None
    assert match.group(1) == trace.replace("-", "")
    assert match.group(2) != "0" * 16
    # A fresh parent span id per outgoing call, same trace.
    assert first["traceparent"] != second["traceparent"]
    assert first["traceparent"][:36] == second["traceparent"][:36]


@pytest.mark.parametrize("trace_id", ["req-42", "trace/with spaces", "0" * 32, "ABC", "x" * 100])
def test_non_uuid_trace_ids_still_give_a_valid_traceparent(trace_id):
    ctx = SessionContext(session_id="s1", trace_id=trace_id)
    headers = inject_context({}, context=ctx)
    match = TRACEPARENT_RE.match(headers["traceparent"])
    assert match is not None
    assert match.group(1) != "0" * 32
    assert inject_context({}, context=ctx)["traceparent"][3:35] == match.group(1)  # stable
    assert extract_context(headers)["trace_id"] == trace_id  # the original id round-trips


def test_traceparent_alone_supplies_the_trace_id():
    trace_hex = "4bf92f3577b34da6a3ce929d0e0e4736"
    ctx = extract_context({"traceparent": f"00-{trace_hex}-00f067aa0ba902b7-01"})
    assert ctx == {"trace_id": trace_hex, "session_id": None, "agent_id": None}


def test_existing_traceparent_is_preserved(mock):
    theirs = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    with mock.agent("gateway").session(user_id="u1") as s:
        trace = s.new_trace()
        lower = inject_context({"traceparent": theirs})
        mixed = inject_context({"TraceParent": theirs})
    assert lower["traceparent"] == theirs
    assert mixed == {
        "TraceParent": theirs,
        "x-amplitude-session-id": s.session_id,
        "x-amplitude-agent-id": "gateway",
        "x-amplitude-trace-id": trace,
    }
    # The Amplitude header wins over the foreign traceparent on extraction.
    assert extract_context(lower)["trace_id"] == trace


def test_extraction_is_case_insensitive():
    headers = {
        "X-Amplitude-Session-Id": "sess-up",
        "X-AMPLITUDE-TRACE-ID": "trace-up",
        "x-Amplitude-Agent-ID": "agent-up",
    }
    assert extract_context(headers) == {
        "trace_id": "trace-up",
        "session_id": "sess-up",
        "agent_id": "agent-up",
    }
    upper_parent = {"TRACEPARENT": "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01"}
    assert extract_context(upper_parent)["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"


def test_outside_a_session_headers_are_unchanged():
    original = {"Accept": "application/json"}
    out = inject_context(original)
    assert out == {"Accept": "application/json"}
    assert out is not original
    assert inject_context() == {}
    assert inject_context(None) == {}


def test_inject_does_not_mutate_the_input(mock):
    original = {"Accept": "text/plain"}
    with mock.agent("gateway").session(user_id="u1"):
        out = inject_context(original)
    assert original == {"Accept": "text/plain"}
    assert "x-amplitude-session-id" in out


def test_session_without_trace_sends_no_traceparent(mock):
    with mock.agent("gateway").session("sess-nt", user_id="u1"):
        headers = inject_context()
    assert headers == {"x-amplitude-session-id": "sess-nt", "x-amplitude-agent-id": "gateway"}


@pytest.mark.parametrize(
    "value",
    [
        "garbage",
        "",
        "00-xyz-abc-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",  # missing flags
        "00-4bf92f3577b34da6a3ce929d0e0e47-00f067aa0ba902b7-01",  # short trace id
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  # all-zero trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
    ],
)
def test_garbage_traceparent_is_ignored(value):
    assert extract_context({"traceparent": value, "x-amplitude-session-id": "s9"}) == {
        "trace_id": None,
        "session_id": "s9",
        "agent_id": None,
    }


def test_empty_headers_give_nothing():
    assert extract_context({}) == {"trace_id": None, "session_id": None, "agent_id": None}
    assert extract_context({"x-amplitude-trace-id": ""})["trace_id"] is None
