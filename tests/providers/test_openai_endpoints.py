"""OpenAI's other endpoints through the real openai client against the local fake server:
images, audio speech / transcriptions / translations, moderations and legacy completions
(sync, async, streams, errors, wrap and patch), and the APIs reported as not tracked
(Assistants, Realtime, Batch)."""

from __future__ import annotations

import asyncio
import json
import logging

import anthropic
import openai
import pytest

import amplitude_ai
from amplitude_ai.testing import FakeReply, fake_llm
from providers._caps import (
    needs_assistants,
    needs_batches,
    needs_image_model,
    needs_image_stream,
    needs_realtime,
    needs_speech,
    needs_streaming_response,
    needs_text_transcripts,
    needs_transcription_stream,
)
from providers._helpers import make_clients, tracked

AUDIO = ("question.mp3", b"\xff\xfb\x90\x64" + bytes(64), "audio/mpeg")
IMAGE = ("cat.png", b"\x89PNG\r\n\x1a\n" + bytes(32), "image/png")


@pytest.fixture(params=["openai", "azure_openai"])
def provider(request):
    return request.param


@pytest.fixture(params=[False, True], ids=["sync", "async"])
def is_async(request):
    return request.param


def _run(is_async, *calls):
    """The results of ``calls`` (made in order), awaited on one fresh loop for async
    clients (their connection pool belongs to the loop); one call: its result alone."""
    if not is_async:
        results = [c() for c in calls]
    else:

        async def scenario():
            return [await c() for c in calls]

        results = asyncio.run(scenario())
    return results[0] if len(results) == 1 else results


def _only(ai, kind="ai_response"):
    events = tracked(ai, kind)
    assert len(events) == 1, events
    return events[0]


@needs_image_model
def test_images_generate_edit_and_variation(server, llm, ai, session, provider, is_async):
    raw, ours = make_clients(provider, server, ai, is_async=is_async)
    got, want, _, _ = _run(
        is_async,
        lambda: ours.images.generate(model="gpt-image-1", prompt="a cat"),
        lambda: raw.images.generate(model="gpt-image-1", prompt="a cat"),
        lambda: ours.images.edit(model="gpt-image-1", image=IMAGE, prompt="hat"),
        lambda: ours.images.create_variation(image=IMAGE),
    )
    assert got.data[0].b64_json == want.data[0].b64_json
    events = tracked(ai, "ai_response")
    assert [e["model_name"] for e in events] == ["gpt-image-1", "gpt-image-1", "dall-e-2"]
    for event in events:
        assert event["provider"] == provider
        assert event["latency_ms"] > 0 and event["is_error"] is False
        assert event["session_id"] == session.session_id
    assert events[0]["input_tokens"] == 24 and events[0]["output_tokens"] == 12
    assert events[0]["total_tokens"] == 36 and events[0]["cost_usd"] > 0
    assert "input_tokens" not in events[2]  # dall-e reports no usage
    assert tracked(ai, "user_message") == []  # an image prompt is no chat turn
    assert [c.surface for c in llm.calls] == ["images"] * 4


@needs_image_stream
def test_image_stream_reports_usage_when_read(server, llm, ai, session):
    _, ours = make_clients("openai", server, ai, is_async=False)
    stream = ours.images.generate(model="gpt-image-1", prompt="a cat", stream=True)
    assert tracked(ai, "ai_response") == []
    kinds = [event.type for event in stream]
    assert kinds == ["image_generation.partial_image", "image_generation.completed"]
    event = _only(ai)
    assert event["is_streaming"] is True and event["output_tokens"] == 12
    assert event["ttfb_ms"] > 0


@needs_speech
def test_speech_transcription_and_translation(server, llm, ai, session, provider, is_async):
    _, ours = make_clients(provider, server, ai, is_async=is_async)
    llm.reply("Retention is the share of users who come back.")
    audio, text, _ = _run(
        is_async,
        lambda: ours.audio.speech.create(model="gpt-4o-mini-tts", voice="alloy", input="Hi"),
        lambda: ours.audio.transcriptions.create(model="gpt-4o-transcribe", file=AUDIO),
        lambda: ours.audio.translations.create(model="whisper-1", file=AUDIO),
    )
    assert audio.content.startswith(b"\xff\xfb")
    assert text.text == "Retention is the share of users who come back."
    speech, transcript, translation = tracked(ai, "ai_response")
    assert speech["model_name"] == "gpt-4o-mini-tts" and "llm_message" not in speech
    assert transcript["model_name"] == "gpt-4o-transcribe"
    assert transcript["llm_message"] == {"text": "Retention is the share of users who come back."}
    assert transcript["input_tokens"] == 24 and transcript["cost_usd"] > 0
    assert translation["model_name"] == "whisper-1" and "input_tokens" not in translation
    assert {e["provider"] for e in (speech, transcript, translation)} == {provider}
    assert llm.calls[1].body["model"] == "gpt-4o-transcribe"  # multipart form read back


