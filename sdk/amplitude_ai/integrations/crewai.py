"""CrewAI: hooks on CrewAI's event bus that turn a crew's run into ``[Agent]`` events.

* every LLM call -> ``[Agent] User Message`` (the last user turn, once per conversation
  turn) + ``[Agent] AI Response`` (model, provider, tokens when CrewAI reports them,
  latency, streaming, finish reason, tool calls, errors);
* every tool usage -> ``[Agent] Tool Call``;
* the crew kickoff, each task and each agent execution -> ``[Agent] Span``, nested by
  ``parent_span_id``.

Agents: unless the hooks were given an ``agent_id``, the events inside an agent's execution
carry the agent's role as ``agent_id``; an agent that runs inside another agent's execution
(a hierarchical crew's manager delegating to a coworker) is its child (``parent_agent_id``).
One kickoff is one trace; without a session (the hooks' ``session_id``, or an active
``agent.session()`` around ``kickoff``) the kickoff is also the session.

CrewAI runs synchronous handlers on a pool of worker threads, each on a copy of the context
the event was emitted in, in no guaranteed order. So every handler takes what it needs from
its event and that copied context (the caller's session, CrewAI's scope stack), and the
start and end of one call or span are joined, whichever is handled first: model calls by
CrewAI's ``call_id``, crews, tasks and agent executions by the objects that run them, tool
usages by CrewAI's start event id. (CrewAI's own start/end pairing goes astray after a
failed model call in some releases; the structure is therefore read where each scope
starts.)

When the provider SDK underneath is instrumented too (``patch()``, or a drop-in client),
that layer reports the model calls and the hooks add the crew structure around them, so no
call is counted twice.
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crewai.events import event_context as _crew_context
from crewai.events.event_bus import crewai_event_bus
from crewai.events.types.agent_events import (
    AgentExecutionCompletedEvent,
    AgentExecutionErrorEvent,
    AgentExecutionStartedEvent,
)
from crewai.events.types.crew_events import (
    CrewKickoffCompletedEvent,
    CrewKickoffFailedEvent,
    CrewKickoffStartedEvent,
)
from crewai.events.types.llm_events import (
    LLMCallCompletedEvent,
    LLMCallFailedEvent,
    LLMCallStartedEvent,
)
from crewai.events.types.task_events import TaskCompletedEvent, TaskFailedEvent, TaskStartedEvent
from crewai.events.types.tool_usage_events import (
    ToolUsageErrorEvent,
    ToolUsageFinishedEvent,
    ToolUsageStartedEvent,
)

from amplitude_ai import _claims
from amplitude_ai._ids import new_uuid

from ._base import IntegrationBase

__all__ = ["AmplitudeCrewAIHooks"]

_MAX_OPEN = 10_000  # halves whose other half never comes (a killed worker) must not pile up
_KICKOFF, _TASK, _AGENT = "crew_kickoff_started", "task_started", "agent_execution_started"
_SPAN_SCOPES = frozenset({_KICKOFF, _TASK, _AGENT})

Stack = tuple[tuple[str, str], ...]  # CrewAI's scope stack: (start event id, event type)


def _scope_stack() -> Stack:
    """The scopes open where the event being handled was emitted (outermost first)."""
    var = getattr(_crew_context, "_event_id_stack", None)
    try:
        stack = var.get() if var is not None else ()
    except Exception:
        return ()
    return tuple(stack) if isinstance(stack, tuple) else ()


@dataclass
class _Half:
    """One handler's share of a call or span: its event and what its context showed."""

    event: Any
    source: Any = None
    is_end: bool = False
    stack: Stack = ()
    mark: _claims.ProviderCall | None = None  # the provider layer's last call, at this point


def _ms(start: datetime | None, end: datetime | None) -> float:
    if start is None or end is None:
        return 0.0
    return max(0.0, (end - start).total_seconds() * 1000.0)


def _text(content: Any) -> str | None:
    if isinstance(content, str):
        return content
    if isinstance(content, Sequence):
        parts = [p.get("text") for p in content if isinstance(p, Mapping)]
        return "".join(p for p in parts if isinstance(p, str)) or None
    return None


