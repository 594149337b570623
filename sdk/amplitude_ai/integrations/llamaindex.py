"""LlamaIndex: a callback handler that turns events into ``[Agent]`` events.

* LLM events (chat and completion, streamed or not) -> ``[Agent] User Message`` (the last
  user turn or the formatted prompt, once per turn) + ``[Agent] AI Response``;
* embedding events -> ``[Agent] Embedding``; function calls -> ``[Agent] Tool Call``;
* query, retrieval, synthesis, sub-question, re-ranking and agent steps -> ``[Agent]
  Span``, nested by ``parent_span_id`` the way LlamaIndex nests its events.

Register it globally (``Settings.callback_manager = CallbackManager([handler])``) or pass
``callback_manager=`` to individual components. Without a session, each top-level event
(a query, a direct LLM call) is its own session and trace. When the LLM's provider client
is instrumented too (``patch()`` or a drop-in client), that layer reports the model call
and this handler only adds the structure.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from llama_index.core.callbacks.base_handler import BaseCallbackHandler
from llama_index.core.callbacks.schema import CBEventType, EventPayload

from amplitude_ai import _claims
from amplitude_ai._ids import new_uuid
from amplitude_ai.integrations._base import IntegrationBase, error_text

__all__ = ["AmplitudeLlamaIndexHandler"]

_SPAN_EVENTS = {
    CBEventType.QUERY,
    CBEventType.RETRIEVE,
    CBEventType.SYNTHESIZE,
    CBEventType.SUB_QUESTION,
    CBEventType.RERANKING,
    CBEventType.AGENT_STEP,
}
_MAX_OPEN = 10_000
# LlamaIndex class names -> provider names (``OpenAI`` -> openai, ``Anthropic_LLM`` ...).
_PROVIDERS = ("azure", "openai", "anthropic", "gemini", "mistral", "bedrock", "ollama", "cohere")


@dataclass
class _Event:
    kind: CBEventType
    started: float
    scope: dict[str, Any]
    span_id: str | None = None
    parent_span_id: str | None = None
    model: str | None = None
    provider: str | None = None
    user_message: str | None = None
    system_prompt: str | None = None
    inputs: Any = None
    tool_name: str | None = None


def _get(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)


def _text(content: Any) -> str | None:
    if content is None or isinstance(content, str):
        return content
    return str(content)


def _provider(serialized: Mapping[str, Any]) -> str:
    name = str(serialized.get("class_name") or "").lower()
    for provider in _PROVIDERS:
        if provider in name:
            return "azure_openai" if provider == "azure" else provider
    return name.replace("_llm", "") or "unknown"


def _role(message: Any) -> str:
    role = _get(message, "role")
    return str(getattr(role, "value", role))


class AmplitudeLlamaIndexHandler(IntegrationBase, BaseCallbackHandler):
    """LlamaIndex callback handler reporting events as ``[Agent]`` events.

    Args:
        amplitude: An ``amplitude.Amplitude`` client or an ``AmplitudeAI``.
        user_id, session_id, agent_id, parent_agent_id, agent_version, env,
            customer_org_id, context: Defaults for the events (an active session fills
            the rest).
    """

    def __init__(
        self,
        amplitude: Any = None,
        *,
        user_id: str | None = None,
        session_id: str | None = None,
        agent_id: str | None = None,
        parent_agent_id: str | None = None,
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
            agent_id=agent_id,
            parent_agent_id=parent_agent_id,
            agent_version=agent_version,
            env=env,
            customer_org_id=customer_org_id,
            context=context,
        )
        BaseCallbackHandler.__init__(self, event_starts_to_ignore=[], event_ends_to_ignore=[])
        self._events: dict[str, _Event] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ callbacks
    def start_trace(self, trace_id: str | None = None) -> None:
        """Nothing to do: events carry their parents."""

    def end_trace(
        self, trace_id: str | None = None, trace_map: dict[str, list[str]] | None = None
    ) -> None:
        """Nothing to do: every event was reported when it ended."""

    def on_event_start(
        self,
        event_type: CBEventType,
        payload: dict[str, Any] | None = None,
        event_id: str = "",
        parent_id: str = "",
        **kwargs: Any,
    ) -> str:
        event_id = event_id or new_uuid()
        try:
            self._start(event_type, payload or {}, event_id, parent_id)
        except Exception:
            self._log_failure()
        return event_id

    def on_event_end(
        self,
        event_type: CBEventType,
        payload: dict[str, Any] | None = None,
        event_id: str = "",
        **kwargs: Any,
    ) -> None:
        with self._lock:
            event = self._events.pop(event_id, None)
        if event is None:
            return
        try:
            self._end(event, payload or {}, event_id)
        except Exception:
            self._log_failure()

    @staticmethod
    def _log_failure() -> None:
        from amplitude_ai._logging import log_once

        log_once(
            "llamaindex-event", 40, "amplitude_ai: could not map a LlamaIndex event", exc_info=True
        )

    # ------------------------------------------------------------------ start
    def _start(
        self, kind: CBEventType, payload: Mapping[str, Any], event_id: str, parent_id: str
    ) -> None:
        with self._lock:
            parent = self._events.get(parent_id) if parent_id else None
        if parent is None:
            run = new_uuid()
            scope = self.conversation(run, run)
            if kind in (CBEventType.LLM, CBEventType.EMBEDDING) and "session_id" not in scope:
                # A bare model call inside a session (an agent workflow's turns arrive as
                # separate top-level events): it belongs to the session's trace, not to one
                # of its own, so the question an agent re-sends each turn is tracked once.
                scope.pop("trace_id", None)
            event = _Event(kind, time.perf_counter(), scope)
        else:
            event = _Event(
                kind,
                time.perf_counter(),
                parent.scope,
                parent_span_id=parent.span_id or parent.parent_span_id,
            )
        serialized = payload.get(EventPayload.SERIALIZED) or {}
        if kind == CBEventType.LLM:
            event.model = serialized.get("model") or serialized.get("model_name")
            event.provider = _provider(serialized)
            _claims.enter_run(event_id, event.provider)  # its provider request follows
            messages = payload.get(EventPayload.MESSAGES)
            if messages:
                for message in reversed(messages):
                    if _role(message) == "user":
                        event.user_message = _text(_get(message, "content"))
                        break
                for message in messages:
                    if _role(message) == "system":
                        event.system_prompt = _text(_get(message, "content"))
                        break
            else:
                event.user_message = _text(payload.get(EventPayload.PROMPT))
        elif kind == CBEventType.EMBEDDING:
            event.model = serialized.get("model_name") or serialized.get("model")
            event.provider = _provider(serialized)
            _claims.enter_run(event_id, event.provider)
        elif kind == CBEventType.FUNCTION_CALL:
            tool = payload.get(EventPayload.TOOL)
            event.tool_name = _get(tool, "name") or "tool"
            event.inputs = payload.get(EventPayload.FUNCTION_CALL)
        elif kind in _SPAN_EVENTS:
            event.span_id = new_uuid()
            query = payload.get(EventPayload.QUERY_STR)
            event.inputs = {"query": _text(getattr(query, "query_str", query))} if query else None
        with self._lock:
            if len(self._events) >= _MAX_OPEN:
                self._events.pop(next(iter(self._events)))
            self._events[event_id] = event

    # ------------------------------------------------------------------ end
    def _end(self, event: _Event, payload: Mapping[str, Any], event_id: str) -> None:
        error = payload.get(EventPayload.EXCEPTION)
        latency = (time.perf_counter() - event.started) * 1000.0
        if event.kind == CBEventType.LLM:
            self._llm(event, payload, event_id, latency, error)
        elif event.kind == CBEventType.EMBEDDING:
            self._embedding(event, payload, event_id, latency)
        elif event.kind == CBEventType.FUNCTION_CALL:
            result = payload.get(EventPayload.FUNCTION_OUTPUT)
            self.emit(
                "tool_call",
                {
                    **event.scope,
                    "tool_name": str(event.tool_name),
                    "latency_ms": latency,
                    "success": error is None,
                    "is_error": error is not None,
                    "error_message": error_text(error) if error is not None else None,
                    "input": event.inputs,
                    "output": _get(result, "content") if result is not None else None,
                },
                "invocation_id",
            )
        elif event.span_id is not None:
            response = payload.get(EventPayload.RESPONSE)
            nodes = payload.get(EventPayload.NODES)
            output: Any = None
            if response is not None:
                output = {"response": _text(_get(response, "response") or response)}
            elif nodes is not None:
                output = {"nodes": len(nodes)}
            self.emit(
                "span",
                {
                    **event.scope,
                    "span_id": event.span_id,
                    "parent_span_id": event.parent_span_id,
                    "span_name": str(event.kind.value),
                    "latency_ms": latency,
                    "is_error": error is not None,
                    "error_message": error_text(error) if error is not None else None,
                    "input_state": event.inputs,
                    "output_state": output,
                },
                "span_id",
            )

    def _reported_elsewhere(self, event: _Event, event_id: str, response_id: Any) -> bool:
        return (
            _claims.run_claimed(event_id)
            or _claims.response_claimed(response_id if isinstance(response_id, str) else None)
            or _claims.provider_patched(event.provider)
        )

    def _llm(
        self,
        event: _Event,
        payload: Mapping[str, Any],
        event_id: str,
        latency: float,
        error: Any,
    ) -> None:
        response = payload.get(EventPayload.RESPONSE) or payload.get(EventPayload.COMPLETION)
        raw = _get(response, "raw")
        if error is not None:
            if _claims.error_claimed(error) or self._reported_elsewhere(event, event_id, None):
                return
        elif self._reported_elsewhere(event, event_id, _get(raw, "id")):
            return
        self.emit_user_message(event.user_message, event.scope)
        fields: dict[str, Any] = {
            **event.scope,
            "model": _get(raw, "model") or event.model or "unknown",
            "provider": event.provider or "unknown",
            "latency_ms": latency,
            "system_prompt": event.system_prompt,
        }
        if error is not None:
            fields.update(is_error=True, error_message=error_text(error))
        else:
            message = _get(response, "message")
            text = _get(message, "content") if message is not None else _get(response, "text")
            usage = _get(raw, "usage")
            extra = _get(response, "additional_kwargs") or {}
            fields.update(
                content=_text(text),
                # A streamed answer ends with its last chunk, which carries a delta.
                is_streaming=_get(response, "delta") is not None,
                input_tokens=_get(usage, "prompt_tokens")
                or _get(usage, "input_tokens")
                or extra.get("prompt_tokens"),
                output_tokens=_get(usage, "completion_tokens")
                or _get(usage, "output_tokens")
                or extra.get("completion_tokens"),
                finish_reason=_finish_reason(raw),
                tool_calls=_tool_calls(message, raw),
            )
        self.emit("ai_response", fields, "message_id")
        if error is not None:
            _claims.claim_error(error)
        else:
            _claims.claim_response(_get(raw, "id") if isinstance(_get(raw, "id"), str) else None)

    def _embedding(
        self, event: _Event, payload: Mapping[str, Any], event_id: str, latency: float
    ) -> None:
        if self._reported_elsewhere(event, event_id, None):
            return
        vectors = payload.get(EventPayload.EMBEDDINGS) or []
        first = vectors[0] if vectors else None
        self.emit(
            "embedding",
            {
                **event.scope,
                "model": event.model or "unknown",
                "provider": event.provider or "unknown",
                "latency_ms": latency,
                "dimensions": len(first) if isinstance(first, Sequence) else None,
            },
            "span_id",
        )


def _tool_calls(message: Any, raw: Any) -> list[dict[str, Any]] | None:
    """The tool calls a chat answer asks for: LlamaIndex's OpenAI LLM keeps the provider
    SDK's objects under ``additional_kwargs["tool_calls"]``; else the raw completion's."""
    extra = _get(message, "additional_kwargs") if message is not None else None
    calls = _get(extra, "tool_calls") if extra else None
    if not calls:
        choices = _get(raw, "choices")
        if isinstance(choices, Sequence) and choices:
            calls = _get(_get(choices[0], "message"), "tool_calls")
    if not isinstance(calls, Sequence) or isinstance(calls, (str, bytes)):
        return None
    found = []
    for call in calls:
        function = _get(call, "function")
        name = _get(function, "name")
        if name:
            arguments = _get(function, "arguments")
            found.append(
                {
                    "id": _get(call, "id"),
                    "type": "function",
                    "function": {"name": str(name), "arguments": arguments},
                }
            )
    return found or None


def _finish_reason(raw: Any) -> str | None:
    choices = _get(raw, "choices")
    if isinstance(choices, Sequence) and choices:
        reason = _get(choices[0], "finish_reason")
        return str(reason) if reason else None
    reason = _get(raw, "stop_reason")
    return str(reason) if reason else None
