"""Gemini (google-genai) through the real SDK client against the local server: generate
content (plain, streamed, async, chats), embeddings, Vertex AI, errors, wrap() and
patch_gemini()/unpatch(), and fake_llm() without any server."""

from __future__ import annotations

import asyncio
import json

import pytest

genai = pytest.importorskip("google.genai")
from google.genai import errors, types  # noqa: E402

import amplitude_ai  # noqa: E402
from amplitude_ai.testing import FakeReply, FakeToolCall, fake_llm  # noqa: E402
from providers._helpers import tracked  # noqa: E402

MODEL = "gemini-2.5-flash"
REPLY = FakeReply(
    text="Cohorts group users who share a trait.",
    reasoning="The user wants a definition.",
    tool_calls=(FakeToolCall("get_chart", {"type": "cohort"}),),
    input_tokens=1200,
    output_tokens=80,
    cached_tokens=1000,
    reasoning_tokens=40,
)
CONFIG = types.GenerateContentConfig(
    system_instruction="You are concise.",
    temperature=0.2,
    top_p=0.9,
    max_output_tokens=256,
    thinking_config=types.ThinkingConfig(include_thoughts=True),
)


def _kwargs(server, **extra):
    return {"api_key": "g-test", "http_options": {"base_url": server.url}, **extra}


def _raw_and_ours(server, ai):
    return genai.Client(**_kwargs(server)), amplitude_ai.Gemini(amplitude=ai, **_kwargs(server))


def _check(event, *, streaming, session=None, provider="gemini"):
    assert event["provider"] == provider
    assert event["model_name"] == MODEL
    assert event["input_tokens"] == 1200
    assert event["cache_read_tokens"] == 1000
    assert event["output_tokens"] == 120  # candidates + thinking tokens, both billed as output
    assert event["reasoning_tokens"] == 40
    assert event["reasoning_content"] == "The user wants a definition."
    assert event["llm_message"] == {"text": REPLY.text}
    assert event["finish_reason"] == "STOP"
    [tool_call] = json.loads(event["tool_calls"])
    assert tool_call["name"] == "get_chart" and tool_call["arguments"] == {"type": "cohort"}
    assert event["system_prompt"] == "You are concise."
    assert event["temperature"] == 0.2 and event["top_p"] == 0.9
    assert event["max_output_tokens"] == 256
    assert event["is_streaming"] is streaming
    assert event["cost_usd"] > 0
    if streaming:
        assert event["ttfb_ms"] > 0
    if session is not None:
        assert event["session_id"] == session.session_id


def _text(response):
    """The answer text (``response.text`` refuses mixed parts in early releases)."""
    parts = response.candidates[0].content.parts or []
    return "".join(p.text for p in parts if p.text and not p.thought)


def _parts(response):
    return [(p.text, p.thought, p.function_call and p.function_call.name)
            for p in response.candidates[0].content.parts]  # fmt: skip


def test_generate_content_sync_matches_the_raw_client(server, llm, ai, session):
    raw, ours = _raw_and_ours(server, ai)
    llm.queue(REPLY, REPLY)
    expected = raw.models.generate_content(model=MODEL, contents="What are cohorts?", config=CONFIG)
    got = ours.models.generate_content(model=MODEL, contents="What are cohorts?", config=CONFIG)
    assert type(got) is type(expected)
    assert _parts(got) == _parts(expected)
    assert got.usage_metadata == expected.usage_metadata
    [user] = tracked(ai, "user_message")
    assert user["llm_message"] == {"text": "What are cohorts?"}
    [event] = tracked(ai, "ai_response")
    _check(event, streaming=False, session=session)


def test_generate_content_stream_sync(server, llm, ai, session):
    raw, ours = _raw_and_ours(server, ai)
    llm.queue(REPLY, REPLY)
    expected = list(raw.models.generate_content_stream(model=MODEL, contents="Hi", config=CONFIG))
    got = list(ours.models.generate_content_stream(model=MODEL, contents="Hi", config=CONFIG))
    assert [_parts(c) for c in got] == [_parts(c) for c in expected]
    [event] = tracked(ai, "ai_response")
    _check(event, streaming=True, session=session)


