"""What every framework integration shares: where its events go, the identity defaults it
was created with, and emitting one event without ever raising into the framework."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from amplitude_ai._ids import new_uuid
from amplitude_ai._logging import log_once
from amplitude_ai.context import SessionContext, current_context

if TYPE_CHECKING:
    from amplitude_ai._kinds import EventKind, TrackArgs
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
                return cast("AmplitudeAI", ctx.ai)  # sessions are opened by an AmplitudeAI
        if self._ai is None:
            from amplitude_ai.client import AmplitudeAI

            self._ai = AmplitudeAI(amplitude=self._amplitude)
        return self._ai

    # ------------------------------------------------------------------ emitting
    def emit(
        self,
        kind: str,
        fields: Mapping[str, Any],
        id_arg: str | None = None,
        *,
        unless_seen: bool = False,
    ) -> str | None:
        """Track one event through the SDK's single entry; ``fields`` are tracking-call
        argument names. Never raises into the framework.

        Identity: ``fields`` first, then the integration's defaults, then the active
        session; without any user the event goes to the SDK's anonymous device, as for
        the other automatic tiers. Returns the event's id (generated when not given), also
        when tracking failed, so callers can link later events to it.
        """
        event_id = fields.get(id_arg) if id_arg else None
        if id_arg and not event_id:
            event_id = new_uuid()
        args = {k: v for k, v in fields.items() if v is not None}
        if id_arg:
            args[id_arg] = event_id
        try:
            self.ai._emit(
                cast("EventKind", kind),
                cast("TrackArgs", args),
                self.defaults,
                anonymous=True,
                unless_seen=unless_seen,
            )
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
        if isinstance(content, str) and content.strip():
            self.emit("user_message", {**scope, "content": content}, "message_id", unless_seen=True)

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
