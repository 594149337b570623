"""Ambient session context, carried in a :class:`contextvars.ContextVar`.

A :class:`~amplitude_ai.Session` publishes its :class:`SessionContext` on entry and
restores the previous one on exit, so nested sessions and ``@observe`` scopes unwind
correctly. asyncio tasks inherit the context automatically; work handed to a thread pool
must be run through ``contextvars.copy_context().run`` to see it.

Field resolution for a tracking call is: explicit argument, then the bound agent's
default, then the active context.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ._kinds import EventKind, TrackArgs
    from .config import AIConfig

# Fields that flow from agent/session/context into every event.
SCOPE_FIELDS: tuple[str, ...] = (
    "user_id",
    "session_id",
    "trace_id",
    "agent_id",
    "parent_agent_id",
    "customer_org_id",
    "agent_version",
    "agent_description",
    "env",
    "device_id",
    "browser_session_id",
)
# Fields that describe *which* agent; only inherited from the active context when the
# resolved agent is the context's own agent (a different agent has its own lineage).
_AGENT_LINEAGE = ("parent_agent_id", "agent_version", "agent_description")
# Fields that belong to one conversation; an event for another session does not borrow them.
_SESSION_SCOPED = ("trace_id", "device_id", "browser_session_id")


class Emitter(Protocol):
    """The client as lower layers see it: its configuration and its one emit entry,
    ``AmplitudeAI._emit`` (which returns the id of the event it tracked, if it has one)."""

    config: AIConfig

    def _emit(
        self,
        kind: EventKind,
        args: TrackArgs,
        bound: SessionContext | None = None,
        *,
        anonymous: bool = False,
        unless_seen: bool = False,
    ) -> str | None: ...


@dataclass(frozen=True)
class SessionContext:
    """The identity and grouping fields shared by the events of one scope."""

    user_id: str | None = None
    session_id: str | None = None
    trace_id: str | None = None
    agent_id: str | None = None
    parent_agent_id: str | None = None
    customer_org_id: str | None = None
    agent_version: str | None = None
    agent_description: str | None = None
    env: str | None = None
    device_id: str | None = None
    browser_session_id: str | None = None
    context: Mapping[str, Any] | None = None
    groups: Mapping[str, Any] | None = None
    # Not event fields: the client that owns the scope and the innermost open span.
    ai: Emitter | None = field(default=None, compare=False, repr=False)
    span_id: str | None = None

    def evolve(self, **changes: Any) -> SessionContext:
        """A copy with ``changes`` applied (``None`` values are applied too)."""
        return replace(self, **changes)

    @property
    def session_replay_id(self) -> str | None:
        """``device_id/browser_session_id`` when both are known (links Session Replay)."""
        if self.device_id and self.browser_session_id:
            return f"{self.device_id}/{self.browser_session_id}"
        return None


_active: ContextVar[SessionContext | None] = ContextVar("amplitude_ai_session", default=None)


def current_context() -> SessionContext | None:
    """The innermost active session context, or ``None`` outside any session."""
    return _active.get()


@contextmanager
def use_context(ctx: SessionContext) -> Iterator[SessionContext]:
    """Make ``ctx`` the active context for the duration of the ``with`` block."""
    token = _active.set(ctx)
    try:
        yield ctx
    finally:
        _active.reset(token)


def merge_dicts(
    *layers: Mapping[str, Any] | None,
) -> dict[str, Any] | None:
    """Later layers override earlier ones key by key; ``None`` when every layer is empty."""
    merged: dict[str, Any] = {}
    for layer in layers:
        if layer and isinstance(layer, Mapping):
            merged.update(layer)
    return merged or None


def resolve_scope(
    explicit: Mapping[str, Any],
    bound: SessionContext | None,
    active: SessionContext | None,
) -> SessionContext:
    """Combine the three sources field by field: explicit, then bound, then active."""
    values: dict[str, Any] = {}
    for name in SCOPE_FIELDS:
        value = explicit.get(name)
        if value is None and bound is not None:
            value = getattr(bound, name)
        values[name] = value
    if active is not None:
        same_agent = values["agent_id"] is None or values["agent_id"] == active.agent_id
        same_session = values["session_id"] is None or values["session_id"] == active.session_id
        for name in SCOPE_FIELDS:
            if values[name] is not None:
                continue
            if name in _AGENT_LINEAGE and not same_agent:
                continue
            if name in _SESSION_SCOPED and not same_session:
                continue
            values[name] = getattr(active, name)
    values["context"] = merge_dicts(
        active.context if active else None,
        bound.context if bound else None,
        explicit.get("context"),
    )
    values["groups"] = merge_dicts(
        active.groups if active else None,
        bound.groups if bound else None,
        explicit.get("groups"),
    )
    return SessionContext(**values)
