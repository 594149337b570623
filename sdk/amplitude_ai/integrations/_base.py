"""What every framework integration shares: where its events go, the identity defaults it
was created with, and emitting one event without ever raising into the framework."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from amplitude_ai import _registry
from amplitude_ai._ids import new_uuid
from amplitude_ai._logging import log_once
from amplitude_ai.context import SessionContext, current_context

if TYPE_CHECKING:
    from amplitude_ai.client import AmplitudeAI


class IntegrationBase:
    """Holds the target ``AmplitudeAI`` and the default identity of an integration.

    ``amplitude`` may be an ``amplitude.Amplitude`` client, an ``AmplitudeAI``, or
    ``None`` (configured from the environment). Inside an active ``agent.session()`` the
    session fills whatever the integration's defaults leave open, and when no
    ``amplitude`` was given the session's own ``AmplitudeAI`` receives the events.
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
        from amplitude_ai.client import AmplitudeAI

        self._explicit = amplitude is not None
        self._ai = amplitude if isinstance(amplitude, AmplitudeAI) else None
        self._amplitude = None if isinstance(amplitude, AmplitudeAI) else amplitude
        self.defaults = SessionContext(
            user_id=user_id,
            session_id=session_id,
            agent_id=agent_id,
            parent_agent_id=parent_agent_id,
            agent_version=agent_version,
            env=env,
            customer_org_id=customer_org_id,
            context=dict(context) if context else None,
        )

    @property
    def ai(self) -> AmplitudeAI:
        """The ``AmplitudeAI`` events go to (an active session's when none was given)."""
        if not self._explicit:
            ctx = current_context()
            if ctx is not None and ctx.ai is not None:
                return ctx.ai
        if self._ai is None:
            from amplitude_ai.client import AmplitudeAI

            self._ai = AmplitudeAI(amplitude=self._amplitude)
        return self._ai

    # ------------------------------------------------------------------ emitting
    def emit(self, kind: str, fields: Mapping[str, Any], id_arg: str | None = None) -> str | None:
        """Track one event; ``fields`` are tracking-call argument names. Never raises.

        Identity: ``fields`` first, then the integration's defaults, then the active
        session. Without any user the event is grouped under the SDK's anonymous device
        (Amplitude rejects events with neither a user nor a device id).
        """
        event_id = fields.get(id_arg) if id_arg else None
        if id_arg and not event_id:
            event_id = new_uuid()
        try:
            args = {k: v for k, v in fields.items() if v is not None}
            if id_arg:
                args[id_arg] = event_id
            ctx = current_context()
            if not (args.get("user_id") or self.defaults.user_id or (ctx and ctx.user_id)):
                from amplitude_ai.providers._emit import anonymous_device_id

                args.setdefault("device_id", anonymous_device_id())
            self.ai._emit(kind, args, self.defaults)
        except Exception:
            log_once(
                f"integration-emit:{type(self).__name__}",
                logging.ERROR,
                "amplitude_ai: %s could not track an event; the framework was not affected",
                type(self).__name__,
                exc_info=True,
            )
        return event_id

    def emit_user_message(self, content: Any, scope: Mapping[str, Any]) -> None:
        """Track the user turn unless it is the one last tracked in this conversation
        (agent loops re-send the same question with every model call)."""
        if not isinstance(content, str) or not content.strip():
            return
        ctx = current_context()
        session_id = scope.get("session_id") or self.defaults.session_id
        user_id = scope.get("user_id") or self.defaults.user_id
        if ctx is not None:
            session_id = session_id or ctx.session_id
            user_id = user_id or ctx.user_id
        trace_id = scope.get("trace_id") or (ctx.trace_id if ctx else None)
        key = _registry.conversation_key(session_id, user_id)
        if _registry.user_message_seen(key, trace_id, content):
            return
        self.emit("user_message", {**scope, "content": content}, "message_id")

    def conversation(self, fallback_session: str, fallback_trace: str) -> dict[str, str]:
        """Session and trace for a framework run: the integration's or the active
        session's when set, else ids derived from the framework's own run."""
        ctx = current_context()
        scope: dict[str, str] = {}
        session = self.defaults.session_id or (ctx.session_id if ctx else None)
        if session is None:
            scope["session_id"] = fallback_session
        if not (ctx and ctx.trace_id and (session is None or session == ctx.session_id)):
            scope["trace_id"] = fallback_trace
        return scope


def error_text(error: BaseException) -> str:
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