def _message(messages: Any, role: str, *, last: bool) -> str | None:
    if isinstance(messages, str):
        return messages if role == "user" else None
    if not isinstance(messages, Sequence):
        return None
    ordered = reversed(messages) if last else iter(messages)
    for message in ordered:
        if isinstance(message, Mapping) and message.get("role") == role:
            return _text(message.get("content"))
    return None


def _provider_of(source: Any, model: str | None) -> str:
    provider = getattr(source, "provider", None)
    if isinstance(provider, str) and provider:
        return provider
    if model and "/" in model:  # LiteLLM-style "openai/gpt-4o-mini"
        return model.split("/", 1)[0]
    return "unknown"


def _tool_calls(response: Any) -> list[dict[str, Any]] | None:
    """Tool calls of a native tool-calling reply (dicts or the provider SDK's objects)."""
    if isinstance(response, (str, bytes)) or not isinstance(response, Sequence):
        return None
    calls = []
    for call in response:
        function = call.get("function") if isinstance(call, Mapping) else None
        function = function if function is not None else getattr(call, "function", None)
        name = function.get("name") if isinstance(function, Mapping) else None
        name = name or getattr(function, "name", None)
        if not name:
            continue
        arguments = function.get("arguments") if isinstance(function, Mapping) else None
        arguments = arguments if arguments is not None else getattr(function, "arguments", None)
        calls.append({"type": "function", "function": {"name": name, "arguments": arguments}})
    return calls or None


