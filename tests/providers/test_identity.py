"""Who and where: per-call amplitude_* kwargs, the active session, never double-counting a
user turn, and trace context propagated to the provider."""

from __future__ import annotations

import asyncio

import amplitude_ai
from amplitude_ai import AIConfig, extract_context
from amplitude_ai.testing import MockAmplitudeAI
from providers._caps import needs_anthropic_stream_helper, needs_chat_stream_helper
from providers._helpers import openai_kwargs, tracked

QUESTION = [{"role": "user", "content": "What is retention?"}]


def test_per_call_kwargs_set_identity_and_never_reach_the_provider(server, llm, ai):
    client = amplitude_ai.OpenAI(amplitude=ai, **openai_kwargs(server))
    client.chat.completions.create(
        model="gpt-4o",
        messages=QUESTION,
        amplitude_user_id="user-7",
        amplitude_session_id="sess-7",
        amplitude_trace_id="trace-7",
        amplitude_agent_id="agent-7",
    )
    assert not any(k.startswith("amplitude") for k in llm.calls[0].body)
    for event in ai.events:
        assert event["user_id"] == "user-7"
    for kind in ("user_message", "ai_response"):
        [event] = tracked(ai, kind)
        assert (event["session_id"], event["trace_id"], event["agent_id"]) == (
            "sess-7",
            "trace-7",
            "agent-7",
        )


@needs_chat_stream_helper
@needs_anthropic_stream_helper
def test_per_call_kwargs_on_stream_helpers(server, llm, ai):
    openai_client = amplitude_ai.OpenAI(amplitude=ai, **openai_kwargs(server))
    with openai_client.chat.completions.stream(
        model="gpt-4o", messages=QUESTION, amplitude_user_id="u-s", amplitude_session_id="s-s"
    ) as stream:
        stream.until_done()
    anthropic_client = amplitude_ai.Anthropic(
        amplitude=ai, api_key="k", base_url=server.url, max_retries=0
    )
    with anthropic_client.messages.stream(
        model="claude-sonnet-4-6",
        max_tokens=50,
        messages=[{"role": "user", "content": "Hi"}],
        amplitude_user_id="u-s",
        amplitude_session_id="s-s",
    ) as stream:
        stream.until_done()
    assert len(ai.events) == 4
    assert {e["user_id"] for e in ai.events} == {"u-s"}
    assert {e["session_id"] for e in tracked(ai, "ai_response")} == {"s-s"}


def test_async_per_call_kwargs(server, llm, ai):
    async def scenario():
        client = amplitude_ai.AsyncOpenAI(amplitude=ai, **openai_kwargs(server))
        await client.chat.completions.create(
            model="gpt-4o", messages=QUESTION, amplitude_user_id="u-a", amplitude_session_id="s-a"
        )

    asyncio.run(scenario())
    [event] = tracked(ai, "ai_response")
    assert event["session_id"] == "s-a"
    assert ai.events[-1]["user_id"] == "u-a"


def test_session_fields_and_turns(server, llm, ai, session):
    client = amplitude_ai.OpenAI(amplitude=ai, **openai_kwargs(server))
    client.chat.completions.create(model="gpt-4o", messages=QUESTION)
    user, response = tracked(ai, "user_message")[0], tracked(ai, "ai_response")[0]
    for event in (user, response):
        assert event["session_id"] == session.session_id
        assert event["trace_id"] == session.trace_id
        assert event["agent_id"] == "support-bot"
    assert (user["turn_id"], response["turn_id"]) == (1, 2)
    assert {e["user_id"] for e in ai.events} == {"user-1"}


def test_user_turn_tracked_by_the_app_is_not_tracked_again(server, llm, ai, session):
    client = amplitude_ai.OpenAI(amplitude=ai, **openai_kwargs(server))
    session.track_user_message(content="What is retention?")
    client.chat.completions.create(model="gpt-4o", messages=QUESTION)
    # An agent loop re-sending the same question in the same trace: still one user turn.
    client.chat.completions.create(model="gpt-4o", messages=QUESTION)
    assert len(tracked(ai, "user_message")) == 1
    assert len(tracked(ai, "ai_response")) == 2
    # A new trace asking again is a new user turn.
    session.new_trace()
    client.chat.completions.create(model="gpt-4o", messages=QUESTION)
    assert len(tracked(ai, "user_message")) == 2


