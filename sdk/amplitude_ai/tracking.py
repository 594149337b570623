"""The eight tracking methods, shared by ``AmplitudeAI``, ``BoundAgent`` and ``Session``.

Each method only names its arguments (a :class:`~amplitude_ai._kinds.TrackArgs`) and hands
them to the client's one emit entry, ``AmplitudeAI._emit``, with the owner's defaults (none
for the client, the agent's for a bound agent, the session's for a session). Message, tool
and span methods return the id of the event they created, also when tracking itself failed,
so linking code in the app keeps working.

On a session or bound agent the user is already known, so ``track_user_message`` takes
the message content as its first positional argument (``s.track_user_message("Hello")``);
on the client it is ``track_user_message(user_id, content, session_id)``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ._kinds import EventKind, TrackArgs
from ._logging import log_once

if TYPE_CHECKING:
    from .context import Emitter, SessionContext
    from .enrichments import MessageLabel, SessionEnrichments

Attachments = Sequence[Mapping[str, Any]]
Labels = Sequence["MessageLabel | Mapping[str, Any]"]


class TrackingMethods:
    """Mixin: the public tracking API over the client's emit entry."""

    def _client(self) -> Emitter:
        raise NotImplementedError

    def _bound(self) -> SessionContext | None:
        return None

    def _track(self, kind: EventKind, args: TrackArgs) -> str | None:
        return self._client()._emit(kind, args, self._bound())

    def _track_id(self, kind: EventKind, args: TrackArgs) -> str:
        event_id = self._track(kind, args)
        assert event_id is not None  # the entry returns an id for every kind in ID_ARGS
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
        return self._track_id(
            "user_message",
            {
                "user_id": user_id,
                "content": content,
                "session_id": session_id,
                "trace_id": trace_id,
                "turn_id": turn_id,
                "message_id": message_id,
                "locale": locale,
                "is_regeneration": is_regeneration,
                "is_edit": is_edit,
                "edited_message_id": edited_message_id,
                "attachments": attachments,
                "labels": labels,
                "agent_id": agent_id,
                "parent_agent_id": parent_agent_id,
                "customer_org_id": customer_org_id,
                "agent_version": agent_version,
                "env": env,
                "context": context,
                "groups": groups,
                "event_properties": event_properties,
            },
        )

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
        return self._track_id(
            "ai_response",
            {
                "user_id": user_id,
                "content": content,
                "session_id": session_id,
                "model": model,
                "provider": provider,
                "latency_ms": latency_ms,
                "trace_id": trace_id,
                "turn_id": turn_id,
                "message_id": message_id,
                "input_tokens": input_tokens,
                "output_tokens": output_tokens,
                "total_tokens": total_tokens,
                "reasoning_tokens": reasoning_tokens,
                "cache_read_tokens": cache_read_tokens,
                "cache_creation_tokens": cache_creation_tokens,
                "total_cost_usd": total_cost_usd,
                "finish_reason": finish_reason,
                "tool_calls": tool_calls,
                "reasoning_content": reasoning_content,
                "system_prompt": system_prompt,
                "temperature": temperature,
                "max_output_tokens": max_output_tokens,
                "top_p": top_p,
                "is_streaming": is_streaming,
                "ttfb_ms": ttfb_ms,
                "prompt_id": prompt_id,
                "model_tier": model_tier,
                "was_copied": was_copied,
                "was_cached": was_cached,
                "is_error": is_error,
                "error_message": error_message,
                "locale": locale,
                "span_kind": span_kind,
                "attachments": attachments,
                "labels": labels,
                "agent_id": agent_id,
                "parent_agent_id": parent_agent_id,
                "customer_org_id": customer_org_id,
                "agent_version": agent_version,
                "env": env,
                "context": context,
                "groups": groups,
                "event_properties": event_properties,
            },
        )

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
        return self._track_id(
            "tool_call",
            {
                "user_id": user_id,
                "tool_name": tool_name,
                "latency_ms": latency_ms,
                "success": success,
                "session_id": session_id,
                "trace_id": trace_id,
                "turn_id": turn_id,
                "invocation_id": invocation_id,
                "input": input,
                "output": output,
                "is_error": is_error,
                "error_message": error_message,
                "parent_message_id": parent_message_id,
                "locale": locale,
                "span_kind": span_kind,
                "agent_id": agent_id,
                "parent_agent_id": parent_agent_id,
                "customer_org_id": customer_org_id,
                "agent_version": agent_version,
                "env": env,
                "context": context,
                "groups": groups,
                "event_properties": event_properties,
            },
        )

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
        return self._track_id(
            "embedding",
            {
                "user_id": user_id,
                "model": model,
                "provider": provider,
                "latency_ms": latency_ms,
                "input_tokens": input_tokens,
                "dimensions": dimensions,
                "total_cost_usd": total_cost_usd,
                "session_id": session_id,
                "trace_id": trace_id,
                "turn_id": turn_id,
                "span_id": span_id,
                "agent_id": agent_id,
                "parent_agent_id": parent_agent_id,
                "customer_org_id": customer_org_id,
                "agent_version": agent_version,
                "env": env,
                "context": context,
                "groups": groups,
                "event_properties": event_properties,
            },
        )

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
        return self._track_id(
            "span",
            {
                "user_id": user_id,
                "span_name": span_name,
                "trace_id": trace_id,
                "latency_ms": latency_ms,
                "session_id": session_id,
                "turn_id": turn_id,
                "span_id": span_id,
                "parent_span_id": parent_span_id,
                "input_state": input_state,
                "output_state": output_state,
                "is_error": is_error,
                "error_message": error_message,
                "agent_id": agent_id,
                "parent_agent_id": parent_agent_id,
                "customer_org_id": customer_org_id,
                "agent_version": agent_version,
                "env": env,
                "context": context,
                "groups": groups,
                "event_properties": event_properties,
            },
        )

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
        self._track(
            "session_end",
            {
                "user_id": user_id,
                "session_id": session_id,
                "enrichments": enrichments,
                "abandonment_turn": abandonment_turn,
                "idle_timeout_minutes": idle_timeout_minutes,
                "trace_id": trace_id,
                "agent_id": agent_id,
                "parent_agent_id": parent_agent_id,
                "customer_org_id": customer_org_id,
                "agent_version": agent_version,
                "env": env,
                "context": context,
                "groups": groups,
                "event_properties": event_properties,
            },
        )

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
        self._track(
            "session_enrichment",
            {
                "user_id": user_id,
                "session_id": session_id,
                "enrichments": enrichments,
                "trace_id": trace_id,
                "agent_id": agent_id,
                "parent_agent_id": parent_agent_id,
                "customer_org_id": customer_org_id,
                "agent_version": agent_version,
                "env": env,
                "context": context,
                "groups": groups,
                "event_properties": event_properties,
            },
        )

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
        self._track(
            "score",
            {
                "user_id": user_id,
                "name": name,
                "value": value,
                "target_id": target_id,
                "target_type": target_type,
                "source": source,
                "comment": comment,
                "session_id": session_id,
                "trace_id": trace_id,
                "agent_id": agent_id,
                "parent_agent_id": parent_agent_id,
                "customer_org_id": customer_org_id,
                "agent_version": agent_version,
                "env": env,
                "context": context,
                "groups": groups,
                "event_properties": event_properties,
            },
        )


