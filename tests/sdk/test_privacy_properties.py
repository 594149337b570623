"""Property tests for the privacy controls.

* Content modes: with random secret text in every content-carrying argument of every
  tracking method, ``metadata_only`` and ``customer_enriched`` send none of it (except,
  in ``customer_enriched``, the caller's own enrichments) while the metadata still arrives,
  and ``full`` sends it (so the gate is real).
* PII redaction: generated e-mails, phone numbers, card numbers and SSNs embedded in random
  prose (and in nested tool input) are all replaced, the prose around them survives, and
  ordinary numbers (counts, latencies, dates, times, versions, ids, UUIDs) are left alone.

Every secret carries one random token (a UUID's 32 hex digits): finding the token anywhere
in the serialised events is a leak, and nothing else in an event can contain it by chance.
"""

from __future__ import annotations

import json
import re
import string
from collections import Counter
from collections.abc import Iterator
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from amplitude_ai import (
    EvidenceQuote,
    MessageLabel,
    MockAmplitudeAI,
    RubricScore,
    SessionEnrichments,
)
from amplitude_ai.catalog import load_catalog
from amplitude_ai.privacy import Redactor

NAMES = load_catalog().property_names
ENRICHMENTS = NAMES["enrichments"]

# ----------------------------------------------------------------------------- content modes

# Every content-carrying input the tracking API accepts, one secret each.
USER_FIELDS = ("user_content", "user_attachment_name", "user_attachment_url", "user_caption")
AI_FIELDS = (
    "ai_content",
    "system_prompt",
    "reasoning_content",
    "openai_tool_arguments",
    "anthropic_tool_input",
    "ai_attachment_name",
    "ai_attachment_url",
    "ai_attachment_alt_text",
)
TOOL_FIELDS = (
    "tool_input_text",
    "tool_input_key",
    "tool_input_nested",
    "tool_output",
    "tool_input_plain",
    "tool_output_plain",
)
SPAN_FIELDS = ("span_input_state", "span_output_state")
SCORE_FIELDS = ("score_comment",)
# Attachment file payloads: never sent, in any mode.
PAYLOAD_FIELDS = ("attachment_data", "attachment_base64")
# Enrichment free text: kept in customer_enriched (and full), stripped in metadata_only.
ENRICHMENT_FIELDS = (
    "rubric_rationale",
    "evidence_quote",
    "improvement_opportunities",
    "task_failure_reason",
    "negative_feedback_phrase",
)
CONTENT_FIELDS = USER_FIELDS + AI_FIELDS + TOOL_FIELDS + SPAN_FIELDS + SCORE_FIELDS
ALL_FIELDS = CONTENT_FIELDS + PAYLOAD_FIELDS + ENRICHMENT_FIELDS

SESSION_ID = "sess-privacy-1"
SYSTEM_PROMPT_FIELD = "system_prompt"


def marker(field: str, token: str) -> str:
    return f"SECRET-{field}-{token}"


@st.composite
def secrets(draw: st.DrawFn) -> tuple[str, dict[str, str]]:
    """A random token and, per field, arbitrary text with that field's marker inside."""
    token = draw(st.uuids()).hex
    around = st.text(max_size=12)
    values = {f: draw(around) + marker(f, token) + draw(around) for f in ALL_FIELDS}
    return token, values


def _enrichments(s: dict[str, str]) -> SessionEnrichments:
    return SessionEnrichments(
        rubrics=[
            RubricScore(
                name="accuracy",
                score=0.25,
                rationale=s["rubric_rationale"],
                evidence=[EvidenceQuote(quote=s["evidence_quote"], turn_index=1, role="user")],
                improvement_opportunities=s["improvement_opportunities"],
            )
        ],
        overall_outcome="partial_success",
        quality_score=0.5,
        has_task_failure=True,
        task_failure_type="wrong_answer",
        task_failure_reason=s["task_failure_reason"],
        has_negative_feedback=True,
        negative_feedback_phrases=[s["negative_feedback_phrase"]],
        message_labels={"msg-1": [MessageLabel(key="intent", value="refund")]},
    )