@needs_text_transcripts
def test_plain_text_transcript_is_the_content(server, llm, ai, session):
    _, ours = make_clients("openai", server, ai, is_async=False)
    llm.reply("hello there")
    got = ours.audio.transcriptions.create(model="whisper-1", file=AUDIO, response_format="text")
    assert isinstance(got, str) and got.strip() == "hello there"
    assert _only(ai)["llm_message"] == {"text": "hello there"}


@needs_transcription_stream
def test_transcription_stream(server, llm, ai, session):
    _, ours = make_clients("openai", server, ai, is_async=False)
    llm.reply("streamed words")
    stream = ours.audio.transcriptions.create(model="gpt-4o-transcribe", file=AUDIO, stream=True)
    assert [e.type for e in stream][-1] == "transcript.text.done"
    event = _only(ai)
    assert event["llm_message"] == {"text": "streamed words"}
    assert event["is_streaming"] is True and event["output_tokens"] == 12


@needs_streaming_response
def test_speech_streamed_to_the_caller_is_still_reported(server, llm, ai, session):
    _, ours = make_clients("openai", server, ai, is_async=False)
    with ours.audio.speech.with_streaming_response.create(
        model="tts-1", voice="alloy", input="Hi"
    ) as response:
        assert response.read().startswith(b"\xff\xfb")
    assert _only(ai)["model_name"] == "tts-1"


def test_moderation_is_a_span(server, llm, ai, session, provider, is_async):
    _, ours = make_clients(provider, server, ai, is_async=is_async)
    llm.queue(FakeReply(flagged=("harassment", "violence")))
    result = _run(is_async, lambda: ours.moderations.create(input=["you!", "fine"]))
    assert result.results[0].flagged is True
    span = _only(ai, "span")
    assert span["span_name"] == "moderation"
    assert json.loads(span["output_state"]) == {
        "provider": provider,
        "model": "omni-moderation-latest",
        "flagged": True,
        "flagged_categories": ["harassment", "violence"],
    }
    assert span["latency_ms"] > 0 and span["is_error"] is False
    assert tracked(ai, "ai_response") == []


def test_legacy_completions_plain_and_streamed(server, llm, ai, session, provider, is_async):
    _, ours = make_clients(provider, server, ai, is_async=is_async)
    request = {"model": "gpt-3.5-turbo-instruct", "prompt": "Define churn.", "max_tokens": 50}
    llm.reply("Churn is users leaving.")

    async def read_async():
        stream = await ours.completions.create(**request, stream=True)
        return [c async for c in stream]

    got, chunks = _run(
        is_async,
        lambda: ours.completions.create(**request),
        read_async if is_async else lambda: list(ours.completions.create(**request, stream=True)),
    )
    assert got.choices[0].text == "Churn is users leaving."
    assert all(c.choices for c in chunks)  # the usage chunk asked for is not passed on
    assert "".join(c.choices[0].text for c in chunks) == "Churn is users leaving."
    plain, streamed = tracked(ai, "ai_response")
    for event, streaming in ((plain, False), (streamed, True)):
        assert event["model_name"] == "gpt-3.5-turbo-instruct"
        assert event["provider"] == provider
        assert event["llm_message"] == {"text": "Churn is users leaving."}
        assert event["input_tokens"] == 24 and event["output_tokens"] == 12
        assert event["finish_reason"] == "stop"
        assert event["max_output_tokens"] == 50
        assert event["is_streaming"] is streaming
        assert event["cost_usd"] > 0
    assert streamed["ttfb_ms"] > 0
    [user] = tracked(ai, "user_message")  # the same prompt twice is one user turn
    assert user["llm_message"] == {"text": "Define churn."}


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.images.generate(prompt="x"),
        lambda c: c.audio.transcriptions.create(model="whisper-1", file=AUDIO),
        lambda c: c.moderations.create(input="x"),
        lambda c: c.completions.create(model="gpt-3.5-turbo-instruct", prompt="x"),
    ],
    ids=["images", "transcriptions", "moderations", "completions"],
)
def test_errors_are_reraised_and_tracked(server, llm, ai, session, is_async, call):
    _, ours = make_clients("openai", server, ai, is_async=is_async)
    llm.fail(429, "slow down")
    with pytest.raises(openai.RateLimitError):
        _run(is_async, lambda: call(ours))
    [event] = [e for e in tracked(ai, "ai_response") + tracked(ai, "span")]
    assert event["is_error"] is True
    assert "slow down" in event["error_message"]


