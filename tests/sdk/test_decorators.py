"""``@tool`` and ``@observe``: what they track, and that the wrapped function is untouched."""

from __future__ import annotations

import asyncio
import inspect
import json

import pytest
from amplitude import Amplitude, Config

from amplitude_ai import AmplitudeAI, MockAmplitudeAI, current_context, observe, tool
from amplitude_ai._identity import default_session_id
from amplitude_ai.decorators import _client_for

TOOL_CALL = "[Agent] Tool Call"
SPAN = "[Agent] Span"
SESSION_END = "[Agent] Session End"
SESSION_ID = "[Agent] Session ID"
SPAN_ID = "[Agent] Span ID"
PARENT_SPAN_ID = "[Agent] Parent Span ID"
UNREACHABLE = "http://127.0.0.1:9/"


@pytest.fixture
def mock() -> MockAmplitudeAI:
    return MockAmplitudeAI()


def props(event: dict) -> dict:
    return event["event_properties"]


def json_prop(event: dict, name: str):
    return json.loads(props(event)[name])


# ---------------------------------------------------------------------------------- @tool
def test_tool_inside_a_session_joins_it(mock):
    @tool
    def lookup_order(order_id: str, verbose: bool = False) -> dict:
        return {"order": order_id, "status": "shipped"}

    with mock.agent("shop-bot").session(user_id="buyer-1") as s:
        trace = s.new_trace()
        result = lookup_order("ord-5", verbose=True)

    assert result == {"order": "ord-5", "status": "shipped"}
    event = mock.assert_event_tracked(
        TOOL_CALL,
        user_id="buyer-1",
        session_id=s.session_id,
        trace_id=trace,
        agent_id="shop-bot",
        tool_name="lookup_order",
        tool_success=True,
        is_error=False,
        turn_id=1,
    )
    assert props(event)["[Agent] Latency Ms"] >= 0
    assert json_prop(event, "[Agent] Tool Input") == {"order_id": "ord-5", "verbose": True}
    assert json_prop(event, "[Agent] Tool Output") == {"order": "ord-5", "status": "shipped"}
    assert [e["event_type"] for e in mock.events] == [TOOL_CALL, SESSION_END]


@pytest.mark.asyncio
async def test_async_tool_inside_a_session(mock):
    @tool(name="profile_fetch")
    async def fetch_profile(account: str) -> dict:
        await asyncio.sleep(0.01)
        return {"account": account, "tier": "gold"}

    async with mock.agent("shop-bot").session(user_id="buyer-2") as s:
        result = await fetch_profile(account="acc-9")

    assert result == {"account": "acc-9", "tier": "gold"}
    event = mock.assert_event_tracked(
        TOOL_CALL, session_id=s.session_id, tool_name="profile_fetch", tool_success=True
    )
    assert props(event)["[Agent] Latency Ms"] >= 10
    assert json_prop(event, "[Agent] Tool Output") == {"account": "acc-9", "tier": "gold"}


def test_tool_exception_is_tracked_and_reraised_unchanged(mock):
    failure = LookupError("no such order")

    @tool
    def lookup_order(order_id: str) -> dict:
        raise failure

    with mock.agent("shop-bot").session(user_id="buyer-3") as s:
        with pytest.raises(LookupError) as raised:
            lookup_order("ord-404")
        assert raised.value is failure

    event = mock.assert_event_tracked(
        TOOL_CALL,
        session_id=s.session_id,
        tool_success=False,
        is_error=True,
        error_message="LookupError: no such order",
    )
    assert "[Agent] Tool Output" not in props(event)
    assert json_prop(event, "[Agent] Tool Input") == {"order_id": "ord-404"}


@pytest.mark.asyncio
async def test_async_tool_exception_is_tracked_and_reraised(mock):
    failure = TimeoutError("upstream slow")

    @tool
    async def slow_call() -> None:
        raise failure

    async with mock.agent("shop-bot").session(user_id="buyer-3"):
        with pytest.raises(TimeoutError) as raised:
            await slow_call()
    assert raised.value is failure
    mock.assert_event_tracked(TOOL_CALL, tool_name="slow_call", tool_success=False, is_error=True)