def emit_everything(ai: MockAmplitudeAI, s: dict[str, str]) -> dict[str, Any]:
    """One conversation that passes a secret in every content-carrying argument."""
    agent = ai.agent("support-bot", agent_version="2.1.0", env="prod", customer_org_id="org-7")
    with agent.session(session_id=SESSION_ID, user_id="user-42", trace_id="trace-9") as session:
        session.set_enrichments(_enrichments(s))
        user_message_id = session.track_user_message(
            content=s["user_content"],
            attachments=[
                {
                    "type": "image",
                    "mime_type": "image/png",
                    "size_bytes": 2048,
                    "name": s["user_attachment_name"],
                    "url": s["user_attachment_url"],
                    "caption": s["user_caption"],
                    "data": s["attachment_data"],
                }
            ],
            labels=[MessageLabel(key="intent", value="refund", confidence=0.9)],
        )
        ai_message_id = session.track_ai_message(
            content=s["ai_content"],
            model="gpt-4o",
            provider="openai",
            latency_ms=812.5,
            input_tokens=1532,
            output_tokens=211,
            reasoning_tokens=64,
            finish_reason="tool_calls",
            system_prompt=s[SYSTEM_PROMPT_FIELD],
            reasoning_content=s["reasoning_content"],
            tool_calls=[
                {  # OpenAI shape: arguments are a JSON string
                    "id": "call_abc",
                    "type": "function",
                    "function": {
                        "name": "lookup_order",
                        "arguments": json.dumps({"query": s["openai_tool_arguments"]}),
                    },
                },
                {  # Anthropic shape: input is a dict
                    "id": "toolu_01",
                    "type": "tool_use",
                    "name": "search_kb",
                    "input": {"q": s["anthropic_tool_input"], "filters": [{"v": 1}]},
                },
            ],
            attachments=[
                {
                    "type": "document",
                    "mime_type": "application/pdf",
                    "size_bytes": 10_000,
                    "name": s["ai_attachment_name"],
                    "url": s["ai_attachment_url"],
                    "alt_text": s["ai_attachment_alt_text"],
                    "base64": s["attachment_base64"],
                }
            ],
            labels=[{"key": "tone", "value": "formal"}],
        )
        invocation_id = session.track_tool_call(
            tool_name="lookup_order",
            latency_ms=45.0,
            input={
                "query": s["tool_input_text"],
                s["tool_input_key"]: 1,
                "filters": [{"notes": [s["tool_input_nested"]]}, 3],
            },
            output=[{"result": s["tool_output"]}],
            parent_message_id=ai_message_id,
        )
        send_id = session.track_tool_call(  # plain-string input and output
            tool_name="send_email",
            latency_ms=5.0,
            success=False,
            input=s["tool_input_plain"],
            output=s["tool_output_plain"],
            error_message="smtp timeout",
        )
        span_id = session.track_span(
            span_name="retrieve_docs",
            latency_ms=120.0,
            input_state={"question": s["span_input_state"]},
            output_state=[s["span_output_state"], 7],
        )
        embedding_span_id = session.track_embedding(
            model="text-embedding-3-small",
            provider="openai",
            latency_ms=30.0,
            input_tokens=12,
            dimensions=1536,
        )
        session.score(
            name="helpfulness",
            value=0.8,
            target_id=ai_message_id,
            comment=s["score_comment"],
        )
        session.track_session_enrichment(enrichments=_enrichments(s).to_dict())
    return {
        "user_message_id": user_message_id,
        "ai_message_id": ai_message_id,
        "invocation_ids": [invocation_id, send_id],
        "span_id": span_id,
        "embedding_span_id": embedding_span_id,
    }


def _all(ai: MockAmplitudeAI, event_type: str) -> list[dict[str, Any]]:
    return [e["event_properties"] for e in ai.events_of_type(event_type)]


