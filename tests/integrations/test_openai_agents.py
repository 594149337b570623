"""AmplitudeTracingProcessor with the real OpenAI Agents SDK: agents run against the local
fake server (Responses API), with a tool, a handoff and an agent used as a tool."""

from __future__ import annotations

import asyncio

import openai
import pytest

pytest.importorskip("agents")

import agents

import amplitude_ai
from amplitude_ai.integrations.openai_agents import AmplitudeTracingProcessor
from amplitude_ai.testing import FakeReply, FakeToolCall

from ._events import tracked


@pytest.fixture
def sdk(server):
    """The Agents SDK aimed at the fake server, with no exporter of its own."""
    client = openai.AsyncOpenAI(api_key="sk-test", base_url=server.openai_url, max_retries=0)
    agents.set_default_openai_client(client, use_for_tracing=False)
    agents.set_default_openai_api("responses")
    yield client
    agents.set_trace_processors([])


@agents.function_tool
def get_weather(city: str) -> str:
    """Weather for a city."""
    return f"Sunny in {city}"


def _run(agent, prompt: str, processor) -> object:
    agents.set_trace_processors([processor])
    return agents.Runner.run_sync(agent, prompt)


def test_agent_run_with_a_tool(ai, llm, sdk):
    llm.queue(
        FakeReply("", tool_calls=(FakeToolCall("get_weather", {"city": "Oslo"}),)),
        FakeReply("It is sunny in Oslo.", input_tokens=40, output_tokens=8),
    )
    agent = agents.Agent(
        name="Weather", instructions="Be brief.", model="gpt-4o-mini", tools=[get_weather]
    )
    processor = AmplitudeTracingProcessor(ai, user_id="u-1", agent_id="weather-bot", env="test")
    with ai.agent("app").session(user_id="u-1", session_id="s-1"):
        result = _run(agent, "Weather in Oslo?", processor)
    assert result.final_output == "It is sunny in Oslo."
    responses = tracked(ai, "ai_response")
    assert len(responses) == 2
    assert len(tracked(ai, "user_message")) == 1
    first, last = responses
    assert "get_weather" in first["tool_calls"]
    assert (last["model_name"], last["provider"]) == ("gpt-4o-mini", "openai")
    assert (last["input_tokens"], last["output_tokens"]) == (40, 8)
    assert last["llm_message"]["text"] == "It is sunny in Oslo."
    assert last["system_prompt"] == "Be brief."
    (call,) = tracked(ai, "tool_call")
    assert (call["tool_name"], call["tool_success"]) == ("get_weather", True)
    assert "Sunny in Oslo" in call["tool_output"]
    for event in [*responses, call]:
        assert (event["agent_id"], event["session_id"], event["env"]) == (
            "weather-bot",
            "s-1",
            "test",
        )
    (agent_span,) = tracked(ai, "span")
    assert agent_span["span_name"] == "Weather"


def test_handoff_makes_a_child_agent(ai, llm, sdk):
    billing = agents.Agent(name="Billing", instructions="Refunds.", model="gpt-4o-mini")
    triage = agents.Agent(
        name="Triage", instructions="Route.", model="gpt-4o-mini", handoffs=[billing]
    )
    llm.queue(
        FakeReply("", tool_calls=(FakeToolCall("transfer_to_billing", {}),)),
        FakeReply("Your refund is on its way."),
    )
    processor = AmplitudeTracingProcessor(ai, user_id="u-2")
    result = _run(triage, "I want a refund", processor)
    assert result.final_output == "Your refund is on its way."
    triage_reply, billing_reply = tracked(ai, "ai_response")
    assert triage_reply["agent_id"] == "Triage" and "parent_agent_id" not in triage_reply
    assert (billing_reply["agent_id"], billing_reply["parent_agent_id"]) == ("Billing", "Triage")
    names = [s["span_name"] for s in tracked(ai, "span")]
    assert "handoff Triage -> Billing" in names and "Billing" in names
    # Without a session the trace groups the events.
    assert len({e["event_properties"]["[Agent] Session ID"] for e in ai.events}) == 1