def test_call_kwargs_are_consumed_and_used(mock):
    seen = {}

    @tool(amplitude=mock)
    def search_catalog(query: str, **options) -> str:
        seen.update(options)
        return "3 hits"

    result = search_catalog(
        query="boots", limit=3, amplitude_user_id="buyer-4", amplitude_session_id="sess-kw"
    )
    assert result == "3 hits"
    assert seen == {"limit": 3}  # the function never sees the amplitude_* keywords
    event = mock.assert_event_tracked(
        TOOL_CALL, user_id="buyer-4", session_id="sess-kw", tool_name="search_catalog"
    )
    assert json_prop(event, "[Agent] Tool Input") == {"query": "boots", "options": {"limit": 3}}


def test_documented_tool_form_with_only_a_user_id(mock):
    @tool(amplitude=mock)
    def search_catalog(query: str) -> str:
        return "3 hits"

    assert search_catalog(query="boots", amplitude_user_id="buyer-5") == "3 hits"
    event = mock.assert_event_tracked(TOOL_CALL, user_id="buyer-5", tool_success=True)
    # no session: the user's default session of this process
    assert props(event)[SESSION_ID] == default_session_id("buyer-5", None)


@pytest.mark.asyncio
async def test_async_tool_consumes_user_kwarg(mock):
    @tool(amplitude=mock)
    async def fetch_profile(account: str) -> str:
        return account.upper()

    assert await fetch_profile(
        account="acc", amplitude_user_id="buyer-6", amplitude_session_id="sess-a"
    ) == ("ACC")
    mock.assert_event_tracked(TOOL_CALL, user_id="buyer-6", session_id="sess-a")


def test_function_that_declares_the_kwarg_keeps_it(mock):
    @tool(amplitude=mock)
    def greet(name: str, amplitude_user_id: str | None = None) -> str:
        return f"{name}:{amplitude_user_id}"

    with mock.agent("a").session(user_id="buyer-7"):
        assert greet("x", amplitude_user_id="kept") == "x:kept"
    event = mock.assert_event_tracked(TOOL_CALL, user_id="buyer-7")
    assert json_prop(event, "[Agent] Tool Input") == {"name": "x", "amplitude_user_id": "kept"}


def test_no_client_and_no_session_is_a_plain_call(mock):
    calls = []

    @tool
    def plain(x: int) -> int:
        calls.append(x)
        return x * 2

    @observe
    def plain_span(x: int) -> int:
        return plain(x) + 1

    assert current_context() is None
    assert plain_span(4) == 9
    assert calls == [4]
    assert mock.events == []


def test_plain_call_still_raises_unchanged():
    failure = ValueError("bad")

    @tool
    def broken() -> None:
        raise failure

    with pytest.raises(ValueError, match="bad") as raised:
        broken()
    assert raised.value is failure


def test_decorators_preserve_metadata():
    @tool
    def documented(a: int) -> int:
        """Adds one."""
        return a + 1

    @observe(name="renamed")
    async def async_documented() -> None:
        """Does nothing."""

    assert documented.__name__ == "documented"
    assert documented.__doc__ == "Adds one."
    assert async_documented.__name__ == "async_documented"
    assert inspect.iscoroutinefunction(async_documented)


def test_tool_with_plain_amplitude_client(monkeypatch):
    amp = Amplitude("test-key", Config(server_url=UNREACHABLE))
    sent = []
    monkeypatch.setattr(amp, "track", sent.append)  # nothing may reach the network
    try:
        client = _client_for(amp)
        assert isinstance(client, AmplitudeAI)
        assert client.amplitude is amp
        assert _client_for(amp) is client  # one client per Amplitude instance
        assert client.status()["delivery"] == "amplitude"

        @tool(amplitude=amp)
        def ping(host: str) -> str:
            return "pong"

        assert ping("db", amplitude_user_id="ops-1", amplitude_session_id="sess-p") == "pong"
        (event,) = sent
        assert event.event_type == TOOL_CALL
        assert event.user_id == "ops-1"
        assert event.event_properties[SESSION_ID] == "sess-p"
        assert event.event_properties["[Agent] Tool Name"] == "ping"
    finally:
        amp.shutdown()


