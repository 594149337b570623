"""``BoundAgent`` (an agent with default fields) and ``TenantHandle`` (multi-tenant factory)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .context import SessionContext, merge_dicts
from .tracking import BoundTrackingMethods

if TYPE_CHECKING:
    from .client import AmplitudeAI
    from .session import Session


class BoundAgent(BoundTrackingMethods):
    """An agent identity plus defaults that every tracking call through it inherits.

    Explicit arguments on a call override the defaults; inside an active session the
    session's fields fill whatever neither provides.
    """

    def __init__(
        self, ai: AmplitudeAI, defaults: SessionContext, *, description: str | None = None
    ) -> None:
        self._ai = ai
        self._defaults = defaults
        self.description = description

    def _client(self) -> AmplitudeAI:
        return self._ai

    def _bound(self) -> SessionContext:
        return self._defaults

    @property
    def ai(self) -> AmplitudeAI:
        return self._ai

    @property
    def agent_id(self) -> str:
        assert self._defaults.agent_id is not None
        return self._defaults.agent_id

    @property
    def parent_agent_id(self) -> str | None:
        return self._defaults.parent_agent_id

    @property
    def user_id(self) -> str | None:
        return self._defaults.user_id

    @property
    def session_id(self) -> str | None:
        return self._defaults.session_id

    @property
    def trace_id(self) -> str | None:
        return self._defaults.trace_id

    @property
    def env(self) -> str | None:
        return self._defaults.env

    @property
    def agent_version(self) -> str | None:
        return self._defaults.agent_version

    @property
    def customer_org_id(self) -> str | None:
        return self._defaults.customer_org_id

    @property
    def context(self) -> dict[str, Any]:
        return dict(self._defaults.context or {})

    @property
    def groups(self) -> dict[str, Any]:
        return dict(self._defaults.groups or {})

    def child(
        self,
        agent_id: str,
        *,
        context: Mapping[str, Any] | None = None,
        description: str | None = None,
        **overrides: Any,
    ) -> BoundAgent:
        """A sub-agent: ``parent_agent_id`` is this agent; user, session, trace, env, version,
        org and groups are inherited; ``context`` is merged (the child's keys win)."""
        unknown = set(overrides) - {
            "user_id",
            "session_id",
            "trace_id",
            "customer_org_id",
            "agent_version",
            "env",
            "groups",
        }
        if unknown:
            raise TypeError(f"child() got unexpected arguments: {', '.join(sorted(unknown))}")
        defaults = self._defaults.evolve(
            agent_id=agent_id,
            parent_agent_id=self.agent_id,
            agent_description=description,  # its own, never the parent's
            context=merge_dicts(self._defaults.context, context),
            **{k: v for k, v in overrides.items() if v is not None},
        )
        return BoundAgent(self._ai, defaults, description=description)

    def session(
        self,
        session_id: str | None = None,
        *,
        user_id: str | None = None,
        trace_id: str | None = None,
        device_id: str | None = None,
        browser_session_id: str | None = None,
        idle_timeout_minutes: float | None = None,
        auto_end: bool = True,
    ) -> Session:
        """A context manager for one conversation (see :class:`~amplitude_ai.Session`)."""
        from .session import Session

        return Session(
            self,
            session_id=session_id,
            user_id=user_id,
            trace_id=trace_id,
            device_id=device_id,
            browser_session_id=browser_session_id,
            idle_timeout_minutes=idle_timeout_minutes,
            auto_end=auto_end,
        )

    def __repr__(self) -> str:
        return f"BoundAgent(agent_id={self.agent_id!r}, parent_agent_id={self.parent_agent_id!r})"


class TenantHandle:
    """Creates agents that all carry one customer org, its groups and shared defaults."""

    def __init__(
        self,
        ai: AmplitudeAI,
        *,
        customer_org_id: str,
        groups: Mapping[str, Any] | None = None,
        env: str | None = None,
        agent_version: str | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> None:
        self._ai = ai
        self.customer_org_id = customer_org_id
        self.groups = dict(groups) if groups else None
        self.env = env
        self.agent_version = agent_version
        self.context = dict(context) if context else None

    def agent(self, agent_id: str, **kwargs: Any) -> BoundAgent:
        """``ai.agent(agent_id, ...)`` with the tenant's defaults; explicit kwargs win."""
        defaults: dict[str, Any] = {
            "customer_org_id": self.customer_org_id,
            "groups": self.groups,
            "env": self.env,
            "agent_version": self.agent_version,
        }
        defaults.update({k: v for k, v in kwargs.items() if v is not None})
        defaults["context"] = merge_dicts(self.context, kwargs.get("context"))
        return self._ai.agent(agent_id, **defaults)
