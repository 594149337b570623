"""Behaviours the reference documentation promises, in every tier: catalog-valid events
outside sessions (default session), ``patch(debug=True)``, ``AmplitudeAI(content_mode=)``,
context propagation through wrappers on a plain ``Amplitude``, ``@observe`` opening its
own session, agent descriptions, child-agent overrides, scores without a session under
``validate=True``, snake_case enrichments, and the content-first ``track_user_message``
of sessions and agents."""

from __future__ import annotations

import json
import logging

import openai
import pytest
from amplitude import Amplitude, Config

import amplitude_ai
from amplitude_ai import (
    AIConfig,
    AmplitudeAI,
    ContentMode,
    MockAmplitudeAI,
    RubricScore,
    SessionEnrichments,
    TopicClassification,
    observe,
)
from amplitude_ai._identity import anonymous_device_id, default_session_id
from amplitude_ai.catalog import validate_event
from amplitude_ai.testing import fake_llm

SESSION_ID = "[Agent] Session ID"
TRACE_ID = "[Agent] Trace ID"
AI_RESPONSE = "[Agent] AI Response"
USER_MESSAGE = "[Agent] User Message"
QUESTION = [{"role": "user", "content": "What is retention?"}]


def props(event: dict) -> dict:
    return event["event_properties"]


def assert_valid(events: list[dict]) -> None:
    assert events
    for event in events:
        problems = validate_event(
            event["event_type"],
            props(event),
            user_id=event.get("user_id"),
            device_id=event.get("device_id"),
        )
        assert problems == [], (event["event_type"], problems)


@pytest.fixture
def plain_amplitude():
    """An application's own ``amplitude.Amplitude``; opted out, so nothing is queued or sent
    (these tests look at what the SDK builds and prints, not at delivery)."""
    client = Amplitude("test-key", Config(server_url="http://127.0.0.1:9/"))
    client.configuration.opt_out = True
    yield client
    client.shutdown()


@pytest.fixture(autouse=True)
def _unpatched():
    yield
    amplitude_ai.unpatch()


# ------------------------------------------------------------------ default session
def test_wrapper_calls_outside_any_session_get_the_users_default_session():
    mock = MockAmplitudeAI()
    client = amplitude_ai.OpenAI(amplitude=mock, api_key="k")
    with fake_llm("fine"):
        client.chat.completions.create(model="gpt-4o", messages=QUESTION, amplitude_user_id="u-7")
        client.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "more"}], amplitude_user_id="u-7"
        )
        client.chat.completions.create(model="gpt-4o", messages=QUESTION, amplitude_user_id="u-8")
    assert_valid(mock.events)
    sessions = {e["user_id"]: props(e)[SESSION_ID] for e in mock.events}
    assert sessions == {
        "u-7": default_session_id("u-7", None),
        "u-8": default_session_id("u-8", None),
    }
    assert sessions["u-7"] != sessions["u-8"]
    assert sessions["u-7"].startswith("default-")
    # one session per user: turn numbers keep counting across the session-less calls
    turns = [props(e)["[Agent] Turn ID"] for e in mock.events if e["user_id"] == "u-7"]
    assert turns == sorted(turns) and len(set(turns)) == len(turns)


def test_patch_outside_any_session_sends_valid_events_under_the_anonymous_device():
    mock = MockAmplitudeAI()
    amplitude_ai.patch(amplitude=mock)
    with fake_llm("ok"):
        openai.OpenAI(api_key="k").chat.completions.create(model="gpt-4o", messages=QUESTION)
    assert {e["event_type"] for e in mock.events} == {USER_MESSAGE, AI_RESPONSE}
    assert_valid(mock.events)
    for event in mock.events:
        assert event["device_id"] == anonymous_device_id()
        assert props(event)[SESSION_ID] == default_session_id(None, anonymous_device_id())


def test_direct_calls_without_session_use_the_default_session_even_under_validate():
    strict = MockAmplitudeAI(validate=True)
    strict.track_user_message("u-1", "hello")
    strict.track_ai_message("u-1", "hi", model="gpt-4o", provider="openai", latency_ms=5)
    assert_valid(strict.events)
    assert {props(e)[SESSION_ID] for e in strict.events} == {default_session_id("u-1", None)}


def test_ending_a_session_needs_a_session_id_under_validate():
    strict = MockAmplitudeAI(validate=True)
    with pytest.raises(amplitude_ai.ValidationError, match="session_id"):
        strict.track_session_end(user_id="u-1")
    lenient = MockAmplitudeAI()
    lenient.track_session_end(user_id="u-1")
    (event,) = lenient.events
    assert props(event)[SESSION_ID] == default_session_id("u-1", None)


def test_default_sessions_differ_between_processes():
    import subprocess
    import sys

    code = "from amplitude_ai._identity import default_session_id as d; print(d('u-1', None))"
    runs = {
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.strip()
        for _ in range(2)
    }
    assert len(runs) == 2 and all(r.startswith("default-") for r in runs)