def test_async_generate_content_and_stream(server, llm, ai, session):
    _, ours = _raw_and_ours(server, ai)
    llm.queue(REPLY, REPLY)

    async def scenario():
        whole = await ours.aio.models.generate_content(model=MODEL, contents="Q", config=CONFIG)
        stream = await ours.aio.models.generate_content_stream(
            model=MODEL, contents="Q2", config=CONFIG
        )
        chunks = [c async for c in stream]
        return whole, chunks

    whole, chunks = asyncio.run(scenario())
    assert _text(whole) == REPLY.text
    assert "".join(_text(c) for c in chunks) == REPLY.text
    plain, streamed = tracked(ai, "ai_response")
    _check(plain, streaming=False, session=session)
    _check(streamed, streaming=True, session=session)


def test_chats_sync_and_async_track_each_turn(server, llm, ai, session):
    _, ours = _raw_and_ours(server, ai)
    llm.reply("Sure.")
    chat = ours.chats.create(model=MODEL)
    chat.send_message("first question")
    list(chat.send_message_stream("second question"))

    async def scenario():
        achat = ours.aio.chats.create(model=MODEL)
        await achat.send_message("third question")
        async for _ in await achat.send_message_stream("fourth question"):
            pass

    asyncio.run(scenario())
    users = [u["llm_message"]["text"] for u in tracked(ai, "user_message")]
    assert users == ["first question", "second question", "third question", "fourth question"]
    events = tracked(ai, "ai_response")
    assert [e["is_streaming"] for e in events] == [False, True, False, True]
    assert all(e["llm_message"] == {"text": "Sure."} for e in events)


def test_embed_content_sync_and_async(server, llm, ai, session):
    _, ours = _raw_and_ours(server, ai)
    result = ours.models.embed_content(model="gemini-embedding-001", contents=["a", "b"])
    assert len(result.embeddings) == 2

    async def scenario():
        return await ours.aio.models.embed_content(model="gemini-embedding-001", contents="c")

    asyncio.run(scenario())
    events = tracked(ai, "embedding")
    assert len(events) == 2
    assert all(e["model_name"] == "gemini-embedding-001" for e in events)
    assert all(e["embedding_dimensions"] == 8 and e["provider"] == "gemini" for e in events)
    assert tracked(ai, "ai_response") == []


def test_vertex_ai_through_the_same_client(server, llm, ai, session):
    ours = amplitude_ai.Gemini(amplitude=ai, vertexai=True, **_kwargs(server))
    llm.queue(REPLY)
    got = ours.models.generate_content(model=MODEL, contents="Vertex?", config=CONFIG)
    assert _text(got) == REPLY.text
    assert "/publishers/google/models/" in llm.calls[-1].path
    [event] = tracked(ai, "ai_response")
    _check(event, streaming=False, session=session, provider="vertex_ai")


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("status", [400, 429, 500])
def test_errors_are_reraised_unchanged_and_tracked(server, llm, ai, session, is_async, status):
    raw, ours = _raw_and_ours(server, ai)
    llm.fail(status, "quota exhausted", times=2)

    def ask(client):
        if not is_async:
            return client.models.generate_content(model=MODEL, contents="Q")
        return asyncio.run(client.aio.models.generate_content(model=MODEL, contents="Q"))

    with pytest.raises(errors.APIError) as expected:
        ask(raw)
    with pytest.raises(errors.APIError) as got:
        ask(ours)
    assert type(got.value) is type(expected.value)
    assert got.value.code == expected.value.code == status
    [event] = tracked(ai, "ai_response")
    assert event["is_error"] is True
    assert "quota exhausted" in event["error_message"]


