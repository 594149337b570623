"""LiteLLM through the real ``litellm`` package against the local server: completion and
acompletion (plain and streamed) on LiteLLM's OpenAI route (the openai SDK underneath) and
its Anthropic route (LiteLLM's own HTTP client), embedding/aembedding, errors, identity from
the session and from ``metadata``, cost, patch_litellm()/patch()/unpatch(), exactly one
event when the openai SDK underneath is instrumented too, and fake_llm() without a server.

LiteLLM reports to its callbacks after the call returned (on a worker thread for sync
calls, on the event loop for async ones), so the tests wait for the events to arrive.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time

import pytest

# LiteLLM fetches its model cost map from the internet at import unless told not to.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
litellm = pytest.importorskip("litellm")

import amplitude_ai  # noqa: E402
from amplitude_ai import calculate_cost  # noqa: E402
from amplitude_ai.integrations.litellm import AmplitudeLiteLLMCallback  # noqa: E402
from amplitude_ai.providers import _litellm_registration  # noqa: E402
from amplitude_ai.testing import FakeReply, FakeToolCall, MockAmplitudeAI, fake_llm  # noqa: E402
from providers._helpers import tracked  # noqa: E402

OPENAI_MODEL = "gpt-4o-mini"
ANTHROPIC_MODEL = "claude-3-5-haiku-20241022"
REPLY = FakeReply(
    text="A cohort is a group of users.",
    tool_calls=(FakeToolCall("get_chart", {"type": "cohort"}, id="call00001"),),
    input_tokens=900,
    output_tokens=60,
)
MESSAGES = [
    {"role": "system", "content": "You are concise."},
    {"role": "user", "content": "What is a cohort?"},
]
ROUTES = ("openai", "anthropic")


def _call(server, route: str) -> dict:
    """litellm.completion kwargs for one route, aimed at the local server."""
    if route == "openai":
        target = {"model": f"openai/{OPENAI_MODEL}", "api_base": server.openai_url}
    else:
        target = {"model": f"anthropic/{ANTHROPIC_MODEL}", "api_base": server.url}
    return {
        **target,
        "api_key": "sk-test",
        "messages": MESSAGES,
        "temperature": 0.3,
        "max_tokens": 200,
        "num_retries": 0,
    }


def _wait(ai: MockAmplitudeAI, kind: str, n: int = 1, timeout: float = 20.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = tracked(ai, kind)
        if len(found) >= n:
            time.sleep(0.2)  # a second (double-counted) event would arrive by now
            return tracked(ai, kind)
        time.sleep(0.02)
    return tracked(ai, kind)


async def _await(ai: MockAmplitudeAI, kind: str, n: int = 1, timeout: float = 20.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(tracked(ai, kind)) >= n:
            await asyncio.sleep(0.2)
            return tracked(ai, kind)
        await asyncio.sleep(0.02)
    return tracked(ai, kind)


@pytest.fixture
def callback(ai):
    amplitude_ai.patch_litellm(ai)
    [registered] = _litellm_registration.registered()
    assert registered in litellm.callbacks
    yield registered
    amplitude_ai.unpatch()


def _check(event, route, *, streaming, session):
    model = OPENAI_MODEL if route == "openai" else ANTHROPIC_MODEL
    assert event["provider"] == route
    assert event["model_name"] == model
    assert event["llm_message"] == {"text": REPLY.text}
    [tool_call] = json.loads(event["tool_calls"])
    assert tool_call["name"] == "get_chart"
    assert json.loads(tool_call["arguments"]) == {"type": "cohort"}
    assert event["finish_reason"] == "tool_calls"
    assert event["system_prompt"] == "You are concise."
    assert event["temperature"] == 0.3 and event["max_output_tokens"] == 200
    assert event["is_streaming"] is streaming
    assert event["session_id"] == session.session_id
    assert event["latency_ms"] > 0
    assert event["output_tokens"] > 0 and event["input_tokens"] > 0
    # genai-prices knows both models: its price of the reported tokens wins.
    expected = calculate_cost(
        model, route, input_tokens=event["input_tokens"], output_tokens=event["output_tokens"]
    )
    assert expected and event["cost_usd"] == pytest.approx(expected)
    if streaming:
        assert 0 < event["ttfb_ms"] <= event["latency_ms"]
    else:
        assert event.get("ttfb_ms") is None


@pytest.mark.parametrize("route", ROUTES)
def test_completion(server, llm, ai, session, callback, route):
    llm.queue(REPLY)
    response = litellm.completion(**_call(server, route))
    assert response.choices[0].message.content == REPLY.text
    [event] = _wait(ai, "ai_response")
    _check(event, route, streaming=False, session=session)
    assert event["input_tokens"] == 900 and event["output_tokens"] == 60
    [user] = tracked(ai, "user_message")
    assert user["llm_message"] == {"text": "What is a cohort?"}
    assert user["session_id"] == session.session_id


@pytest.mark.parametrize("route", ROUTES)
def test_stream(server, llm, ai, session, callback, route):
    llm.queue(REPLY)
    chunks = list(litellm.completion(**_call(server, route), stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == REPLY.text
    [event] = _wait(ai, "ai_response")
    _check(event, route, streaming=True, session=session)


@pytest.mark.parametrize("route", ROUTES)
def test_acompletion_and_async_stream(server, llm, ai, session, callback, route):
    llm.queue(REPLY, REPLY)

    async def main():
        response = await litellm.acompletion(**_call(server, route))
        assert response.choices[0].message.content == REPLY.text
        await _await(ai, "ai_response")
        stream = await litellm.acompletion(**_call(server, route), stream=True)
        text = "".join([c.choices[0].delta.content or "" async for c in stream])
        assert text == REPLY.text
        return await _await(ai, "ai_response", 2)

    first, second = asyncio.run(main())
    _check(first, route, streaming=False, session=session)
    _check(second, route, streaming=True, session=session)


def test_embedding_and_aembedding(server, llm, ai, session, callback):
    kwargs = {
        "model": "openai/text-embedding-3-small",
        "input": ["retention", "cohorts"],
        "api_base": server.openai_url,
        "api_key": "sk-test",
    }
    litellm.embedding(**kwargs)
    [event] = _wait(ai, "embedding")

    async def main():
        await litellm.aembedding(**kwargs)
        return await _await(ai, "embedding", 2)

    _, async_event = asyncio.run(main())
    for e in (event, async_event):
        assert e["provider"] == "openai" and e["model_name"] == "text-embedding-3-small"
        assert e["input_tokens"] > 0 and e["embedding_dimensions"] == 8
        assert e["session_id"] == session.session_id
        assert e["cost_usd"] > 0 and e["latency_ms"] > 0
    assert tracked(ai, "ai_response") == []


def _responses_model_is_strict() -> bool:
    """Older LiteLLM releases require Responses fields (``max_output_tokens``, ...) that
    the fake's minimal Responses body leaves out."""
    try:
        from litellm.types.llms.openai import ResponsesAPIResponse
    except ImportError:
        return True
    field = ResponsesAPIResponse.model_fields.get("max_output_tokens")
    return field is not None and field.is_required()


