"""Tracking can fail in any way; the application must see exactly the provider's result."""

from __future__ import annotations

import logging

import openai
import pytest

from amplitude_ai.providers import _hook, _openai_fields
from amplitude_ai.testing import FakeReply, MockAmplitudeAI
from providers._caps import needs_stream_options
from providers._helpers import dump, make_clients, tracked
from providers._run import call, expect_error

REQUEST = {"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]}


class ExplodingSink(MockAmplitudeAI):
    """An AmplitudeAI whose delivery step raises."""

    def _deliver(self, record):
        raise RuntimeError("sink is down")


@pytest.fixture(params=[False, True], ids=["sync", "async"])
def is_async(request):
    return request.param


@pytest.mark.parametrize("stream", [False, True])
def test_a_raising_sink_changes_nothing(server, llm, is_async, stream, caplog):
    sink = ExplodingSink()
    raw, ours = make_clients("openai", server, sink, is_async=is_async)
    request = {**REQUEST, "stream": stream, "amplitude_session_id": "s", "amplitude_user_id": "u"}
    expected, expected_items = call(
        raw, "chat.completions.create", is_async, consume=stream, **REQUEST, stream=stream
    )
    with caplog.at_level(logging.ERROR, logger="amplitude_ai"):
        got, items = call(ours, "chat.completions.create", is_async, consume=stream, **request)
    if stream:
        assert [dump(c) for c in items] == [dump(c) for c in expected_items]
    else:
        assert dump(got) == dump(expected)
    assert "sink is down" in caplog.text  # logged, not raised


def test_a_raising_sink_keeps_provider_errors_unchanged(server, llm, is_async):
    raw, ours = make_clients("anthropic", server, ExplodingSink(), is_async=is_async)
    llm.fail(429, "slow down", times=2)
    request = {
        "model": "claude-sonnet-4-6",
        "max_tokens": 10,
        "messages": [{"role": "user", "content": "Hi"}],
        "amplitude_user_id": "u",
    }
    expected = expect_error(
        raw,
        "messages.create",
        is_async,
        **{k: v for k, v in request.items() if k != "amplitude_user_id"},
    )
    got = expect_error(ours, "messages.create", is_async, **request)
    assert type(got) is type(expected)
    assert got.body == expected.body


@needs_stream_options  # the usage chunk asked for is what reaches the caller here
def test_unreadable_responses_and_chunks_change_nothing(server, llm, ai, monkeypatch):
    def boom(*_args):
        raise ValueError("reader bug")

    class BrokenStream:
        def add(self, item):
            raise ValueError("chunk reader bug")

        def is_usage_only(self, item):
            raise ValueError("chunk reader bug")

        def fields(self):
            raise ValueError("fields bug")

    broken = _hook.Surface(_openai_fields.chat_request, boom, BrokenStream, asks_for_usage=True)
    monkeypatch.setattr(_openai_fields, "CHAT", broken)
    raw, ours = make_clients("openai", server, ai, is_async=False)
    session = {"amplitude_user_id": "u", "amplitude_session_id": "s"}
    assert dump(ours.chat.completions.create(**REQUEST, **session)) == dump(
        raw.chat.completions.create(**REQUEST)
    )
    got = list(ours.chat.completions.create(**REQUEST, stream=True, **session))
    expected = list(raw.chat.completions.create(**REQUEST, stream=True))
    # The reader failed, so the usage chunk we asked for cannot be recognised: it is passed
    # on rather than swallowed (extra data beats lost data).
    assert [dump(c) for c in got if c.choices] == [dump(c) for c in expected]


def test_an_unreadable_request_is_passed_through_untracked(server, llm, ai, monkeypatch):
    def boom(_body):
        raise ValueError("request reader bug")

    monkeypatch.setattr(_openai_fields, "CHAT", _hook.Surface(boom, _openai_fields.chat_response))
    _, ours = make_clients("openai", server, ai, is_async=False)
    reply = ours.chat.completions.create(**REQUEST)
    assert reply.choices[0].message.content == FakeReply().text
    assert ai.events == []


def test_connection_errors_are_reraised_unchanged(ai, is_async):
    kwargs = {"api_key": "k", "base_url": "http://127.0.0.1:9/v1", "max_retries": 0}
    raw = (openai.AsyncOpenAI if is_async else openai.OpenAI)(**kwargs)
    import amplitude_ai

    ours = (amplitude_ai.AsyncOpenAI if is_async else amplitude_ai.OpenAI)(amplitude=ai, **kwargs)
    expected = expect_error(raw, "chat.completions.create", is_async, **REQUEST)
    got = expect_error(
        ours,
        "chat.completions.create",
        is_async,
        **REQUEST,
        amplitude_user_id="u",
        amplitude_session_id="s",
    )
    assert type(got) is type(expected) is openai.APIConnectionError
    [event] = tracked(ai, "ai_response")
    assert event["is_error"] is True
