"""``AmplitudeAI``: the tracking client.

It composes an ``amplitude.Amplitude`` instance (yours, or one it creates from an API key)
and never subclasses it or opens connections of its own. Every tracking call is turned
into one catalog-shaped event; any failure inside tracking is caught and logged once,
never raised into the application, except :class:`ValidationError` when
``AIConfig(validate=True)``.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import _registry
from ._ids import new_uuid
from ._logging import log_once
from .catalog import validate_event
from .config import ENV_API_KEY, AIConfig
from .context import SessionContext, current_context, resolve_scope
from .costs import default_calculator
from .delivery import print_dry_run, print_summary
from .events import EventBuilder
from .exceptions import ValidationError
from .outbox import Outbox
from .privacy import PrivacyPolicy, Redactor
from .spool import Spool
from .spool import default_directory as default_spool_directory
from .tracking import TrackingMethods
from .validation import input_problems

if TYPE_CHECKING:
    from .agent import BoundAgent, TenantHandle

logger = logging.getLogger("amplitude_ai")

# Events that take the next turn number of their session when no turn_id is given.
_TURN_KINDS = frozenset({"user_message", "ai_response", "tool_call", "embedding", "span"})
_MAX_TRACKED_SESSIONS = 10_000  # bound on the per-session turn counters kept in memory
_PROVIDER_MODULES = {
    "openai": "openai",
    "anthropic": "anthropic",
    "gemini": "google.genai",
    "mistral": "mistralai",
    "bedrock": "boto3",
}

EventRecord = dict[str, Any]


class AmplitudeAI(TrackingMethods):
    """Tracks ``[Agent]`` events through an Amplitude client.

    Args:
        amplitude: An existing ``amplitude.Amplitude`` instance to share (recommended).
        api_key: Create a private Amplitude client with this key instead (falls back to
            ``AMPLITUDE_AI_API_KEY``). Without any key, events are built and validated
            but not sent, and a warning says so.
        config: Privacy, debugging and delivery options (:class:`AIConfig`).
    """

    def __init__(
        self,
        amplitude: Any = None,
        *,
        api_key: str | None = None,
        config: AIConfig | None = None,
    ) -> None:
        self.config = config if config is not None else AIConfig()
        redactor = (
            Redactor(self.config.compiled_redaction_patterns) if self.config.redact_pii else None
        )
        self._builder = EventBuilder(
            PrivacyPolicy(self.config.mode, redactor), default_calculator()
        )
        self._turns: OrderedDict[str, int] = OrderedDict()
        self._turn_lock = threading.Lock()
        self._owns_client = False
        self._amplitude = amplitude
        if amplitude is None and not self.config.dry_run:
            self._amplitude = self._create_client(api_key or os.environ.get(ENV_API_KEY))
        self._outbox = self._create_outbox() if self._amplitude is not None else None

    def _create_client(self, api_key: str | None) -> Any:
        if not api_key:
            logger.warning(
                "amplitude_ai: no Amplitude client and no API key (pass amplitude=, api_key= or "
                "set %s); events will be built but not sent",
                ENV_API_KEY,
            )
            return None
        from amplitude import Amplitude, Config

        cfg = Config(server_zone=self.config.server_zone)
        if self.config.server_url:
            cfg.server_url = self.config.server_url
        self._owns_client = True
        return Amplitude(api_key, cfg)

    def _create_outbox(self) -> Outbox:
        spool = None
        api_key = getattr(getattr(self._amplitude, "configuration", None), "api_key", None)
        if self.config.spool and isinstance(api_key, str) and api_key:
            directory = Path(self.config.spool_dir) if self.config.spool_dir else None
            spool = Spool(
                directory or default_spool_directory(), api_key, self.config.spool_max_bytes
            )
        return Outbox(
            self._amplitude,
            owned=self._owns_client,
            on_outcome=self._delivery_callback,
            spool=spool,
        )

    # ----------------------------------------------------------------- public API
    @property
    def amplitude(self) -> Any:
        """The underlying ``amplitude.Amplitude`` client (``None`` in dry-run/no-key mode)."""
        return self._amplitude

    def agent(
        self,
        agent_id: str,
        *,
        user_id: str | None = None,
        session_id: str | None = None,
        trace_id: str | None = None,
        parent_agent_id: str | None = None,
        customer_org_id: str | None = None,
        agent_version: str | None = None,
        env: str | None = None,
        context: Mapping[str, Any] | None = None,
        groups: Mapping[str, Any] | None = None,
        description: str | None = None,
    ) -> BoundAgent:
        """A handle whose tracking calls carry these defaults (explicit arguments win)."""
        from .agent import BoundAgent

        defaults = SessionContext(
            user_id=user_id,
            session_id=session_id,
            trace_id=trace_id,
            agent_id=agent_id,
            parent_agent_id=parent_agent_id,
            customer_org_id=customer_org_id,
            agent_version=agent_version,
            env=env,
            context=dict(context) if context else None,
            groups=dict(groups) if groups else None,
        )
        return BoundAgent(self, defaults, description=description)

    def tenant(
        self,
        customer_org_id: str,
        *,
        groups: Mapping[str, Any] | None = None,
        env: str | None = None,
        agent_version: str | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> TenantHandle:
        """A factory of agents that all carry this customer org (and its groups)."""
        from .agent import TenantHandle

        return TenantHandle(
            self,
            customer_org_id=customer_org_id,
            groups=groups,
            env=env,
            agent_version=agent_version,
            context=context,
        )

    def flush(self, timeout: float = 10.0) -> list[Any]:
        """Send buffered events now and wait until each has an outcome, retrying failures
        the endpoint may get past (connection errors, timeouts, 429, 5xx), for at most
        ``timeout`` seconds. Returns the client's delivery futures (done, or timed out)."""
        if self._outbox is None:
            return []
        try:
            return self._outbox.flush(timeout)
        except Exception:
            log_once("flush", logging.ERROR, "amplitude_ai: flush failed", exc_info=True)
            return []

    def shutdown(self, timeout: float = 10.0) -> None:
        """``flush(timeout)``, then stop: events still undelivered at the deadline go to the
        local spool (resent by the next start; see ``AIConfig.spool``) and are reported
        through ``on_event_callback`` with code 0. Closes the Amplitude client if this SDK
        created it (the process can exit at once); a shared client (``amplitude=``) stays
        open for the application."""
        if self._outbox is None:
            return
        try:
            self._outbox.shutdown(timeout)
        except Exception:
            log_once("shutdown", logging.ERROR, "amplitude_ai: shutdown failed", exc_info=True)

    def status(self) -> dict[str, Any]:
        """Effective configuration plus which provider SDKs are installed and patched."""
        return {
            "content_mode": self.config.mode.value,
            "debug": self.config.debug,
            "dry_run": self.config.dry_run,
            "redact_pii": self.config.redact_pii,
            "validate": self.config.validate,
            "propagate_context": self.config.propagate_context,
            "delivery": self._delivery_state(),
            "delivery_stats": self._delivery_stats(),
            "providers_available": [
                name for name, module in _PROVIDER_MODULES.items() if _installed(module)
            ],
            "patched_providers": sorted(_registry.patched_providers),
        }

    # ----------------------------------------------------------------- internals
    def _client(self) -> AmplitudeAI:
        return self

    def _delivery_state(self) -> str:
        if self.config.dry_run:
            return "dry_run"
        if self._amplitude is None:
            return "disabled (no API key)"
        return "amplitude" if not self._owns_client else "amplitude (owned)"

    def _delivery_stats(self) -> dict[str, Any]:
        """Counts since start: tracked, delivered, rejected (reported), retried, spooled,
        dropped (reported), resent_from_spool; pending = not settled yet."""
        outbox = self._outbox
        if outbox is None:
            return {}
        keys = ("tracked", "delivered", "rejected", "retried", "spooled", "dropped")
        stats: dict[str, Any] = {key: outbox.stats[key] for key in keys}
        stats["resent_from_spool"] = outbox.stats["resent_from_spool"]
        stats["pending"] = outbox.unsettled()
        stats["spool_dir"] = str(outbox.spool_dir) if outbox.spool_dir else None
        return stats

    def _next_turn(self, session_id: str, explicit: int | None) -> int | None:
        with self._turn_lock:
            current = self._turns.get(session_id, 0)
            turn = explicit if explicit is not None else current + 1
            self._turns[session_id] = max(current, turn)
            self._turns.move_to_end(session_id)
            if len(self._turns) > _MAX_TRACKED_SESSIONS:
                self._turns.popitem(last=False)
        return turn

    def _forget_session(self, session_id: str | None) -> None:
        if session_id:
            with self._turn_lock:
                self._turns.pop(session_id, None)

    def _emit(self, kind: str, args: dict[str, Any], bound: SessionContext | None) -> None:
        """Build, check and deliver one event; never raises except ``ValidationError``."""
        try:
            self._emit_unsafe(kind, args, bound)
        except ValidationError:
            if self.config.validate:
                raise
            log_once(
                f"invalid:{kind}", logging.WARNING, "amplitude_ai: invalid event", exc_info=True
            )
        except Exception:
            log_once(
                f"error:{kind}",
                logging.ERROR,
                "amplitude_ai: tracking %s failed; the event was dropped",
                kind,
                exc_info=True,
            )

    def _emit_unsafe(self, kind: str, args: dict[str, Any], bound: SessionContext | None) -> None:
        problems = input_problems(kind, args)
        if problems:
            message = "; ".join(problems.values())
            if self.config.validate:
                raise ValidationError(f"{kind}: {message}")
            log_once(
                f"input:{kind}:{','.join(sorted(problems))}",
                logging.WARNING,
                "amplitude_ai: %s: %s (left out of the event)",
                kind,
                message,
            )
            for arg in problems:
                args[arg] = None
        scope = resolve_scope(args, bound, current_context())
        if kind == "score" and not scope.session_id and args.get("target_type") == "session":
            scope = scope.evolve(session_id=args.get("target_id"))  # the scored session itself
        if not scope.user_id and not scope.device_id:
            if self.config.validate:
                raise ValidationError(f"{kind}: user_id is required (or a session with device_id)")
            log_once(
                f"no-user:{kind}",
                logging.WARNING,
                "amplitude_ai: %s has no user_id; Amplitude would reject it, so it was dropped. "
                "Pass user_id or track inside agent.session(user_id=...)",
                kind,
            )
            return
        if not scope.session_id:
            if self.config.validate:
                raise ValidationError(f"{kind}: session_id is required; use agent.session()")
            log_once(
                f"no-session:{kind}",
                logging.WARNING,
                "amplitude_ai: %s has no session_id, so it will not group into a session; "
                "use agent.session() or pass session_id",
                kind,
            )
        if kind == "user_message":
            key = _registry.conversation_key(scope.session_id, scope.user_id)
            _registry.remember_user_message(key, scope.trace_id, args.get("content"))
        turn = args.get("turn_id")
        if kind in _TURN_KINDS and scope.session_id:
            turn = self._next_turn(scope.session_id, turn)
        props = self._builder.build(kind, args, scope, turn_id=turn)
        record: EventRecord = {
            "event_type": self._builder.event_type[kind],
            "user_id": scope.user_id,
            "insert_id": new_uuid(),
            "time": int(time.time() * 1000),
            "event_properties": props,
        }
        if scope.device_id:
            record["device_id"] = scope.device_id
        if scope.groups:
            record["groups"] = dict(scope.groups)
        if self.config.validate:
            found = validate_event(
                record["event_type"], props, user_id=scope.user_id, device_id=scope.device_id
            )
            if found:
                raise ValidationError(f"{record['event_type']}: " + "; ".join(found))
        if kind == "session_end":
            self._forget_session(scope.session_id)
        self._deliver(record)

    def _deliver(self, record: EventRecord) -> None:
        """Print (debug/dry-run) and hand the event to the Amplitude client."""
        if self.config.debug:
            print_summary(record)
        if self.config.dry_run:
            print_dry_run(record)
            return
        if self._outbox is None:
            return
        self._outbox.send(record)

    def _delivery_callback(self, event: Any, code: int, message: str | None = None) -> None:
        callback = self.config.on_event_callback
        if callback is None:
            return
        try:
            callback(event, code, message)
        except Exception:
            log_once(
                "user-callback",
                logging.ERROR,
                "amplitude_ai: on_event_callback raised",
                exc_info=True,
            )


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False