def _check_plain(event, session):
    assert event["provider"] == "openai" and event["model_name"] == OPENAI_MODEL
    assert event["llm_message"] == {"text": REPLY.text}
    assert event["input_tokens"] == 900 and event["output_tokens"] == 60
    assert event["session_id"] == session.session_id


def test_text_completion(server, llm, ai, session, callback):
    llm.queue(REPLY)
    common = {"api_base": server.openai_url, "api_key": "sk-test"}
    litellm.text_completion(model=f"openai/{OPENAI_MODEL}", prompt="What is a cohort?", **common)
    [event] = _wait(ai, "ai_response")
    _check_plain(event, session)


@pytest.mark.skipif(
    not hasattr(litellm, "responses") or _responses_model_is_strict(),
    reason="no litellm.responses, or one that needs fields the fake does not send",
)
def test_responses(server, llm, ai, session, callback):
    llm.queue(REPLY)
    common = {"api_base": server.openai_url, "api_key": "sk-test"}
    litellm.responses(model=f"openai/{OPENAI_MODEL}", input="What is a cohort?", **common)
    [event] = _wait(ai, "ai_response")
    _check_plain(event, session)
    assert [c.surface for c in llm.calls] == ["responses"]


@pytest.mark.parametrize("route", ROUTES)
def test_errors_are_tracked_and_raised_unchanged(server, llm, ai, session, callback, route):
    llm.fail(429, "slow down")
    with pytest.raises(litellm.RateLimitError) as raised:
        litellm.completion(**_call(server, route))
    [event] = _wait(ai, "ai_response")
    assert event["is_error"] is True
    assert "slow down" in event["error_message"] and "RateLimitError" in event["error_message"]
    assert event["provider"] == route and event["session_id"] == session.session_id
    assert raised.value.status_code == 429

    llm.fail(500, "upstream broke")

    async def main():
        # LiteLLM releases map a 500 to InternalServerError or to APIError.
        with pytest.raises((litellm.InternalServerError, litellm.APIError)):
            await litellm.acompletion(**_call(server, route))
        return await _await(ai, "ai_response", 2)

    _, async_event = asyncio.run(main())
    assert async_event["is_error"] is True and "upstream broke" in async_event["error_message"]


