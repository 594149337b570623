"""The offline fake LLM for users' tests: intercepts real clients created anywhere."""

from __future__ import annotations

import asyncio
import importlib

import anthropic
import openai
import pytest

import amplitude_ai
from amplitude_ai.catalog import load_catalog
from amplitude_ai.testing import FakeReply, FakeToolCall, MockAmplitudeAI, fake_llm
from providers._caps import (
    HAS_HTTPX2,
    needs_anthropic_stream_helper,
    needs_responses,
    needs_stream_options,
)

# The HTTP library the installed SDK releases send through.
http_lib = importlib.import_module("httpx2" if HAS_HTTPX2 else "httpx")


def app_answer(question: str) -> str:
    """Application code the test does not control: it builds its own client (default
    base URL, i.e. the real API host) and would need the network without the fake."""
    client = openai.OpenAI(api_key="sk-live-looking")
    reply = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": question}]
    )
    return reply.choices[0].message.content


def test_answers_clients_the_test_never_saw():
    with fake_llm("Retention is returning users.") as llm:
        assert app_answer("What is retention?") == "Retention is returning users."
    assert llm.calls[0].model == "gpt-4o"
    assert llm.calls[0].body["messages"][0]["content"] == "What is retention?"


def test_clients_created_before_the_block_are_answered_too():
    client = anthropic.Anthropic(api_key="k")
    with fake_llm("Hi") as llm:
        message = client.messages.create(
            model="claude-sonnet-4-6", max_tokens=10, messages=[{"role": "user", "content": "x"}]
        )
    assert message.content[0].text == "Hi"
    assert llm.calls[0].provider == "anthropic"


def test_replies_per_model_and_per_call_then_default():
    with fake_llm("default") as llm:
        llm.reply("mini says hi", model="gpt-4o-mini")
        llm.queue("first", FakeReply(text="second"))
        client = openai.OpenAI(api_key="k")

        def ask(model):
            reply = client.chat.completions.create(
                model=model, messages=[{"role": "user", "content": "?"}]
            )
            return reply.choices[0].message.content

        assert [ask("gpt-4o"), ask("gpt-4o"), ask("gpt-4o-mini"), ask("gpt-4o")] == [
            "first",
            "second",
            "mini says hi",
            "default",
        ]
    assert len(llm.calls_for("chat")) == 4


def test_errors_surface_as_the_sdks_exceptions():
    with fake_llm() as llm:
        llm.fail(429, "slow down")
        with pytest.raises(openai.RateLimitError, match="slow down"):
            app_answer("?")  # default retries are not taken: x-should-retry is false
        assert app_answer("?") == FakeReply().text


@needs_stream_options
@needs_responses
@needs_anthropic_stream_helper
def test_streams_with_usage_for_every_provider_sync_and_async():
    reply = FakeReply("streamed answer", tool_calls=(FakeToolCall("search", {"q": "x"}),))

    async def async_calls():
        oa = openai.AsyncOpenAI(api_key="k")
        chunks = [
            c
            async for c in await oa.chat.completions.create(
                model="gpt-4o",
                messages=[{"role": "user", "content": "?"}],
                stream=True,
                stream_options={"include_usage": True},
            )
        ]
        az = openai.AsyncAzureOpenAI(
            api_key="k", azure_endpoint="https://example.openai.azure.com", api_version="2024-10-21"
        )
        events = [
            e async for e in await az.responses.create(model="gpt-4o", input="?", stream=True)
        ]
        an = anthropic.AsyncAnthropic(api_key="k")
        async with an.messages.stream(
            model="claude-sonnet-4-6", max_tokens=10, messages=[{"role": "user", "content": "?"}]
        ) as stream:
            final = await stream.get_final_message()
        return chunks, events, final

    with fake_llm(reply):
        chunks, events, final = asyncio.run(async_calls())
        sync_chunks = list(
            openai.OpenAI(api_key="k").chat.completions.create(
                model="gpt-4o", messages=[{"role": "user", "content": "?"}], stream=True
            )
        )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "streamed answer"
    assert chunks[-1].usage.total_tokens == reply.total_tokens
    tool = next(c for c in chunks if c.choices and c.choices[0].delta.tool_calls)
    assert tool.choices[0].delta.tool_calls[0].function.name == "search"
    assert events[-1].type == "response.completed"
    assert events[-1].response.output_text == "streamed answer"
    assert final.usage.output_tokens == reply.output_tokens
    assert [b.type for b in final.content] == ["text", "tool_use"]
    assert all(c.usage is None for c in sync_chunks)  # usage only when asked for


def test_verification_style_patch_plus_fake_plus_mock():
    """What a generated verification test does: patch, fake the LLM, run the app, check."""
    mock = MockAmplitudeAI()
    amplitude_ai.patch(amplitude=mock)
    try:
        with fake_llm("ok"), mock.agent("bot").session(user_id="u1"):
            app_answer("Does tracking work?")
    finally:
        amplitude_ai.unpatch()
    ai_response = load_catalog().event_names["ai_response"]
    mock.assert_event_tracked(ai_response, model_name="gpt-4o", provider="openai")
    mock.assert_all_valid()


def test_other_http_traffic_is_not_intercepted(server):
    with fake_llm() as llm, http_lib.Client() as http:
        response = http.get(f"{server.url}/health")
    assert response.status_code == 501  # the real local server's answer (no GET handler)
    assert llm.calls == []


def test_transports_are_restored_and_blocks_nest():
    original = http_lib.HTTPTransport.handle_request
    with fake_llm("outer") as outer:
        with fake_llm("inner"):
            assert app_answer("?") == "inner"
        assert app_answer("?") == "outer"
        assert len(outer.calls) == 1
    assert http_lib.HTTPTransport.handle_request is original


def test_pytest_fixture(amplitude_ai_fake_llm):
    amplitude_ai_fake_llm.reply("from the fixture")
    assert app_answer("?") == "from the fixture"