def _one(ai: MockAmplitudeAI, event_type: str) -> dict[str, Any]:
    events = _all(ai, event_type)
    assert len(events) == 1, f"expected one {event_type}, got {len(events)}"
    return events[0]


def leaked(text: str, token: str, fields: tuple[str, ...] = ALL_FIELDS) -> list[str]:
    """Which fields' markers occur in ``text`` (for readable failures)."""
    return [f for f in fields if marker(f, token) in text]


def assert_metadata_survives(ai: MockAmplitudeAI, ids: dict[str, Any], system_prompt: str) -> None:
    """The metadata is still there, so a mode cannot pass by dropping everything."""
    n = NAMES
    assert len(ai.events) == 9
    assert all(e["event_properties"][n["session_id"]] == SESSION_ID for e in ai.events)
    assert all(e["event_properties"][n["agent_id"]] == "support-bot" for e in ai.events)
    assert all(e["user_id"] == "user-42" for e in ai.events)

    user = _one(ai, "[Agent] User Message")
    assert user[n["message_id"]] == ids["user_message_id"]
    assert user[n["has_attachments"]] is True
    assert user[n["attachment_count"]] == 1
    assert json.loads(user[n["attachment_types"]]) == ["image"]
    assert user[n["total_attachment_size_bytes"]] == 2048
    assert json.loads(user[n["attachments"]]) == [
        {"type": "image", "mime_type": "image/png", "size_bytes": 2048}
    ]
    assert json.loads(user[n["message_labels"]]) == [
        {"key": "intent", "value": "refund", "confidence": 0.9}
    ]

    response = _one(ai, "[Agent] AI Response")
    assert response[n["message_id"]] == ids["ai_message_id"]
    assert response[n["model_name"]] == "gpt-4o"
    assert response[n["provider"]] == "openai"
    assert response[n["latency_ms"]] == 812.5
    assert (response[n["input_tokens"]], response[n["output_tokens"]]) == (1532, 211)
    assert response[n["total_tokens"]] == 1743
    assert response[n["reasoning_tokens"]] == 64
    assert response[n["cost_usd"]] > 0
    assert response[n["finish_reason"]] == "tool_calls"
    assert response[n["has_reasoning"]] is True
    assert response[n["system_prompt_length"]] == len(system_prompt)
    assert json.loads(response[n["tool_calls"]]) == [
        {"id": "call_abc", "type": "function", "name": "lookup_order"},
        {"id": "toolu_01", "type": "tool_use", "name": "search_kb"},
    ]
    assert response[n["attachment_count"]] == 1
    assert json.loads(response[n["attachment_types"]]) == ["document"]
    assert json.loads(response[n["attachments"]]) == [
        {"type": "document", "mime_type": "application/pdf", "size_bytes": 10_000}
    ]
    assert json.loads(response[n["message_label_map"]]) == {"tone": "formal"}

    tool, send = _all(ai, "[Agent] Tool Call")
    assert [tool[n["invocation_id"]], send[n["invocation_id"]]] == ids["invocation_ids"]
    assert (tool[n["tool_name"]], send[n["tool_name"]]) == ("lookup_order", "send_email")
    assert (tool[n["tool_success"]], send[n["tool_success"]]) == (True, False)
    assert (tool[n["is_error"]], send[n["is_error"]]) == (False, True)
    assert send[n["error_message"]] == "smtp timeout"
    assert tool[n["latency_ms"]] == 45.0
    assert tool[n["parent_message_id"]] == ids["ai_message_id"]

    span = _one(ai, "[Agent] Span")
    assert (span[n["span_id"]], span[n["span_name"]]) == (ids["span_id"], "retrieve_docs")

    embedding = _one(ai, "[Agent] Embedding")
    assert embedding[n["span_id"]] == ids["embedding_span_id"]
    assert embedding[n["embedding_dimensions"]] == 1536

    score = _one(ai, "[Agent] Score")
    assert (score[n["score_name"]], score[n["score_value"]]) == ("helpfulness", 0.8)
    assert score[n["target_id"]] == ids["ai_message_id"]

    for event_type in ("[Agent] Session Enrichment", "[Agent] Session End"):
        enrichments = json.loads(_one(ai, event_type)[ENRICHMENTS])
        assert enrichments["overall_outcome"] == "partial_success"
        assert enrichments["has_task_failure"] is True
        assert enrichments["task_failure_type"] == "wrong_answer"
        assert [(r["name"], r["score"]) for r in enrichments["rubrics"]] == [("accuracy", 0.25)]
        assert enrichments["message_labels"] == {"msg-1": [{"key": "intent", "value": "refund"}]}