# ------------------------------------------------------------------ configuration
def test_patch_debug_prints_every_event(plain_amplitude, capsys):
    patched = amplitude_ai.patch(amplitude=plain_amplitude, debug=True)
    assert "openai" in patched
    with fake_llm("ok"):
        openai.OpenAI(api_key="k").chat.completions.create(
            model="gpt-4o", messages=QUESTION, amplitude_user_id="user-1"
        )
    err = capsys.readouterr().err
    assert "[Agent] AI Response" in err and "model=gpt-4o" in err
    assert "[Agent] User Message" in err


def test_content_mode_keyword_on_the_client(plain_amplitude):
    ai = AmplitudeAI(amplitude=plain_amplitude, content_mode="metadata_only")
    assert ai.config.mode is ContentMode.METADATA_ONLY
    assert ai.status()["content_mode"] == "metadata_only"
    base = AIConfig(debug=True)
    ai = AmplitudeAI(amplitude=plain_amplitude, config=base, content_mode=ContentMode.FULL)
    assert ai.config.mode is ContentMode.FULL and ai.config.debug
    assert base.mode is ContentMode.FULL  # the caller's config object is not changed
    with pytest.raises(amplitude_ai.ConfigurationError):
        AmplitudeAI(amplitude=plain_amplitude, content_mode="everything")


def test_content_mode_keyword_applies_to_events(plain_amplitude):
    ai = AmplitudeAI(amplitude=plain_amplitude, content_mode="metadata_only")
    with MockAmplitudeAI.capture(ai) as mock:
        ai.track_user_message("u-1", "secret text", "s-1")
    (event,) = mock.events
    assert "$llm_message" not in props(event)


def test_session_propagate_context_reaches_wrappers_on_a_plain_amplitude(plain_amplitude):
    ai = AmplitudeAI(amplitude=plain_amplitude, config=AIConfig(propagate_context=True))
    client = amplitude_ai.OpenAI(amplitude=plain_amplitude, api_key="k")  # not given `ai`
    with (
        MockAmplitudeAI.capture(ai) as mock,
        fake_llm("ok") as llm,
        ai.agent("bot").session(user_id="u-1") as s,
    ):
        s.new_trace()
        client.chat.completions.create(model="gpt-4o", messages=QUESTION)
    headers = {k.lower(): v for k, v in llm.calls[0].headers.items()}
    assert headers["x-amplitude-session-id"] == s.session_id
    assert "traceparent" in headers
    assert {props(e)[SESSION_ID] for e in mock.events} == {s.session_id}


def test_no_propagation_when_the_session_client_does_not_ask_for_it(plain_amplitude):
    ai = AmplitudeAI(amplitude=plain_amplitude)
    client = amplitude_ai.OpenAI(amplitude=plain_amplitude, api_key="k")
    with (
        MockAmplitudeAI.capture(ai),
        fake_llm("ok") as llm,
        ai.agent("bot").session(user_id="u-1"),
    ):
        client.chat.completions.create(model="gpt-4o", messages=QUESTION)
    assert "x-amplitude-session-id" not in {k.lower() for k in llm.calls[0].headers}


# ------------------------------------------------------------------ @observe
def test_observe_outside_a_session_opens_and_closes_its_own():
    mock = MockAmplitudeAI()

    @observe(amplitude=mock)
    def summarize_document(text: str) -> str:
        return text[:5]

    assert summarize_document("a long text") == "a lon"
    kinds = [e["event_type"] for e in mock.events]
    assert kinds == ["[Agent] Span", "[Agent] Session End"]
    assert_valid(mock.events)
    span, end = mock.events
    assert props(span)[SESSION_ID] == props(end)[SESSION_ID]
    assert not props(span)[SESSION_ID].startswith("default-")  # a session of its own
    assert props(span)["[Agent] Span Name"] == "summarize_document"
    assert span["device_id"] == anonymous_device_id()  # no user known: the anonymous device
    summarize_document("again")
    assert props(mock.events[2])[SESSION_ID] != props(span)[SESSION_ID]


def test_bare_observe_reports_to_the_environment_client(monkeypatch):
    """The documented bare form: no amplitude=, no session, an API key in the environment."""
    from amplitude_ai import decorators

    monkeypatch.setenv("AMPLITUDE_AI_API_KEY", "test-key")
    monkeypatch.setattr(decorators, "_env_client", [])

    @observe
    def summarize_document(text: str) -> str:
        return text.upper()

    with MockAmplitudeAI.capture() as mock:
        assert summarize_document("abc") == "ABC"
    assert [e["event_type"] for e in mock.events] == ["[Agent] Span", "[Agent] Session End"]
    assert_valid(mock.events)
    shared = decorators._env_client[0]
    assert shared.amplitude is not None
    shared.amplitude.configuration.opt_out = True  # nothing was queued; keep it that way
    shared.shutdown()
    monkeypatch.delenv("AMPLITUDE_AI_API_KEY")
    monkeypatch.setattr(decorators, "_env_client", [])
    with MockAmplitudeAI.capture() as mock:
        assert summarize_document("abc") == "ABC"  # no key: just the function
    assert mock.events == []


