"""Behaviour of the tracking client itself: return values, turn numbering, field resolution,
validation, the never-break guarantee, delivery hand-off, configuration and diagnostics."""

from __future__ import annotations

import json
import logging
import uuid

import pytest

from amplitude_ai import AIConfig, AmplitudeAI, ContentMode, MockAmplitudeAI, ValidationError
from amplitude_ai.catalog import validate_event
from amplitude_ai.config import ENV_API_KEY, ENV_CONTENT_MODE, ENV_DEBUG, ENV_SERVER_URL
from amplitude_ai.providers.registry import PROVIDERS

SESSION_ID = "[Agent] Session ID"
TURN_ID = "[Agent] Turn ID"
LATENCY = "[Agent] Latency Ms"
LLM_MESSAGE = "$llm_message"
UNREACHABLE = "http://127.0.0.1:9/"


@pytest.fixture
def mock() -> MockAmplitudeAI:
    return MockAmplitudeAI()


@pytest.fixture
def strict() -> MockAmplitudeAI:
    return MockAmplitudeAI(validate=True)


@pytest.fixture
def no_env(monkeypatch):
    for name in (ENV_API_KEY, ENV_CONTENT_MODE, ENV_DEBUG, ENV_SERVER_URL):
        monkeypatch.delenv(name, raising=False)


def props(event: dict) -> dict:
    return event["event_properties"]


def sdk_records(caplog, level: int = logging.WARNING) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "amplitude_ai" and r.levelno == level]


def is_uuid(value: object) -> bool:
    return isinstance(value, str) and str(uuid.UUID(value)) == value


class FakeAmplitude:
    """Stands in for ``amplitude.Amplitude``: records events, answers with a status code."""

    def __init__(self, code: int = 200, fail: bool = False) -> None:
        self.tracked: list = []
        self.code = code
        self.fail = fail
        self.flushes = 0
        self.shutdowns = 0

    def track(self, event) -> None:
        if self.fail:
            raise ConnectionError("pipeline down")
        self.tracked.append(event)
        event.callback(self.code, f"status {self.code}")

    def flush(self) -> list:
        self.flushes += 1
        return [None, "future"]

    def shutdown(self) -> None:
        self.shutdowns += 1


# -------------------------------------------------------------------------- return values
def test_tracking_methods_return_unique_uuid_ids(mock):
    kw = {"user_id": "u1", "session_id": "s1"}
    ids = [
        mock.track_user_message(content="q", **kw),
        mock.track_ai_message(model="gpt-4o", provider="openai", latency_ms=1.0, **kw),
        mock.track_tool_call(tool_name="t", latency_ms=1.0, **kw),
        mock.track_embedding(model="e", provider="openai", latency_ms=1.0, **kw),
        mock.track_span(span_name="sp", latency_ms=1.0, **kw),
    ]
    assert all(is_uuid(i) for i in ids)
    assert len(set(ids)) == len(ids)
    id_props = ["[Agent] Message ID"] * 2 + ["[Agent] Invocation ID"] + ["[Agent] Span ID"] * 2
    assert [props(e)[p] for e, p in zip(mock.events, id_props, strict=True)] == ids
    again = mock.track_user_message(content="q", **kw)
    assert again not in ids


def test_session_methods_and_score_return_none(mock):
    agent = mock.agent("a", user_id="u1", session_id="s1")
    with agent.session() as s:
        assert s.score(name="n", value=1, target_id="m") is None
        assert s.track_session_enrichment(enrichments={"quality_score": 0.5}) is None
        assert s.track_session_end() is None
    assert agent.score(name="n", value=1, target_id="m") is None
    assert mock.track_session_end(user_id="u1", session_id="s1") is None
    assert mock.track_session_enrichment(user_id="u1", session_id="s1", enrichments={}) is None
    assert len(mock.events) == 6


def test_explicit_ids_are_honoured(mock):
    kw = {"user_id": "u1", "session_id": "s1"}
    assert mock.track_user_message(content="q", message_id="msg-mine", **kw) == "msg-mine"
    assert (
        mock.track_tool_call(tool_name="t", latency_ms=1.0, invocation_id="inv-mine", **kw)
        == "inv-mine"
    )
    assert mock.track_span(span_name="s", latency_ms=1.0, span_id="span-mine", **kw) == "span-mine"
    mock.assert_event_tracked("[Agent] User Message", message_id="msg-mine")
    mock.assert_event_tracked("[Agent] Tool Call", invocation_id="inv-mine")
    mock.assert_event_tracked("[Agent] Span", span_id="span-mine")