def test_kwargs_wrap_and_patch_on_the_other_endpoints(server, llm, ai):
    raw, ours = make_clients("openai", server, ai, is_async=False)
    ours.images.generate(prompt="x", amplitude_user_id="u-img")
    ours.moderations.create(input="x", amplitude_user_id="u-mod")
    amplitude_ai.wrap(raw, ai).audio.translations.create(
        model="whisper-1", file=AUDIO, amplitude_user_id="u-wrap"
    )
    raw.completions.create(model="gpt-3.5-turbo-instruct", prompt="x")  # untouched: untracked
    amplitude_ai.patch_openai(ai)
    raw.completions.create(model="gpt-3.5-turbo-instruct", prompt="x", amplitude_user_id="u-patch")
    ours.moderations.create(input="y", amplitude_user_id="u-mod")  # patched + drop-in: once
    amplitude_ai.unpatch()
    raw.completions.create(model="gpt-3.5-turbo-instruct", prompt="x")
    users = [e["user_id"] for e in ai.events if e["event_type"] != "[Agent] User Message"]
    assert users == ["u-img", "u-mod", "u-wrap", "u-patch", "u-mod"]
    assert all("amplitude" not in json.dumps(c.body) for c in llm.calls)


def test_fake_llm_answers_the_other_endpoints_in_process(ai, session):
    client = amplitude_ai.OpenAI(amplitude=ai, api_key="k")
    with fake_llm() as fake:
        fake.reply("spoken words")
        client.audio.transcriptions.create(model="whisper-1", file=AUDIO)
        client.images.generate(prompt="x")
        client.moderations.create(input="x")
        client.completions.create(model="gpt-3.5-turbo-instruct", prompt="x")
    assert [c.surface for c in fake.calls] == [
        "transcriptions",
        "images",
        "moderations",
        "completions",
    ]
    assert fake.calls[0].body["model"] == "whisper-1"
    assert len(tracked(ai, "ai_response")) == 3 and len(tracked(ai, "span")) == 1


# ------------------------------------------------------------------- not tracked, said so


def _untracked_status(ai):
    return ai.status()["untracked_calls"]


@needs_assistants
def test_assistants_calls_are_reported_not_tracked(server, llm, ai, caplog):
    from amplitude_ai.providers import _untracked

    _untracked._calls.clear()
    _, ours = make_clients("openai", server, ai, is_async=False)
    caplog.set_level(logging.WARNING, logger="amplitude_ai")
    for _ in range(2):
        with pytest.raises(openai.NotFoundError):  # the fake does not emulate them
            ours.beta.threads.create()
    status = _untracked_status(ai)
    assert status["openai beta.threads"]["calls"] == 2
    assert "Assistants API" in status["openai beta.threads"]["reason"]
    warnings = [r.getMessage() for r in caplog.records if "not tracked" in r.getMessage()]
    assert len([w for w in warnings if "beta.threads" in w]) <= 1  # once per process
    assert ai.events == []


@needs_batches
def test_batch_calls_are_reported_not_tracked(server, llm, ai):
    from amplitude_ai.providers import _untracked

    _untracked._calls.clear()
    _, ours = make_clients("azure_openai", server, ai, is_async=False)
    with pytest.raises(openai.NotFoundError):
        ours.batches.create(
            input_file_id="file-1", endpoint="/v1/chat/completions", completion_window="24h"
        )
    entry = _untracked_status(ai)["azure_openai batches"]
    assert entry["calls"] == 1 and "Batch API" in entry["reason"]
    assert ai.events == []


@needs_realtime
@pytest.mark.parametrize("patched", [False, True], ids=["drop-in", "patch"])
def test_realtime_connect_is_reported_not_tracked(server, ai, patched):
    from amplitude_ai.providers import _untracked

    _untracked._calls.clear()
    if patched:
        amplitude_ai.patch_openai(ai)
        client = openai.OpenAI(api_key="k", base_url=server.openai_url)
    else:
        client = amplitude_ai.OpenAI(amplitude=ai, api_key="k", base_url=server.openai_url)
    realtime = client.realtime if hasattr(client, "realtime") else client.beta.realtime
    realtime.connect(model="gpt-realtime")  # the manager; no socket is opened until entered
    [(name, entry)] = _untracked_status(ai).items()
    assert name.startswith("openai ") and name.endswith("realtime")
    assert entry["calls"] == 1 and "websocket" in entry["reason"]


@pytest.mark.skipif(
    not hasattr(getattr(anthropic.Anthropic(api_key="k"), "messages", None), "batches"),
    reason="no messages.batches in this anthropic",
)
def test_anthropic_message_batches_are_reported_not_tracked(server, llm, ai):
    from amplitude_ai.providers import _untracked

    _untracked._calls.clear()
    _, ours = make_clients("anthropic", server, ai, is_async=False)
    request = {"model": "claude-sonnet-4-6", "max_tokens": 10, "messages": []}
    with pytest.raises(anthropic.NotFoundError):
        ours.messages.batches.create(requests=[{"custom_id": "a", "params": request}])
    entry = _untracked_status(ai)["anthropic messages.batches"]
    assert entry["calls"] == 1 and "Batch API" in entry["reason"]
    assert ai.events == []
