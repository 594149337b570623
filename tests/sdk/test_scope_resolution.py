"""Which fields an event borrows from the active session, and which it must not."""

from __future__ import annotations

from amplitude_ai import MockAmplitudeAI, extract_context

SESSION = "[Agent] Session ID"
TRACE = "[Agent] Trace ID"
REPLAY = "[Amplitude] Session Replay ID"


def test_session_level_score_without_a_session_scores_the_target_session():
    mock = MockAmplitudeAI()
    mock.score(user_id="user-77", name="csat", value=4, target_id="conv-9", target_type="session")
    event = mock.assert_event_tracked("[Agent] Score", **{SESSION: "conv-9"})
    assert event["event_properties"]["[Agent] Target Type"] == "session"


def test_agent_with_its_own_session_does_not_borrow_the_active_trace_or_replay():
    mock = MockAmplitudeAI()
    frontdesk = mock.agent("frontdesk")
    background = mock.agent("indexer", user_id="user-77", session_id="batch-1")
    with frontdesk.session(user_id="user-77", device_id="dev-1", browser_session_id="42") as s:
        s.new_trace()
        background.track_span(span_name="reindex", latency_ms=3.0)
        s.track_user_message(content="hello")
    span = mock.assert_event_tracked("[Agent] Span", **{SESSION: "batch-1"})
    assert TRACE not in span["event_properties"]
    assert REPLAY not in span["event_properties"]
    message = mock.assert_event_tracked("[Agent] User Message")
    assert message["event_properties"][REPLAY] == "dev-1/42"
    assert message["event_properties"][TRACE] == s.trace_id


def test_nested_session_with_its_own_id_keeps_talking_to_the_same_user():
    mock = MockAmplitudeAI()
    outer_agent, inner_agent = mock.agent("planner"), mock.agent("drafter")
    with outer_agent.session(user_id="user-77"), inner_agent.session() as inner:
        inner.track_user_message(content="draft it")
    event = mock.assert_event_tracked("[Agent] User Message", user_id="user-77")
    assert event["event_properties"][SESSION] == inner.session_id
    assert len(mock.events_of_type("[Agent] Session End")) == 2


def test_invalid_traceparent_versions_and_ids_are_ignored():
    trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    ok = extract_context({"traceparent": f"00-{trace}-00f067aa0ba902b7-01"})
    assert ok["trace_id"] == trace
    for bad in (
        f"ff-{trace}-00f067aa0ba902b7-01",  # version ff is forbidden
        f"00-{trace}-0000000000000000-01",  # all-zero parent id
        "00-" + "0" * 32 + "-00f067aa0ba902b7-01",  # all-zero trace id
    ):
        assert extract_context({"traceparent": bad})["trace_id"] is None
