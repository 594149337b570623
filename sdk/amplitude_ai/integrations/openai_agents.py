"""OpenAI Agents SDK: a tracing processor that turns the SDK's spans into ``[Agent]`` events.

* response spans (Responses API models) and generation spans (Chat Completions models)
  -> ``[Agent] User Message`` (the last user input, once per turn) + ``[Agent] AI Response``;
* function spans -> ``[Agent] Tool Call``;
* agent, handoff and guardrail spans -> ``[Agent] Span``.

Agents are identified by name: every event inside an agent span carries that agent as
``agent_id``; a handoff makes the receiving agent a child of the one handing off
(``parent_agent_id``), and an agent run as a tool is a child of the agent calling it. The
top-level agent takes the processor's ``agent_id`` when one is given.

Register it with ``agents.add_trace_processor(processor)`` (alongside the SDK's own
exporter) or ``agents.set_trace_processors([processor])`` (instead of it). When the model
client underneath is instrumented as well (``patch()`` or a drop-in ``AsyncOpenAI`` set
with ``set_default_openai_client``), the provider layer reports the model calls and this
processor adds the agent structure, so no call is counted twice.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from agents.tracing import Span, Trace, TracingProcessor

from amplitude_ai import _claims
from amplitude_ai.integrations._base import IntegrationBase

__all__ = ["AmplitudeTracingProcessor"]

_MAX_OPEN = 10_000


@dataclass
class _TraceState:
    scope: dict[str, Any]
    span_parents: dict[str, str | None] = field(default_factory=dict)  # span -> parent span
    agent_spans: dict[str, str] = field(default_factory=dict)  # agent span -> agent id
    ids: dict[str, str] = field(default_factory=dict)  # agent name -> agent id
    parents: dict[str, str] = field(default_factory=dict)  # agent id -> parent agent id


def _latency_ms(span: Span[Any]) -> float:
    try:
        start = datetime.fromisoformat(str(span.started_at))
        end = datetime.fromisoformat(str(span.ended_at))
    except (TypeError, ValueError):
        return 0.0
    return max(0.0, (end - start).total_seconds() * 1000.0)


def _get(obj: Any, name: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def _content_text(content: Any) -> str | None:
    if isinstance(content, str):
        return content
    if isinstance(content, Sequence):
        texts = [_get(part, "text") for part in content]
        joined = "".join(t for t in texts if isinstance(t, str))
        return joined or None
    return None


def _last_user_input(items: Any) -> str | None:
    if isinstance(items, str):
        return items
    if not isinstance(items, Sequence):
        return None
    for item in reversed(items):
        if _get(item, "role") == "user":
            return _content_text(_get(item, "content"))
    return None


def _error_fields(span: Span[Any]) -> dict[str, Any]:
    error = span.error
    if not error:
        return {"is_error": False}
    message = str(_get(error, "message") or "error")
    data = _get(error, "data")
    detail = _get(data, "error") if isinstance(data, Mapping) else None
    if detail and str(detail) not in message:
        message = f"{message}: {detail}"
    return {"is_error": True, "error_message": message}


class AmplitudeTracingProcessor(IntegrationBase, TracingProcessor):
    """Agents SDK ``TracingProcessor`` reporting runs as ``[Agent]`` events.

    Args:
        amplitude: An ``amplitude.Amplitude`` client or an ``AmplitudeAI``.
        user_id, session_id, agent_id, agent_version, env, customer_org_id, context:
            Defaults for the events; without a session, the trace's ``group_id``
            (conversation) or else its trace id is the session.
    """

    def __init__(
        self,
        amplitude: Any = None,
        *,
        user_id: str | None = None,
        session_id: str | None = None,
        agent_id: str | None = None,
        agent_version: str | None = None,
        env: str | None = None,
        customer_org_id: str | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> None:
        IntegrationBase.__init__(
            self,
            amplitude,
            user_id=user_id,
            session_id=session_id,
            agent_version=agent_version,
            env=env,
            customer_org_id=customer_org_id,
            context=context,
        )
        self.root_agent_id = agent_id
        self._traces: dict[str, _TraceState] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ processor API
    def on_trace_start(self, trace: Trace) -> None:
        group = getattr(trace, "group_id", None)
        scope = self.conversation(str(group or trace.trace_id), trace.trace_id)
        with self._lock:
            if len(self._traces) >= _MAX_OPEN:
                self._traces.pop(next(iter(self._traces)))
            self._traces[trace.trace_id] = _TraceState(scope)

    def on_trace_end(self, trace: Trace) -> None:
        with self._lock:
            self._traces.pop(trace.trace_id, None)

    def on_span_start(self, span: Span[Any]) -> None:
        data = span.span_data
        state = self._state(span)
        with self._lock:
            state.span_parents[span.span_id] = span.parent_id
        if data.type in ("response", "generation"):
            # The model request starts in this task: let the provider layer claim it.
            _claims.enter_run(span.span_id, "openai")
        elif data.type == "agent":
            enclosing = self._agent_above(state, span.parent_id)
            agent_id = self._id_of(state, str(data.name))
            state.agent_spans[span.span_id] = agent_id
            if enclosing and agent_id != enclosing:
                state.parents.setdefault(agent_id, enclosing)  # an agent used as a tool

    def on_span_end(self, span: Span[Any]) -> None:
        try:
            self._span_end(span)
        except Exception:
            from amplitude_ai._logging import log_once

            log_once(
                "agents-span",
                40,
                "amplitude_ai: could not map an Agents SDK span",
                exc_info=True,
            )

    def shutdown(self) -> None:
        self.ai.flush()

    def force_flush(self) -> None:
        self.ai.flush()

    # ------------------------------------------------------------------ mapping
    def _state(self, span: Span[Any]) -> _TraceState:
        with self._lock:
            state = self._traces.get(span.trace_id)
            if state is None:  # processor added mid-trace
                state = _TraceState(self.conversation(span.trace_id, span.trace_id))
                self._traces[span.trace_id] = state
            return state

    def _id_of(self, state: _TraceState, name: str) -> str:
        """The id of the agent called ``name``: the processor's ``agent_id`` for the
        trace's first agent when one was given, else the name."""
        if name not in state.ids:
            first = not state.ids
            state.ids[name] = (self.root_agent_id or name) if first else name
        return state.ids[name]

    @staticmethod
    def _agent_above(state: _TraceState, span_id: str | None) -> str | None:
        """The agent of the nearest agent span at or above ``span_id``."""
        seen = 0
        while span_id is not None and seen < 64:
            if span_id in state.agent_spans:
                return state.agent_spans[span_id]
            span_id = state.span_parents.get(span_id)
            seen += 1
        return None

    def _scope(self, state: _TraceState, span: Span[Any]) -> dict[str, Any]:
        scope = dict(state.scope)
        agent = self._agent_above(state, span.span_id)
        if agent:
            scope["agent_id"] = agent
            if agent in state.parents:
                scope["parent_agent_id"] = state.parents[agent]
        return scope

    def _span_end(self, span: Span[Any]) -> None:
        data = span.span_data
        kind = data.type
        state = self._state(span)
        scope = self._scope(state, span)
        if kind == "response":
            self._response(span, data, scope)
        elif kind == "generation":
            self._generation(span, data, scope)
        elif kind == "function":
            self._function(span, data, scope)
        elif kind == "handoff":
            if data.from_agent and data.to_agent:
                giver = self._id_of(state, str(data.from_agent))
                state.parents.setdefault(self._id_of(state, str(data.to_agent)), giver)
            self._span(span, f"handoff {data.from_agent} -> {data.to_agent}", scope)
        elif kind == "agent":
            self._span(span, str(data.name), scope, output={"tools": data.tools})
        elif kind == "guardrail":
            self._span(span, f"guardrail {data.name}", scope, output={"triggered": data.triggered})

    def _reported_elsewhere(self, span: Span[Any], response_id: str | None) -> bool:
        return (
            _claims.run_claimed(span.span_id)
            or _claims.response_claimed(response_id)
            or _claims.provider_patched("openai")
        )

    def _response(self, span: Span[Any], data: Any, scope: dict[str, Any]) -> None:
        response = data.response
        response_id = _get(response, "id")
        if self._reported_elsewhere(span, response_id):
            return
        self.emit_user_message(_last_user_input(data.input), scope)
        usage = _get(response, "usage")
        details = _get(usage, "input_tokens_details")
        out_details = _get(usage, "output_tokens_details")
        instructions = _get(response, "instructions")
        fields = {
            **scope,
            "model": _get(response, "model") or "unknown",
            "provider": "openai",
            "latency_ms": _latency_ms(span),
            "content": _get(response, "output_text") if response is not None else None,
            "input_tokens": _get(usage, "input_tokens"),
            "output_tokens": _get(usage, "output_tokens"),
            "cache_read_tokens": _get(details, "cached_tokens") or None,
            "reasoning_tokens": _get(out_details, "reasoning_tokens") or None,
            "system_prompt": instructions if isinstance(instructions, str) else None,
            "temperature": _get(response, "temperature"),
            "top_p": _get(response, "top_p"),
            "max_output_tokens": _get(response, "max_output_tokens"),
            "tool_calls": [
                {"name": _get(item, "name"), "arguments": _get(item, "arguments")}
                for item in (_get(response, "output") or [])
                if _get(item, "type") == "function_call"
            ]
            or None,
            **_error_fields(span),
        }
        self.emit("ai_response", fields, "message_id")
        _claims.claim_response(response_id)

    def _generation(self, span: Span[Any], data: Any, scope: dict[str, Any]) -> None:
        if self._reported_elsewhere(span, None):
            return
        self.emit_user_message(_last_user_input(data.input), scope)
        usage = data.usage or {}
        config = data.model_config or {}
        output = data.output or []
        fields = {
            **scope,
            "model": data.model or "unknown",
            "provider": "openai",
            "latency_ms": _latency_ms(span),
            "content": _content_text(_get(output[0], "content")) if output else None,
            "input_tokens": usage.get("input_tokens", usage.get("prompt_tokens")),
            "output_tokens": usage.get("output_tokens", usage.get("completion_tokens")),
            "temperature": config.get("temperature"),
            "top_p": config.get("top_p"),
            "max_output_tokens": config.get("max_tokens"),
            **_error_fields(span),
        }
        self.emit("ai_response", fields, "message_id")

    def _function(self, span: Span[Any], data: Any, scope: dict[str, Any]) -> None:
        error = _error_fields(span)
        self.emit(
            "tool_call",
            {
                **scope,
                "tool_name": str(data.name),
                "latency_ms": _latency_ms(span),
                "success": not error["is_error"],
                **error,
                "input": data.input,
                "output": data.output,
            },
            "invocation_id",
        )

    def _span(
        self, span: Span[Any], name: str, scope: dict[str, Any], *, output: Any = None
    ) -> None:
        self.emit(
            "span",
            {
                **scope,
                "span_name": name,
                "latency_ms": _latency_ms(span),
                "output_state": output,
                **_error_fields(span),
            },
            "span_id",
        )
