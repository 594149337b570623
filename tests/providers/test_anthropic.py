"""Anthropic messages (create, streamed, the .stream() helper, beta) through the real SDK
clients against the local server: extended thinking, tool_use and cache tokens."""

from __future__ import annotations

import asyncio
import json

import anthropic
import pytest

from amplitude_ai.testing import FakeReply, FakeToolCall
from providers._caps import (
    ANTHROPIC_HAS_THINKING,
    HAS_ANTHROPIC_TOOLS,
    needs_anthropic_beta_messages,
    needs_anthropic_stream_helper,
)
from providers._helpers import dump, make_clients, tracked
from providers._run import call, expect_error, run_helper

REPLY = FakeReply(
    text="Funnels measure conversion between steps.",
    reasoning="The user wants a short definition.",
    tool_calls=(FakeToolCall("get_chart", {"type": "funnel"}, id="toolu_1"),),
    input_tokens=5000,
    output_tokens=200,
    cached_tokens=4000,
    cache_creation_tokens=500,
)
REQUEST = {
    "model": "claude-sonnet-4-6",
    "max_tokens": 1024,
    "system": [{"type": "text", "text": "You are concise."}],
    "messages": [{"role": "user", "content": "Explain funnels"}],
}
# anthropic 2.x has no temperature parameter; extra_body still sends one.
REQUEST["extra_body"] = {"temperature": 0.2}
if ANTHROPIC_HAS_THINKING:  # releases from before extended thinking cannot ask for it
    REQUEST["thinking"] = {"type": "enabled", "budget_tokens": 512}
PATHS = [
    "messages.create",
    pytest.param("beta.messages.create", marks=needs_anthropic_beta_messages),
]


@pytest.fixture(params=[False, True], ids=["sync", "async"])
def is_async(request):
    return request.param


def _check(event, session, *, streaming):
    assert event["model_name"] == "claude-sonnet-4-6"
    assert event["provider"] == "anthropic"
    # Input Tokens is the whole prompt: Anthropic's uncached 500 plus 4000 read + 500 written.
    assert event["input_tokens"] == 5000
    assert event["cache_read_tokens"] == 4000
    assert event["cache_creation_tokens"] == 500
    assert event["output_tokens"] == 200
    assert event["total_tokens"] == 5200
    if ANTHROPIC_HAS_THINKING:
        assert event["reasoning_content"] == "The user wants a short definition."
        assert event["has_reasoning"] is True
    assert event["finish_reason"] == "tool_use"
    [tool_call] = json.loads(event["tool_calls"])
    assert tool_call["name"] == "get_chart"
    assert tool_call["arguments"] == {"type": "funnel"}
    assert event["system_prompt"] == "You are concise."
    assert event["temperature"] == 0.2  # read from extra_body
    assert event["max_output_tokens"] == 1024
    assert event["is_streaming"] is streaming
    assert event["llm_message"] == {"text": REPLY.text}
    assert event["session_id"] == session.session_id
    assert event["cost_usd"] > 0
    if streaming:
        assert event["ttfb_ms"] > 0


@pytest.mark.parametrize("path", PATHS)
def test_create(server, llm, ai, session, is_async, path):
    raw, ours = make_clients("anthropic", server, ai, is_async=is_async)
    llm.queue(REPLY, REPLY)
    expected, _ = call(raw, path, is_async, **REQUEST)
    got, _ = call(ours, path, is_async, **REQUEST)
    assert type(got) is type(expected)
    assert dump(got) == dump(expected)
    blocks = ["thinking", "text", "tool_use"] if ANTHROPIC_HAS_THINKING else ["text", "tool_use"]
    assert [b.type for b in got.content] == blocks
    [user] = tracked(ai, "user_message")
    assert user["llm_message"] == {"text": "Explain funnels"}
    [event] = tracked(ai, "ai_response")
    _check(event, session, streaming=False)


@pytest.mark.parametrize("path", PATHS)
def test_streamed_create(server, llm, ai, session, is_async, path):
    raw, ours = make_clients("anthropic", server, ai, is_async=is_async)
    llm.queue(REPLY, REPLY)
    request = {**REQUEST, "stream": True}
    raw_stream, expected = call(raw, path, is_async, consume=True, **request)
    our_stream, got = call(ours, path, is_async, consume=True, **request)
    assert type(our_stream) is type(raw_stream)
    assert [dump(e) for e in got] == [dump(e) for e in expected]
    [event] = tracked(ai, "ai_response")
    _check(event, session, streaming=True)


