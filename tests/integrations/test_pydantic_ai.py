"""pydantic-ai through the OTEL bridge: pydantic-ai's own OpenTelemetry instrumentation
emits GenAI spans (chat, execute_tool, invoke_agent) that AmplitudeAgentExporter maps;
the agent runs against the local fake server through the real OpenAI client."""

from __future__ import annotations

import openai
import pytest

pytest.importorskip("pydantic_ai")

from opentelemetry.sdk.trace import TracerProvider
from pydantic_ai import Agent
from pydantic_ai.models.instrumented import InstrumentationSettings
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.providers.openai import OpenAIProvider

import amplitude_ai
from amplitude_ai.integrations.opentelemetry import AmplitudeAgentExporter
from amplitude_ai.testing import FakeReply, FakeToolCall

from ._events import tracked
from ._otel import PROCESSORS, flush_like_the_batch_worker, tracer_provider


def _agent(ai, client: openai.AsyncOpenAI, provider: TracerProvider | None = None) -> Agent:
    model = OpenAIChatModel("gpt-4o-mini", provider=OpenAIProvider(openai_client=client))
    agent = Agent(model, name="helper", instructions="Be brief.")
    agent.instrument = InstrumentationSettings(
        tracer_provider=provider or tracer_provider(AmplitudeAgentExporter(ai, user_id="u-1"))
    )

    @agent.tool_plain
    def get_weather(city: str) -> str:
        """Weather for a city."""
        return f"sunny in {city}"

    return agent


def _queue(llm) -> None:
    llm.queue(
        FakeReply("", tool_calls=(FakeToolCall("get_weather", {"city": "Oslo"}),)),
        FakeReply("It is sunny.", input_tokens=30, output_tokens=6),
    )


def test_pydantic_ai_agent_run_through_the_bridge(ai, server, llm):
    _queue(llm)
    client = openai.AsyncOpenAI(api_key="sk", base_url=server.openai_url, max_retries=0)
    result = _agent(ai, client).run_sync("Weather in Oslo?")
    assert result.output == "It is sunny."
    responses = tracked(ai, "ai_response")
    assert len(responses) == 2
    assert len(tracked(ai, "user_message")) == 1
    last = responses[-1]
    assert (last["model_name"], last["provider"], last["agent_id"]) == (
        "gpt-4o-mini",
        "openai",
        "helper",
    )
    assert (last["input_tokens"], last["output_tokens"]) == (30, 6)
    assert last["llm_message"]["text"] == "It is sunny."
    (call,) = tracked(ai, "tool_call")
    assert (call["tool_name"], call["tool_output"]) == ("get_weather", '"sunny in Oslo"')
    # The agent run around the model calls is a span, not a third response.
    (span,) = tracked(ai, "span")
    assert span["span_name"] == "invoke_agent helper"
    # pydantic-ai's conversation id groups the run.
    assert len({e["event_properties"]["[Agent] Session ID"] for e in ai.events}) == 1


@pytest.mark.parametrize("processor", PROCESSORS)
@pytest.mark.parametrize("provider_layer", ["patch", "drop-in"])
def test_provider_layer_and_bridge_report_once(ai, server, llm, provider_layer, processor):
    _queue(llm)
    options = {"api_key": "sk", "base_url": server.openai_url, "max_retries": 0}
    if provider_layer == "patch":
        amplitude_ai.patch_openai(ai)
        client = openai.AsyncOpenAI(**options)
    else:
        client = amplitude_ai.AsyncOpenAI(amplitude=ai, **options)
    provider = tracer_provider(AmplitudeAgentExporter(ai, user_id="u-1"), processor)
    with ai.agent("app").session(user_id="u-1"):
        _agent(ai, client, provider).run_sync("Weather in Oslo?")
    flush_like_the_batch_worker(provider)
    assert len(tracked(ai, "ai_response")) == 2
    assert len(tracked(ai, "user_message")) == 1
    assert len(tracked(ai, "tool_call")) == 1