def test_id_is_returned_even_when_the_event_is_dropped(mock, caplog):
    message_id = mock.track_user_message(content="no user here", session_id="s1")
    assert is_uuid(message_id)
    assert mock.events == []
    assert len(sdk_records(caplog)) == 1


# ---------------------------------------------------------------------------- turn ids
def test_turns_auto_increment_per_session(mock):
    a = mock.agent("a", user_id="u1")
    a.track_user_message(content="1", session_id="sa")
    a.track_user_message(content="1", session_id="sb")
    a.track_ai_message(session_id="sa", model="gpt-4o", provider="openai", latency_ms=1.0)
    a.score(name="n", value=1, target_id="m", session_id="sa")  # scores take no turn
    a.track_tool_call(tool_name="t", latency_ms=1.0, session_id="sa")
    a.track_span(span_name="sp", latency_ms=1.0, session_id="sb")
    a.track_embedding(model="e", provider="openai", latency_ms=1.0, session_id="sa")
    a.track_session_enrichment(session_id="sa", enrichments={"quality_score": 1.0})

    def turns(session):
        return [props(e).get(TURN_ID) for e in mock.events_for_session(session)]

    assert turns("sa") == [1, 2, None, 3, 4, None]
    assert turns("sb") == [1, 2]


def test_turns_are_monotonic_around_explicit_values(mock):
    a = mock.agent("a", user_id="u1", session_id="s1")
    a.track_user_message(content="x")
    a.track_user_message(content="x", turn_id=10)
    a.track_user_message(content="x")
    a.track_user_message(content="x", turn_id=4)  # an explicit lower value is kept as given
    a.track_user_message(content="x")
    assert [props(e)[TURN_ID] for e in mock.events] == [1, 10, 11, 4, 12]


def test_turn_counter_restarts_after_session_end(mock):
    a = mock.agent("a", user_id="u1", session_id="s1")
    a.track_user_message(content="x")
    a.track_user_message(content="x")
    a.track_session_end()
    a.track_user_message(content="x")
    assert [props(e).get(TURN_ID) for e in mock.events] == [1, 2, None, 1]


# ----------------------------------------------------------------------- field resolution
def test_explicit_beats_bound_beats_active(mock):
    bound = mock.agent("bound-bot", user_id="bound-user", env="bound-env", session_id="bound-s")
    host = mock.agent(
        "host-bot", user_id="host-user", env="host-env", agent_version="h1", parent_agent_id="top"
    )
    with host.session("host-s", trace_id="host-trace"):
        bound.track_user_message(content="bound")
        bound.track_user_message(
            content="explicit",
            user_id="call-user",
            session_id="call-s",
            env="call-env",
            agent_id="call-bot",
        )
        mock.track_user_message(content="active")

    by_text = {props(e)[LLM_MESSAGE]["text"]: e for e in mock.events[:3]}
    b = by_text["bound"]
    assert (b["user_id"], props(b)[SESSION_ID], props(b)["[Agent] Env"]) == (
        "bound-user",
        "bound-s",
        "bound-env",
    )
    assert props(b)["[Agent] Agent ID"] == "bound-bot"
    # Another agent's lineage is never borrowed from the active session.
    assert "[Agent] Agent Version" not in props(b)
    assert "[Agent] Parent Agent ID" not in props(b)
    e = by_text["explicit"]
    assert (e["user_id"], props(e)[SESSION_ID], props(e)["[Agent] Env"]) == (
        "call-user",
        "call-s",
        "call-env",
    )
    assert props(e)["[Agent] Agent ID"] == "call-bot"
    a = by_text["active"]
    assert (a["user_id"], props(a)[SESSION_ID], props(a)["[Agent] Env"]) == (
        "host-user",
        "host-s",
        "host-env",
    )
    assert props(a)["[Agent] Trace ID"] == "host-trace"
    assert (props(a)["[Agent] Agent Version"], props(a)["[Agent] Parent Agent ID"]) == ("h1", "top")