def _remove_everywhere(callback) -> None:
    """LiteLLM copies ``litellm.callbacks`` entries into its other lists (and then skips
    later instances of the same class): take a hand-registered callback out of all."""
    for name in _litellm_registration._CALLBACK_LISTS:
        entries = getattr(litellm, name, None)
        if isinstance(entries, list):
            entries[:] = [e for e in entries if e is not callback]


def test_identity_from_metadata_and_defaults(server, llm, ai):
    callback = AmplitudeLiteLLMCallback(ai, agent_id="router-bot", env="test")
    litellm.callbacks.append(callback)
    try:
        llm.queue(REPLY)
        litellm.completion(
            **_call(server, "openai"),
            metadata={"amplitude_user_id": "user-9", "amplitude_session_id": "s-9"},
        )
        [event] = _wait(ai, "ai_response")
    finally:
        _remove_everywhere(callback)
    record = ai.events_of_type("[Agent] AI Response")[0]
    assert record["user_id"] == "user-9"
    assert event["session_id"] == "s-9"
    assert event["agent_id"] == "router-bot" and event["env"] == "test"


def test_litellm_cost_is_used_when_genai_prices_does_not_know_the_model(server, llm, ai, callback):
    llm.queue(REPLY)
    response = litellm.completion(
        **{**_call(server, "openai"), "model": "openai/acme-internal-7b"},
        input_cost_per_token=0.001,
        output_cost_per_token=0.002,
    )
    [event] = _wait(ai, "ai_response")
    assert calculate_cost("acme-internal-7b", "openai", input_tokens=900, output_tokens=60) is None
    assert event["model_name"] == "acme-internal-7b"
    assert event["cost_usd"] == pytest.approx(900 * 0.001 + 60 * 0.002)
    assert response._hidden_params["response_cost"] == pytest.approx(event["cost_usd"])


# ----------------------------------------------------------------- patch / unpatch


def test_patch_unpatch_round_trip(server, llm, ai):
    before = {name: list(getattr(litellm, name, [])) for name in ("callbacks", "success_callback")}
    amplitude_ai.patch_litellm(ai)
    amplitude_ai.patch_litellm(ai)  # again: replaces, never stacks
    assert len([c for c in litellm.callbacks if isinstance(c, AmplitudeLiteLLMCallback)]) == 1
    llm.queue(REPLY)
    litellm.completion(**_call(server, "anthropic"))
    assert len(_wait(ai, "ai_response")) == 1
    amplitude_ai.unpatch()
    for name in ("callbacks", "success_callback", "failure_callback", "_async_success_callback"):
        entries = getattr(litellm, name, [])
        assert not [c for c in entries if isinstance(c, AmplitudeLiteLLMCallback)], name
    assert {n: list(getattr(litellm, n, [])) for n in before} == before
    ai.reset()
    llm.queue(REPLY)
    litellm.completion(**_call(server, "anthropic"))
    time.sleep(0.5)
    assert ai.events == []


def test_patch_registers_the_callback_and_reports_litellm():
    result = amplitude_ai.patch(MockAmplitudeAI())
    assert "litellm" in result
    assert len(_litellm_registration.registered()) == 1  # litellm is imported: at once
    amplitude_ai.unpatch()
    assert _litellm_registration.registered() == []


def test_patch_waits_for_the_app_to_import_litellm(tmp_path):
    """In a fresh interpreter patch() does not import LiteLLM; importing it registers."""
    code = (
        "import sys, amplitude_ai\n"
        "from amplitude_ai.testing import MockAmplitudeAI\n"
        "amplitude_ai.patch(MockAmplitudeAI())\n"
        "assert 'litellm' not in sys.modules\n"
        "import litellm\n"
        "from amplitude_ai.integrations.litellm import AmplitudeLiteLLMCallback as C\n"
        "print(sum(isinstance(c, C) for c in litellm.callbacks))\n"
        "amplitude_ai.unpatch()\n"
        "print(sum(isinstance(c, C) for c in litellm.callbacks))\n"
    )
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["1", "0"]


# ----------------------------------------------------------- exactly one event


def _sync_calls(server):
    kwargs = _call(server, "openai")
    embed = {
        "model": "openai/text-embedding-3-small",
        "input": ["x"],
        "api_base": server.openai_url,
        "api_key": "sk-test",
    }
    return {
        "completion": lambda: litellm.completion(**kwargs),
        "stream": lambda: list(litellm.completion(**kwargs, stream=True)),
        "embedding": lambda: litellm.embedding(**embed),
    }, embed


