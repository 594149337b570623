"""Mistral (mistralai) through the real SDK client against the local server: chat
complete/stream (sync and async), embeddings, reasoning and tool calls, errors, wrap() and
patch_mistral()/unpatch(), and fake_llm() without any server."""

from __future__ import annotations

import asyncio
import json

import pytest

pytest.importorskip("mistralai")
import amplitude_ai
from amplitude_ai.providers.mistral import provider_class
from amplitude_ai.testing import FakeReply, FakeToolCall, fake_llm
from providers._helpers import tracked

RawMistral = provider_class()


def _sdk_error() -> type[Exception]:
    """mistralai's HTTP error class (``mistralai.client.errors`` from 2.0, ``models`` in 1.x)."""
    import importlib

    for name in ("mistralai.client.errors", "mistralai.models"):
        try:
            return importlib.import_module(name).SDKError
        except (ImportError, AttributeError):
            continue
    raise AssertionError("no mistralai SDKError")


SDKError = _sdk_error()
MODEL = "mistral-small-latest"
REPLY = FakeReply(
    text="A cohort is a group of users.",
    reasoning="Define it briefly.",
    tool_calls=(FakeToolCall("get_chart", {"type": "cohort"}, id="call00001"),),
    input_tokens=900,
    output_tokens=60,
)
MESSAGES = [
    {"role": "system", "content": "You are concise."},
    {"role": "user", "content": "What is a cohort?"},
]
REQUEST = {"model": MODEL, "messages": MESSAGES, "temperature": 0.3, "max_tokens": 200}


def _has_reasoning_mode() -> bool:
    """Releases with reasoning models: ``prompt_mode`` and ``thinking`` content chunks."""
    import importlib
    import inspect

    chat = importlib.import_module(RawMistral.__module__.rsplit(".", 1)[0] + ".chat").Chat
    return "prompt_mode" in inspect.signature(chat.complete).parameters


HAS_REASONING = _has_reasoning_mode()
if HAS_REASONING:
    REQUEST["prompt_mode"] = "reasoning"


def _kwargs(server):
    return {"api_key": "m-test", "server_url": server.url}


def _raw_and_ours(server, ai):
    return RawMistral(**_kwargs(server)), amplitude_ai.Mistral(amplitude=ai, **_kwargs(server))


def _check(event, *, streaming, session):
    assert event["provider"] == "mistral"
    assert event["model_name"] == MODEL
    assert event["input_tokens"] == 900 and event["output_tokens"] == 60
    assert event["total_tokens"] == 960
    assert event["llm_message"] == {"text": REPLY.text}
    assert event.get("reasoning_content") == ("Define it briefly." if HAS_REASONING else None)
    [tool_call] = json.loads(event["tool_calls"])
    assert tool_call["name"] == "get_chart"
    assert json.loads(tool_call["arguments"]) == {"type": "cohort"}
    assert event["finish_reason"] == "tool_calls"
    assert event["system_prompt"] == "You are concise."
    assert event["temperature"] == 0.3 and event["max_output_tokens"] == 200
    assert event["is_streaming"] is streaming
    assert event["session_id"] == session.session_id
    assert event["cost_usd"] > 0
    if streaming:
        assert event["ttfb_ms"] > 0


def test_complete_matches_the_raw_client(server, llm, ai, session):
    raw, ours = _raw_and_ours(server, ai)
    llm.queue(REPLY, REPLY)
    expected = raw.chat.complete(**REQUEST)
    got = ours.chat.complete(**REQUEST)
    assert type(got) is type(expected)
    assert got.choices == expected.choices
    assert got.usage == expected.usage
    [user] = tracked(ai, "user_message")
    assert user["llm_message"] == {"text": "What is a cohort?"}
    [event] = tracked(ai, "ai_response")
    _check(event, streaming=False, session=session)