def _dump(ai: MockAmplitudeAI) -> str:
    return json.dumps(ai.events)


@settings(max_examples=40, deadline=None)
@given(secret=secrets())
def test_metadata_only_never_leaks_content_into_any_event_field(secret):
    token, s = secret
    ai = MockAmplitudeAI(content_mode="metadata_only")
    ids = emit_everything(ai, s)
    dump = _dump(ai)
    assert token not in dump, f"leaked: {leaked(dump, token)}"
    assert_metadata_survives(ai, ids, s[SYSTEM_PROMPT_FIELD])
    # Free text is stripped from the enrichments, the structure is kept.
    rubric = json.loads(_one(ai, "[Agent] Session End")[ENRICHMENTS])["rubrics"][0]
    assert set(rubric) == {"name", "score"}


@settings(max_examples=40, deadline=None)
@given(secret=secrets())
def test_customer_enriched_sends_only_the_callers_enrichments(secret):
    token, s = secret
    ai = MockAmplitudeAI(content_mode="customer_enriched")
    ids = emit_everything(ai, s)
    assert_metadata_survives(ai, ids, s[SYSTEM_PROMPT_FIELD])
    for event in ai.events:
        rest = {k: v for k, v in event["event_properties"].items() if k != ENRICHMENTS}
        outside = json.dumps({**event, "event_properties": rest})
        assert token not in outside, f"{event['event_type']} leaked: {leaked(outside, token)}"
    for event_type in ("[Agent] Session Enrichment", "[Agent] Session End"):
        enrichments = _one(ai, event_type)[ENRICHMENTS]
        # Kept whole: every free-text marker, and nothing but the enrichment ones.
        assert leaked(enrichments, token) == list(ENRICHMENT_FIELDS)
        decoded = json.loads(enrichments)
        assert decoded["task_failure_reason"] == s["task_failure_reason"]
        assert decoded["rubrics"][0]["evidence"][0]["quote"] == s["evidence_quote"]


@settings(max_examples=25, deadline=None)
@given(secret=secrets())
def test_full_mode_sends_the_content_so_the_gate_is_real(secret):
    token, s = secret
    ai = MockAmplitudeAI(content_mode="full")
    emit_everything(ai, s)
    dump = _dump(ai)
    # Every content and enrichment marker arrives; attachment file payloads never do.
    assert leaked(dump, token) == list(CONTENT_FIELDS + ENRICHMENT_FIELDS)
    response = _one(ai, "[Agent] AI Response")
    assert response[NAMES["system_prompt"]] == s[SYSTEM_PROMPT_FIELD]
    assert response[NAMES["reasoning_content"]] == s["reasoning_content"]
    assert response[NAMES["llm_message"]] == {"text": s["ai_content"]}
    calls = json.loads(response[NAMES["tool_calls"]])
    assert json.loads(calls[0]["arguments"]) == {"query": s["openai_tool_arguments"]}
    assert calls[1]["arguments"]["q"] == s["anthropic_tool_input"]
    tool, send = _all(ai, "[Agent] Tool Call")
    assert json.loads(tool[NAMES["tool_output"]]) == [{"result": s["tool_output"]}]
    assert json.loads(send[NAMES["tool_input"]]) == s["tool_input_plain"]


# ----------------------------------------------------------------------------- PII redaction