def test_session_values_override_the_agent_defaults(mock):
    agent = mock.agent("a", user_id="agent-user", session_id="agent-s", trace_id="agent-t")
    with agent.session("own-s", user_id="own-user", trace_id="own-t") as s:
        s.track_user_message(content="x")
        s.track_user_message(content="y", user_id="call-user")
    first, second, _end = mock.events
    assert (first["user_id"], props(first)[SESSION_ID], props(first)["[Agent] Trace ID"]) == (
        "own-user",
        "own-s",
        "own-t",
    )
    assert second["user_id"] == "call-user"


def test_groups_merge_and_become_top_level(mock):
    agent = mock.agent("a", user_id="u1", session_id="s1", groups={"company": "c1", "team": "t1"})
    agent.track_user_message(content="x", groups={"team": "t2"})
    assert mock.events[0]["groups"] == {"company": "c1", "team": "t2"}
    mock.track_user_message(content="x", user_id="u1", session_id="s1")
    assert "groups" not in mock.events[1]


# ---------------------------------------------------------------------------- validation
def _valid_score(ai, **overrides):
    kw = {"user_id": "u1", "session_id": "s1", "name": "q", "value": 1.0, "target_id": "m1"}
    kw.update(overrides)
    ai.score(**kw)


INVALID_CALLS = {
    "empty user_id": lambda ai: ai.track_user_message(user_id="", content="x", session_id="s1"),
    "missing user_id": lambda ai: ai.track_user_message(content="x", session_id="s1"),
    "negative latency": lambda ai: ai.track_tool_call(
        user_id="u1", session_id="s1", tool_name="t", latency_ms=-5.0
    ),
    "non-numeric score": lambda ai: _valid_score(ai, value="great"),
    "bool as score": lambda ai: _valid_score(ai, value=True),
    "bool as latency": lambda ai: ai.track_span(
        user_id="u1", session_id="s1", span_name="sp", latency_ms=True
    ),
    "bool as token count": lambda ai: ai.track_ai_message(
        user_id="u1",
        session_id="s1",
        model="gpt-4o",
        provider="openai",
        latency_ms=1.0,
        input_tokens=False,
    ),
    "non-bool flag": lambda ai: ai.track_ai_message(
        user_id="u1",
        session_id="s1",
        model="gpt-4o",
        provider="openai",
        latency_ms=1.0,
        is_error="no",
    ),
    "unknown target_type": lambda ai: _valid_score(ai, target_type="conversation"),
    "unknown source": lambda ai: _valid_score(ai, source="robot"),
    "missing model": lambda ai: ai.track_ai_message(
        user_id="u1", session_id="s1", provider="openai", latency_ms=1.0
    ),
}


@pytest.mark.parametrize("case", list(INVALID_CALLS))
def test_validate_true_raises(strict, case):
    with pytest.raises(ValidationError):
        INVALID_CALLS[case](strict)
    assert strict.events == []


def test_validate_true_accepts_valid_calls(strict):
    _valid_score(strict)
    with strict.agent("a", user_id="u1").session() as s:
        s.track_user_message(content="x", event_properties={"plan": "pro"})
        s.track_ai_message(model="gpt-4o", provider="openai", latency_ms=0.0, input_tokens=0)
    assert len(strict.events) == 4


@pytest.mark.parametrize("case", list(INVALID_CALLS))
def test_invalid_input_never_raises_without_validate(mock, caplog, case):
    INVALID_CALLS[case](mock)
    first = len(sdk_records(caplog))
    assert first >= 1  # the problem is reported, naming the field
    INVALID_CALLS[case](mock)
    assert len(sdk_records(caplog)) == first  # rate-limited: not once per call


@pytest.mark.parametrize(
    ("case", "event_type", "left_out"),
    [
        ("bool as token count", "[Agent] AI Response", "[Agent] Input Tokens"),
        ("non-bool flag", "[Agent] AI Response", "[Agent] Is Error"),
    ],
)
def test_bad_optional_fields_are_left_out_and_the_event_is_sent(mock, case, event_type, left_out):
    INVALID_CALLS[case](mock)
    (event,) = mock.events_of_type(event_type)
    assert left_out not in props(event) or props(event)[left_out] is False
    assert event["user_id"] == "u1"


