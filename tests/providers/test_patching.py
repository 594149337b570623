"""patch()/unpatch()/wrap(): round trips that restore the SDK classes exactly, and a guard
that keeps stacked instrumentation from tracking a call twice."""

from __future__ import annotations

import importlib.util

import anthropic
import openai
import pytest

import amplitude_ai
from amplitude_ai import ConfigurationError
from providers._caps import (
    OPENAI_HAS_STREAM_OPTIONS,
    anthropic_messages,
    beta_messages,
    chat_module,
    embeddings_module,
    responses_module,
)
from providers._helpers import anthropic_kwargs, azure_kwargs, openai_kwargs, tracked

QUESTION = [{"role": "user", "content": "What is retention?"}]
# Providers the version-matrix venvs may not install (patch() skips what is not installed).
OPTIONAL = [
    name
    for name, module in (
        ("gemini", "google.genai"),
        ("mistral", "mistralai"),
        ("bedrock", "boto3"),
        ("litellm", "litellm"),
    )
    if importlib.util.find_spec(module.split(".")[0]) is not None
    and (module != "google.genai" or importlib.util.find_spec(module) is not None)
]
PATCHED_CLASSES = tuple(
    cls
    for cls in (
        openai.OpenAI,
        openai.AsyncOpenAI,
        openai.AzureOpenAI,
        openai.AsyncAzureOpenAI,
        anthropic.Anthropic,
        anthropic.AsyncAnthropic,
        getattr(chat_module, "Completions", None),
        getattr(chat_module, "AsyncCompletions", None),
        getattr(responses_module, "Responses", None),
        getattr(embeddings_module, "Embeddings", None),
        getattr(anthropic_messages, "Messages", None),
        getattr(beta_messages, "Messages", None),
    )
    if cls is not None
)


def _snapshot():
    return {cls: dict(vars(cls)) for cls in PATCHED_CLASSES}


def _ask(client):
    return client.chat.completions.create(model="gpt-4o", messages=QUESTION)


def test_patch_returns_what_it_patched_and_unpatch_restores_exactly(server, llm, ai, session):
    before = _snapshot()
    assert amplitude_ai.patch(amplitude=ai) == ["openai", "anthropic", "azure_openai", *OPTIONAL]
    assert ai.status()["patched_providers"] == sorted(
        ["anthropic", "azure_openai", "openai", *OPTIONAL]
    )
    assert _snapshot() != before
    amplitude_ai.unpatch()
    assert _snapshot() == before
    assert ai.status()["patched_providers"] == []
    amplitude_ai.unpatch()  # idempotent


def test_patched_plain_clients_are_tracked(server, llm, ai, session):
    amplitude_ai.patch(amplitude=ai)
    _ask(openai.OpenAI(**openai_kwargs(server)))
    _ask(openai.AzureOpenAI(**azure_kwargs(server)))
    anthropic.Anthropic(**anthropic_kwargs(server)).messages.create(
        model="claude-sonnet-4-6", max_tokens=50, messages=[{"role": "user", "content": "Hi"}]
    )
    providers = [e["provider"] for e in tracked(ai, "ai_response")]
    assert providers == ["openai", "azure_openai", "anthropic"]
    amplitude_ai.unpatch()
    _ask(openai.OpenAI(**openai_kwargs(server)))
    assert len(tracked(ai, "ai_response")) == 3  # unpatched: no longer tracked


def test_clients_created_before_patching_are_tracked_too(server, llm, ai, session):
    early = openai.OpenAI(**openai_kwargs(server))
    amplitude_ai.patch_openai(amplitude=ai)
    _ask(early)
    assert len(tracked(ai, "ai_response")) == 1


def test_per_provider_patch_leaves_others_alone(server, llm, ai, session):
    amplitude_ai.patch_openai(amplitude=ai)
    _ask(openai.AzureOpenAI(**azure_kwargs(server)))
    assert tracked(ai, "ai_response") == []
    amplitude_ai.patch_azure_openai(amplitude=ai)
    _ask(openai.AzureOpenAI(**azure_kwargs(server)))
    assert [e["provider"] for e in tracked(ai, "ai_response")] == ["azure_openai"]


def test_per_call_kwargs_work_on_patched_plain_clients(server, llm, ai):
    amplitude_ai.patch_openai(amplitude=ai)
    client = openai.OpenAI(**openai_kwargs(server))
    client.chat.completions.create(
        model="gpt-4o", messages=QUESTION, amplitude_user_id="u9", amplitude_session_id="s9"
    )
    assert "amplitude_user_id" not in llm.calls[0].body
    assert {e["user_id"] for e in ai.events} == {"u9"}