def test_stream_sync_as_iterator_and_context_manager(server, llm, ai, session):
    raw, ours = _raw_and_ours(server, ai)
    llm.queue(REPLY, REPLY, REPLY)
    raw_stream = raw.chat.stream(**REQUEST)
    expected = [e.data.choices[0].delta.content for e in raw_stream]
    stream = ours.chat.stream(**REQUEST)
    assert isinstance(stream, type(raw_stream))  # the SDK's own stream object, tapped
    got = [e.data.choices[0].delta.content for e in stream]
    assert got == expected
    if hasattr(stream, "__enter__"):  # EventStream (a bare generator in 1.x releases)
        with ours.chat.stream(**REQUEST) as managed:
            for _ in managed:
                pass
    else:
        list(ours.chat.stream(**REQUEST))
    first, second = tracked(ai, "ai_response")
    _check(first, streaming=True, session=session)
    _check(second, streaming=True, session=session)


def test_stream_closed_early_still_reports(server, llm, ai, session):
    _, ours = _raw_and_ours(server, ai)
    llm.queue(REPLY)
    stream = ours.chat.stream(**REQUEST)
    if hasattr(stream, "__enter__"):  # EventStream: leave the block after one event
        with stream:
            next(iter(stream))
    else:  # 1.x: a bare generator
        next(stream)
        stream.close()
    [event] = tracked(ai, "ai_response")
    assert event["is_streaming"] is True


def test_async_complete_and_stream(server, llm, ai, session):
    _, ours = _raw_and_ours(server, ai)
    llm.queue(REPLY, REPLY)

    async def scenario():
        whole = await ours.chat.complete_async(**REQUEST)
        stream = await ours.chat.stream_async(**REQUEST)
        events = [e async for e in stream]
        return whole, events

    whole, events = asyncio.run(scenario())
    assert whole.choices[0].finish_reason == "tool_calls"
    assert events
    plain, streamed = tracked(ai, "ai_response")
    _check(plain, streaming=False, session=session)
    _check(streamed, streaming=True, session=session)


def test_embeddings_sync_and_async(server, llm, ai, session):
    _, ours = _raw_and_ours(server, ai)
    result = ours.embeddings.create(model="mistral-embed", inputs=["a", "b"])
    assert len(result.data) == 2
    asyncio.run(ours.embeddings.create_async(model="mistral-embed", inputs=["c"]))
    events = tracked(ai, "embedding")
    assert [e["model_name"] for e in events] == ["mistral-embed", "mistral-embed"]
    assert all(e["embedding_dimensions"] == 8 and e["input_tokens"] == 24 for e in events)


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("status", [400, 429, 500])
def test_errors_are_reraised_unchanged_and_tracked(server, llm, ai, session, is_async, status):
    raw, ours = _raw_and_ours(server, ai)
    llm.fail(status, "capacity exceeded", times=2)

    def ask(client):
        if not is_async:
            return client.chat.complete(**REQUEST)
        return asyncio.run(client.chat.complete_async(**REQUEST))

    with pytest.raises(SDKError) as expected:
        ask(raw)
    with pytest.raises(SDKError) as got:
        ask(ours)
    assert type(got.value) is type(expected.value)
    assert got.value.status_code == status
    [event] = tracked(ai, "ai_response")
    assert event["is_error"] is True
    assert "capacity exceeded" in event["error_message"]


def test_stream_error_is_tracked(server, llm, ai, session):
    raw, ours = _raw_and_ours(server, ai)
    llm.fail(503, "down", times=2)
    with pytest.raises(Exception) as expected:  # noqa: PT011 - whatever this release raises
        list(raw.chat.stream(**REQUEST))
    with pytest.raises(type(expected.value)):
        list(ours.chat.stream(**REQUEST))
    [event] = tracked(ai, "ai_response")
    assert event["is_error"] is True and event["is_streaming"] is True


def test_per_call_identity_kwargs(server, llm, ai):
    _, ours = _raw_and_ours(server, ai)
    ours.chat.complete(**REQUEST, amplitude_user_id="user-7", amplitude_session_id="s-7")
    [event] = ai.events_of_type("[Agent] AI Response")
    assert event["user_id"] == "user-7"
    assert tracked(ai, "ai_response")[0]["session_id"] == "s-7"


