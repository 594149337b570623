"""OpenAI and Azure OpenAI chat completions through the real SDK clients and a local server:
the caller gets what the raw client gets, and the events carry the response's facts."""

from __future__ import annotations

import json

import openai
import pytest
from pydantic import BaseModel

from amplitude_ai.testing import FakeReply, FakeToolCall
from providers._caps import (
    OPENAI_HAS_STREAM_OPTIONS,
    needs_chat_parse,
    needs_chat_stream_helper,
    needs_stream_close,
    needs_stream_options,
    needs_streaming_response,
)
from providers._helpers import dump, make_clients, tracked
from providers._run import call, expect_error, run_helper

PROVIDERS = ["openai", "azure_openai"]
MODES = [False, True]
REPLY = FakeReply(
    text="Retention is the share of users who come back.",
    reasoning="The user asks for a definition.",
    tool_calls=(FakeToolCall("lookup_metric", {"name": "retention"}, id="call_1"),),
    input_tokens=1200,
    output_tokens=300,
    cached_tokens=1000,
    reasoning_tokens=50,
)
MESSAGES = [
    {"role": "system", "content": "You are an analytics expert."},
    {"role": "user", "content": "What is retention?"},
]
REQUEST = {
    "model": "gpt-4o",
    "messages": MESSAGES,
    "temperature": 0.3,
    "top_p": 0.9,
    "max_tokens": 500,
}


@pytest.fixture(params=PROVIDERS)
def provider(request):
    return request.param


@pytest.fixture(params=MODES, ids=["sync", "async"])
def is_async(request):
    return request.param


def _check_response_event(event, session, provider, *, streaming):
    assert event["model_name"] == "gpt-4o"
    assert event["provider"] == provider
    assert event["input_tokens"] == 1200
    assert event["output_tokens"] == 300
    assert event["total_tokens"] == 1500
    assert event["cache_read_tokens"] == 1000
    assert event["reasoning_tokens"] == 50
    assert event["finish_reason"] == "tool_calls"
    assert json.loads(event["tool_calls"]) == [
        {
            "id": "call_1",
            "type": "function",
            "name": "lookup_metric",
            "arguments": '{"name":"retention"}',
        }
    ]
    assert event["reasoning_content"] == "The user asks for a definition."
    assert event["has_reasoning"] is True
    assert event["system_prompt"] == "You are an analytics expert."
    assert event["system_prompt_length"] == len("You are an analytics expert.")
    assert event["temperature"] == 0.3
    assert event["top_p"] == 0.9
    assert event["max_output_tokens"] == 500
    assert event["is_streaming"] is streaming
    assert event["is_error"] is False
    assert event["latency_ms"] > 0
    assert event["llm_message"] == {"text": REPLY.text}
    assert event["session_id"] == session.session_id
    assert event["trace_id"] == session.trace_id
    assert event["agent_id"] == "support-bot"
    if provider == "openai":  # cache-aware: 1000 cached tokens cost less than 1000 fresh ones
        assert 0 < event["cost_usd"] < (1200 * 2.5 + 300 * 10) / 1e6
    if streaming:
        assert 0 < event["ttfb_ms"] <= event["latency_ms"]
    else:
        assert "ttfb_ms" not in event


def test_create(server, llm, ai, session, provider, is_async):
    raw, ours = make_clients(provider, server, ai, is_async=is_async)
    llm.queue(REPLY, REPLY)
    expected, _ = call(raw, "chat.completions.create", is_async, **REQUEST)
    got, _ = call(ours, "chat.completions.create", is_async, **REQUEST)
    assert type(got) is type(expected)
    assert dump(got) == dump(expected)
    assert llm.calls[0].body == llm.calls[1].body  # the provider saw the same request
    [user] = tracked(ai, "user_message")
    assert user["llm_message"] == {"text": "What is retention?"}
    assert user["session_id"] == session.session_id
    [event] = tracked(ai, "ai_response")
    _check_response_event(event, session, provider, streaming=False)
    assert user["turn_id"] < event["turn_id"]