@pytest.mark.parametrize(
    "case",
    [
        "negative latency",
        "non-numeric score",
        "bool as score",
        "bool as latency",
        "unknown target_type",
        "unknown source",
        "missing model",
    ],
)
def test_bad_required_fields_reject_the_event(mock, case):
    INVALID_CALLS[case](mock)
    assert mock.events == []
    assert mock.status()["validation"]["events_rejected"] == 1


def test_bad_non_bool_flag_is_left_out_and_error_flag_derived(mock):
    INVALID_CALLS["non-bool flag"](mock)
    (event,) = mock.events
    assert props(event)["[Agent] Is Error"] is False


def test_missing_user_is_dropped_not_sent(mock):
    INVALID_CALLS["empty user_id"](mock)
    INVALID_CALLS["missing user_id"](mock)
    assert mock.events == []


# -------------------------------------------------------------------------- never break
class _BrokenCalculator:
    def cost_usd(self, *args, **kwargs):
        raise ArithmeticError("price table exploded")


def test_internal_failure_in_cost_calculation_never_raises(mock, monkeypatch, caplog):
    monkeypatch.setattr(mock._builder, "costs", _BrokenCalculator())
    for _ in range(3):
        result = mock.track_ai_message(
            user_id="u1",
            session_id="s1",
            model="gpt-4o",
            provider="openai",
            latency_ms=1.0,
            input_tokens=10,
        )
        assert is_uuid(result)
    errors = sdk_records(caplog, logging.ERROR)
    assert len(errors) == 1
    assert errors[0].exc_info is not None
    assert mock.events == []  # dropped, not half-built


@pytest.mark.parametrize("validate", [False, True])
def test_internal_failure_in_builder_never_raises(monkeypatch, caplog, validate):
    ai = MockAmplitudeAI(validate=validate)

    def boom(*args, **kwargs):
        raise KeyError("builder bug")

    monkeypatch.setattr(ai._builder, "build", boom)
    assert is_uuid(ai.track_user_message(user_id="u1", session_id="s1", content="x"))
    assert ai.track_session_end(user_id="u1", session_id="s1") is None
    assert ai.track_user_message(user_id="u1", session_id="s1", content="x") is not None
    assert ai.events == []
    assert len(sdk_records(caplog, logging.ERROR)) == 2  # one per kind of event


def test_delivery_failure_never_raises(caplog):
    ai = AmplitudeAI(FakeAmplitude(fail=True))
    ai.track_user_message(user_id="u1", session_id="s1", content="x")
    ai.track_user_message(user_id="u1", session_id="s1", content="x")
    assert len(sdk_records(caplog, logging.ERROR)) == 1


def test_session_exit_survives_tracking_failures(mock, monkeypatch):
    monkeypatch.setattr(mock._builder, "build", lambda *a, **k: 1 / 0)
    with mock.agent("a", user_id="u1").session() as s:
        s.track_user_message(content="x")
    assert s.ended


# ------------------------------------------------------------------------------ delivery
def test_events_go_through_the_amplitude_client():
    amp = FakeAmplitude()
    ai = AmplitudeAI(amp)
    ai.track_user_message(
        user_id="u1", session_id="s1", content="x" * 3000, event_properties={"plan": "pro"}
    )
    (event,) = amp.tracked
    assert event.event_type == "[Agent] User Message"
    assert event.user_id == "u1"
    body = event.get_event_body()
    assert body["event_properties"]["plan"] == "pro"
    assert len(body["event_properties"][LLM_MESSAGE]["text"]) == 3000  # not truncated


def test_on_event_callback_receives_status():
    seen = []
    ai = AmplitudeAI(
        FakeAmplitude(code=202),
        config=AIConfig(on_event_callback=lambda e, code, msg: seen.append((e.event_type, code))),
    )
    ai.track_user_message(user_id="u1", session_id="s1", content="x")
    assert seen == [("[Agent] User Message", 202)]


