"""End-to-end delivery: the real ``amplitude-analytics`` client against a local capture server.

Nothing is mocked: ``AmplitudeAI`` hands events to ``amplitude.Amplitude``, which batches
them and POSTs them to ``CaptureServer`` over HTTP exactly as it would to Amplitude's
HTTP V2 API. The assertions are on what arrived on the wire.
"""

from __future__ import annotations

import json
import logging
from collections import Counter

import pytest
from amplitude import BaseEvent
from amplitude import constants as amp_constants

import amplitude_ai
from amplitude_ai import AIConfig, AmplitudeAI, SessionEnrichments
from amplitude_ai.catalog import load_catalog
from support.capture_server import CaptureServer

pytestmark = pytest.mark.usefixtures("clean_ai_env")

USER = "user-12345"
SESSION = "sess-00001"
LONG_TEXT = "".join(
    f"Paragraph {i}: the export button is under the chart menu. " for i in range(90)
)
SYSTEM_PROMPT = "You are a careful support agent. " * 100  # 3,300 characters
SDK_EVENT_TYPES = {
    "[Agent] User Message",
    "[Agent] AI Response",
    "[Agent] Tool Call",
    "[Agent] Embedding",
    "[Agent] Span",
    "[Agent] Score",
    "[Agent] Session Enrichment",
    "[Agent] Session End",
}


def run_conversation(ai: AmplitudeAI) -> dict[str, str]:
    """One session that emits each of the eight SDK events once; returns the ids it got."""
    agent = ai.agent(
        "support-bot",
        user_id=USER,
        customer_org_id="acme-corp",
        agent_version="1.4.0",
        env="test",
        context={"plan": "pro", "region": "eu"},
        groups={"company": "acme-corp"},
    )
    with agent.session(session_id=SESSION, trace_id="trace-0001") as session:
        user_msg = session.track_user_message(content="How do I export a chart?")
        ai_msg = session.track_ai_message(
            content=LONG_TEXT,
            model="gpt-4o-mini",
            provider="openai",
            latency_ms=812.5,
            input_tokens=120,
            output_tokens=2400,
            finish_reason="stop",
            system_prompt=SYSTEM_PROMPT,
            temperature=0.2,
        )
        tool = session.track_tool_call(
            tool_name="search_docs",
            latency_ms=45.25,
            input={"query": "export chart", "limit": 3},
            output={"hits": ["a", "b"]},
        )
        embedding = session.track_embedding(
            model="text-embedding-3-small",
            provider="openai",
            latency_ms=12.0,
            input_tokens=8,
            dimensions=1536,
        )
        span = session.track_span(
            span_name="rerank", latency_ms=3.5, input_state={"k": 10}, output_state={"k": 3}
        )
        session.score(name="thumbs_up", value=1, target_id=ai_msg, comment="helpful")
        session.track_session_enrichment(
            enrichments=SessionEnrichments(overall_outcome="success", quality_score=0.9)
        )
    return {"user": user_msg, "ai": ai_msg, "tool": tool, "embedding": embedding, "span": span}


def by_type(events: list[dict]) -> dict[str, dict]:
    found = {e["event_type"]: e for e in events}
    assert len(found) == len(events), "each event type was expected once"
    return found


def assert_wire_types(event: dict) -> None:
    """Every catalog property has its catalog type on the wire; JSON-valued ones parse."""
    catalog = load_catalog()
    for name, value in event["event_properties"].items():
        spec = catalog.properties.get(name)
        if spec is None:
            continue
        if spec.type == "number":
            assert isinstance(value, (int, float)) and not isinstance(value, bool), name
        elif spec.type == "boolean":
            assert isinstance(value, bool), name
        elif spec.type == "object":
            assert isinstance(value, dict), name
        else:
            assert isinstance(value, str), name
            if spec.format == "json" or spec.type == "string_array":
                json.loads(value)