@needs_stream_options
def test_stream_hides_the_usage_chunk_it_asked_for(server, llm, ai, session, provider, is_async):
    raw, ours = make_clients(provider, server, ai, is_async=is_async)
    llm.queue(REPLY, REPLY)
    request = {**REQUEST, "stream": True}
    raw_stream, expected = call(raw, "chat.completions.create", is_async, consume=True, **request)
    our_stream, got = call(ours, "chat.completions.create", is_async, consume=True, **request)
    assert type(our_stream) is type(raw_stream)
    assert [dump(c) for c in got] == [dump(c) for c in expected]
    assert all(c.choices for c in got)  # no usage-only chunk reached the caller
    assert "stream_options" not in llm.calls[0].body
    assert llm.calls[1].body["stream_options"] == {"include_usage": True}
    [event] = tracked(ai, "ai_response")
    _check_response_event(event, session, provider, streaming=True)


@needs_stream_options
def test_stream_keeps_the_callers_stream_options(server, llm, ai, session, is_async):
    raw, ours = make_clients("openai", server, ai, is_async=is_async)
    llm.queue(REPLY, REPLY, REPLY)
    asked = {**REQUEST, "stream": True, "stream_options": {"include_usage": True}}
    _, expected = call(raw, "chat.completions.create", is_async, consume=True, **asked)
    _, got = call(ours, "chat.completions.create", is_async, consume=True, **asked)
    assert [dump(c) for c in got] == [dump(c) for c in expected]
    assert got[-1].usage.total_tokens == 1500  # the caller asked for it, so it sees it
    declined = {**REQUEST, "stream": True, "stream_options": {"include_usage": False}}
    _, fresh = make_clients("openai", server, ai, is_async=is_async)  # one client per loop
    call(fresh, "chat.completions.create", is_async, consume=True, **declined)
    assert llm.calls[2].body["stream_options"] == {"include_usage": False}
    first, second = tracked(ai, "ai_response")
    assert first["input_tokens"] == 1200
    assert "input_tokens" not in second  # no usage reported: none invented
    assert second["llm_message"] == {"text": REPLY.text}


@needs_stream_close
def test_stream_closed_early_still_reports_what_arrived(server, llm, ai, session, is_async):
    _, ours = make_clients("openai", server, ai, is_async=is_async)
    llm.queue(REPLY)
    request = {**REQUEST, "stream": True}

    def sync(client):
        stream = client.chat.completions.create(**request)
        seen = [next(stream) for _ in range(6)]
        stream.close()
        return seen

    async def asynchronous(client):
        stream = await client.chat.completions.create(**request)
        seen = [await stream.__anext__() for _ in range(6)]
        await stream.close()
        return seen

    seen = run_helper(ours, is_async, asynchronous if is_async else sync)
    assert len(seen) == 6
    [event] = tracked(ai, "ai_response")
    assert event["is_streaming"] is True
    assert REPLY.text.startswith(event["llm_message"]["text"])
    assert "input_tokens" not in event  # usage comes last and never arrived


class Answer(BaseModel):
    metric: str
    value: float


@needs_chat_parse
def test_parse(server, llm, ai, session, provider, is_async):
    raw, ours = make_clients(provider, server, ai, is_async=is_async)
    reply = FakeReply(text='{"metric": "retention", "value": 0.42}')
    llm.queue(reply, reply)
    request = {"model": "gpt-4o", "messages": MESSAGES, "response_format": Answer}
    expected, _ = call(raw, "chat.completions.parse", is_async, **request)
    got, _ = call(ours, "chat.completions.parse", is_async, **request)
    assert type(got) is type(expected)
    assert got.choices[0].message.parsed == Answer(metric="retention", value=0.42)
    [event] = tracked(ai, "ai_response")
    assert event["llm_message"] == {"text": reply.text}
    assert event["finish_reason"] == "stop"