WORD = st.text(alphabet=string.ascii_letters, min_size=3, max_size=10)
DIGITS = "0123456789"


def _fill(template: str, draw: st.DrawFn) -> str:
    """``#`` -> any digit, ``N`` -> 2-9 (NANP area codes and exchanges)."""
    out = []
    for ch in template:
        if ch == "#":
            out.append(draw(st.sampled_from(DIGITS)))
        elif ch == "N":
            out.append(draw(st.sampled_from("23456789")))
        else:
            out.append(ch)
    return "".join(out)


PHONE_TEMPLATES = (
    # US / NANP
    "(N##) N##-####",
    "(N##)N##-####",
    "N##-N##-####",
    "N##.N##.####",
    "N## N## ####",
    "N##N######",
    "+1 N## N## ####",
    "+1-N##-N##-####",
    "+1 (N##) N##-####",
    "+1.N##.N##.####",
    "+1N##N######",
    "1-N##-N##-####",
    "1 (N##) N##-####",
    # international
    "+44 20 #### ####",
    "+44 (0)20 #### ####",
    "+44 7### ######",
    "020 #### ####",
    "+49 30 #######",
    "+49 15# ########",
    "+33 # ## ## ## ##",
    "+33 (0)# ## ## ## ##",
    "+91 9#### #####",
    "+81 3-####-####",
    "+81 90-####-####",
    "+61 2 #### ####",
    "+61 4## ### ###",
    "+55 11 9####-####",
    "+34 6## ## ## ##",
    "+39 06 #### ####",
    "+86 138 #### ####",
    "+353 1 ### ####",
    "+27 21 ### ####",
)


@st.composite
def phones(draw: st.DrawFn) -> str:
    return _fill(draw(st.sampled_from(PHONE_TEMPLATES)), draw)


@st.composite
def emails(draw: st.DrawFn) -> str:
    atom = st.text(alphabet=string.ascii_letters + DIGITS, min_size=1, max_size=8)
    local = draw(atom)
    for _ in range(draw(st.integers(0, 2))):
        local += draw(st.sampled_from("._-")) + draw(atom)
    if draw(st.booleans()):
        local += "+" + draw(atom)
    label = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)
    domain = ".".join(draw(st.lists(label, min_size=1, max_size=3)))
    tld = draw(st.sampled_from(["com", "org", "io", "co.uk", "de", "travel", "museum", "ai"]))
    email = f"{local}@{domain}.{tld}"
    return email.upper() if draw(st.booleans()) and len(email) < 20 else email


def luhn_check_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    return luhn_check_digit(number[:-1]) == number[-1]


@st.composite
def card_digits(draw: st.DrawFn, length: int | None = None) -> str:
    length = length or draw(st.integers(13, 19))
    prefix = draw(st.sampled_from(["4", "51", "55", "34", "37", "6011", "36", "35", "62"]))
    body = prefix + "".join(draw(st.sampled_from(DIGITS)) for _ in range(length - 1 - len(prefix)))
    return body + luhn_check_digit(body)


def _group(number: str, sizes: list[int], sep: str) -> str:
    parts, i = [], 0
    for size in sizes:
        parts.append(number[i : i + size])
        i += size
    return sep.join(p for p in parts if p)


@st.composite
def cards(draw: st.DrawFn) -> str:
    number = draw(card_digits())
    style = draw(st.sampled_from(["bare", "fours", "amex"]))
    sep = draw(st.sampled_from([" ", "-"]))
    if style == "fours":
        return _group(number, [4, 4, 4, 4, 3], sep)
    if style == "amex" and len(number) in (14, 15):  # Amex 4-6-5, Diners 4-6-4
        return _group(number, [4, 6, len(number) - 10], sep)
    return number


@st.composite
def ssns(draw: st.DrawFn) -> str:
    area = draw(st.integers(1, 899).filter(lambda a: a != 666))
    group = draw(st.integers(1, 99))
    serial = draw(st.integers(1, 9999))
    sep = draw(st.sampled_from(["-", " "]))
    return f"{area:03d}{sep}{group:02d}{sep}{serial:04d}"