def test_patching_twice_tracks_once(server, llm, ai, session):
    amplitude_ai.patch(amplitude=ai)
    amplitude_ai.patch(amplitude=ai)
    amplitude_ai.patch_openai(amplitude=ai)
    _ask(openai.OpenAI(**openai_kwargs(server)))
    assert len(tracked(ai, "ai_response")) == 1
    amplitude_ai.unpatch()
    assert "request" not in vars(openai.OpenAI)


def test_wrap_plus_patch_tracks_once(server, llm, ai, session):
    wrapped = amplitude_ai.wrap(openai.OpenAI(**openai_kwargs(server)), amplitude=ai)
    ours = amplitude_ai.OpenAI(amplitude=ai, **openai_kwargs(server))
    amplitude_ai.patch(amplitude=ai)
    _ask(wrapped)
    _ask(ours)
    assert len(tracked(ai, "ai_response")) == 2


@pytest.mark.parametrize(
    ("factory", "expected"),
    [
        (lambda s: openai.OpenAI(**openai_kwargs(s)), "OpenAI"),
        (lambda s: openai.AsyncOpenAI(**openai_kwargs(s)), "AsyncOpenAI"),
        (lambda s: openai.AzureOpenAI(**azure_kwargs(s)), "AzureOpenAI"),
        (lambda s: openai.AsyncAzureOpenAI(**azure_kwargs(s)), "AsyncAzureOpenAI"),
        (lambda s: anthropic.Anthropic(**anthropic_kwargs(s)), "Anthropic"),
        (lambda s: anthropic.AsyncAnthropic(**anthropic_kwargs(s)), "AsyncAnthropic"),
    ],
)
def test_wrap_returns_our_subclass_sharing_the_settings(server, ai, factory, expected):
    original = factory(server)
    wrapped = amplitude_ai.wrap(original, amplitude=ai, user_id="u1")
    assert type(wrapped) is getattr(amplitude_ai, expected)
    assert isinstance(wrapped, type(original))
    assert type(original).__module__.split(".")[0] in ("openai", "anthropic")  # untouched
    assert wrapped.base_url == original.base_url
    assert wrapped.max_retries == original.max_retries
    assert wrapped._client is original._client  # same connection pool
    assert amplitude_ai.wrap(wrapped) is wrapped


def test_wrapped_client_uses_its_default_user(server, llm, ai):
    wrapped = amplitude_ai.wrap(openai.OpenAI(**openai_kwargs(server)), amplitude=ai, user_id="u5")
    wrapped.chat.completions.create(model="gpt-4o", messages=QUESTION, amplitude_session_id="s5")
    assert {e["user_id"] for e in ai.events} == {"u5"}


def test_wrap_rejects_other_objects():
    with pytest.raises(ConfigurationError, match="wrap\\(\\) supports OpenAI"):
        amplitude_ai.wrap(object())


def test_patched_async_clients_with_per_call_kwargs(server, llm, ai):
    import asyncio

    amplitude_ai.patch(amplitude=ai)

    async def scenario():
        oa = openai.AsyncOpenAI(**openai_kwargs(server))
        await oa.chat.completions.create(
            model="gpt-4o", messages=QUESTION, amplitude_user_id="ua", amplitude_session_id="sa"
        )
        stream = await oa.chat.completions.create(
            model="gpt-4o",
            messages=QUESTION,
            stream=True,
            amplitude_user_id="ua",
            amplitude_session_id="sa",
        )
        chunks = [c async for c in stream]
        an = anthropic.AsyncAnthropic(**anthropic_kwargs(server))
        async with an.messages.stream(
            model="claude-sonnet-4-6",
            max_tokens=20,
            messages=[{"role": "user", "content": "Hi"}],
            amplitude_user_id="ua",
            amplitude_session_id="sa",
        ) as helper:
            await helper.get_final_message()
        return chunks

    chunks = asyncio.run(scenario())
    assert all(c.choices for c in chunks)  # the usage chunk we asked for stays hidden
    assert not any(k.startswith("amplitude") for c in llm.calls for k in c.body)
    events = tracked(ai, "ai_response")
    assert [e["provider"] for e in events] == ["openai", "openai", "anthropic"]
    assert {e["session_id"] for e in events} == {"sa"}
    assert {e["user_id"] for e in ai.events} == {"ua"}
    if OPENAI_HAS_STREAM_OPTIONS:
        assert events[1]["output_tokens"] == 12  # usage of the stream, asked for by the wrapper