@needs_chat_stream_helper
def test_stream_helper(server, llm, ai, session, provider, is_async):
    raw, ours = make_clients(provider, server, ai, is_async=is_async)
    llm.queue(REPLY, REPLY)

    def sync(client):
        with client.chat.completions.stream(**REQUEST) as stream:
            kinds = [event.type for event in stream]
            return kinds, stream.get_final_completion()

    async def asynchronous(client):
        async with client.chat.completions.stream(**REQUEST) as stream:
            kinds = [event.type async for event in stream]
            return kinds, await stream.get_final_completion()

    scenario = asynchronous if is_async else sync
    raw_kinds, raw_final = run_helper(raw, is_async, scenario)
    kinds, final = run_helper(ours, is_async, scenario)
    assert kinds == raw_kinds
    assert dump(final) == dump(raw_final)
    [event] = tracked(ai, "ai_response")
    _check_response_event(event, session, provider, streaming=True)


def test_with_raw_response(server, llm, ai, session, is_async):
    raw, ours = make_clients("openai", server, ai, is_async=is_async)
    llm.queue(REPLY, REPLY)
    expected, _ = call(raw, "with_raw_response.chat.completions.create", is_async, **REQUEST)
    got, _ = call(ours, "with_raw_response.chat.completions.create", is_async, **REQUEST)
    assert type(got) is type(expected)
    assert got.status_code == 200
    assert dump(got.parse()) == dump(expected.parse())
    [event] = tracked(ai, "ai_response")
    assert event["output_tokens"] == 300


@pytest.mark.parametrize(
    ("status", "error_type"),
    [
        (400, openai.BadRequestError),
        (429, openai.RateLimitError),
        (500, openai.InternalServerError),
    ],
)
def test_errors_are_reraised_unchanged(server, llm, ai, session, is_async, status, error_type):
    raw, ours = make_clients("openai", server, ai, is_async=is_async)
    llm.fail(status, "model overloaded", times=2)
    expected = expect_error(raw, "chat.completions.create", is_async, **REQUEST)
    got = expect_error(ours, "chat.completions.create", is_async, **REQUEST)
    assert type(got) is type(expected) is error_type
    assert got.status_code == expected.status_code == status
    assert getattr(got, "body", None) == getattr(expected, "body", None)
    [user] = tracked(ai, "user_message")
    assert user["llm_message"] == {"text": "What is retention?"}
    [event] = tracked(ai, "ai_response")
    assert event["is_error"] is True
    assert "model overloaded" in event["error_message"]
    assert event["model_name"] == "gpt-4o"  # from the request, as there is no response


def test_a_stream_dropped_unread_still_reports_its_call(server, llm, ai, session):
    import gc

    _, ours = make_clients("openai", server, ai, is_async=False)
    stream = ours.chat.completions.create(**REQUEST, stream=True)
    assert tracked(ai, "ai_response") == []  # nothing yet: the stream is open
    del stream
    gc.collect()
    [event] = tracked(ai, "ai_response")
    assert event["is_streaming"] is True
    assert "output_tokens" not in event  # nothing was read


@needs_streaming_response
def test_with_streaming_response_is_passed_through(server, llm, ai, session):
    """The body of with_streaming_response belongs to the caller: it is not read for
    tracking (so not tracked), and works exactly as without the wrapper."""
    _, ours = make_clients("openai", server, ai, is_async=False)
    with ours.chat.completions.with_streaming_response.create(**REQUEST) as response:
        assert response.parse().choices[0].message.content == FakeReply().text
    assert tracked(ai, "ai_response") == []


@pytest.mark.skipif(OPENAI_HAS_STREAM_OPTIONS, reason="this openai knows stream_options")
def test_stream_on_a_release_without_stream_options_is_left_as_is(
    server, llm, ai, session, provider, is_async
):
    """openai<1.26 has no stream_options: nothing is injected, chunks are unchanged and
    the call is tracked (without token counts, which such streams do not carry)."""
    raw, ours = make_clients(provider, server, ai, is_async=is_async)
    llm.queue(REPLY, REPLY)
    request = {**REQUEST, "stream": True}
    _, expected = call(raw, "chat.completions.create", is_async, consume=True, **request)
    _, got = call(ours, "chat.completions.create", is_async, consume=True, **request)
    assert [dump(c) for c in got] == [dump(c) for c in expected]
    assert "stream_options" not in llm.calls[1].body
    [event] = tracked(ai, "ai_response")
    assert event["is_streaming"] is True
    assert event["llm_message"] == {"text": REPLY.text}
    assert event["session_id"] == session.session_id
