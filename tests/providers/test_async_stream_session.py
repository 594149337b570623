"""Async streams keep the session they were started in: every event of a call made inside an
agent session carries its session id and user, however the stream is read (to the end,
through a generator, broken off, via the ``.stream()`` helper, in concurrent tasks)."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from amplitude_ai import AmplitudeAI, AsyncAnthropic, AsyncOpenAI
from amplitude_ai.catalog import load_catalog
from amplitude_ai.testing import MockAmplitudeAI, fake_llm
from providers._caps import needs_chat_stream_helper

SESSION_ID = load_catalog().property_names["session_id"]
CHAT = [{"role": "user", "content": "hi"}]


async def read_to_the_end(client: AsyncOpenAI) -> None:
    stream = await client.chat.completions.create(model="gpt-4o-mini", stream=True, messages=CHAT)
    async for _ in stream:
        pass


async def through_a_generator(client: AsyncOpenAI) -> None:
    async def chunks() -> Any:
        stream = await client.chat.completions.create(
            model="gpt-4o-mini", stream=True, messages=CHAT
        )
        async for chunk in stream:
            yield chunk

    _ = [c async for c in chunks()]


async def broken_off(client: AsyncOpenAI) -> None:
    stream = await client.chat.completions.create(model="gpt-4o-mini", stream=True, messages=CHAT)
    async for _ in stream:
        break


async def stream_helper(client: AsyncOpenAI) -> None:
    async with client.chat.completions.stream(model="gpt-4o-mini", messages=CHAT) as stream:
        async for _ in stream:
            pass


async def concurrent_tasks(client: AsyncOpenAI) -> None:
    await asyncio.gather(read_to_the_end(client), read_to_the_end(client))


async def anthropic_stream(client: AsyncAnthropic) -> None:
    stream = await client.messages.create(
        model="claude-3-5-haiku-latest", max_tokens=10, stream=True, messages=CHAT
    )
    async for _ in stream:
        pass


@pytest.mark.parametrize(
    ("make", "drive"),
    [
        (AsyncOpenAI, read_to_the_end),
        (AsyncOpenAI, through_a_generator),
        (AsyncOpenAI, broken_off),
        pytest.param(AsyncOpenAI, stream_helper, marks=needs_chat_stream_helper),
        (AsyncOpenAI, concurrent_tasks),
        (AsyncAnthropic, anthropic_stream),
    ],
    ids=["to-the-end", "generator", "broken-off", "helper", "tasks", "anthropic"],
)
def test_every_event_of_an_async_stream_carries_the_session(
    monkeypatch: pytest.MonkeyPatch,
    make: Callable[..., Any],
    drive: Callable[[Any], Awaitable[None]],
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-offline")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-offline")
    ai = AmplitudeAI(api_key="k")
    with fake_llm(), MockAmplitudeAI.capture(ai) as mock:
        client = make(amplitude=ai)
        with ai.agent("streamer").session(user_id="u1") as session:
            asyncio.run(drive(client))
        gc.collect()  # a stream dropped unread reports through its finalizer
    turn = [e for e in mock.events if e["event_type"] != "[Agent] Session End"]
    assert turn and {e["event_type"] for e in turn} >= {"[Agent] AI Response"}
    assert {e["event_properties"].get(SESSION_ID) for e in turn} == {session.session_id}
    assert {e.get("user_id") for e in turn} == {"u1"}