class AmplitudeCrewAIHooks(IntegrationBase):
    """Listeners on CrewAI's event bus reporting a crew's runs as ``[Agent]`` events.

    Use as a context manager around the code that runs crews (``with
    AmplitudeCrewAIHooks(amplitude=amplitude, user_id="u-1"): crew.kickoff()``), or call
    :meth:`register` once at start-up (and :meth:`unregister` to stop). Leaving the ``with``
    block waits until CrewAI has handled the events emitted so far.

    Args:
        amplitude: An ``amplitude.Amplitude`` client or an ``AmplitudeAI``.
        user_id, session_id, agent_id, parent_agent_id, agent_version, env,
            customer_org_id, context: Defaults for the events (an active session fills the
            rest). Without ``agent_id`` each CrewAI agent's role is its ``agent_id``.
        flush_timeout: Seconds to wait for CrewAI's pending handlers on exit.
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
        flush_timeout: float = 30.0,
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
        self.flush_timeout = flush_timeout
        self._pending: OrderedDict[tuple[Any, ...], list[_Half]] = OrderedDict()
        self._open_halves = 0
        self._roles: OrderedDict[str, str] = OrderedDict()  # agent execution id -> role
        self._lock = threading.Lock()
        self._fallback_trace = new_uuid()  # events CrewAI emitted outside any scope
        self._handlers: tuple[tuple[type[Any], Any], ...] = (
            (CrewKickoffStartedEvent, self._on_start),
            (CrewKickoffCompletedEvent, self._on_end),
            (CrewKickoffFailedEvent, self._on_end),
            (TaskStartedEvent, self._on_start),
            (TaskCompletedEvent, self._on_end),
            (TaskFailedEvent, self._on_end),
            (AgentExecutionStartedEvent, self._on_agent_start),
            (AgentExecutionCompletedEvent, self._on_end),
            (AgentExecutionErrorEvent, self._on_end),
            (LLMCallStartedEvent, self._on_start),
            (LLMCallCompletedEvent, self._on_end),
            (LLMCallFailedEvent, self._on_end),
            (ToolUsageStartedEvent, self._on_start),
            (ToolUsageFinishedEvent, self._on_end),
            (ToolUsageErrorEvent, self._on_end),
        )
        self._registered = False
        self._exit_hooked = False

    # ------------------------------------------------------------------ registration
    def register(self) -> AmplitudeCrewAIHooks:
        """Start listening (idempotent). Until :meth:`unregister`, the interpreter's exit
        waits for CrewAI's pending handlers before delivery shuts down."""
        if not self._registered:
            for event_type, handler in self._handlers:
                crewai_event_bus.on(event_type)(handler)
            self._registered = True
            if not self._exit_hooked:
                _flush_at_exit(self)
                self._exit_hooked = True
        return self

    def unregister(self) -> None:
        """Stop listening, after CrewAI has handled the events emitted so far."""
        if not self._registered:
            return
        self.flush()
        for event_type, handler in self._handlers:
            crewai_event_bus.off(event_type, handler)
        self._registered = False

    def flush(self) -> None:
        """Wait for CrewAI's pending handlers, then hand the events to delivery."""
        crewai_event_bus.flush(timeout=self.flush_timeout)
        self.ai.flush()

    def __enter__(self) -> AmplitudeCrewAIHooks:
        return self.register()

    def __exit__(self, *exc: object) -> None:
        self.unregister()

    # ------------------------------------------------------------------ handlers
    def _guard(self, handler: Any, source: Any, event: Any) -> None:
        try:
            handler(source, event)
        except Exception:
            from amplitude_ai._logging import log_once

            log_once(
                "crewai-event",
                40,
                "amplitude_ai: could not map a CrewAI event; the crew was not affected",
                exc_info=True,
            )

    def _on_start(self, source: Any, event: Any) -> None:
        self._guard(self._start, source, event)

    def _on_agent_start(self, source: Any, event: Any) -> None:
        self._guard(self._agent_start, source, event)

    def _on_end(self, source: Any, event: Any) -> None:
        self._guard(self._end, source, event)

    # ------------------------------------------------------------------ joining halves
    def _join(self, half: _Half) -> None:
        """Pair ``half`` with the other half of its call or span, once both were handled.

        Halves with one key (a crew object run twice, a task of a crew kicked off again)
        pair by time: an end with the latest start before it, a start with the earliest
        end after it; an end repeated for one start (CrewAI reports some failures twice)
        finds no start left and is dropped with the oldest halves."""
        key = _pair_key(half)
        if key is None:  # nothing to pair with: report what this event carries
            if half.is_end:
                self._finish(_Half(None), half)
            return
        when = _when(half.event)
        with self._lock:
            waiting = self._pending.setdefault(key, [])
            if half.is_end:
                starts = [h for h in waiting if not h.is_end and _when(h.event) <= when]
                other = max(starts, key=lambda h: _when(h.event)) if starts else None
            else:
                ends = [h for h in waiting if h.is_end and _when(h.event) >= when]
                other = min(ends, key=lambda h: _when(h.event)) if ends else None
            if other is None:
                waiting.append(half)
                self._open_halves += 1
                while self._open_halves > _MAX_OPEN:
                    self._open_halves -= len(self._pending.popitem(last=False)[1])
                return
            waiting.remove(other)
            self._open_halves -= 1
            if not waiting:
                del self._pending[key]
        self._finish(*((other, half) if half.is_end else (half, other)))

    def _start(self, source: Any, event: Any) -> None:
        self._join(_Half(event, source, False, _scope_stack(), _claims.last_call()))

    def _agent_start(self, source: Any, event: Any) -> None:
        role = getattr(getattr(event, "agent", None), "role", None)
        if role:
            with self._lock:
                self._roles[event.event_id] = str(role)
                while len(self._roles) > _MAX_OPEN:
                    self._roles.popitem(last=False)
        self._start(source, event)

    def _end(self, source: Any, event: Any) -> None:
        self._join(_Half(event, source, True, _scope_stack(), _claims.last_call()))

    def _finish(self, start: _Half, end: _Half) -> None:
        event = end.event
        if start.event is not None:  # where the scope started, CrewAI's stack is right
            scope = self._scope(start.stack, start.event, own=start.event.event_id)
        else:
            scope = self._scope(end.stack, event, own=getattr(event, "started_event_id", None))
        if isinstance(event, (LLMCallCompletedEvent, LLMCallFailedEvent)):
            self._ai_response(start, end, scope)
        elif isinstance(event, (ToolUsageFinishedEvent, ToolUsageErrorEvent)):
            self._tool_call(start, end, scope)
        else:
            self._span(start, end, scope)

    # ------------------------------------------------------------------ identity
    def _scope(self, stack: Stack, event: Any, *, own: str | None) -> dict[str, Any]:
        """Session, trace and agent fields (and ``_span_id``/``_parent_span_id``) of the
        scope started by event ``own``, whose enclosing scopes are ``stack``."""
        if own and not any(entry[0] == own for entry in stack):
            stack = (*stack, (own, _start_type(event)))
        kickoff = next((sid for sid, kind in stack if kind == _KICKOFF), None)
        root = kickoff or (stack[0][0] if stack else self._fallback_trace)
        scope: dict[str, Any] = dict(self.conversation(root, root))
        if self.defaults.agent_id is None:
            agents = [sid for sid, kind in stack if kind == _AGENT]
            role = self._agent_role(event, agents[-1] if agents else None)
            if role:
                scope["agent_id"] = role
                parent = self._agent_role(None, agents[-2]) if len(agents) > 1 else None
                if parent and parent != role:
                    scope["parent_agent_id"] = parent
        spans = [sid for sid, kind in stack if kind in _SPAN_SCOPES and sid != own]
        scope["_span_id"] = own
        scope["_parent_span_id"] = spans[-1] if spans else None
        return scope

    def _agent_role(self, event: Any, execution_id: str | None) -> str | None:
        role = getattr(getattr(event, "agent", None), "role", None) or getattr(
            event, "agent_role", None
        )
        if role:
            return str(role)
        if execution_id:
            with self._lock:
                return self._roles.get(execution_id)
        return None

    # ------------------------------------------------------------------ mapping
    @staticmethod
    def _fields(scope: Mapping[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in scope.items() if not k.startswith("_")}

    def _ai_response(self, start: _Half, end: _Half, scope: dict[str, Any]) -> None:
        event, request = end.event, start.event
        model = (
            getattr(event, "model", None)
            or getattr(request, "model", None)
            or getattr(end.source, "model", None)
        )
        provider = _provider_of(end.source or start.source, model)
        response_id = getattr(event, "response_id", None)
        if (
            _claims.response_claimed(response_id)
            or _claims.provider_patched(provider)
            or _claims.provider_call_between(start.mark, end.mark, provider)
        ):
            return  # the provider layer reported this call (it finished first)
        messages = getattr(request, "messages", None) or getattr(event, "messages", None)
        scope = self._fields(scope)
        self.emit_user_message(_message(messages, "user", last=True), scope)
        failed = isinstance(event, LLMCallFailedEvent)
        response = None if failed else getattr(event, "response", None)
        usage = getattr(event, "usage", None) or {}
        source = end.source or start.source
        stream = getattr(request, "stream", None)
        fields = {
            **scope,
            "model": str(model) if model else "unknown",
            "provider": provider,
            "latency_ms": _ms(getattr(request, "timestamp", None), event.timestamp),
            "is_streaming": bool(stream if stream is not None else getattr(source, "stream", 0)),
            "content": _text(response),
            "tool_calls": _tool_calls(response),
            "system_prompt": _message(messages, "system", last=False),
            "input_tokens": usage.get("prompt_tokens"),
            "output_tokens": usage.get("completion_tokens"),
            "total_tokens": usage.get("total_tokens"),
            "cache_read_tokens": usage.get("cached_prompt_tokens") or None,
            "reasoning_tokens": usage.get("reasoning_tokens") or None,
            "finish_reason": getattr(event, "finish_reason", None),
            "temperature": _number(request, source, "temperature"),
            "top_p": _number(request, source, "top_p"),
            "max_output_tokens": _number(request, source, "max_tokens"),
            "is_error": failed,
            "error_message": str(event.error) if failed else None,
        }
        self.emit("ai_response", fields, "message_id")
        _claims.claim_response(response_id)

    def _tool_call(self, start: _Half, end: _Half, scope: dict[str, Any]) -> None:
        event = end.event
        failure = getattr(event, "failure", None)
        error = getattr(event, "error", None) if isinstance(event, ToolUsageErrorEvent) else failure
        started = getattr(event, "started_at", None) or getattr(start.event, "timestamp", None)
        finished = getattr(event, "finished_at", None) or event.timestamp
        self.emit(
            "tool_call",
            {
                **self._fields(scope),
                "tool_name": str(event.tool_name),
                "latency_ms": _ms(_aware(started, finished), finished),
                "success": error is None,
                "is_error": error is not None,
                "error_message": str(error) if error is not None else None,
                "input": event.tool_args,
                "output": getattr(event, "output", None),
            },
            "invocation_id",
        )

    def _span(self, start: _Half, end: _Half, scope: dict[str, Any]) -> None:
        event, begun = end.event, start.event
        error = getattr(event, "error", None)
        output = getattr(event, "output", None)
        self.emit(
            "span",
            {
                **self._fields(scope),
                "span_id": scope["_span_id"],
                "parent_span_id": scope["_parent_span_id"],
                "span_name": _span_name(event),
                "latency_ms": _ms(getattr(begun, "timestamp", None), event.timestamp),
                "is_error": error is not None,
                "error_message": str(error) if error is not None else None,
                "input_state": getattr(begun, "inputs", None),
                "output_state": {"output": getattr(output, "raw", output)}
                if output is not None
                else None,
            },
            "span_id",
        )


def _flush_at_exit(hooks: AmplitudeCrewAIHooks) -> None:
    """At interpreter exit, wait for CrewAI's pending handlers (a crew's last events are
    handled on its worker threads after ``kickoff`` returned) while delivery still runs.

    Registered with the same hook as the client's own exit flush, which runs these in
    reverse order before worker threads are joined: hooks registered after the client was
    built (the bootstrap's order) run first."""
    ref = weakref.ref(hooks)

    def at_exit() -> None:
        target = ref()
        if target is None or not target._registered:
            return
        with contextlib.suppress(Exception):  # never block the exit
            crewai_event_bus.flush(timeout=target.flush_timeout)

    register = getattr(threading, "_register_atexit", None)
    try:
        if register is not None:
            register(at_exit)
        else:  # pragma: no cover - interpreters without the hook
            import atexit

            atexit.register(at_exit)
    except RuntimeError:  # pragma: no cover - the interpreter is already shutting down
        pass


_CREW_EVENTS = (CrewKickoffStartedEvent, CrewKickoffCompletedEvent, CrewKickoffFailedEvent)
_TASK_EVENTS = (TaskStartedEvent, TaskCompletedEvent, TaskFailedEvent)
_AGENT_EVENTS = (
    AgentExecutionStartedEvent,
    AgentExecutionCompletedEvent,
    AgentExecutionErrorEvent,
)
_LLM_EVENTS = (LLMCallStartedEvent, LLMCallCompletedEvent, LLMCallFailedEvent)


def _start_type(event: Any) -> str:
    if isinstance(event, _CREW_EVENTS):
        return _KICKOFF
    if isinstance(event, _TASK_EVENTS):
        return _TASK
    if isinstance(event, _AGENT_EVENTS):
        return _AGENT
    return "other"


def _when(event: Any) -> tuple[datetime, int]:
    """When CrewAI emitted ``event`` (its sequence number breaks timestamp ties)."""
    return (event.timestamp, getattr(event, "emission_sequence", None) or 0)


def _pair_key(half: _Half) -> tuple[Any, ...] | None:
    """What the start and the end of one call or span have in common."""
    event = half.event
    if isinstance(event, _LLM_EVENTS) and getattr(event, "call_id", None):
        return ("llm", event.call_id)
    if isinstance(event, (*_CREW_EVENTS, *_TASK_EVENTS)):
        return ("scope", id(half.source))
    if isinstance(event, _AGENT_EVENTS):
        return ("agent", id(event.agent), id(event.task))
    own = getattr(event, "started_event_id", None) if half.is_end else event.event_id
    return ("event", own) if own else None


def _span_name(event: Any) -> str:
    if isinstance(event, (CrewKickoffCompletedEvent, CrewKickoffFailedEvent)):
        return f"crew {event.crew_name or 'crew'}"
    if isinstance(event, (TaskCompletedEvent, TaskFailedEvent)):
        task = getattr(event, "task", None)
        name = getattr(task, "name", None) or event.task_name or getattr(task, "description", "")
        return f"task {str(name)[:80]}".rstrip()
    role = getattr(getattr(event, "agent", None), "role", None) or event.agent_role
    return f"agent {role or 'agent'}"


def _number(request: Any, source: Any, name: str) -> float | None:
    for owner in (request, source):
        value = getattr(owner, name, None)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
    return None


def _aware(value: datetime | None, like: datetime) -> datetime | None:
    """``value`` with ``like``'s time zone awareness (tool usage times are naive local
    times in some CrewAI releases, event timestamps aware UTC)."""
    if value is None or (value.tzinfo is None) == (like.tzinfo is None):
        return value
    if value.tzinfo is None:
        return value.astimezone().astimezone(like.tzinfo)
    return value.astimezone(like.tzinfo).replace(tzinfo=None)