@pytest.mark.parametrize("surface", ["completion", "stream", "embedding", "error"])
def test_one_event_with_patch_underneath(server, llm, ai, session, surface):
    """patch() instruments the openai SDK LiteLLM calls, and registers the callback too:
    the provider layer reports, the callback stays silent."""
    amplitude_ai.patch(ai)
    calls, _ = _sync_calls(server)
    kind = "embedding" if surface == "embedding" else "ai_response"
    if surface == "error":
        llm.fail(429, "slow down")
        with pytest.raises(litellm.RateLimitError):
            litellm.completion(**_call(server, "openai"))
    else:
        llm.queue(REPLY)
        calls[surface]()
    events = _wait(ai, kind)
    assert len(events) == 1, events
    assert events[0]["provider"] == "openai"


@pytest.mark.parametrize("surface", ["completion", "stream", "embedding", "error"])
def test_one_event_with_patch_underneath_async(server, llm, ai, session, surface):
    amplitude_ai.patch(ai)
    _, embed = _sync_calls(server)
    kind = "embedding" if surface == "embedding" else "ai_response"

    async def main():
        kwargs = _call(server, "openai")
        if surface == "completion":
            llm.queue(REPLY)
            await litellm.acompletion(**kwargs)
        elif surface == "stream":
            llm.queue(REPLY)
            stream = await litellm.acompletion(**kwargs, stream=True)
            [c async for c in stream]
        elif surface == "embedding":
            await litellm.aembedding(**embed)
        else:
            llm.fail(429, "slow down")
            with pytest.raises(litellm.RateLimitError):
                await litellm.acompletion(**kwargs)
        return await _await(ai, kind)

    events = asyncio.run(main())
    assert len(events) == 1, events


def test_one_event_with_a_drop_in_client_passed_to_litellm(server, llm, ai, session, callback):
    client = amplitude_ai.OpenAI(amplitude=ai, api_key="sk-test", base_url=server.openai_url)
    llm.queue(REPLY, REPLY)
    litellm.completion(**_call(server, "openai"), client=client)
    assert len(_wait(ai, "ai_response")) == 1
    list(litellm.completion(**_call(server, "openai"), client=client, stream=True))
    events = _wait(ai, "ai_response", 2)
    assert len(events) == 2, events
    litellm.embedding(
        model="openai/text-embedding-3-small", input=["x"], api_key="k", client=client
    )
    assert len(_wait(ai, "embedding")) == 1


def test_anthropic_route_is_reported_by_the_callback_even_with_patch(server, llm, ai, session):
    """LiteLLM's Anthropic route does not use the anthropic SDK: patch()'s anthropic hook
    never sees it, the callback reports it."""
    amplitude_ai.patch(ai)
    llm.queue(REPLY)
    litellm.completion(**_call(server, "anthropic"))
    [event] = _wait(ai, "ai_response")
    assert event["provider"] == "anthropic"


# ---------------------------------------------------------------- fake_llm, offline