def test_raising_on_event_callback_never_propagates(caplog):
    calls = []

    def explode(event, code, message):
        calls.append(code)
        raise RuntimeError("callback bug")

    # 400: a permanent rejection, reported at once (a 5xx would be held for a retry)
    ai = AmplitudeAI(FakeAmplitude(code=400), config=AIConfig(on_event_callback=explode))
    ai.track_user_message(user_id="u1", session_id="s1", content="x")
    ai.track_user_message(user_id="u1", session_id="s1", content="y")
    assert calls == [400, 400]
    errors = sdk_records(caplog, logging.ERROR)
    assert len(errors) == 1
    assert "on_event_callback" in errors[0].getMessage()


def test_flush_and_shutdown_with_a_shared_client():
    amp = FakeAmplitude()
    ai = AmplitudeAI(amp)
    assert ai.flush() == ["future"]
    ai.shutdown()  # not ours to shut down: only flushed
    assert (amp.flushes, amp.shutdowns) == (2, 0)
    assert ai.status()["delivery"] == "amplitude"
    assert ai.amplitude is amp


def test_insert_id_present_and_unique(mock):
    with mock.agent("a", user_id="u1").session() as s:
        for i in range(20):
            s.track_user_message(content=str(i))
        s.score(name="n", value=1, target_id="m")
    insert_ids = [e["insert_id"] for e in mock.events]
    assert len(insert_ids) == 22
    assert all(is_uuid(i) for i in insert_ids)
    assert len(set(insert_ids)) == len(insert_ids)
    assert all(isinstance(e["time"], int) and e["time"] > 1_600_000_000_000 for e in mock.events)


@pytest.mark.parametrize("validate", [False, True])
def test_custom_event_properties_pass_through_reserved_ones_are_left_out(caplog, validate):
    ai = MockAmplitudeAI(validate=validate)
    for _ in range(2):
        ai.track_ai_message(
            user_id="u1",
            session_id="s1",
            model="gpt-4o",
            provider="openai",
            latency_ms=7.0,
            event_properties={
                "plan": "enterprise",
                "seats": 40,
                "[Agent] Model Name": "spoofed",
                "[Agent] Mood": "sunny",
                "$llm_extra": "x",
            },
        )
    event = ai.assert_event_tracked("[Agent] AI Response", model_name="gpt-4o")
    assert props(event)["plan"] == "enterprise"
    assert props(event)["seats"] == 40
    assert "[Agent] Mood" not in props(event)
    assert "$llm_extra" not in props(event)
    warned = [r.getMessage() for r in sdk_records(caplog)]
    assert len(warned) == 3  # one per reserved name, not per call
    assert all("reserved prefix" in w for w in warned)


def test_validator_rejects_unknown_reserved_names_but_allows_custom_ones():
    base = {
        "[Agent] Session ID": "s",
        "[Agent] SDK Version": "1",
        "[Agent] Runtime": "python",
        "[Agent] Message ID": "m",
        "[Agent] Component Type": "user_input",
    }
    assert validate_event("[Agent] User Message", {**base, "plan": "pro"}, user_id="u") == []
    for name in ("[Agent] Madeup", "[Amplitude] Madeup", "$llm_madeup"):
        problems = validate_event("[Agent] User Message", {**base, name: "x"}, user_id="u")
        assert len(problems) == 1
        assert name in problems[0]


# ------------------------------------------------------------------ content & diagnostics
def test_llm_message_in_full_mode_only():
    full = MockAmplitudeAI()
    quiet = MockAmplitudeAI(content_mode=ContentMode.METADATA_ONLY)
    for ai in (full, quiet):
        ai.track_user_message(user_id="u1", session_id="s1", content="secret plan")
        ai.track_ai_message(
            user_id="u1",
            session_id="s1",
            content={"parts": ["structured"]},
            model="gpt-4o",
            provider="openai",
            latency_ms=1.0,
        )
    assert props(full.events[0])[LLM_MESSAGE] == {"text": "secret plan"}
    assert json.loads(props(full.events[1])[LLM_MESSAGE]["text"]) == {"parts": ["structured"]}
    assert all(LLM_MESSAGE not in props(e) for e in quiet.events)
    assert props(quiet.events[1])["[Agent] Model Name"] == "gpt-4o"