def test_agent_as_tool_is_a_child_of_the_caller(ai, llm, sdk):
    translator = agents.Agent(name="Translator", instructions="Translate.", model="gpt-4o-mini")
    lead = agents.Agent(
        name="Lead",
        instructions="Delegate.",
        model="gpt-4o-mini",
        tools=[translator.as_tool(tool_name="translate", tool_description="Translate text")],
    )
    llm.queue(
        FakeReply("", tool_calls=(FakeToolCall("translate", {"input": "hello"}),)),
        FakeReply("bonjour"),
        FakeReply("It is 'bonjour'."),
    )
    processor = AmplitudeTracingProcessor(ai, user_id="u-3", agent_id="lead-bot")
    assert _run(lead, "Translate hello", processor).final_output == "It is 'bonjour'."
    by_agent = {(r["agent_id"], r.get("parent_agent_id")) for r in tracked(ai, "ai_response")}
    assert by_agent == {("lead-bot", None), ("Translator", "lead-bot")}


def test_model_error_and_async_streamed_run(ai, llm, server, sdk):
    agent = agents.Agent(name="Plain", instructions="Hi.", model="gpt-4o-mini")
    processor = AmplitudeTracingProcessor(ai, user_id="u-4")
    agents.set_trace_processors([processor])
    llm.fail(400, "bad request")
    with pytest.raises(openai.BadRequestError):
        agents.Runner.run_sync(agent, "hi")
    (failed,) = tracked(ai, "ai_response")
    assert failed["is_error"] is True and "bad request" in failed["error_message"]

    async def streamed() -> str:
        # A client of this event loop (the one above belongs to run_sync's loop).
        agents.set_default_openai_client(
            openai.AsyncOpenAI(api_key="sk", base_url=server.openai_url, max_retries=0),
            use_for_tracing=False,
        )
        run = agents.Runner.run_streamed(agent, "stream please")
        async for _ in run.stream_events():
            pass
        return run.final_output

    llm.reply("streamed answer")
    assert asyncio.run(streamed()) == "streamed answer"
    assert tracked(ai, "ai_response")[-1]["llm_message"]["text"] == "streamed answer"


def test_chat_completions_model_generation_spans(ai, llm, sdk):
    agents.set_default_openai_api("chat_completions")
    llm.reply("Hello there.", input_tokens=21, output_tokens=3)
    agent = agents.Agent(name="Chatty", instructions="Greet.", model="gpt-4o-mini")
    processor = AmplitudeTracingProcessor(ai, user_id="u-6")
    assert _run(agent, "hi", processor).final_output == "Hello there."
    (reply,) = tracked(ai, "ai_response")
    assert (reply["model_name"], reply["input_tokens"], reply["output_tokens"]) == (
        "gpt-4o-mini",
        21,
        3,
    )
    assert reply["llm_message"]["text"] == "Hello there."
    assert reply["agent_id"] == "Chatty"
    assert tracked(ai, "user_message")[0]["llm_message"]["text"] == "hi"


@pytest.mark.parametrize("api", ["responses", "chat_completions"])
@pytest.mark.parametrize("provider_layer", ["patch", "drop-in"])
def test_provider_layer_and_processor_report_once(ai, llm, server, provider_layer, api):
    if provider_layer == "patch":
        amplitude_ai.patch_openai(ai)
        client = openai.AsyncOpenAI(api_key="sk", base_url=server.openai_url, max_retries=0)
    else:
        client = amplitude_ai.AsyncOpenAI(
            amplitude=ai, api_key="sk", base_url=server.openai_url, max_retries=0
        )
    agents.set_default_openai_client(client, use_for_tracing=False)
    agents.set_default_openai_api(api)
    try:
        agent = agents.Agent(name="Solo", instructions="Hi.", model="gpt-4o-mini")
        with ai.agent("app").session(user_id="u-5"):
            _run(agent, "hello", AmplitudeTracingProcessor(ai))
    finally:
        agents.set_trace_processors([])
    assert len(tracked(ai, "ai_response")) == 1
    assert len(tracked(ai, "user_message")) == 1
    assert len(tracked(ai, "span")) == 1  # the processor still adds the agent structure