PII_KINDS = {"EMAIL": emails(), "PHONE": phones(), "CARD": cards(), "SSN": ssns()}


@st.composite
def pii(draw: st.DrawFn) -> tuple[str, str, str]:
    """(kind, value, value with the punctuation the prose puts around it)."""
    kind = draw(st.sampled_from(sorted(PII_KINDS)))
    value = draw(PII_KINDS[kind])
    lead = ["", "(", '"', "'", "<", "["] + (["mailto:"] if kind == "EMAIL" else ["tel:"])
    before = draw(st.sampled_from(lead))
    after = draw(st.sampled_from(["", ".", ",", ")", "!", "?", ";", ":", '"', "'", ">", "]"]))
    return kind, value, f"{before}{value}{after}"


@st.composite
def prose_with_pii(draw: st.DrawFn) -> tuple[str, list[str], list[tuple[str, str]]]:
    """Letters-only words with PII between them: (text, words, [(kind, value), ...]).

    The words hold no digits and no ``@``, so any digit or ``@`` left after redaction is
    a piece of PII that got through.
    """
    words: list[str] = []
    found: list[tuple[str, str]] = []
    parts: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        chunk = draw(st.lists(WORD, min_size=1, max_size=4))
        words += chunk
        parts += chunk
        kind, value, wrapped = draw(pii())
        found.append((kind, value))
        parts.append(wrapped)
    tail = draw(st.lists(WORD, max_size=3))
    words += tail
    parts += tail
    text = parts[0]
    for part in parts[1:]:
        text += draw(st.sampled_from([" ", " ", "\n", "  "])) + part
    return text, words, found


def assert_redacted(original: str, redacted: str, words: list[str], found: list[tuple[str, str]]):
    context = f"\n  original: {original!r}\n  redacted: {redacted!r}"
    for _, value in found:
        assert value not in redacted, f"{value!r} survived{context}"
    assert not re.search(r"\d", redacted), f"digits of PII survived{context}"
    assert "@" not in redacted, f"an e-mail survived{context}"
    kinds = re.findall(r"\[REDACTED_([A-Z]+)\]", redacted)
    assert kinds == [k for k, _ in found], f"wrong redactions {kinds}{context}"
    # Redaction is not "delete everything": every word of the prose is still there.
    tokens = Counter(redacted.split())
    missing = Counter(words) - tokens
    assert not missing, f"prose words lost: {sorted(missing)}{context}"


REDACTOR = Redactor()


@settings(max_examples=300, deadline=None)
@given(sample=prose_with_pii())
def test_redactor_removes_every_generated_pii_and_keeps_the_prose(sample):
    text, words, found = sample
    assert_redacted(text, REDACTOR.text(text), words, found)


@settings(max_examples=60, deadline=None)
@given(kind=st.sampled_from(sorted(PII_KINDS)), data=st.data())
def test_each_pii_kind_is_redacted_on_its_own(kind, data):
    value = data.draw(PII_KINDS[kind])
    assert REDACTOR.text(value) == f"[REDACTED_{kind}]", value


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


