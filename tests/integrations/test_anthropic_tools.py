"""AmplitudeToolLoop with the real anthropic client against the local fake server."""

from __future__ import annotations

import asyncio

import anthropic
import pytest

import amplitude_ai
from amplitude_ai.integrations.anthropic_tools import AmplitudeToolLoop
from amplitude_ai.testing import FakeReply, FakeToolCall

from ._events import kinds, tracked

TOOLS = [
    {
        "name": "get_weather",
        "description": "Weather for a city",
        "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
    }
]


def _kwargs(server) -> dict:
    return {"api_key": "sk-ant-test", "base_url": server.url, "max_retries": 0}


def _queue_weather(llm) -> None:
    llm.queue(
        FakeReply("Let me check.", tool_calls=(FakeToolCall("get_weather", {"city": "SF"}),)),
        FakeReply("It is 72F in SF.", input_tokens=50, output_tokens=9),
    )


def test_loop_runs_tools_and_tracks_every_turn(ai, server, llm):
    _queue_weather(llm)
    loop = AmplitudeToolLoop(
        ai,
        client=anthropic.Anthropic(**_kwargs(server)),
        user_id="u-1",
        agent_id="weather-bot",
        tool_handlers={"get_weather": lambda city: f"72F in {city}"},
    )
    final = loop.run(
        model="claude-sonnet-4-20250514",
        max_tokens=256,
        system="Be brief.",
        messages=[{"role": "user", "content": "What's the weather in SF?"}],
        tools=TOOLS,
    )
    assert final.stop_reason == "end_turn"
    assert final.content[0].text == "It is 72F in SF."
    assert kinds(ai) == ["user_message", "ai_response", "tool_call", "ai_response"]
    first, last = tracked(ai, "ai_response")
    assert first["finish_reason"] == "tool_use" and "get_weather" in first["tool_calls"]
    assert (last["model_name"], last["provider"]) == ("claude-sonnet-4-20250514", "anthropic")
    assert (last["input_tokens"], last["output_tokens"]) == (50, 9)
    assert last["system_prompt"] == "Be brief." and last["max_output_tokens"] == 256
    (call,) = tracked(ai, "tool_call")
    assert (call["tool_name"], call["tool_success"]) == ("get_weather", True)
    assert call["parent_message_id"] == first["message_id"]
    assert "72F in SF" in call["tool_output"]
    # The second request carried the tool result back to the model.
    second_request = llm.calls[1].body["messages"]
    assert second_request[-1]["content"][0]["type"] == "tool_result"
    assert second_request[-1]["content"][0]["content"] == "72F in SF"
    session_ids = {e["event_properties"]["[Agent] Session ID"] for e in ai.events}
    assert len(session_ids) == 1
    assert all(e["agent_id"] == "weather-bot" for e in tracked(ai, "ai_response"))


def test_failing_or_unknown_tools_are_reported_to_the_model(ai, server, llm):
    llm.queue(
        FakeReply(
            "",
            tool_calls=(
                FakeToolCall("get_weather", {"city": "SF"}),
                FakeToolCall("book_flight", {"to": "NYC"}),
            ),
        ),
        FakeReply("Sorry."),
    )

    def broken(city: str) -> str:
        raise RuntimeError("weather service down")

    loop = AmplitudeToolLoop(
        ai,
        client=anthropic.Anthropic(**_kwargs(server)),
        user_id="u-2",
        tool_handlers={"get_weather": broken},
    )
    loop.run(
        model="claude-3-5-haiku-latest", max_tokens=64, messages=[{"role": "user", "content": "go"}]
    )
    calls = tracked(ai, "tool_call")
    assert [(c["tool_name"], c["tool_success"]) for c in calls] == [
        ("get_weather", False),
        ("book_flight", False),
    ]
    results = llm.calls[1].body["messages"][-1]["content"]
    assert all(r["is_error"] for r in results)
    assert "weather service down" in results[0]["content"]


def test_max_turns_bounds_the_loop(ai, server, llm):
    llm.reply("again", tool_calls=(FakeToolCall("get_weather", {"city": "SF"}),))
    loop = AmplitudeToolLoop(
        ai,
        client=anthropic.Anthropic(**_kwargs(server)),
        user_id="u-3",
        tool_handlers={"get_weather": lambda city: "sunny"},
        max_turns=2,
    )
    final = loop.run(
        model="claude-3-5-haiku-latest",
        max_tokens=64,
        messages=[{"role": "user", "content": "loop"}],
    )
    assert final.stop_reason == "tool_use"
    assert len(llm.calls) == 2 and len(tracked(ai, "ai_response")) == 2
    with pytest.raises(ValueError, match="max_turns"):
        AmplitudeToolLoop(ai, client=None, tool_handlers={}, max_turns=0)


def test_async_loop_with_async_handler_and_a_model_error(ai, server, llm):
    _queue_weather(llm)

    async def weather(city: str) -> str:
        await asyncio.sleep(0)
        return f"72F in {city}"

    async def main() -> str:
        loop = AmplitudeToolLoop(
            ai,
            client=anthropic.AsyncAnthropic(**_kwargs(server)),
            user_id="u-4",
            tool_handlers={"get_weather": weather},
        )
        final = await loop.arun(
            model="claude-3-5-haiku-latest",
            max_tokens=64,
            messages=[{"role": "user", "content": "SF?"}],
        )
        llm.fail(529, "overloaded")
        with pytest.raises(anthropic.APIStatusError):
            await loop.arun(
                model="claude-3-5-haiku-latest",
                max_tokens=64,
                messages=[{"role": "user", "content": "x"}],
            )
        return final.content[0].text

    assert asyncio.run(main()) == "It is 72F in SF."
    responses = tracked(ai, "ai_response")
    assert len(responses) == 3 and responses[-1]["is_error"] is True
    assert tracked(ai, "tool_call")[0]["tool_success"] is True


@pytest.mark.parametrize("provider_layer", ["patch", "drop-in"])
def test_instrumented_client_reports_turns_once(ai, server, llm, provider_layer):
    if provider_layer == "patch":
        amplitude_ai.patch_anthropic(ai)
        client = anthropic.Anthropic(**_kwargs(server))
    else:
        client = amplitude_ai.Anthropic(amplitude=ai, **_kwargs(server))
    _queue_weather(llm)
    loop = AmplitudeToolLoop(
        ai, client=client, user_id="u-5", tool_handlers={"get_weather": lambda city: "sunny"}
    )
    with ai.agent("bot").session(user_id="u-5"):
        loop.run(
            model="claude-3-5-haiku-latest",
            max_tokens=64,
            messages=[{"role": "user", "content": "SF?"}],
        )
        llm.fail(500, "down")
        with pytest.raises(anthropic.InternalServerError):
            loop.run(
                model="claude-3-5-haiku-latest",
                max_tokens=64,
                messages=[{"role": "user", "content": "again"}],
            )
    responses = tracked(ai, "ai_response")
    assert len(responses) == 3  # two turns + one failure, each once
    assert [r["is_error"] for r in responses] == [False, False, True]
    assert len(tracked(ai, "user_message")) == 2
    assert len(tracked(ai, "tool_call")) == 1