# --------------------------------------------------------------------------- payloads
def test_sdk_owned_client_delivers_every_event_type(delivery_clients, capture_server):
    ai = delivery_clients.sdk_owned()
    assert ai.status()["delivery"] == "amplitude (owned)"
    ids = run_conversation(ai)

    futures = ai.flush()
    assert futures
    for future in futures:
        future.result(timeout=10)
    # Each future resolves after the server answered, so everything is there already.
    events = capture_server.events()
    assert len(events) == 8

    requests = capture_server.requests
    assert {r.api_key for r in requests} == {"test-key"}
    assert {r.path for r in requests} == {"/2/httpapi"}
    assert all(r.options is None for r in requests)  # no min_id_length configured
    assert Counter(e["event_type"] for e in events) == Counter(SDK_EVENT_TYPES)
    assert {e["user_id"] for e in events} == {USER}
    insert_ids = [e["insert_id"] for e in events]
    assert len(set(insert_ids)) == 8 and all(insert_ids)
    for event in events:
        assert event["groups"] == {"company": "acme-corp"}
        assert event["library"].startswith("amplitude-python/")
        assert isinstance(event["time"], int)
        props = event["event_properties"]
        assert props["[Agent] Session ID"] == SESSION
        assert props["[Agent] Trace ID"] == "trace-0001"
        assert props["[Agent] Agent ID"] == "support-bot"
        assert props["[Agent] Customer Org ID"] == "acme-corp"
        assert props["[Agent] Agent Version"] == "1.4.0"
        assert props["[Agent] Env"] == "test"
        assert props["[Agent] SDK Version"] == amplitude_ai.__version__
        assert props["[Agent] Runtime"] == "python"
        assert json.loads(props["[Agent] Context"]) == {"plan": "pro", "region": "eu"}
        assert "device_id" not in event
        assert_wire_types(event)

    events_by_type = by_type(events)
    user = events_by_type["[Agent] User Message"]["event_properties"]
    assert user["[Agent] Message ID"] == ids["user"]
    assert user["[Agent] Turn ID"] == 1
    assert user["$llm_message"] == {"text": "How do I export a chart?"}

    reply = events_by_type["[Agent] AI Response"]["event_properties"]
    assert reply["[Agent] Message ID"] == ids["ai"]
    assert reply["[Agent] Turn ID"] == 2
    assert reply["[Agent] Model Name"] == "gpt-4o-mini"
    assert reply["[Agent] Provider"] == "openai"
    assert reply["[Agent] Latency Ms"] == 812.5
    assert reply["[Agent] Input Tokens"] == 120
    assert reply["[Agent] Output Tokens"] == 2400
    assert reply["[Agent] Total Tokens"] == 2520
    assert reply["[Agent] Temperature"] == 0.2
    assert reply["[Agent] Is Error"] is False
    assert reply["[Agent] Finish Reason"] == "stop"

    tool = events_by_type["[Agent] Tool Call"]["event_properties"]
    assert tool["[Agent] Invocation ID"] == ids["tool"]
    assert tool["[Agent] Tool Name"] == "search_docs"
    assert tool["[Agent] Latency Ms"] == 45.25
    assert tool["[Agent] Tool Success"] is True
    assert json.loads(tool["[Agent] Tool Input"]) == {"query": "export chart", "limit": 3}
    assert json.loads(tool["[Agent] Tool Output"]) == {"hits": ["a", "b"]}

    embedding = events_by_type["[Agent] Embedding"]["event_properties"]
    assert embedding["[Agent] Span ID"] == ids["embedding"]
    assert embedding["[Agent] Embedding Dimensions"] == 1536
    assert embedding["[Agent] Input Tokens"] == 8

    span = events_by_type["[Agent] Span"]["event_properties"]
    assert span["[Agent] Span ID"] == ids["span"]
    assert span["[Agent] Span Name"] == "rerank"
    assert json.loads(span["[Agent] Output State"]) == {"k": 3}

    score = events_by_type["[Agent] Score"]["event_properties"]
    assert score["[Agent] Score Name"] == "thumbs_up"
    assert score["[Agent] Score Value"] == 1
    assert score["[Agent] Target ID"] == ids["ai"]
    assert score["[Agent] Target Type"] == "message"

    enrichment = events_by_type["[Agent] Session Enrichment"]["event_properties"]
    enrichments = json.loads(enrichment["[Agent] Enrichments"])
    assert enrichments["overall_outcome"] == "success"
    assert enrichments["quality_score"] == 0.9
    assert "[Agent] Session ID" in events_by_type["[Agent] Session End"]["event_properties"]


