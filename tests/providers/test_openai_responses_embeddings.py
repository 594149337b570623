"""The OpenAI Responses API and embeddings through the real SDK clients (also Azure)."""

from __future__ import annotations

import json

import pytest

from amplitude_ai.testing import FakeReply, FakeToolCall
from providers._caps import needs_responses
from providers._helpers import dump, make_clients, tracked
from providers._run import call

REPLY = FakeReply(
    text="Funnels show step-by-step conversion.",
    reasoning="Define funnels briefly.",
    tool_calls=(FakeToolCall("chart", {"kind": "funnel"}, id="call_9"),),
    input_tokens=800,
    output_tokens=120,
    cached_tokens=600,
    reasoning_tokens=40,
)
REQUEST = {
    "model": "gpt-4o",
    "instructions": "Answer briefly.",
    "input": [{"role": "user", "content": [{"type": "input_text", "text": "Explain funnels"}]}],
    "temperature": 0.5,
    "max_output_tokens": 256,
}


@pytest.fixture(params=["openai", "azure_openai"])
def provider(request):
    return request.param


@pytest.fixture(params=[False, True], ids=["sync", "async"])
def is_async(request):
    return request.param


def _check(event, provider, *, streaming):
    assert event["model_name"] == "gpt-4o"
    assert event["provider"] == provider
    assert event["input_tokens"] == 800
    assert event["output_tokens"] == 120
    assert event["total_tokens"] == 920
    assert event["cache_read_tokens"] == 600
    assert event["reasoning_tokens"] == 40
    assert event["reasoning_content"] == "Define funnels briefly."
    assert event["finish_reason"] == "completed"
    assert json.loads(event["tool_calls"])[0]["name"] == "chart"
    assert event["system_prompt"] == "Answer briefly."
    assert event["temperature"] == 0.5
    assert event["max_output_tokens"] == 256
    assert event["is_streaming"] is streaming
    assert event["llm_message"] == {"text": REPLY.text}


@needs_responses
def test_responses_create(server, llm, ai, session, provider, is_async):
    raw, ours = make_clients(provider, server, ai, is_async=is_async)
    llm.queue(REPLY, REPLY)
    expected, _ = call(raw, "responses.create", is_async, **REQUEST)
    got, _ = call(ours, "responses.create", is_async, **REQUEST)
    assert type(got) is type(expected)
    assert dump(got) == dump(expected)
    assert got.output_text == REPLY.text
    [user] = tracked(ai, "user_message")
    assert user["llm_message"] == {"text": "Explain funnels"}
    [event] = tracked(ai, "ai_response")
    _check(event, provider, streaming=False)


@needs_responses
def test_responses_stream(server, llm, ai, session, provider, is_async):
    raw, ours = make_clients(provider, server, ai, is_async=is_async)
    llm.queue(REPLY, REPLY)
    request = {**REQUEST, "stream": True}
    _, expected = call(raw, "responses.create", is_async, consume=True, **request)
    _, got = call(ours, "responses.create", is_async, consume=True, **request)
    assert [dump(e) for e in got] == [dump(e) for e in expected]
    assert "stream_options" not in llm.calls[1].body  # only chat completions need it
    [event] = tracked(ai, "ai_response")
    _check(event, provider, streaming=True)
    assert event["ttfb_ms"] > 0


@needs_responses
def test_plain_string_input_is_the_user_message(server, llm, ai, session):
    _, ours = make_clients("openai", server, ai, is_async=False)
    ours.responses.create(model="gpt-4o", input="What is a cohort?")
    [user] = tracked(ai, "user_message")
    assert user["llm_message"] == {"text": "What is a cohort?"}


@pytest.mark.parametrize("encoding", [None, "base64", "float"])
def test_embeddings(server, llm, ai, session, provider, is_async, encoding):
    raw, ours = make_clients(provider, server, ai, is_async=is_async)
    reply = FakeReply(input_tokens=7, embedding=(0.25, 0.5, 0.75))
    llm.queue(reply, reply)
    request = {"model": "text-embedding-3-small", "input": ["hello world"]}
    if encoding:
        request["encoding_format"] = encoding
    expected, _ = call(raw, "embeddings.create", is_async, **request)
    got, _ = call(ours, "embeddings.create", is_async, **request)
    assert type(got) is type(expected)
    assert [d.embedding for d in got.data] == [d.embedding for d in expected.data]
    assert (got.model, got.usage) == (expected.model, expected.usage)
    assert tracked(ai, "user_message") == []
    assert tracked(ai, "ai_response") == []
    [event] = tracked(ai, "embedding")
    assert event["model_name"] == "text-embedding-3-small"
    assert event["provider"] == provider
    assert event["input_tokens"] == 7
    assert event["latency_ms"] > 0
    if encoding != "base64":  # a base64 string's length is not the vector's dimension
        assert event["embedding_dimensions"] == 3