def test_status_reports_the_configuration():
    status = MockAmplitudeAI(validate=True, redact_pii=True, content_mode="metadata_only").status()
    assert status["content_mode"] == "metadata_only"
    assert status["validate"] is True
    assert status["redact_pii"] is True
    assert status["debug"] is False
    assert status["dry_run"] is False
    assert status["propagate_context"] is False
    assert status["delivery"] == "mock (in memory)"
    # The registry's providers whose SDK is installed (openai is, in this environment).
    assert "openai" in status["providers_available"]
    assert set(status["providers_available"]) <= {p.id for p in PROVIDERS}
    assert isinstance(status["patched_providers"], list)
    dry = AmplitudeAI(api_key="unused", config=AIConfig(dry_run=True)).status()
    assert (dry["dry_run"], dry["delivery"]) == (True, "dry_run")


def test_dry_run_prints_and_never_sends(capsys):
    ai = AmplitudeAI(api_key="unused", config=AIConfig(dry_run=True))
    assert ai.amplitude is None
    ai.track_user_message(user_id="u1", session_id="s1", content="x")
    err = capsys.readouterr().err
    assert err.startswith("[amplitude-ai] dry-run ")
    record = json.loads(err.split("dry-run ", 1)[1])
    assert record["event_type"] == "[Agent] User Message"
    assert ai.flush() == []
    assert ai.shutdown() is None


def test_no_api_key_warns_and_stays_silent(no_env, caplog):
    ai = AmplitudeAI()
    warnings = sdk_records(caplog)
    assert len(warnings) == 1
    assert ENV_API_KEY in warnings[0].getMessage()
    assert ai.amplitude is None
    assert ai.status()["delivery"] == "disabled (no API key)"
    ai.track_user_message(user_id="u1", session_id="s1", content="x")
    assert ai.flush() == []
    assert ai.shutdown() is None


def test_api_key_is_read_from_the_environment(no_env, monkeypatch, caplog):
    monkeypatch.setenv(ENV_API_KEY, "key-from-env")
    monkeypatch.setenv(ENV_SERVER_URL, UNREACHABLE)
    ai = AmplitudeAI()
    try:
        assert ai.status()["delivery"] == "amplitude (owned)"
        assert ai.amplitude.configuration.api_key == "key-from-env"
        assert ai.amplitude.configuration.server_url == UNREACHABLE
        assert sdk_records(caplog) == []
    finally:
        ai.shutdown()  # nothing was tracked, so nothing is sent
    explicit = AmplitudeAI(api_key="key-explicit")
    try:
        assert explicit.amplitude.configuration.api_key == "key-explicit"
    finally:
        explicit.shutdown()


def test_content_mode_and_debug_from_environment(no_env, monkeypatch, caplog):
    assert AIConfig().mode is ContentMode.FULL
    assert AIConfig().debug is False
    monkeypatch.setenv(ENV_CONTENT_MODE, "customer_enriched")
    monkeypatch.setenv(ENV_DEBUG, "true")
    config = AIConfig()
    assert config.mode is ContentMode.CUSTOMER_ENRICHED
    assert config.debug is True
    assert AIConfig(content_mode="full", debug=False).mode is ContentMode.FULL
    assert AIConfig(debug=False).debug is False
    assert MockAmplitudeAI().status()["content_mode"] == "customer_enriched"
    monkeypatch.setenv(ENV_CONTENT_MODE, "everything")
    monkeypatch.setenv(ENV_DEBUG, "0")
    assert AIConfig().mode is ContentMode.METADATA_ONLY  # a typo must not send content
    assert AIConfig().debug is False
    assert any(ENV_CONTENT_MODE in r.getMessage() for r in sdk_records(caplog))


def test_debug_prints_one_line_summary(capsys):
    ai = MockAmplitudeAI(debug=True)
    ai.track_ai_message(
        user_id="u1",
        session_id="sess-debug-123456",
        model="gpt-4o",
        provider="openai",
        latency_ms=1203.0,
        input_tokens=1000,
        output_tokens=247,
        total_cost_usd=0.0089,
    )
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    line = lines[0]
    assert line.startswith("[amplitude-ai] [Agent] AI Response | user=u1 | session=sess-deb...")
    for part in ("model=gpt-4o", "tokens=1,247", "cost=$0.0089", "latency=1,203ms"):
        assert f"| {part}" in line


def test_debug_off_prints_nothing(no_env, capsys, mock):
    mock.track_user_message(user_id="u1", session_id="s1", content="x")
    assert capsys.readouterr().err == ""