def test_llm_message_escapes_the_library_truncation_other_strings_do_not(
    delivery_clients, capture_server
):
    ai = delivery_clients.sdk_owned()
    run_conversation(ai)
    ai.flush()
    reply = by_type(capture_server.wait_for_events(8))["[Agent] AI Response"]
    props = reply["event_properties"]

    assert len(LONG_TEXT) > amp_constants.MAX_STRING_LENGTH
    assert props["$llm_message"]["text"] == LONG_TEXT  # the SDK keeps message text whole
    # amplitude-analytics cuts every other string to MAX_STRING_LENGTH (1,024) characters.
    assert len(SYSTEM_PROMPT) > amp_constants.MAX_STRING_LENGTH
    assert props["[Agent] System Prompt"] == SYSTEM_PROMPT[: amp_constants.MAX_STRING_LENGTH]
    assert props["[Agent] System Prompt Length"] == len(SYSTEM_PROMPT)


def test_long_json_valued_property_is_fitted_and_stays_parseable(
    delivery_clients, capture_server, caplog
):
    # The library (like Amplitude's ingestion) cuts strings at 1,024 characters; a JSON value
    # cut mid-way would not parse, so the SDK fits it into a valid, self-describing preview.
    ai = delivery_clients.sdk_owned()
    big = {"rows": [f"row-{i:04d}" for i in range(200)]}  # ~2.4 KB of JSON
    small = {"rows": ["row-0001"]}
    ai.track_tool_call(USER, "fetch_rows", 10.0, input=small, output=big, session_id=SESSION)
    ai.flush()
    (event,) = capture_server.wait_for_events(1)
    props = event["event_properties"]
    assert json.loads(props["[Agent] Tool Input"]) == small
    fitted_text = props["[Agent] Tool Output"]
    assert len(fitted_text) <= 1024
    fitted = json.loads(fitted_text)
    full_text = json.dumps(big, separators=(",", ":"))
    assert fitted["truncated"] is True
    assert fitted["original_length"] == len(full_text)
    assert full_text.startswith(fitted["preview"])
    assert len(fitted["preview"]) > 800
    assert "[Agent] Tool Output is longer than 1024 characters" in caplog.text


def test_shared_client_batches_by_its_flush_queue_size(delivery_clients, capture_server):
    amplitude = delivery_clients.amplitude(flush_queue_size=3, min_id_length=5)
    ai = AmplitudeAI(amplitude)
    assert ai.status()["delivery"] == "amplitude"
    run_conversation(ai)
    ai.flush()

    events = capture_server.wait_for_events(8)
    assert len(events) == 8
    requests = capture_server.requests
    assert len(requests) >= 3
    assert all(1 <= len(r.events) <= 3 for r in requests)
    assert {r.api_key for r in requests} == {"test-key"}
    assert all(r.options == {"min_id_length": 5} for r in requests)
    assert {e["event_type"] for e in events} == SDK_EVENT_TYPES
    assert len({e["insert_id"] for e in events}) == 8