def test_stream_error_is_tracked(server, llm, ai, session):
    _, ours = _raw_and_ours(server, ai)
    llm.fail(503, "unavailable")
    with pytest.raises(errors.ServerError):
        list(ours.models.generate_content_stream(model=MODEL, contents="Q"))
    [event] = tracked(ai, "ai_response")
    assert event["is_error"] is True and event["is_streaming"] is True


def test_per_call_user_id_and_default_model_shortcut(server, llm, ai):
    ours = amplitude_ai.Gemini(amplitude=ai, model_name=MODEL, **_kwargs(server))
    ours.generate_content("What are cohorts?", amplitude_user_id="user-9", amplitude_session_id="s")
    stream = ours.models.generate_content_stream(
        model=MODEL, contents="more", amplitude_user_id="u-2", amplitude_session_id="s"
    )
    list(stream)
    first, _ = tracked(ai, "ai_response")
    assert first["model_name"] == MODEL
    assert [e["user_id"] for e in ai.events_of_type("[Agent] AI Response")] == ["user-9", "u-2"]
    with pytest.raises(amplitude_ai.ConfigurationError, match="model"):
        amplitude_ai.Gemini(amplitude=ai, **_kwargs(server)).generate_content("no model")


def test_wrap_returns_a_tracked_copy_and_leaves_the_original_alone(server, llm, ai, session):
    raw = genai.Client(**_kwargs(server))
    wrapped = amplitude_ai.wrap(raw, amplitude=ai)
    assert isinstance(wrapped, genai.Client) and isinstance(wrapped, amplitude_ai.Gemini)
    assert amplitude_ai.wrap(wrapped, amplitude=ai) is wrapped
    wrapped.models.generate_content(model=MODEL, contents="tracked")
    asyncio.run(wrapped.aio.models.generate_content(model=MODEL, contents="tracked async"))
    raw.models.generate_content(model=MODEL, contents="not tracked")
    assert len(tracked(ai, "ai_response")) == 2
    del wrapped  # the copy shares the original's connections and must not close them
    import gc

    gc.collect()
    assert raw.models.generate_content(model=MODEL, contents="still works").text
    assert len(tracked(ai, "ai_response")) == 2


def test_patch_gemini_tracks_every_client_and_unpatch_restores(server, llm, ai, session):
    from google.genai import _api_client, chats, models

    api_client = getattr(_api_client, "BaseApiClient", None) or _api_client.ApiClient
    classes = (api_client, models.Models, models.AsyncModels, chats.Chat)
    before = {cls: dict(vars(cls)) for cls in classes}
    amplitude_ai.patch_gemini(amplitude=ai)
    client = genai.Client(**_kwargs(server))
    client.models.generate_content(model=MODEL, contents="patched", amplitude_user_id="p-1")
    list(client.models.generate_content_stream(model=MODEL, contents="patched stream"))
    asyncio.run(client.aio.models.generate_content(model=MODEL, contents="patched async"))
    # A drop-in on top of the patch: still one event per call.
    both = amplitude_ai.Gemini(amplitude=ai, **_kwargs(server))
    both.models.generate_content(model=MODEL, contents="both")
    assert len(tracked(ai, "ai_response")) == 4
    amplitude_ai.unpatch()
    assert {cls: dict(vars(cls)) for cls in classes} == before
    client.models.generate_content(model=MODEL, contents="after unpatch")
    assert len(tracked(ai, "ai_response")) == 4


def test_patch_lists_gemini(ai):
    assert "gemini" in amplitude_ai.patch(amplitude=ai)


