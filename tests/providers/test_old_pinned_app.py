"""The shape of an app that pins its own (old) provider SDKs, e.g. ``openai==1.11.1`` and
``anthropic==0.30.1``: drop-in clients, a stream each, ``wrap()`` and ``patch()``, with
events delivered by the real amplitude-analytics client to a local capture server.

It runs in every venv of the provider matrix (scripts/provider_matrix.py; the ``app-2024``
line has exactly those pins) and in the main suite with the newest releases.
"""

from __future__ import annotations

import anthropic
import openai

import amplitude_ai
from amplitude_ai import AIConfig, AmplitudeAI
from amplitude_ai.catalog import load_catalog, validate_event
from providers._helpers import anthropic_kwargs, openai_kwargs
from support.capture_server import CaptureServer

QUESTION = [{"role": "user", "content": "What is retention?"}]


def _app(ai: AmplitudeAI, server) -> None:
    """What such an app does, written against the API its pinned releases offer."""
    gpt = amplitude_ai.OpenAI(amplitude=ai, **openai_kwargs(server))
    claude = amplitude_ai.Anthropic(amplitude=ai, **anthropic_kwargs(server))
    with ai.agent("support-bot").session(user_id="user-7") as session:
        session.new_trace()
        gpt.chat.completions.create(model="gpt-4o", messages=QUESTION)
        stream = gpt.chat.completions.create(model="gpt-4o", messages=QUESTION, stream=True)
        assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
        claude.messages.create(model="claude-3-haiku-20240307", max_tokens=50, messages=QUESTION)
        with claude.messages.stream(
            model="claude-3-haiku-20240307", max_tokens=50, messages=QUESTION
        ) as helper:
            assert "".join(helper.text_stream)
        wrapped = amplitude_ai.wrap(openai.OpenAI(**openai_kwargs(server)), amplitude=ai)
        wrapped.chat.completions.create(model="gpt-4o-mini", messages=QUESTION)
    # Zero-code: clients the app builds itself, after patch().
    patched = amplitude_ai.patch(amplitude=ai)
    try:
        assert patched[:3] == ["openai", "anthropic", "azure_openai"]
        assert set(patched[3:]) <= {"gemini", "mistral", "bedrock", "litellm"}  # the app has them
        assert patched.skipped == {}
        openai.OpenAI(**openai_kwargs(server)).chat.completions.create(
            model="gpt-4o",
            messages=QUESTION,
            amplitude_user_id="user-8",
            amplitude_session_id="chat-8",
        )
        anthropic.Anthropic(**anthropic_kwargs(server)).messages.create(
            model="claude-3-haiku-20240307",
            max_tokens=50,
            messages=QUESTION,
            amplitude_user_id="user-8",
            amplitude_session_id="chat-8",
        )
    finally:
        amplitude_ai.unpatch()


def test_old_pinned_app_tracks_every_call_into_amplitude(server, llm):
    names = load_catalog().event_names
    with CaptureServer() as capture:
        ai = AmplitudeAI(api_key="test-key", config=AIConfig(server_url=capture.url))
        _app(ai, server)
        ai.shutdown(timeout=20)  # delivers everything buffered
        events = capture.events()
    responses = [e for e in events if e["event_type"] == names["ai_response"]]
    props = [e["event_properties"] for e in responses]
    assert len(responses) == 7
    models = [p["[Agent] Model Name"] for p in props]
    assert models.count("gpt-4o") == 3 and models.count("claude-3-haiku-20240307") == 3
    assert [p["[Agent] Is Streaming"] for p in props[:4]] == [False, True, False, True]
    assert props[3]["[Agent] Output Tokens"] > 0  # the anthropic stream helper's usage
    assert {e["user_id"] for e in responses} == {"user-7", "user-8"}
    for event in events:
        problems = validate_event(
            event["event_type"],
            event["event_properties"],
            user_id=event.get("user_id"),
            device_id=event.get("device_id"),
        )
        assert problems == [], event["event_type"]