def test_device_id_and_session_replay_id(delivery_clients, capture_server):
    ai = delivery_clients.sdk_owned()
    agent = ai.agent("web-assistant")
    with agent.session(
        user_id=USER, device_id="device-abc123", browser_session_id="1700000000000"
    ) as session:
        session.track_user_message(content="hi")
        session.track_ai_message(content="hello", model="gpt-4o", provider="openai", latency_ms=5)
    ai.flush()

    events = capture_server.wait_for_events(3)
    assert len(events) == 3  # user message, AI response, session end
    for event in events:
        assert event["device_id"] == "device-abc123"
        assert event["user_id"] == USER
        replay = event["event_properties"]["[Amplitude] Session Replay ID"]
        assert replay == "device-abc123/1700000000000"


def test_server_url_from_the_environment(monkeypatch, delivery_clients, capture_server):
    monkeypatch.setenv("AMPLITUDE_AI_SERVER_URL", capture_server.url)
    ai = delivery_clients.adopt(AmplitudeAI(api_key="test-key"))
    assert ai.amplitude.configuration.server_url == capture_server.url
    ai.track_user_message(USER, "hello", SESSION)
    ai.flush()
    (event,) = capture_server.wait_for_events(1)
    assert event["event_type"] == "[Agent] User Message"


def test_eu_zone_configures_the_owned_client():
    ai = AmplitudeAI(api_key="test-key", config=AIConfig(server_zone="EU"))
    try:
        configuration = ai.amplitude.configuration
        assert configuration.server_zone == "EU"
        assert configuration.server_url == amp_constants.SERVER_URL["EU"]["v2"]
        assert configuration.server_url == "https://api.eu.amplitude.com/2/httpapi"
    finally:
        ai.shutdown()  # nothing was tracked: no network


# --------------------------------------------------------------------------- flush/shutdown
def test_flush_returns_futures_that_complete(delivery_clients, capture_server):
    ai = delivery_clients.sdk_owned()
    assert ai.flush() == []  # nothing buffered: no futures
    ai.track_user_message(USER, "one", SESSION)
    ai.track_user_message(USER, "two", SESSION)
    futures = ai.flush()
    assert len(futures) == 1
    assert futures[0].result(timeout=10) is None
    assert len(capture_server.events()) == 2
    assert ai.flush() == []


def test_shutdown_of_an_owned_client_delivers_what_is_buffered(delivery_clients, capture_server):
    ai = delivery_clients.sdk_owned()
    run_conversation(ai)
    # The owned client keeps the library's 10 s flush interval: nothing has been sent yet.
    assert capture_server.requests == []
    ai.shutdown()
    # shutdown() waits for the library's workers, so the events are there when it returns.
    assert {e["event_type"] for e in capture_server.events()} == SDK_EVENT_TYPES
    assert ai.amplitude.configuration.opt_out is True  # the owned client is closed

    # Tracking after shutdown is ignored by the library, quietly.
    ai.track_user_message(USER, "late", SESSION)
    assert ai.flush() == []
    assert len(capture_server.events()) == 8


def test_shutdown_with_a_shared_client_only_flushes(delivery_clients, capture_server):
    amplitude = delivery_clients.amplitude(flush_interval_millis=60_000)
    ai = AmplitudeAI(amplitude)
    ai.track_user_message(USER, "before shutdown", SESSION)
    assert capture_server.requests == []
    ai.shutdown()
    capture_server.wait_for_events(1)
    assert amplitude.configuration.opt_out is False  # the application's client stays open
    # ... and so does this SDK on it: later events still go out.

    ai.track_user_message(USER, "after shutdown", SESSION)
    amplitude.track(BaseEvent("App Event", user_id=USER))
    for future in amplitude.flush():
        future.result(timeout=10)
    events = capture_server.events()
    assert [e["event_type"] for e in events] == [
        "[Agent] User Message",
        "[Agent] User Message",
        "App Event",
    ]
    assert events[1]["event_properties"]["$llm_message"] == {"text": "after shutdown"}


