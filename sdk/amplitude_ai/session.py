"""``Session``: one conversation, as a sync or async context manager.

On entry it publishes its context (so provider wrappers, decorators and plain
``ai.track_*`` calls inherit session, trace, agent and user); on exit it tracks
``[Agent] Session End`` (also when the block raised) and restores the outer context.
Entering a session whose id is already the active one *joins* it: a sub-agent working
inside its parent's conversation does not end that conversation on exit.
"""

from __future__ import annotations

from contextvars import Token
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ._ids import new_uuid
from .context import SessionContext, _active, current_context
from .tracking import BoundTrackingMethods

if TYPE_CHECKING:
    from .agent import BoundAgent
    from .client import AmplitudeAI
    from .enrichments import SessionEnrichments


# Conversation-level fields a joined session takes from the session it joins when unset.
_JOINED_FIELDS = ("user_id", "trace_id", "device_id", "browser_session_id")


class Session(BoundTrackingMethods):
    """A conversation bound to one agent; create it with ``agent.session()``."""

    def __init__(
        self,
        agent: BoundAgent,
        *,
        session_id: str | None = None,
        user_id: str | None = None,
        trace_id: str | None = None,
        device_id: str | None = None,
        browser_session_id: str | None = None,
        idle_timeout_minutes: float | None = None,
        auto_end: bool = True,
    ) -> None:
        self.agent = agent
        defaults = agent._bound()
        self._ctx = defaults.evolve(
            session_id=session_id or defaults.session_id or new_uuid(),
            user_id=user_id or defaults.user_id,
            trace_id=trace_id or defaults.trace_id,
            device_id=device_id,
            browser_session_id=browser_session_id,
            ai=agent.ai,
        )
        self.idle_timeout_minutes = idle_timeout_minutes
        self.auto_end = auto_end
        self.enrichments: SessionEnrichments | None = None
        self._ended = False
        self._joined = False
        self._tokens: list[Token[SessionContext | None]] = []

    # ------------------------------------------------------------------ fields
    @property
    def session_id(self) -> str:
        assert self._ctx.session_id is not None
        return self._ctx.session_id

    @property
    def trace_id(self) -> str | None:
        return self._ctx.trace_id

    @property
    def user_id(self) -> str | None:
        return self._ctx.user_id

    @property
    def agent_id(self) -> str | None:
        return self._ctx.agent_id

    @property
    def context(self) -> SessionContext:
        """The fields this session contributes to its events."""
        return self._ctx

    @property
    def ended(self) -> bool:
        return self._ended

    def _client(self) -> AmplitudeAI:
        return self.agent.ai

    def _bound(self) -> SessionContext:
        return self._ctx

    # --------------------------------------------------------------- lifecycle
    def new_trace(self, trace_id: str | None = None) -> str:
        """Start a new user-message-to-response cycle; returns the trace id."""
        new_id = trace_id or new_uuid()
        self._ctx = self._ctx.evolve(trace_id=new_id)
        active = current_context()
        if self._tokens and active is not None and active.session_id == self.session_id:
            _active.set(self._ctx)
        return new_id

    def set_enrichments(self, enrichments: SessionEnrichments) -> None:
        """Attach enrichments to the ``[Agent] Session End`` sent when the block exits."""
        self.enrichments = enrichments

    def track_session_end(self, *args: Any, **kwargs: Any) -> None:
        """End the session now (the exit of the ``with`` block will not end it again)."""
        kwargs.setdefault("enrichments", self.enrichments)
        kwargs.setdefault("idle_timeout_minutes", self.idle_timeout_minutes)
        self._ended = True
        super().track_session_end(*args, **kwargs)

    def __enter__(self) -> Session:
        outer = current_context()
        self._joined = outer is not None and outer.session_id == self.session_id
        if outer is not None:
            # A sub-agent joining the conversation talks to the same user in the same trace;
            # a nested session of its own still talks to the same user.
            fields = _JOINED_FIELDS if self._joined else ("user_id",)
            inherited = {f: getattr(outer, f) for f in fields if getattr(self._ctx, f) is None}
            self._ctx = self._ctx.evolve(**inherited)
        self._tokens.append(_active.set(self._ctx))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self.auto_end and not self._joined and not self._ended:
                self.track_session_end()
        finally:
            _active.reset(self._tokens.pop())

    async def __aenter__(self) -> Session:
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, tb)

    def __repr__(self) -> str:
        return f"Session(session_id={self.session_id!r}, agent_id={self.agent_id!r})"