def test_session_owned_client_reports_through_the_sessions_amplitude_ai(server, llm, ai):
    """A wrapper built from an Amplitude client (not an AmplitudeAI) reports through the
    active session's AmplitudeAI, so turn numbers continue the session's sequence."""
    client = amplitude_ai.OpenAI(amplitude=None, **openai_kwargs(server))
    with ai.agent("bot").session(user_id="u1") as s:
        s.track_user_message(content="Hello")
        client.chat.completions.create(model="gpt-4o", messages=QUESTION)
    [response] = tracked(ai, "ai_response")
    assert response["turn_id"] == 3  # user message 1, wrapper's user turn 2, response 3


def test_propagate_context_headers_reach_the_provider(server, llm):
    ai = MockAmplitudeAI(config=AIConfig(propagate_context=True))
    client = amplitude_ai.OpenAI(amplitude=ai, **openai_kwargs(server))
    with ai.agent("bot").session(user_id="u1", trace_id="trace-42") as s:
        client.chat.completions.create(model="gpt-4o", messages=QUESTION)
    headers = llm.calls[0].headers
    assert headers["traceparent"].startswith("00-")
    assert extract_context(headers) == {
        "trace_id": "trace-42",
        "session_id": s.session_id,
        "agent_id": "bot",
    }


def test_no_propagation_by_default(server, llm, ai, session):
    client = amplitude_ai.OpenAI(amplitude=ai, **openai_kwargs(server))
    client.chat.completions.create(model="gpt-4o", messages=QUESTION)
    assert "traceparent" not in llm.calls[0].headers
    assert "x-amplitude-session-id" not in llm.calls[0].headers


def test_copy_keeps_reporting_to_the_same_place(server, llm, ai, session):
    client = amplitude_ai.OpenAI(amplitude=ai, **openai_kwargs(server))
    faster = client.with_options(timeout=5)
    assert isinstance(faster, amplitude_ai.OpenAI)
    faster.chat.completions.create(model="gpt-4o", messages=QUESTION)
    assert len(tracked(ai, "ai_response")) == 1


def test_calls_without_any_identity_are_kept_under_an_anonymous_device(server, llm, ai, caplog):
    """Zero-code setups rarely know the user: the events are still sent (Amplitude accepts a
    device id instead of a user id), so cost, tokens and latency are measurable in aggregate.
    Without a session they belong to the anonymous device's default session."""
    from amplitude_ai import validate_event
    from amplitude_ai._identity import default_session_id
    from amplitude_ai.providers._emit import anonymous_device_id

    client = amplitude_ai.OpenAI(amplitude=ai, **openai_kwargs(server))
    client.chat.completions.create(model="gpt-4o", messages=QUESTION)
    assert {e["event_type"] for e in ai.events} == {
        "[Agent] User Message",
        "[Agent] AI Response",
    }
    for event in ai.events:
        assert event.get("user_id") is None
        assert event["device_id"] == anonymous_device_id()
        assert len(event["device_id"]) >= 5  # Amplitude's minimum id length
        problems = validate_event(
            event["event_type"], event["event_properties"], device_id=event["device_id"]
        )
        assert problems == []
        session_id = event["event_properties"]["[Agent] Session ID"]
        assert session_id == default_session_id(None, anonymous_device_id())


def test_a_known_user_is_never_replaced_by_the_anonymous_device(server, llm, ai, session):
    client = amplitude_ai.OpenAI(amplitude=ai, **openai_kwargs(server))
    client.chat.completions.create(model="gpt-4o", messages=QUESTION)
    client.chat.completions.create(model="gpt-4o", messages=QUESTION, amplitude_user_id="u-9")
    assert ai.events and all(e.get("device_id") is None for e in ai.events)
    assert {e["user_id"] for e in ai.events} == {"user-1", "u-9"}