def test_client_for_passes_sdk_clients_through(mock):
    assert _client_for(mock) is mock
    assert _client_for(None) is None


def test_explicit_amplitude_wins_over_the_session_client(mock):
    other = MockAmplitudeAI()

    @tool(amplitude=other)
    def ping() -> str:
        return "pong"

    with mock.agent("a").session(user_id="buyer-8") as s:
        ping()
    assert [e["event_type"] for e in mock.events] == [SESSION_END]
    other.assert_event_tracked(TOOL_CALL, user_id="buyer-8", session_id=s.session_id)


def test_metadata_only_drops_tool_input_and_output():
    ai = MockAmplitudeAI(content_mode="metadata_only")

    @tool
    def lookup(secret: str) -> str:
        return secret[::-1]

    @observe
    def pipeline(secret: str) -> str:
        return lookup(secret)

    with ai.agent("a").session(user_id="buyer-9"):
        assert pipeline("hunter2") == "2retnuh"
    tool_event = ai.assert_event_tracked(TOOL_CALL, tool_name="lookup", tool_success=True)
    span_event = ai.assert_event_tracked(SPAN, span_name="pipeline", is_error=False)
    for name in ("[Agent] Tool Input", "[Agent] Tool Output"):
        assert name not in props(tool_event)
    for name in ("[Agent] Input State", "[Agent] Output State"):
        assert name not in props(span_event)
    assert props(span_event)["[Agent] Latency Ms"] >= 0
    assert "hunter2" not in json.dumps(ai.events)


# ------------------------------------------------------------------------------- @observe
def test_observe_inside_a_session_joins_it(mock):
    @observe
    def rank(items: list) -> list:
        return sorted(items)

    with mock.agent("ranker").session(user_id="buyer-10") as s:
        trace = s.new_trace()
        assert rank([3, 1, 2]) == [1, 2, 3]
        assert current_context().session_id == s.session_id
        assert current_context().span_id is None

    span = mock.assert_event_tracked(
        SPAN,
        user_id="buyer-10",
        session_id=s.session_id,
        trace_id=trace,
        agent_id="ranker",
        span_name="rank",
        is_error=False,
    )
    assert PARENT_SPAN_ID not in props(span)
    assert props(span)["[Agent] Latency Ms"] >= 0
    assert json_prop(span, "[Agent] Input State") == {"items": [3, 1, 2]}
    assert json_prop(span, "[Agent] Output State") == [1, 2, 3]
    assert [e["event_type"] for e in mock.events] == [SPAN, SESSION_END]  # session's own end


def test_nested_observe_links_parent_spans_in_one_session(mock):
    @observe(name="fetch-step")
    def fetch(q: str) -> str:
        return q + "!"

    @tool
    def enrich(text: str) -> str:
        return text + "?"

    @observe(amplitude=mock, user_id="buyer-11", agent_id="pipeline-agent")
    def pipeline(q: str) -> str:
        return enrich(fetch(q))

    assert current_context() is None
    assert pipeline("go") == "go!?"
    assert current_context() is None

    assert [e["event_type"] for e in mock.events] == [SPAN, TOOL_CALL, SPAN, SESSION_END]
    inner = mock.assert_event_tracked(SPAN, span_name="fetch-step")
    outer = mock.assert_event_tracked(SPAN, span_name="pipeline")
    assert props(inner)[PARENT_SPAN_ID] == props(outer)[SPAN_ID]
    assert PARENT_SPAN_ID not in props(outer)
    session_ids = {props(e)[SESSION_ID] for e in mock.events}
    traces = {props(e)["[Agent] Trace ID"] for e in mock.events}
    assert len(session_ids) == 1
    assert len(traces) == 1
    assert all(e["user_id"] == "buyer-11" for e in mock.events)
    assert all(props(e)["[Agent] Agent ID"] == "pipeline-agent" for e in mock.events)
    mock.assert_session_closed(session_ids.pop())