def test_fake_llm_answers_litellm_without_a_server(ai, monkeypatch):
    """Default endpoints (api.openai.com, api.anthropic.com), no server: fake_llm answers
    LiteLLM's openai-SDK route and its own HTTP client, sync and async, streams, tool calls
    and errors."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-fake")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-fake")
    amplitude_ai.patch_litellm(ai)
    with fake_llm(REPLY) as llm:
        for model in (f"openai/{OPENAI_MODEL}", f"anthropic/{ANTHROPIC_MODEL}"):
            reply = litellm.completion(model=model, messages=MESSAGES)
            assert reply.choices[0].message.tool_calls[0].function.name == "get_chart"
            text = "".join(
                c.choices[0].delta.content or ""
                for c in litellm.completion(model=model, messages=MESSAGES, stream=True)
            )
            assert text == REPLY.text

        async def main():
            reply = await litellm.acompletion(
                model=f"anthropic/{ANTHROPIC_MODEL}", messages=MESSAGES
            )
            assert reply.choices[0].message.content == REPLY.text
            llm.fail(529, "overloaded")
            with pytest.raises(litellm.InternalServerError):
                await litellm.acompletion(
                    model=f"anthropic/{ANTHROPIC_MODEL}", messages=MESSAGES, num_retries=0
                )
            return await _await(ai, "ai_response", 6)

        events = asyncio.run(main())
    assert [c.provider for c in llm.calls] == ["openai", "openai"] + ["anthropic"] * 4
    assert len(events) == 6
    assert sorted(e.get("is_error", False) for e in events) == [False] * 5 + [True]


# ------------------------------------------------------- through amplitude-analytics


def test_events_reach_amplitude_through_the_real_client(server, llm):
    """The callback's events go through amplitude-analytics to the local capture server."""
    from amplitude_ai import AIConfig, AmplitudeAI
    from amplitude_ai.catalog import load_catalog, validate_event
    from support.capture_server import CaptureServer

    names = load_catalog().event_names
    with CaptureServer() as capture:
        ai = AmplitudeAI(api_key="test-key", config=AIConfig(server_url=capture.url))
        amplitude_ai.patch_litellm(ai)
        llm.queue(REPLY, REPLY)
        with ai.agent("concierge").session(user_id="guest-7"):
            litellm.completion(**_call(server, "anthropic"))
            list(litellm.completion(**_call(server, "openai"), stream=True))
            [callback] = _litellm_registration.registered()
            assert callback.wait_for_pending(timeout=20)
        amplitude_ai.unpatch()
        ai.shutdown(timeout=20)  # delivers everything buffered
        events = capture.events()
    responses = [e for e in events if e["event_type"] == names["ai_response"]]
    assert len(responses) == 2
    props = [e["event_properties"] for e in responses]
    assert sorted(p["[Agent] Provider"] for p in props) == ["anthropic", "openai"]
    assert {e["user_id"] for e in responses} == {"guest-7"}
    assert all(p["[Agent] Cost USD"] > 0 for p in props)
    for event in events:
        problems = validate_event(
            event["event_type"],
            event["event_properties"],
            user_id=event.get("user_id"),
            device_id=event.get("device_id"),
        )
        assert problems == [], problems


def test_litellm_does_no_network_at_import_or_call_time_inside_fake_llm():
    """A fresh interpreter that records every non-loopback connection or name lookup:
    importing LiteLLM inside fake_llm() (cost map) and calling it (sync, async, stream,
    Anthropic route, embeddings) reaches nothing outside the machine."""
    code = """
import asyncio, os, socket
attempts = []
real_connect, real_lookup = socket.socket.connect, socket.getaddrinfo
LOCAL = ("127.0.0.1", "::1", "localhost")
def connect(self, address):
    if isinstance(address, tuple) and address[0] not in LOCAL:
        attempts.append(address[0])
        raise OSError("offline")
    return real_connect(self, address)
def lookup(host, *args, **kwargs):
    if host not in LOCAL:
        attempts.append(host)
        raise OSError("offline")
    return real_lookup(host, *args, **kwargs)
socket.socket.connect, socket.getaddrinfo = connect, lookup
os.environ.pop("LITELLM_LOCAL_MODEL_COST_MAP", None)
os.environ.update(OPENAI_API_KEY="sk-fake", ANTHROPIC_API_KEY="sk-ant-fake")
import amplitude_ai
from amplitude_ai.testing import MockAmplitudeAI, fake_llm
with fake_llm("offline answer"):
    import litellm
    amplitude_ai.patch_litellm(MockAmplitudeAI())
    messages = [{"role": "user", "content": "hi"}]
    for model in ("openai/gpt-4o-mini", "anthropic/claude-3-5-haiku-20241022"):
        litellm.completion(model=model, messages=messages)
        list(litellm.completion(model=model, messages=messages, stream=True))
    litellm.embedding(model="openai/text-embedding-3-small", input=["x"])
    async def main():
        await litellm.acompletion(model="anthropic/claude-3-5-haiku-20241022", messages=messages)
        await asyncio.sleep(0.2)
    asyncio.run(main())
    for callback in litellm.callbacks:
        callback.wait_for_pending(10)
print("attempts:", sorted(set(attempts)))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "attempts: []" in out.stdout, out.stdout[-2000:]


def test_a_call_litellm_never_reported_is_named_at_exit():
    """asyncio.run() returning right after a non-streamed acompletion cancels LiteLLM's
    logging task: the event is lost inside LiteLLM, and the SDK says so at exit."""
    code = """
import asyncio, os
os.environ.update(OPENAI_API_KEY="sk-fake")
import amplitude_ai
from amplitude_ai.testing import MockAmplitudeAI, fake_llm
with fake_llm("hi"):
    import litellm
    ai = MockAmplitudeAI()
    amplitude_ai.patch_litellm(ai)
    messages = [{"role": "user", "content": "hi"}]
    asyncio.run(litellm.acompletion(model="openai/gpt-4o-mini", messages=messages))
print("events:", len(ai.events))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "events: 0" in out.stdout
    assert "1 LiteLLM call(s) were never reported" in out.stderr
