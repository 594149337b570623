"""No double counting: when the provider layer (``patch()`` or a drop-in client) and a
framework integration or the OTEL bridge observe the same provider call, exactly one
``[Agent] AI Response`` (and one ``[Agent] User Message``) is tracked.

Every pair that can co-occur is driven end to end: real framework clients, real provider
SDK clients, the local fake server; streamed and not, successful and failed. The OTEL
bridge's pairs are in ``test_otel_double_counting.py``."""

from __future__ import annotations

import asyncio
import contextvars

import httpx
import openai
import pytest

import amplitude_ai
from amplitude_ai.testing import FakeReply

from ._events import tracked

langchain_openai = pytest.importorskip("langchain_openai")


def _count(ai) -> tuple[int, int]:
    return len(tracked(ai, "user_message")), len(tracked(ai, "ai_response"))


# ----------------------------------------------------------------- LangChain x provider
def _langchain_model(server, provider_layer: str, ai):
    kwargs = {"model": "gpt-4o-mini", "api_key": "sk-test", "base_url": server.openai_url}
    if provider_layer == "patch":
        amplitude_ai.patch_openai(ai)
        # A fresh async HTTP client: LangChain's shared one is bound to a closed loop.
        return langchain_openai.ChatOpenAI(
            max_retries=0, http_async_client=httpx.AsyncClient(), **kwargs
        )
    # A drop-in client handed to LangChain (its chat.completions resources).
    sync = amplitude_ai.OpenAI(
        amplitude=ai, api_key="sk-test", base_url=server.openai_url, max_retries=0
    )
    aio = amplitude_ai.AsyncOpenAI(
        amplitude=ai, api_key="sk-test", base_url=server.openai_url, max_retries=0
    )
    return langchain_openai.ChatOpenAI(
        client=sync.chat.completions, async_client=aio.chat.completions, **kwargs
    )


@pytest.mark.parametrize("provider_layer", ["patch", "drop-in"])
@pytest.mark.parametrize("mode", ["invoke", "ainvoke", "stream", "astream"])
def test_langchain_and_provider_layer_report_once(ai, server, llm, provider_layer, mode):
    from amplitude_ai.integrations.langchain import AmplitudeCallbackHandler

    llm.reply("Once only.")
    model = _langchain_model(server, provider_layer, ai)
    handler = AmplitudeCallbackHandler(ai, user_id="u-1")
    config = {"callbacks": [handler]}
    with ai.agent("bot").session(user_id="u-1"):
        if mode == "invoke":
            model.invoke("hello", config=config)
        elif mode == "ainvoke":
            asyncio.run(model.ainvoke("hello", config=config))
        elif mode == "stream":
            assert "".join(c.content for c in model.stream("hello", config=config))
        else:

            async def consume() -> str:
                return "".join([c.content async for c in model.astream("hello", config=config)])

            assert asyncio.run(consume())
    assert _count(ai) == (1, 1), [e["event_type"] for e in ai.events]
    (reply,) = tracked(ai, "ai_response")
    # The provider layer's event wins: it has the fields only it can see.
    assert reply["is_streaming"] is mode.endswith("stream")
    assert reply["model_name"] == "gpt-4o-mini"


@pytest.mark.parametrize("provider_layer", ["patch", "drop-in"])
def test_langchain_and_provider_layer_report_a_failure_once(ai, server, llm, provider_layer):
    from amplitude_ai.integrations.langchain import AmplitudeCallbackHandler

    llm.fail(500, "down")
    model = _langchain_model(server, provider_layer, ai)
    handler = AmplitudeCallbackHandler(ai, user_id="u")
    with (
        ai.agent("bot").session(user_id="u"),
        pytest.raises(openai.InternalServerError),
    ):
        model.invoke("hello", config={"callbacks": [handler]})
    replies = tracked(ai, "ai_response")
    assert len(replies) == 1 and replies[0]["is_error"] is True


def test_langchain_alone_still_reports(ai, server, llm):
    from amplitude_ai.integrations.langchain import AmplitudeCallbackHandler

    llm.queue(FakeReply("a"), FakeReply("b"))
    model = langchain_openai.ChatOpenAI(
        model="gpt-4o-mini", api_key="sk-test", base_url=server.openai_url, max_retries=0
    )
    handler = AmplitudeCallbackHandler(ai, user_id="u")
    model.invoke("first", config={"callbacks": [handler]})
    model.invoke("second", config={"callbacks": [handler]})
    assert _count(ai) == (2, 2)


def test_a_run_of_another_provider_is_not_claimed_by_an_interleaved_call(ai, server, llm):
    """A LangChain run for a provider the SDK does not instrument stays the handler's to
    report even if, while it is open, the app makes an instrumented call of another SDK."""
    from amplitude_ai import _claims

    client = amplitude_ai.OpenAI(
        amplitude=ai, api_key="sk", base_url=server.openai_url, max_retries=0
    )

    def interleaved() -> None:
        with ai.agent("bot").session(user_id="u-1"):
            _claims.enter_run("run-anthropic", "anthropic")  # e.g. a ChatAnthropic stream
            client.chat.completions.create(
                model="gpt-4o", messages=[{"role": "user", "content": "x"}]
            )
            _claims.enter_run("run-custom", "my_custom_llm")  # unknown: may wrap any SDK
            client.chat.completions.create(
                model="gpt-4o", messages=[{"role": "user", "content": "y"}]
            )

    contextvars.copy_context().run(interleaved)  # the announced runs stay in this test
    assert not _claims.run_claimed("run-anthropic")
    assert _claims.run_claimed("run-custom")