@needs_anthropic_stream_helper
def test_stream_helper_text_only(server, llm, ai, session, is_async):
    """Every release with ``messages.stream()``, including those whose helper predates
    tool_use blocks: a plain text answer, tracked with its usage."""
    raw, ours = make_clients("anthropic", server, ai, is_async=is_async)
    reply = FakeReply(text="Short answer.", input_tokens=40, output_tokens=7)
    llm.queue(reply, reply)
    request = {"model": "claude-sonnet-4-6", "max_tokens": 64, "messages": REQUEST["messages"]}

    def sync(client):
        with client.messages.stream(**request) as stream:
            return "".join(stream.text_stream)

    async def asynchronous(client):
        async with client.messages.stream(**request) as stream:
            return "".join([t async for t in stream.text_stream])

    scenario = asynchronous if is_async else sync
    assert run_helper(ours, is_async, scenario) == run_helper(raw, is_async, scenario)
    [event] = tracked(ai, "ai_response")
    assert event["input_tokens"] == 40
    assert event["output_tokens"] == 7
    assert event["is_streaming"] is True
    assert event["llm_message"] == {"text": "Short answer."}


@needs_anthropic_stream_helper
@pytest.mark.skipif(not HAS_ANTHROPIC_TOOLS, reason="this anthropic has no tool_use blocks")
def test_stream_helper(server, llm, ai, session, is_async):
    raw, ours = make_clients("anthropic", server, ai, is_async=is_async)
    llm.queue(REPLY, REPLY)

    def sync(client):
        with client.messages.stream(**REQUEST) as stream:
            text = "".join(stream.text_stream)
            return text, stream.get_final_message()

    async def asynchronous(client):
        async with client.messages.stream(**REQUEST) as stream:
            text = "".join([t async for t in stream.text_stream])
            return text, await stream.get_final_message()

    scenario = asynchronous if is_async else sync
    raw_text, raw_final = run_helper(raw, is_async, scenario)
    text, final = run_helper(ours, is_async, scenario)
    assert text == raw_text == REPLY.text
    assert dump(final) == dump(raw_final)
    [event] = tracked(ai, "ai_response")
    _check(event, session, streaming=True)


def test_tool_result_turn_is_not_a_new_user_message(server, llm, ai, session):
    _, ours = make_clients("anthropic", server, ai, is_async=False)
    messages = [
        {"role": "user", "content": "Explain funnels"},
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "toolu_1", "name": "get_chart", "input": {}}],
        },
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "chart-42"}],
        },
    ]
    ours.messages.create(model="claude-sonnet-4-6", max_tokens=100, messages=messages)
    assert tracked(ai, "user_message") == []
    assert len(tracked(ai, "ai_response")) == 1


@pytest.mark.parametrize(
    ("status", "error_type"),
    [
        (400, anthropic.BadRequestError),
        (429, anthropic.RateLimitError),
        (500, anthropic.InternalServerError),
    ],
)
def test_errors_are_reraised_unchanged(server, llm, ai, session, is_async, status, error_type):
    raw, ours = make_clients("anthropic", server, ai, is_async=is_async)
    llm.fail(status, "overloaded", times=2)
    expected = expect_error(raw, "messages.create", is_async, **REQUEST)
    got = expect_error(ours, "messages.create", is_async, **REQUEST)
    assert type(got) is type(expected) is error_type
    assert got.status_code == status
    assert got.body == expected.body
    [event] = tracked(ai, "ai_response")
    assert event["is_error"] is True
    assert "overloaded" in event["error_message"]


def test_stream_cut_short_by_an_error_event(server, llm, ai, session):
    """An ``event: error`` mid-stream raises the SDK's error; the event records it."""
    raw, ours = make_clients("anthropic", server, ai, is_async=False)
    llm.queue(REPLY, REPLY)
    from amplitude_ai._fake_llm import anthropic_wire

    original = anthropic_wire.messages

    def broken(body, reply):
        wire = original(body, reply)
        error = b'event: error\ndata: {"type":"error","error":{"type":"overloaded_error",'
        error += b'"message":"Overloaded"}}\n\n'
        wire.chunks = [*wire.chunks[:4], error]
        return wire

    from amplitude_ai._fake_llm import core

    routes = core._ROUTES
    core._ROUTES = tuple(
        (suffix, family, surface, broken if surface == "messages" else render)
        for suffix, family, surface, render in routes
    )
    try:
        expected = expect_error(raw, "messages.create", False, **REQUEST, stream=True)
        got = expect_error(ours, "messages.create", False, **REQUEST, stream=True)
    finally:
        core._ROUTES = routes
    assert type(got) is type(expected)
    assert str(got) == str(expected)
    [event] = tracked(ai, "ai_response")
    assert event["is_error"] is True
    assert event["is_streaming"] is True
    assert event["input_tokens"] == 5000  # message_start arrived before the error


def test_with_raw_response(server, llm, ai, session, is_async):
    raw, ours = make_clients("anthropic", server, ai, is_async=is_async)
    llm.queue(REPLY, REPLY)
    path = "with_raw_response.messages.create"
    expected, _ = call(raw, path, is_async, **REQUEST)
    got, _ = call(ours, path, is_async, **REQUEST)
    assert type(got) is type(expected)

    def parsed(response):  # AsyncAPIResponse.parse() is a coroutine (older releases: not)
        result = response.parse()
        return asyncio.run(result) if asyncio.iscoroutine(result) else result

    assert dump(parsed(got)) == dump(parsed(expected))
    [event] = tracked(ai, "ai_response")
    assert event["cache_read_tokens"] == 4000