def test_fake_llm_answers_gemini_in_process(ai, session):
    with fake_llm("Offline answer.") as llm:
        llm.reply(FakeReply(text="Flash answer.", tool_calls=(FakeToolCall("lookup", {}),)),
                  model=MODEL)  # fmt: skip
        client = amplitude_ai.Gemini(amplitude=ai, api_key="offline")
        response = client.models.generate_content(model=MODEL, contents="Q")
        other = client.models.generate_content(model="gemini-2.0-flash", contents="Q")
        stream = list(client.models.generate_content_stream(model=MODEL, contents="Q"))
        vectors = client.models.embed_content(model="gemini-embedding-001", contents="x")
        llm.fail(429, "slow down")
        with pytest.raises(errors.ClientError):
            client.models.generate_content(model=MODEL, contents="Q")
    assert _text(response) == "Flash answer."
    assert _parts(response)[-1][2] == "lookup"
    assert _text(other) == "Offline answer."
    assert stream and vectors.embeddings[0].values
    assert [c.provider for c in llm.calls] == ["gemini"] * 5
    assert [c.model for c in llm.calls][:2] == [MODEL, "gemini-2.0-flash"]
    assert llm.calls[2].stream is True
    assert len(tracked(ai, "ai_response")) == 4


def test_chats_accept_the_amplitude_kwargs_on_the_drop_in(server, llm, ai):
    """send_message / send_message_stream (sync and aio) take the per-call identity kwargs
    like the model methods do; they never reach google-genai."""
    _, ours = _raw_and_ours(server, ai)
    llm.reply("Sure.")
    chat = ours.chats.create(model=MODEL)
    chat.send_message("one", amplitude_user_id="u-chat", amplitude_session_id="s-chat")
    list(chat.send_message_stream("two", amplitude_user_id="u-chat", amplitude_session_id="s-chat"))

    async def scenario():
        achat = ours.aio.chats.create(model=MODEL)
        await achat.send_message("three", amplitude_user_id="u-chat", amplitude_agent_id="bot")
        stream = await achat.send_message_stream("four", amplitude_user_id="u-chat")
        async for _ in stream:
            pass

    asyncio.run(scenario())
    events = tracked(ai, "ai_response")
    assert len(events) == 4
    assert {e["user_id"] for e in ai.events_of_type("[Agent] AI Response")} == {"u-chat"}
    assert [e["session_id"] for e in events[:2]] == ["s-chat", "s-chat"]
    assert events[2]["agent_id"] == "bot"
    assert all("amplitude" not in json.dumps(c.body) for c in llm.calls)
    # Raw google-genai clients are untouched: their chats still reject unknown kwargs.
    raw_chat = genai.Client(**_kwargs(server)).chats.create(model=MODEL)
    with pytest.raises(TypeError):
        raw_chat.send_message("x", amplitude_user_id="u")


@pytest.mark.parametrize("vertex", [False, True], ids=["gemini-api", "vertex"])
def test_propagate_context_headers_reach_gemini(server, llm, vertex):
    from amplitude_ai import AIConfig
    from amplitude_ai.propagation import extract_context
    from amplitude_ai.testing import MockAmplitudeAI

    ai = MockAmplitudeAI(config=AIConfig(propagate_context=True))
    ours = amplitude_ai.Gemini(amplitude=ai, vertexai=vertex, **_kwargs(server))
    with ai.agent("bot").session(user_id="u1", trace_id="trace-7") as s:
        ours.models.generate_content(model=MODEL, contents="hi")
        config = (
            types.GenerateContentConfig(http_options=types.HttpOptions(headers={"x-app": "kept"}))
            if hasattr(types.GenerateContentConfig, "model_fields")
            and "http_options" in (types.GenerateContentConfig.model_fields)
            else None
        )
        list(ours.models.generate_content_stream(model=MODEL, contents="hi", config=config))
    for call in llm.calls:
        assert call.headers["traceparent"].startswith("00-")
        assert extract_context(call.headers) == {
            "trace_id": "trace-7",
            "session_id": s.session_id,
            "agent_id": "bot",
        }
    if config is not None:
        assert llm.calls[1].headers["x-app"] == "kept"
    [first, _] = tracked(ai, "ai_response")
    assert first["provider"] == ("vertex_ai" if vertex else "gemini")


def test_no_gemini_propagation_by_default(server, llm, ai, session):
    _, ours = _raw_and_ours(server, ai)
    ours.models.generate_content(model=MODEL, contents="hi")
    assert "traceparent" not in llm.calls[0].headers
    assert "x-amplitude-session-id" not in llm.calls[0].headers