class BoundTrackingMethods(TrackingMethods):
    """The tracking API of a bound agent or session: the user is known, so a user message
    takes its content first."""

    def track_user_message(  # type: ignore[override]
        self,
        content: str | None = None,
        *legacy: Any,
        user_id: str | None = None,
        session_id: str | None = None,
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
        """Track ``[Agent] User Message`` with ``content``; returns its ``message_id``.

        ``s.track_user_message("Hello")`` sends "Hello" as the message. The client-style
        form ``track_user_message(user_id, content[, session_id])`` still works here but
        logs a warning: pass ``user_id=``/``session_id=`` by keyword instead.
        """
        if legacy:
            if len(legacy) > 2:
                raise TypeError(
                    "track_user_message() takes the content and keyword arguments; "
                    f"got {1 + len(legacy)} positional arguments"
                )
            log_once(
                "user-message-positional",
                logging.WARNING,
                "amplitude_ai: %s.track_user_message(user_id, content, ...) is the client's "
                "form; on an agent or session the first positional argument is the content: "
                "call track_user_message(content, user_id=...) instead",
                type(self).__name__,
            )
            user_id = user_id if user_id is not None else content
            content = legacy[0]
            if len(legacy) == 2 and session_id is None:
                session_id = legacy[1]
        return super().track_user_message(
            user_id,
            content,
            session_id,
            trace_id=trace_id,
            turn_id=turn_id,
            message_id=message_id,
            locale=locale,
            is_regeneration=is_regeneration,
            is_edit=is_edit,
            edited_message_id=edited_message_id,
            attachments=attachments,
            labels=labels,
            agent_id=agent_id,
            parent_agent_id=parent_agent_id,
            customer_org_id=customer_org_id,
            agent_version=agent_version,
            env=env,
            context=context,
            groups=groups,
            event_properties=event_properties,
        )