# --------------------------------------------------------------------------- callbacks
def test_on_event_callback_reports_each_delivered_event(delivery_clients, capture_server):
    calls = []
    ai = delivery_clients.sdk_owned(on_event_callback=lambda *args: calls.append(args))
    run_conversation(ai)
    for future in ai.flush():
        future.result(timeout=10)

    # The library calls back before the flush future resolves.
    assert len(calls) == 8
    assert {code for _, code, _ in calls} == {200}
    assert {message for _, _, message in calls} == {"Event sent successfully."}
    assert {event.insert_id for event, _, _ in calls} == set(capture_server.insert_ids())
    assert {event.event_type for event, _, _ in calls} == SDK_EVENT_TYPES


def test_a_raising_on_event_callback_breaks_nothing(delivery_clients, capture_server, caplog):
    calls = []

    def explode(event, code, message):
        calls.append(code)
        raise RuntimeError("callback bug")

    ai = delivery_clients.sdk_owned(on_event_callback=explode)
    with caplog.at_level(logging.ERROR, logger="amplitude_ai"):
        run_conversation(ai)
        for future in ai.flush():
            assert future.result(timeout=10) is None
    assert calls == [200] * 8
    assert len(capture_server.events()) == 8
    sdk_logs = [r.getMessage() for r in caplog.records if r.name == "amplitude_ai"]
    assert sdk_logs == ["amplitude_ai: on_event_callback raised"]  # logged once, not raised

    # The client keeps working after the callback failures.
    ai.track_user_message(USER, "still here", SESSION)
    for future in ai.flush():
        future.result(timeout=10)
    assert len(capture_server.events()) == 9


# --------------------------------------------------------------------------- dry run
def test_dry_run_sends_nothing_and_prints_the_event(delivery_clients, capture_server, capsys):
    ai = delivery_clients.sdk_owned(dry_run=True)
    assert ai.amplitude is None
    assert ai.status()["delivery"] == "dry_run"
    ai.track_user_message(USER, "hello dry run", SESSION)
    assert ai.flush() == []
    ai.shutdown()

    lines = [line for line in capsys.readouterr().err.splitlines() if "dry-run" in line]
    assert len(lines) == 1
    prefix = "[amplitude-ai] dry-run "
    assert lines[0].startswith(prefix)
    record = json.loads(lines[0][len(prefix) :])
    assert record["event_type"] == "[Agent] User Message"
    assert record["user_id"] == USER
    assert record["event_properties"]["$llm_message"] == {"text": "hello dry run"}
    # A bounded check for the absence of traffic (there is no client that could send).
    assert not capture_server.wait_until(lambda s: bool(s.requests), timeout=0.3)


def test_capture_server_restarts_on_the_same_port():
    with CaptureServer() as server:
        url = server.url
        server.stop()
        assert not server.running
        server.restart()
        assert server.url == url and server.running
    assert not server.running


def test_event_copies_made_by_the_library_are_deep_and_identical():
    """amplitude-analytics deep-copies each event before delivery; our event class shares
    only immutable attribute values, so the copy sends the same body and is independent."""
    import copy

    from amplitude_ai.delivery import build_event

    llm_message = load_catalog().property_names["llm_message"]
    record = {
        "event_type": "[Agent] AI Response",
        "user_id": "u-1",
        "insert_id": "insert-1",
        "time": 1_700_000_000_000,
        "event_properties": {llm_message: {"text": "x" * 3000}, "nested": {"a": [1, 2]}},
        "groups": {"org": "acme"},
    }
    original = build_event(record, None)
    clone = copy.deepcopy(original)
    assert type(clone) is type(original)
    assert clone.get_event_body() == original.get_event_body()
    assert len(clone.get_event_body()["event_properties"][llm_message]["text"]) == 3000
    clone.event_properties["nested"]["a"].append(3)
    clone.groups["org"] = "other"
    assert original.event_properties["nested"] == {"a": [1, 2]}
    assert original.groups == {"org": "acme"}
