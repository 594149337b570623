"""The contract of the internal emit entry, shared by every layer that produces events.

Tracking methods, sessions, bound agents, decorators and the provider wrappers all end in
one call, ``AmplitudeAI._emit(kind, args, bound)``: ``kind`` names the event, ``args``
holds the documented argument names of the public ``track_*`` methods (a
:class:`TrackArgs`), ``bound`` the defaults of an agent or session. This module depends
on nothing else in the SDK, so every layer can name the contract without importing the
client (``context.Emitter`` is the client as lower layers see it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypedDict

EventKind = Literal[
    "user_message",
    "ai_response",
    "tool_call",
    "embedding",
    "span",
    "session_end",
    "session_enrichment",
    "score",
]

# The argument that carries each event's own id; the entry generates it when omitted and
# returns it, so linking code (scores, parent ids) works even when tracking fails.
ID_ARGS: dict[str, str] = {
    "user_message": "message_id",
    "ai_response": "message_id",
    "tool_call": "invocation_id",
    "embedding": "span_id",
    "span": "span_id",
}


class TrackArgs(TypedDict, total=False):
    """Every argument a public tracking method accepts, by its documented name.

    Values are what the caller passed (``None`` means omitted); the client checks each one
    against the catalog before it becomes a property (see ``validation.py``).
    """

    # identity and grouping (resolved with the bound agent/session and the active context)
    user_id: Any
    session_id: Any
    trace_id: Any
    agent_id: Any
    parent_agent_id: Any
    customer_org_id: Any
    agent_version: Any
    agent_description: Any
    env: Any
    device_id: Any
    browser_session_id: Any
    context: Mapping[str, Any] | None
    groups: Mapping[str, Any] | None
    event_properties: Mapping[str, Any] | None
    turn_id: Any
    # messages
    content: Any
    message_id: Any
    locale: Any
    is_regeneration: Any
    is_edit: Any
    edited_message_id: Any
    attachments: Sequence[Any] | None
    labels: Sequence[Any] | None
    # model calls
    model: Any
    provider: Any
    latency_ms: Any
    input_tokens: Any
    output_tokens: Any
    total_tokens: Any
    reasoning_tokens: Any
    cache_read_tokens: Any
    cache_creation_tokens: Any
    total_cost_usd: Any
    finish_reason: Any
    tool_calls: Sequence[Any] | None
    reasoning_content: Any
    system_prompt: Any
    temperature: Any
    max_output_tokens: Any
    top_p: Any
    is_streaming: Any
    ttfb_ms: Any
    prompt_id: Any
    model_tier: Any
    was_copied: Any
    was_cached: Any
    is_error: Any
    error_message: Any
    span_kind: Any
    dimensions: Any
    # tools and spans
    tool_name: Any
    invocation_id: Any
    input: Any
    output: Any
    success: Any
    parent_message_id: Any
    span_name: Any
    span_id: Any
    parent_span_id: Any
    input_state: Any
    output_state: Any
    # sessions and scores
    enrichments: Any
    abandonment_turn: Any
    idle_timeout_minutes: Any
    name: Any
    value: Any
    target_id: Any
    target_type: Any
    source: Any
    comment: Any