def test_wrap_returns_a_tracked_copy_and_leaves_the_original_alone(server, llm, ai, session):
    raw = RawMistral(**_kwargs(server))
    raw.chat.complete(**REQUEST)  # the original's chat exists before wrapping
    wrapped = amplitude_ai.wrap(raw, amplitude=ai)
    assert isinstance(wrapped, RawMistral) and isinstance(wrapped, amplitude_ai.Mistral)
    assert amplitude_ai.wrap(wrapped, amplitude=ai) is wrapped
    wrapped.chat.complete(**REQUEST)
    list(wrapped.chat.stream(**REQUEST))
    raw.chat.complete(**REQUEST)
    assert len(tracked(ai, "ai_response")) == 2


def test_patch_mistral_tracks_every_client_and_unpatch_restores(server, llm, ai, session):
    chat_cls = type(RawMistral(**_kwargs(server)).chat)
    embeddings_cls = type(RawMistral(**_kwargs(server)).embeddings)
    before = {cls: dict(vars(cls)) for cls in (chat_cls, embeddings_cls)}
    amplitude_ai.patch_mistral(amplitude=ai)
    client = RawMistral(**_kwargs(server))
    client.chat.complete(**REQUEST, amplitude_user_id="p-1")
    list(client.chat.stream(**REQUEST))
    asyncio.run(client.chat.complete_async(**REQUEST))
    client.embeddings.create(model="mistral-embed", inputs=["x"])
    both = amplitude_ai.Mistral(amplitude=ai, **_kwargs(server))  # drop-in on top: counted once
    both.chat.complete(**REQUEST)
    assert len(tracked(ai, "ai_response")) == 4
    assert len(tracked(ai, "embedding")) == 1
    amplitude_ai.unpatch()
    assert {cls: dict(vars(cls)) for cls in (chat_cls, embeddings_cls)} == before
    client.chat.complete(**REQUEST)
    assert len(tracked(ai, "ai_response")) == 4


def test_patch_lists_mistral(ai):
    assert "mistral" in amplitude_ai.patch(amplitude=ai)


def test_fake_llm_answers_mistral_in_process(ai, session):
    with fake_llm("Offline.") as llm:
        client = amplitude_ai.Mistral(amplitude=ai, api_key="offline")
        whole = client.chat.complete(**REQUEST)
        streamed = list(client.chat.stream(**REQUEST))
        vectors = client.embeddings.create(model="mistral-embed", inputs=["x"])
        llm.fail(429, "slow down")
        with pytest.raises(SDKError, match="slow down"):
            client.chat.complete(**REQUEST)
    assert whole.choices[0].message.content == "Offline."
    assert streamed and vectors.data[0].embedding
    assert [c.provider for c in llm.calls] == ["mistral"] * 4
    assert [c.surface for c in llm.calls] == ["chat", "chat", "embeddings", "chat"]
    assert len(tracked(ai, "ai_response")) == 3


def _takes_http_headers() -> bool:
    import inspect

    chat = type(RawMistral(api_key="k").chat)
    return "http_headers" in inspect.signature(chat.complete).parameters


@pytest.mark.skipif(not _takes_http_headers(), reason="mistralai without http_headers=")
@pytest.mark.parametrize("patched", [False, True], ids=["drop-in", "patch"])
def test_propagate_context_headers_reach_mistral(server, llm, patched):
    from amplitude_ai import AIConfig
    from amplitude_ai.propagation import extract_context
    from amplitude_ai.testing import MockAmplitudeAI

    ai = MockAmplitudeAI(config=AIConfig(propagate_context=True))
    if patched:
        amplitude_ai.patch_mistral(ai)
        client = RawMistral(**_kwargs(server))
    else:
        client = amplitude_ai.Mistral(amplitude=ai, **_kwargs(server))
    with ai.agent("bot").session(user_id="u1", trace_id="trace-9") as s:
        client.chat.complete(**REQUEST, http_headers={"x-app": "kept"})
        for _ in client.chat.stream(**REQUEST):
            pass
    assert len(llm.calls) == 2
    for call in llm.calls:
        assert extract_context(call.headers) == {
            "trace_id": "trace-9",
            "session_id": s.session_id,
            "agent_id": "bot",
        }
    assert llm.calls[0].headers["x-app"] == "kept"
    assert len(tracked(ai, "ai_response")) == 2


def test_no_mistral_propagation_by_default(server, llm, ai, session):
    _, ours = _raw_and_ours(server, ai)
    ours.chat.complete(**REQUEST)
    assert "traceparent" not in llm.calls[0].headers