def test_observe_outside_a_session_keeps_a_known_user():
    mock = MockAmplitudeAI()

    @observe(amplitude=mock, user_id="u-3")
    def step() -> int:
        return 1

    step()
    assert {e["user_id"] for e in mock.events} == {"u-3"}
    assert all("device_id" not in e for e in mock.events)


# ------------------------------------------------------------------ agents
def test_agent_description_is_sent_with_every_event():
    mock = MockAmplitudeAI()
    agent = mock.agent("support-bot", description="Answers billing questions", user_id="u-1")
    with agent.session() as s:
        s.track_user_message("Hello")
    assert_valid(mock.events)
    assert {props(e)["[Agent] Agent Description"] for e in mock.events} == {
        "Answers billing questions"
    }
    child = agent.child("researcher", description="Searches the web")
    child.track_tool_call(tool_name="search", latency_ms=3, session_id="s-1")
    assert props(mock.events[-1])["[Agent] Agent Description"] == "Searches the web"
    other = agent.child("writer")  # no description of its own: the parent's is not borrowed
    other.track_tool_call(tool_name="write", latency_ms=3, session_id="s-1")
    assert "[Agent] Agent Description" not in props(mock.events[-1])


def test_child_agent_tool_call_keeps_explicit_session_and_trace():
    mock = MockAmplitudeAI()
    orchestrator = mock.agent("orchestrator", env="production")
    with orchestrator.session(user_id="u1") as s:
        s.track_user_message("Compare our pricing to competitors")
        researcher = orchestrator.child("researcher")
        researcher.track_tool_call(
            tool_name="web_search",
            latency_ms=500,
            success=True,
            session_id=s.session_id,
            trace_id="trace-explicit",
        )
    tool = mock.events_of_type("[Agent] Tool Call")[0]
    assert props(tool)[SESSION_ID] == s.session_id
    assert props(tool)[TRACE_ID] == "trace-explicit"
    assert props(tool)["[Agent] Parent Agent ID"] == "orchestrator"
    assert tool["user_id"] == "u1"
    assert_valid(mock.events)


def test_score_on_a_message_under_validate_does_not_demand_a_session():
    strict = MockAmplitudeAI(validate=True)
    strict.score(user_id="user-1", name="user-feedback", value=1.0, target_id="msg-1")
    (event,) = strict.events
    assert_valid([event])
    assert props(event)["[Agent] Target Type"] == "message"


def test_enrichments_json_uses_the_dataclass_field_names():
    mock = MockAmplitudeAI()
    enrichments = SessionEnrichments(
        topic_classifications={"intent": TopicClassification(l1="billing", topics_covered=["x"])},
        rubrics=[RubricScore(name="helpfulness", score=0.9, improvement_opportunities="none")],
        overall_outcome="resolved",
        has_task_failure=True,
        technical_error_count=0,
    )
    mock.track_session_enrichment("u-1", "s-1", enrichments)
    (event,) = mock.events
    sent = json.loads(props(event)["[Agent] Enrichments"])
    assert {"topic_classifications", "rubrics", "overall_outcome", "has_task_failure"} <= set(sent)
    assert sent["topic_classifications"]["intent"]["topics_covered"] == ["x"]
    assert sent["rubrics"][0]["improvement_opportunities"] == "none"
    assert sent["technical_error_count"] == 0

    def keys(value):
        if isinstance(value, dict):
            for key, inner in value.items():
                yield key
                yield from keys(inner)
        elif isinstance(value, list):
            for inner in value:
                yield from keys(inner)

    assert not [k for k in keys(sent) if k != k.lower()]  # snake_case, never camelCase


# ------------------------------------------------------------------ positional content
def test_session_and_agent_take_the_message_content_first():
    mock = MockAmplitudeAI()
    agent = mock.agent("bot", user_id="u-1", session_id="thread-1")
    agent.track_user_message("Hello from the agent")
    with agent.session() as s:
        s.track_user_message("Hello")
    first, second = mock.events_of_type(USER_MESSAGE)
    assert props(first)["$llm_message"] == {"text": "Hello from the agent"}
    assert props(second)["$llm_message"] == {"text": "Hello"}
    assert first["user_id"] == second["user_id"] == "u-1"


def test_client_form_on_a_session_still_works_with_a_warning(caplog):
    mock = MockAmplitudeAI()
    with (
        mock.agent("bot").session(session_id="s-9") as s,
        caplog.at_level(logging.WARNING, logger="amplitude_ai"),
    ):
        s.track_user_message("u-5", "Hi there")
    (event,) = mock.events_of_type(USER_MESSAGE)
    assert event["user_id"] == "u-5"
    assert props(event)["$llm_message"] == {"text": "Hi there"}
    assert "first positional argument is the content" in caplog.text
    with pytest.raises(TypeError):
        s.track_user_message("a", "b", "c", "d")


def test_the_client_keeps_user_id_first():
    mock = MockAmplitudeAI()
    mock.track_user_message("u-1", "Hello", "s-1")
    (event,) = mock.events
    assert event["user_id"] == "u-1"
    assert props(event)["$llm_message"] == {"text": "Hello"}