def test_observe_opens_and_closes_its_own_session(mock):
    @observe(amplitude=mock)
    def summarize(text: str) -> str:
        assert current_context() is not None
        return text[:5]

    assert summarize("a long document", amplitude_user_id="buyer-12") == "a lon"
    assert summarize("second run", amplitude_user_id="buyer-12") == "secon"
    assert current_context() is None

    spans = mock.events_of_type(SPAN)
    ends = mock.events_of_type(SESSION_END)
    assert len(spans) == 2
    assert len(ends) == 2
    first, second = (props(s)[SESSION_ID] for s in spans)
    assert first != second  # one session per top-level call
    for span in spans:
        assert span["user_id"] == "buyer-12"
        assert props(span)["[Agent] Agent ID"] == "summarize"  # defaults to the span name
        mock.assert_session_closed(props(span)[SESSION_ID])


def test_observe_session_id_kwarg_names_the_session(mock):
    @observe(amplitude=mock, user_id="buyer-13")
    def step() -> int:
        return 1

    assert step(amplitude_session_id="sess-named") == 1
    assert [e["event_type"] for e in mock.events_for_session("sess-named")] == [SPAN, SESSION_END]


def test_observe_exception_is_tracked_reraised_and_session_closed(mock):
    failure = RuntimeError("model refused")

    @observe(amplitude=mock, user_id="buyer-14")
    def generate() -> str:
        raise failure

    with pytest.raises(RuntimeError) as raised:
        generate()
    assert raised.value is failure
    assert current_context() is None
    span = mock.assert_event_tracked(
        SPAN, span_name="generate", is_error=True, error_message="RuntimeError: model refused"
    )
    assert "[Agent] Output State" not in props(span)
    mock.assert_session_closed(props(span)[SESSION_ID])


@pytest.mark.asyncio
async def test_async_observe_nesting_and_own_session(mock):
    @observe
    async def retrieve(q: str) -> list:
        await asyncio.sleep(0)
        return [q]

    @observe(amplitude=mock, user_id="buyer-15", name="answer")
    async def answer(q: str) -> str:
        docs = await retrieve(q)
        return ",".join(docs)

    assert await answer("faq") == "faq"
    assert current_context() is None
    inner = mock.assert_event_tracked(SPAN, span_name="retrieve")
    outer = mock.assert_event_tracked(SPAN, span_name="answer")
    assert props(inner)[PARENT_SPAN_ID] == props(outer)[SPAN_ID]
    assert props(inner)[SESSION_ID] == props(outer)[SESSION_ID]
    assert [e["event_type"] for e in mock.events] == [SPAN, SPAN, SESSION_END]


@pytest.mark.asyncio
async def test_async_observe_exception(mock):
    failure = KeyError("missing")

    @observe(amplitude=mock, user_id="buyer-16")
    async def step() -> None:
        raise failure

    with pytest.raises(KeyError) as raised:
        await step()
    assert raised.value is failure
    mock.assert_event_tracked(SPAN, span_name="step", is_error=True)
    assert len(mock.events_of_type(SESSION_END)) == 1


def test_observe_inside_session_does_not_end_it(mock):
    @observe
    def step() -> None:
        return None

    with mock.agent("a").session(user_id="buyer-17") as s:
        step()
        step()
        assert mock.events_of_type(SESSION_END) == []
    assert len(mock.events_of_type(SESSION_END)) == 1
    assert {props(e)[SESSION_ID] for e in mock.events} == {s.session_id}
