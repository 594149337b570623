"""The eight tracking methods, shared by ``AmplitudeAI``, ``BoundAgent`` and ``Session``.

Each method only collects its arguments and hands them to ``_track``; the owner decides
which defaults apply (none for the client, the agent's for a bound agent, the session's
for a session). Message, tool and span methods return the id of the event they created,
also when tracking itself failed, so linking code in the app keeps working.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ._ids import new_uuid

if TYPE_CHECKING:
    from .client import AmplitudeAI
    from .context import SessionContext
    from .enrichments import MessageLabel, SessionEnrichments

Attachments = Sequence[Mapping[str, Any]]
Labels = Sequence["MessageLabel | Mapping[str, Any]"]


class TrackingMethods:
    """Mixin: the public tracking API over an abstract ``_track``."""

    def _client(self) -> AmplitudeAI:
        raise NotImplementedError

    def _bound(self) -> SessionContext | None:
        return None

    def _track(self, kind: str, args: dict[str, Any], id_arg: str | None = None) -> str | None:
        # Omitted arguments are None; drop them once so every later step sees only what the
        # caller passed (a typical call sets a handful of its ~40 parameters).
        args = {k: v for k, v in args.items() if v is not None and k != "self"}
        event_id = None
        if id_arg is not None:
            event_id = args.get(id_arg) or new_uuid()
            args[id_arg] = event_id
        self._client()._emit(kind, args, self._bound())
        return event_id

    def track_user_message(
        self,
        user_id: str | None = None,
        content: str | None = None,
        session_id: str | None = None,
        *,
        trace_id: str | None = None,
        turn_id: int | None = None,
        message_id: str | None = None,
        locale: str | None = None,
        is_regeneration: bool | None = None,
        is_edit: bool | None = None,
        edited_message_id: str | None = None,
        attachments: Attachments | None = None,
        labels: Labels | None = None,
        agent_id: str | None = None,
        parent_agent_id: str | None = None,
        customer_org_id: str | None = None,
        agent_version: str | None = None,
        env: str | None = None,
        context: Mapping[str, Any] | None = None,
        groups: Mapping[str, Any] | None = None,
        event_properties: Mapping[str, Any] | None = None,
    ) -> str:
        """Track ``[Agent] User Message``; returns its ``message_id``."""
        return self._track("user_message", locals(), "message_id")  # type: ignore[return-value]

    def track_ai_message(
        self,
        user_id: str | None = None,
        content: str | None = None,
        session_id: str | None = None,
        model: str | None = None,
        provider: str | None = None,
        latency_ms: float | None = None,
        *,
        trace_id: str | None = None,
        turn_id: int | None = None,
        message_id: str | None = None,
        input_tokens: int | None = None,
        output_tokens: int | None = None,
        total_tokens: int | None = None,
        reasoning_tokens: int | None = None,
        cache_read_tokens: int | None = None,
        cache_creation_tokens: int | None = None,
        total_cost_usd: float | None = None,
        finish_reason: str | None = None,
        tool_calls: Sequence[Any] | None = None,
        reasoning_content: str | None = None,
        system_prompt: str | None = None,
        temperature: float | None = None,
        max_output_tokens: int | None = None,
        top_p: float | None = None,
        is_streaming: bool | None = None,
        ttfb_ms: float | None = None,
        prompt_id: str | None = None,
        model_tier: str | None = None,
        was_copied: bool | None = None,
        was_cached: bool | None = None,
        is_error: bool | None = None,
        error_message: str | None = None,
        locale: str | None = None,
        span_kind: str | None = None,
        attachments: Attachments | None = None,
        labels: Labels | None = None,
        agent_id: str | None = None,
        parent_agent_id: str | None = None,
        customer_org_id: str | None = None,
        agent_version: str | None = None,
        env: str | None = None,
        context: Mapping[str, Any] | None = None,
        groups: Mapping[str, Any] | None = None,
        event_properties: Mapping[str, Any] | None = None,
    ) -> str:
        """Track ``[Agent] AI Response``; returns its ``message_id``.

        Cost is computed from the token counts (cache-aware) when ``total_cost_usd`` is not
        given; ``total_tokens`` and ``model_tier`` are derived when omitted.
        """
        return self._track("ai_response", locals(), "message_id")  # type: ignore[return-value]

    def track_tool_call(
        self,
        user_id: str | None = None,
        tool_name: str | None = None,
        latency_ms: float | None = None,
        success: bool = True,
        *,
        session_id: str | None = None,
        trace_id: str | None = None,
        turn_id: int | None = None,
        invocation_id: str | None = None,
        input: Any = None,
        output: Any = None,
        is_error: bool | None = None,
        error_message: str | None = None,
        parent_message_id: str | None = None,
        locale: str | None = None,
        span_kind: str | None = None,
        agent_id: str | None = None,
        parent_agent_id: str | None = None,
        customer_org_id: str | None = None,
        agent_version: str | None = None,
        env: str | None = None,
        context: Mapping[str, Any] | None = None,
        groups: Mapping[str, Any] | None = None,
        event_properties: Mapping[str, Any] | None = None,
    ) -> str:
        """Track ``[Agent] Tool Call``; returns its ``invocation_id``."""
        return self._track("tool_call", locals(), "invocation_id")  # type: ignore[return-value]

    def track_embedding(
        self,
        user_id: str | None = None,
        model: str | None = None,
        provider: str | None = None,
        latency_ms: float | None = None,
        *,
        input_tokens: int | None = None,
        dimensions: int | None = None,
        total_cost_usd: float | None = None,
        session_id: str | None = None,
        trace_id: str | None = None,
        turn_id: int | None = None,
        span_id: str | None = None,
        agent_id: str | None = None,
        parent_agent_id: str | None = None,
        customer_org_id: str | None = None,
        agent_version: str | None = None,
        env: str | None = None,
        context: Mapping[str, Any] | None = None,
        groups: Mapping[str, Any] | None = None,
        event_properties: Mapping[str, Any] | None = None,
    ) -> str:
        """Track ``[Agent] Embedding``; returns its ``span_id``."""
        return self._track("embedding", locals(), "span_id")  # type: ignore[return-value]

    def track_span(
        self,
        user_id: str | None = None,
        span_name: str | None = None,
        trace_id: str | None = None,
        latency_ms: float | None = None,
        *,
        session_id: str | None = None,
        turn_id: int | None = None,
        span_id: str | None = None,
        parent_span_id: str | None = None,
        input_state: Any = None,
        output_state: Any = None,
        is_error: bool | None = None,
        error_message: str | None = None,
        agent_id: str | None = None,
        parent_agent_id: str | None = None,
        customer_org_id: str | None = None,
        agent_version: str | None = None,
        env: str | None = None,
        context: Mapping[str, Any] | None = None,
        groups: Mapping[str, Any] | None = None,
        event_properties: Mapping[str, Any] | None = None,
    ) -> str:
        """Track ``[Agent] Span`` (any pipeline step); returns its ``span_id``."""
        return self._track("span", locals(), "span_id")  # type: ignore[return-value]

    def track_session_end(
        self,
        user_id: str | None = None,
        session_id: str | None = None,
        *,
        enrichments: SessionEnrichments | Mapping[str, Any] | None = None,
        abandonment_turn: int | None = None,
        idle_timeout_minutes: float | None = None,
        trace_id: str | None = None,
        agent_id: str | None = None,
        parent_agent_id: str | None = None,
        customer_org_id: str | None = None,
        agent_version: str | None = None,
        env: str | None = None,
        context: Mapping[str, Any] | None = None,
        groups: Mapping[str, Any] | None = None,
        event_properties: Mapping[str, Any] | None = None,
    ) -> None:
        """Track ``[Agent] Session End`` (optionally with enrichments); returns ``None``."""
        self._track("session_end", locals())

    def track_session_enrichment(
        self,
        user_id: str | None = None,
        session_id: str | None = None,
        enrichments: SessionEnrichments | Mapping[str, Any] | None = None,
        *,
        trace_id: str | None = None,
        agent_id: str | None = None,
        parent_agent_id: str | None = None,
        customer_org_id: str | None = None,
        agent_version: str | None = None,
        env: str | None = None,
        context: Mapping[str, Any] | None = None,
        groups: Mapping[str, Any] | None = None,
        event_properties: Mapping[str, Any] | None = None,
    ) -> None:
        """Track ``[Agent] Session Enrichment``; each call is a separate event."""
        self._track("session_enrichment", locals())

    def score(
        self,
        user_id: str | None = None,
        name: str | None = None,
        value: float | None = None,
        target_id: str | None = None,
        *,
        target_type: str = "message",
        source: str = "user",
        comment: str | None = None,
        session_id: str | None = None,
        trace_id: str | None = None,
        agent_id: str | None = None,
        parent_agent_id: str | None = None,
        customer_org_id: str | None = None,
        agent_version: str | None = None,
        env: str | None = None,
        context: Mapping[str, Any] | None = None,
        groups: Mapping[str, Any] | None = None,
        event_properties: Mapping[str, Any] | None = None,
    ) -> None:
        """Track ``[Agent] Score`` on a message or session (``target_type``); returns ``None``."""
        self._track("score", locals())
