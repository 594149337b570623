"""Example tests for content modes and PII redaction.

Which properties count as content comes from ``resources/event_catalog.json`` (each
property's ``content``: ``full``, ``partial`` or ``none``), read here straight from the file
rather than from a hand-typed list, so a property added to the catalog is covered at once.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from amplitude_ai import (
    AIConfig,
    ConfigurationError,
    ContentMode,
    EvidenceQuote,
    MessageLabel,
    MockAmplitudeAI,
    RubricScore,
    SessionEnrichments,
    TopicClassification,
)
from amplitude_ai.privacy import Redactor

CATALOG = json.loads(
    (Path(__file__).resolve().parents[2] / "resources" / "event_catalog.json").read_text("utf-8")
)
CONTENT_CLASS: dict[str, str] = {n: p["content"] for n, p in CATALOG["properties"].items()}
NAMES: dict[str, str] = {p["key"]: n for n, p in CATALOG["properties"].items()}
JSON_VALUED = frozenset(
    n
    for n, p in CATALOG["properties"].items()
    if p["type"] == "string_array" or p.get("format") == "json"
)
SDK_EVENTS: dict[str, frozenset[str]] = {
    name: frozenset(spec["properties"])
    | (set(CATALOG["common_properties"]) if spec["common"] else set())
    for name, spec in CATALOG["events"].items()
    if spec["emitted_by"] == "sdk"
}
MODES = [m.value for m in ContentMode]
NON_FULL = [m for m in MODES if m != "full"]

SESSION_ID = "sess-1"
USER_ID = "user-1"
PAYLOAD_KEYS = ("content", "data", "bytes", "base64", "file", "body")


def of_class(event_type: str, content: str) -> frozenset[str]:
    """Properties allowed on ``event_type`` whose catalog content class is ``content``."""
    return frozenset(n for n in SDK_EVENTS[event_type] if CONTENT_CLASS[n] == content)


def props_of(ai: MockAmplitudeAI, event_type: str) -> dict[str, Any]:
    events = ai.events_of_type(event_type)
    assert len(events) == 1, f"expected one {event_type}, got {len(events)}"
    return events[0]["event_properties"]


def enrichments() -> SessionEnrichments:
    return SessionEnrichments(
        topic_classifications={"intent": TopicClassification(l1="billing", values=["refund"])},
        rubrics=[
            RubricScore(
                name="accuracy",
                score=0.9,
                rationale="The agent quoted the right policy.",
                evidence=[EvidenceQuote(quote="I want my money back", turn_index=1)],
                improvement_opportunities="Offer store credit first.",
            )
        ],
        overall_outcome="resolved",
        quality_score=0.8,
        has_task_failure=True,
        task_failure_type="slow",
        task_failure_reason="It took four turns to find the order.",
        has_negative_feedback=True,
        negative_feedback_phrases=["this is useless"],
        message_labels={"m-user": [MessageLabel(key="intent", value="refund", confidence=0.7)]},
        custom_metadata={"queue": "tier-2"},
    )


ATTACHMENT = {
    "type": "image",
    "mime_type": "image/png",
    "size_bytes": 4096,
    "name": "receipt.png",
    "url": "https://files.example.com/receipt.png",
    "caption": "my receipt",
    "content": "raw-content",
    "data": "raw-data",
    "bytes": b"\x89PNG",
    "base64": "iVBORw0KGgo=",
    "file": "raw-file",
    "body": "raw-body",
}
OPENAI_CALL = {
    "id": "call_1",
    "type": "function",
    "function": {"name": "lookup_order", "arguments": '{"order_id": "A-1187"}'},
}
ANTHROPIC_CALL = {
    "id": "toolu_1",
    "type": "tool_use",
    "name": "search_kb",
    "input": {"query": "refund policy"},
}
OBJECT_CALL = SimpleNamespace(  # the shape of an OpenAI SDK object
    id="call_2",
    type="function",
    function=SimpleNamespace(name="get_weather", arguments='{"city": "Paris"}'),
)
EXTRA = {"plan": "pro"}


def track_everything(ai: MockAmplitudeAI) -> None:
    """One event of every SDK type, with every argument filled in."""
    agent = ai.agent("support-bot", agent_version="1.4.0", env="prod", customer_org_id="org-1")
    with agent.session(session_id=SESSION_ID, user_id=USER_ID, trace_id="trace-1") as session:
        session.set_enrichments(enrichments())
        session.track_user_message(
            content="Hi, I was charged twice for order 1187.",
            message_id="m-user",
            locale="en-US",
            attachments=[ATTACHMENT],
            labels=[MessageLabel(key="intent", value="refund")],
            event_properties=EXTRA,
        )
        session.track_ai_message(
            content="Sorry about that, let me check.",
            model="gpt-4o",
            provider="openai",
            latency_ms=950.0,
            message_id="m-ai",
            input_tokens=1200,
            output_tokens=80,
            reasoning_tokens=30,
            finish_reason="tool_calls",
            tool_calls=[OPENAI_CALL, ANTHROPIC_CALL],
            reasoning_content="The user wants a refund; look the order up.",
            system_prompt="You are a helpful support agent.",
            temperature=0.2,
            attachments=[ATTACHMENT],
            labels=[{"key": "tone", "value": "apologetic"}],
            error_message="rate limited once, retried",
            event_properties=EXTRA,
        )
        session.track_tool_call(
            tool_name="lookup_order",
            latency_ms=40.0,
            invocation_id="inv-1",
            input={"order_id": "1187"},
            output={"status": "charged twice"},
            parent_message_id="m-ai",
            event_properties=EXTRA,
        )
        session.track_embedding(
            model="text-embedding-3-small",
            provider="openai",
            latency_ms=12.0,
            input_tokens=9,
            dimensions=1536,
            span_id="emb-1",
            event_properties=EXTRA,
        )
        session.track_span(
            span_name="retrieve",
            latency_ms=70.0,
            span_id="span-1",
            input_state={"query": "double charge"},
            output_state={"docs": ["refunds.md"]},
            event_properties=EXTRA,
        )
        session.score(
            name="thumbs_up",
            value=1,
            target_id="m-ai",
            comment="Quick and polite.",
            event_properties=EXTRA,
        )
        session.track_session_enrichment(enrichments=enrichments(), event_properties=EXTRA)
        session.track_session_end(event_properties=EXTRA)  # with the enrichments set above


@pytest.fixture(scope="module")
def captured() -> dict[str, MockAmplitudeAI]:
    clients = {}
    for mode in MODES:
        ai = MockAmplitudeAI(content_mode=mode)
        track_everything(ai)
        ai.assert_all_valid()
        clients[mode] = ai
    return clients


# ------------------------------------------------------------------- content modes, catalog


def test_every_sdk_event_type_is_exercised(captured):
    assert {e["event_type"] for e in captured["full"].events} == set(SDK_EVENTS)


@pytest.mark.parametrize("event_type", sorted(SDK_EVENTS))
def test_full_mode_sends_every_content_property_the_event_allows(captured, event_type):
    content = of_class(event_type, "full") | of_class(event_type, "partial")
    props = props_of(captured["full"], event_type)
    assert content <= props.keys(), f"not sent: {sorted(content - props.keys())}"
    assert props["plan"] == "pro"


@pytest.mark.parametrize("event_type", sorted(SDK_EVENTS))
@pytest.mark.parametrize("mode", NON_FULL)
def test_other_modes_drop_full_content_and_keep_every_other_property(captured, mode, event_type):
    full = props_of(captured["full"], event_type)
    props = props_of(captured[mode], event_type)
    dropped = of_class(event_type, "full")
    assert not dropped & props.keys(), f"content sent in {mode}: {sorted(dropped & props.keys())}"
    # Exactly the full-mode properties minus the content ones: nothing else is lost.
    assert props.keys() == full.keys() - dropped
    # Metadata (content "none") and custom properties are sent unchanged.
    unchanged = {n for n in props if CONTENT_CLASS.get(n, "none") == "none"}
    assert {n: props[n] for n in unchanged} == {n: full[n] for n in unchanged}
    # "partial" properties are sent, reduced to their structure (checked one by one below).
    for name in of_class(event_type, "partial") & props.keys():
        json.loads(props[name])


@pytest.mark.parametrize("mode", NON_FULL)
def test_metadata_survives_outside_full_mode(captured, mode):
    ai = captured[mode]
    response = props_of(ai, "[Agent] AI Response")
    assert response[NAMES["model_name"]] == "gpt-4o"
    assert response[NAMES["total_tokens"]] == 1280
    assert response[NAMES["has_reasoning"]] is True
    assert response[NAMES["system_prompt_length"]] == len("You are a helpful support agent.")
    assert response[NAMES["error_message"]] == "rate limited once, retried"
    assert props_of(ai, "[Agent] Tool Call")[NAMES["tool_name"]] == "lookup_order"
    assert props_of(ai, "[Agent] Score")[NAMES["score_value"]] == 1
    assert NAMES["comment"] not in props_of(ai, "[Agent] Score")


# ----------------------------------------------------------------------------- tool calls


@pytest.mark.parametrize("mode", MODES)
def test_tool_calls_keep_names_and_ids_but_arguments_only_in_full_mode(mode):
    ai = MockAmplitudeAI(content_mode=mode)
    with ai.agent("bot").session(user_id=USER_ID) as session:
        session.track_ai_message(
            model="claude-sonnet-4",
            provider="anthropic",
            latency_ms=10.0,
            tool_calls=[OPENAI_CALL, ANTHROPIC_CALL, OBJECT_CALL],
        )
    calls = json.loads(props_of(ai, "[Agent] AI Response")[NAMES["tool_calls"]])
    structure = [
        {"id": "call_1", "type": "function", "name": "lookup_order"},
        {"id": "toolu_1", "type": "tool_use", "name": "search_kb"},
        {"id": "call_2", "type": "function", "name": "get_weather"},
    ]
    if mode == "full":
        arguments = ['{"order_id": "A-1187"}', {"query": "refund policy"}, '{"city": "Paris"}']
        assert calls == [{**s, "arguments": a} for s, a in zip(structure, arguments, strict=True)]
    else:
        assert calls == structure


# ---------------------------------------------------------------------------- attachments


@pytest.mark.parametrize("mode", MODES)
def test_attachments_keep_type_mime_and_size_and_never_carry_file_payloads(mode):
    ai = MockAmplitudeAI(content_mode=mode)
    second = {"type": "file", "mime_type": "application/pdf", "size_bytes": 1000, "data": "x"}
    with ai.agent("bot").session(user_id=USER_ID) as session:
        session.track_user_message(content="see attached", attachments=[ATTACHMENT, second])
    props = props_of(ai, "[Agent] User Message")
    attachments = json.loads(props[NAMES["attachments"]])
    for attachment in attachments:
        assert not set(PAYLOAD_KEYS) & attachment.keys()
    assert "raw-" not in json.dumps(ai.events) and "iVBOR" not in json.dumps(ai.events)
    if mode == "full":
        assert attachments[0] == {
            "type": "image",
            "mime_type": "image/png",
            "size_bytes": 4096,
            "name": "receipt.png",
            "url": "https://files.example.com/receipt.png",
            "caption": "my receipt",
        }
    else:
        assert attachments == [
            {"type": "image", "mime_type": "image/png", "size_bytes": 4096},
            {"type": "file", "mime_type": "application/pdf", "size_bytes": 1000},
        ]
        assert "receipt" not in json.dumps(ai.events)
    assert props[NAMES["has_attachments"]] is True
    assert props[NAMES["attachment_count"]] == 2
    assert json.loads(props[NAMES["attachment_types"]]) == ["image", "file"]
    assert props[NAMES["total_attachment_size_bytes"]] == 5096


# ---------------------------------------------------------------------------- enrichments


@pytest.mark.parametrize("mode", MODES)
def test_enrichments_are_whole_except_free_text_in_metadata_only(captured, mode):
    whole = json.loads(json.dumps(enrichments().to_dict()))
    for event_type in ("[Agent] Session End", "[Agent] Session Enrichment"):
        sent = json.loads(props_of(captured[mode], event_type)[NAMES["enrichments"]])
        if mode != "metadata_only":
            assert sent == whole
            continue
        free_text = {
            "rationale",
            "evidence",
            "improvement_opportunities",
            "task_failure_reason",
            "negative_feedback_phrases",
        }
        assert not free_text & sent.keys()
        assert not free_text & sent["rubrics"][0].keys()
        assert sent["rubrics"] == [{"name": "accuracy", "score": 0.9}]
        kept = {k: v for k, v in whole.items() if k not in free_text and k != "rubrics"}
        assert {k: v for k, v in sent.items() if k != "rubrics"} == kept
        dump = json.dumps(sent)
        for text in ("quoted the right policy", "money back", "store credit", "four turns"):
            assert text not in dump
        assert "useless" not in dump


# ------------------------------------------------------------------------------ redaction

PII_TEXT = 'Mail "jane.doe@example.com" or call (415) 555-0132; card 4111 1111 1111 1111\\ ok'
PII_PIECES = ("jane.doe@example.com", "555-0132", "4111", "415")


def _no_pii(value: str) -> None:
    for piece in PII_PIECES:
        assert piece not in value, value


def test_json_valued_properties_stay_valid_json_after_redaction():
    ai = MockAmplitudeAI(content_mode="full", redact_pii=True)
    nested = {"note": PII_TEXT, "list": [PII_TEXT, {"deep": PII_TEXT}], "n": 3}
    with ai.agent("bot").session(user_id=USER_ID) as session:
        session.track_user_message(
            content=PII_TEXT, attachments=[{"type": "image", "name": PII_TEXT}]
        )
        session.track_ai_message(
            model="gpt-4o",
            provider="openai",
            latency_ms=1.0,
            tool_calls=[
                {"id": "c1", "function": {"name": "f", "arguments": json.dumps(nested)}},
                {"id": "c2", "name": "g", "input": nested},
            ],
        )
        session.track_tool_call(tool_name="t", latency_ms=1.0, input=nested, output=PII_TEXT)
        session.track_span(span_name="s", latency_ms=1.0, input_state=nested, output_state=[nested])
        session.track_session_enrichment(
            enrichments=SessionEnrichments(task_failure_reason=PII_TEXT, rubrics=[])
        )
    checked = set()
    for event in ai.events:
        for name, value in event["event_properties"].items():
            if name in JSON_VALUED:
                decoded = json.loads(value)
                _no_pii(json.dumps(decoded))
                checked.add(name)
    content = {n for n in JSON_VALUED if CONTENT_CLASS[n] != "none"}
    assert content <= checked, sorted(content - checked)
    tool = props_of(ai, "[Agent] Tool Call")
    decoded = json.loads(tool[NAMES["tool_input"]])
    assert decoded["note"] == (
        'Mail "[REDACTED_EMAIL]" or call [REDACTED_PHONE]; card [REDACTED_CARD]\\ ok'
    )
    assert decoded["n"] == 3
    arguments = json.loads(props_of(ai, "[Agent] AI Response")[NAMES["tool_calls"]])[0]
    assert json.loads(arguments["arguments"])["list"][1]["deep"] == decoded["note"]


@pytest.mark.parametrize("mode", MODES)
def test_redaction_covers_error_messages_and_custom_event_properties(mode):
    ai = MockAmplitudeAI(content_mode=mode, redact_pii=True)
    custom = {
        "ticket_note": PII_TEXT,
        "thread": [PII_TEXT, {"from": "ssn 123-45-6789"}],
        "retries": 2,
        "vip": True,
    }
    with ai.agent("bot").session(user_id=USER_ID) as session:
        session.track_ai_message(
            model="gpt-4o",
            provider="openai",
            latency_ms=1.0,
            error_message=f"upstream rejected: {PII_TEXT}",
            event_properties=custom,
        )
        session.track_tool_call(
            tool_name="crm",
            latency_ms=1.0,
            success=False,
            error_message=PII_TEXT,
            event_properties=custom,
        )
        session.track_span(span_name="s", latency_ms=1.0, error_message=PII_TEXT)
        session.score(name="csat", value=1, target_id="m", event_properties=custom)
    for event in ai.events:
        props = event["event_properties"]
        if NAMES["error_message"] in props:
            _no_pii(props[NAMES["error_message"]])
            assert "[REDACTED_EMAIL]" in props[NAMES["error_message"]]
        if "ticket_note" in props:
            _no_pii(json.dumps([props["ticket_note"], props["thread"]]))
            assert props["thread"][1] == {"from": "ssn [REDACTED_SSN]"}
            assert (props["retries"], props["vip"]) == (2, True)
    assert sum("ticket_note" in e["event_properties"] for e in ai.events) == 3
    assert props_of(ai, "[Agent] Tool Call")[NAMES["tool_name"]] == "crm"


def test_redaction_keeps_customer_enrichments_but_not_their_pii():
    ai = MockAmplitudeAI(content_mode="customer_enriched", redact_pii=True)
    with ai.agent("bot").session(user_id=USER_ID) as session:
        session.track_session_enrichment(
            enrichments=SessionEnrichments(
                task_failure_reason="could not reach jane.doe@example.com",
                negative_feedback_phrases=["call me at 415-555-0132 instead"],
            )
        )
    sent = json.loads(props_of(ai, "[Agent] Session Enrichment")[NAMES["enrichments"]])
    assert sent["task_failure_reason"] == "could not reach [REDACTED_EMAIL]"
    assert sent["negative_feedback_phrases"] == ["call me at [REDACTED_PHONE] instead"]


@dataclass
class Contact:
    name: str
    email: str


class ModelLike:
    """Duck-typed pydantic model (the SDK serialises anything with ``model_dump``)."""

    def model_dump(self, mode: str = "python") -> dict[str, Any]:
        return {"phone": "+1 415 555 0132", "tags": ["vip"]}


@pytest.mark.parametrize("mode", MODES)
def test_redaction_reaches_objects_in_tool_and_span_payloads(mode):
    # Before the fix, objects were passed through the redactor untouched and only turned
    # into JSON afterwards, so their e-mails and phone numbers were sent in the clear.
    ai = MockAmplitudeAI(content_mode=mode, redact_pii=True)
    payload = {"contact": Contact("Jane", "jane.doe@example.com"), "crm": ModelLike()}
    with ai.agent("bot").session(user_id=USER_ID) as session:
        session.track_tool_call(
            tool_name="crm", latency_ms=1.0, input=payload, output=Contact("Joe", "j@x.io")
        )
        session.track_span(
            span_name="s", latency_ms=1.0, input_state=ModelLike(), output_state={"jane@x.io"}
        )
        session.track_user_message(content="hi", event_properties={"who": Contact("Al", "a@b.co")})
    dump = json.dumps(ai.events)
    for piece in ("jane.doe@example.com", "j@x.io", "555 0132", "jane@x.io", "a@b.co"):
        assert piece not in dump
    user = props_of(ai, "[Agent] User Message")
    assert user["who"] == {"name": "Al", "email": "[REDACTED_EMAIL]"}
    if mode == "full":
        tool = props_of(ai, "[Agent] Tool Call")
        assert json.loads(tool[NAMES["tool_input"]]) == {
            "contact": {"name": "Jane", "email": "[REDACTED_EMAIL]"},
            "crm": {"phone": "[REDACTED_PHONE]", "tags": ["vip"]},
        }
        assert json.loads(tool[NAMES["tool_output"]]) == {
            "name": "Joe",
            "email": "[REDACTED_EMAIL]",
        }
        span = props_of(ai, "[Agent] Span")
        assert json.loads(span[NAMES["output_state"]]) == ["[REDACTED_EMAIL]"]


def test_custom_redaction_patterns_are_applied():
    ai = MockAmplitudeAI(
        content_mode="full", redact_pii=True, custom_redaction_patterns=[r"ACCT-\d{6}"]
    )
    with ai.agent("bot").session(user_id=USER_ID) as session:
        session.track_user_message(content="Account ACCT-123456 (jane@example.com) is locked.")
    text = props_of(ai, "[Agent] User Message")[NAMES["llm_message"]]["text"]
    assert text == "Account [REDACTED] ([REDACTED_EMAIL]) is locked."


def test_redaction_is_off_by_default():
    ai = MockAmplitudeAI(content_mode="full")
    with ai.agent("bot").session(user_id=USER_ID) as session:
        session.track_user_message(content=PII_TEXT)
    assert props_of(ai, "[Agent] User Message")[NAMES["llm_message"]]["text"] == PII_TEXT


REDACTOR = Redactor()


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("jane.doe+billing@mail.example.co.uk", "EMAIL"),
        ("JOHN_SMITH42@Example.COM", "EMAIL"),
        ("(415) 555-0132", "PHONE"),
        ("415-555-0132", "PHONE"),
        ("415.555.0132", "PHONE"),
        ("4155550132", "PHONE"),
        ("+1 415 555 0132", "PHONE"),
        ("+1 (415) 555-0132", "PHONE"),
        ("1-800-555-0199", "PHONE"),
        ("+44 20 7946 0958", "PHONE"),
        ("+44 (0)20 7946 0958", "PHONE"),
        ("+49 30 1234567", "PHONE"),
        ("+49 151 12345678", "PHONE"),
        ("+33 1 23 45 67 89", "PHONE"),
        ("+91 98765 43210", "PHONE"),
        ("+81 3-1234-5678", "PHONE"),
        ("+61 2 9876 5432", "PHONE"),
        ("+55 11 91234-5678", "PHONE"),
        ("4111 1111 1111 1111", "CARD"),
        ("4111-1111-1111-1111", "CARD"),
        ("4111111111111111", "CARD"),
        ("3782 822463 10005", "CARD"),
        ("378282246310005", "CARD"),
        ("4222222222222", "CARD"),
        ("6011 0009 9013 9424", "CARD"),
        ("123-45-6789", "SSN"),
        ("123 45 6789", "SSN"),
    ],
)
def test_realistic_pii_formats_are_redacted(text, kind):
    assert REDACTOR.text(text) == f"[REDACTED_{kind}]"
    assert REDACTOR.text(f"x ({text}).") == f"x ([REDACTED_{kind}])."


@pytest.mark.parametrize(
    "text",
    [
        "used 1532 input tokens and 211 output tokens (128000 max)",
        "latency 812.5 ms, ttfb 95 ms, p99 12034.25 ms",
        "cost $0.00012345, total $10.00000000, pi 3.14159265",
        "on 2026-11-23 at 12:30",
        "at 2026-11-23T12:30:45.123456Z and 2026-11-23 12:30:45",
        "released 1.4.0, then 10.15.7 and 2024.11.23",
        "order 1187, order #20261123, ticket 123456789",
        "trace 550e8400-e29b-41d4-a716-446655440000",
        "span 12345678-1234-5678-9012-123456789012",
        "hash 3f2a1b4c5d6e7f8091a2b3c4d5e6f70812345678",
        "host 192.168.100.200 port 8080",
        "epoch 1732233600000 ms",  # 13 digits, not Luhn-valid: not a card
        "rows 1 2 3 4 5 6 7 8 9 10 11 12 13",
        "C++ 17 scored +1 2 3",
        "clock +643:9 41:852",  # the digits after the ':' are not part of a phone number
    ],
)
def test_ordinary_numbers_are_not_redacted(text):
    assert REDACTOR.text(text) == text


def test_ordinary_numbers_survive_redaction_in_events():
    ai = MockAmplitudeAI(content_mode="full", redact_pii=True)
    text = "order 1187 on 2026-11-23 at 12:30 took 812 ms using 1532 tokens (v1.4.0)"
    with ai.agent("bot").session(user_id=USER_ID) as session:
        session.track_tool_call(
            tool_name="lookup",
            latency_ms=812.0,
            input={"order": "1187", "trace": "550e8400-e29b-41d4-a716-446655440000"},
            output=text,
        )
    props = props_of(ai, "[Agent] Tool Call")
    assert json.loads(props[NAMES["tool_output"]]) == text
    assert json.loads(props[NAMES["tool_input"]])["trace"] == "550e8400-e29b-41d4-a716-446655440000"


# ---------------------------------------------------------------------- configuration


@pytest.mark.parametrize(
    ("raw", "mode"),
    [
        ("full", ContentMode.FULL),
        ("FULL", ContentMode.FULL),
        ("Metadata_Only", ContentMode.METADATA_ONLY),
        (" metadata-only ", ContentMode.METADATA_ONLY),
        ("CUSTOMER_ENRICHED", ContentMode.CUSTOMER_ENRICHED),
        ("customer-enriched", ContentMode.CUSTOMER_ENRICHED),
        (ContentMode.METADATA_ONLY, ContentMode.METADATA_ONLY),
    ],
)
def test_content_mode_parse_is_case_insensitive(raw, mode):
    assert ContentMode.parse(raw) is mode
    assert AIConfig(content_mode=raw).mode is mode


@pytest.mark.parametrize("raw", ["", "none", "metadata", "fullish", None, 1])
def test_content_mode_parse_rejects_anything_else(raw):
    with pytest.raises(ConfigurationError, match="unknown content mode"):
        ContentMode.parse(raw)


def test_unknown_env_content_mode_falls_back_to_metadata_only_with_a_warning(monkeypatch, caplog):
    monkeypatch.setenv("AMPLITUDE_AI_CONTENT_MODE", "metdata-only")
    with caplog.at_level(logging.WARNING, logger="amplitude_ai"):
        ai = MockAmplitudeAI()
    assert ai.config.mode is ContentMode.METADATA_ONLY
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    message = warnings[0].getMessage()
    assert "AMPLITUDE_AI_CONTENT_MODE" in message and "metdata-only" in message
    assert "metadata_only" in message
    # ...and the fallback really sends no content.
    with ai.agent("bot").session(user_id=USER_ID) as session:
        session.track_user_message(content="secret words")
    assert "secret words" not in json.dumps(ai.events)


def test_env_content_mode_is_case_insensitive_and_explicit_config_wins(monkeypatch, caplog):
    monkeypatch.setenv("AMPLITUDE_AI_CONTENT_MODE", "Customer_Enriched")
    with caplog.at_level(logging.WARNING, logger="amplitude_ai"):
        assert AIConfig().mode is ContentMode.CUSTOMER_ENRICHED
        assert AIConfig(content_mode="full").mode is ContentMode.FULL
    assert not caplog.records
    monkeypatch.setenv("AMPLITUDE_AI_CONTENT_MODE", "")
    assert AIConfig().mode is ContentMode.FULL


def test_attachment_file_content_is_never_sent_even_nested_or_inline():
    from amplitude_ai import MockAmplitudeAI

    mock = MockAmplitudeAI()
    inline = "data:image/png;base64," + "iVBORw0KGgo" * 50
    with mock.agent("vision-bot").session(user_id="user-77") as s:
        s.track_user_message(
            content="what is in this picture?",
            attachments=[
                {"type": "image", "name": "a.png", "url": inline, "size_bytes": 550},
                {"type": "image", "source": {"type": "base64", "data": "iVBORw0KGgo" * 50}},
            ],
        )
    event = mock.assert_event_tracked("[Agent] User Message")
    sent = event["event_properties"]["[Agent] Attachments"]
    assert "iVBORw0KGgo" not in sent
    first, second = json.loads(sent)
    assert first["url"] == f"data:image/png (inline, {len(inline)} characters omitted)"
    assert second == {"type": "image", "source": {"type": "base64"}}
    assert event["event_properties"]["[Agent] Total Attachment Size Bytes"] == 550


def test_email_local_part_beyond_the_rfc_limit_still_loses_the_address():
    local = "a" * 100
    redacted = REDACTOR.text(f"write to {local}@example.com today")
    assert "@" not in redacted
    assert "[REDACTED_EMAIL]" in redacted
    assert redacted.endswith(" today")


def test_long_base64_without_pii_passes_through_unchanged():
    import base64

    blob = base64.b64encode(bytes(range(256)) * 400).decode()  # ~136 KB, no "@", digits
    assert REDACTOR.text(blob) == blob
    assert REDACTOR.text(blob + "@") == blob + "@"