@settings(max_examples=40, deadline=None)
@given(a=prose_with_pii(), b=prose_with_pii(), c=prose_with_pii(), d=pii())
def test_redaction_reaches_nested_tool_input_and_every_free_text_field(a, b, c, d):
    ai = MockAmplitudeAI(content_mode="full", redact_pii=True)
    kind_d, value_d, _ = d
    with ai.agent("bot").session(user_id="u-1") as session:
        session.track_tool_call(
            tool_name="crm_lookup",
            latency_ms=12.0,
            input={"customer": {"contact": value_d, "history": [a[0], {"note": b[0]}]}},
            output=c[0],
            error_message=a[0],
            event_properties={"ticket": {"body": b[0]}, "lines": [c[0]]},
        )
    event = ai.events_of_type("[Agent] Tool Call")[0]["event_properties"]
    tool_input = json.loads(event[NAMES["tool_input"]])  # still valid JSON
    contact, history = tool_input["customer"]["contact"], tool_input["customer"]["history"]
    assert contact == f"[REDACTED_{kind_d}]"
    assert_redacted(a[0], history[0], a[1], a[2])
    assert_redacted(b[0], history[1]["note"], b[1], b[2])
    assert_redacted(c[0], json.loads(event[NAMES["tool_output"]]), c[1], c[2])
    assert_redacted(a[0], event[NAMES["error_message"]], a[1], a[2])
    assert_redacted(b[0], event["ticket"]["body"], b[1], b[2])
    assert_redacted(c[0], event["lines"][0], c[1], c[2])
    assert event[NAMES["tool_name"]] == "crm_lookup"


ACCOUNT = st.from_regex(r"ACCT-[0-9]{6}", fullmatch=True)
EMPLOYEE = st.from_regex(r"EMP[A-Z]{2}[0-9]{4}", fullmatch=True)


@settings(max_examples=60, deadline=None)
@given(
    words=st.lists(WORD, min_size=1, max_size=6),
    ids=st.lists(st.one_of(ACCOUNT, EMPLOYEE), min_size=1, max_size=3),
    sample=prose_with_pii(),
)
def test_custom_redaction_patterns_apply_with_the_builtins(words, ids, sample):
    ai = MockAmplitudeAI(
        content_mode="full",
        redact_pii=True,
        custom_redaction_patterns=[r"ACCT-\d{6}", r"\bEMP[A-Z]{2}\d{4}\b"],
    )
    pairs = list(zip(words, ids, strict=False))
    text = " ".join(f"{w} {i}" for w, i in pairs) + " " + sample[0]
    with ai.agent("bot").session(user_id="u-1") as session:
        session.track_user_message(content=text)
    sent = ai.events_of_type("[Agent] User Message")[0]["event_properties"]["$llm_message"]["text"]
    for i in ids:
        assert i not in sent, sent
    assert sent.count("[REDACTED]") == len(pairs)
    assert not re.search(r"\d", sent), sent
    assert Counter(w for w, _ in pairs) + Counter(sample[1]) <= Counter(sent.split()), sent


# ----------------------------------------------------------------- ordinary numbers survive

VERSION = st.tuples(st.integers(0, 2030), st.integers(0, 99), st.integers(0, 9999)).map(
    lambda v: ".".join(map(str, v))
)


@st.composite
def ordinary_text(draw: st.DrawFn) -> str:
    tokens = draw(st.integers(0, 10**9 - 1))
    latency = draw(st.floats(0, 10**7, allow_nan=False, allow_infinity=False))
    when = draw(st.datetimes())
    uid = draw(st.uuids())
    order = draw(st.integers(0, 10**9 - 1))
    cost = draw(st.decimals(0, 100, places=8, allow_nan=False, allow_infinity=False))
    return (
        f"used {tokens} tokens in {latency} ms ({latency:.1f} ms, cost ${cost}) on "
        f"{when.date().isoformat()} at {when:%H:%M} ({when.isoformat()}); "
        f"app v{draw(VERSION)} build {draw(VERSION)}; order {order}, #{order}; "
        f"trace {uid} {str(uid).upper()} {uid.hex}; ok."
    )


@settings(max_examples=200, deadline=None)
@given(text=ordinary_text())
def test_ordinary_numbers_dates_versions_and_ids_are_not_redacted(text):
    assert REDACTOR.text(text) == text


@settings(max_examples=100, deadline=None)
@given(data=st.data(), length=st.integers(13, 19))
def test_bare_digit_runs_are_cards_only_when_luhn_valid(data, length):
    number = data.draw(st.text(alphabet=DIGITS, min_size=length, max_size=length))
    expected = "[REDACTED_CARD]" if luhn_valid(number) else number
    assert REDACTOR.text(f"id {number} end") == f"id {expected} end"
