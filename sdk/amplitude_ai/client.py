"""``AmplitudeAI``: the tracking client.

It composes an ``amplitude.Amplitude`` instance (yours, or one it creates from an API key)
and never subclasses it or opens connections of its own. Every tracking call is turned
into one catalog-shaped event; any failure inside tracking is caught and logged once,
never raised into the application, except :class:`ValidationError` when
``AIConfig(validate=True)``.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import logging
import os
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import _registry
from ._identity import anonymous_device_id, default_session_id, is_default_session
from ._ids import new_uuid
from ._kinds import ID_ARGS, EventKind, TrackArgs
from ._logging import log_once, warn_rate_limited
from .catalog import structural_problems, validate_event
from .config import ENV_API_KEY, AIConfig, ContentMode
from .context import SCOPE_FIELDS, SessionContext, current_context, resolve_scope
from .costs import default_calculator
from .delivery import build_event, print_dry_run, print_summary
from .events import EventBuilder
from .exceptions import ValidationError
from .outbox import Outbox
from .privacy import PrivacyPolicy, Redactor
from .spool import Spool
from .spool import default_directory as default_spool_directory
from .tracking import TrackingMethods
from .validation import REJECTED_CODE, check_args, check_scope_value

if TYPE_CHECKING:
    from .agent import BoundAgent, TenantHandle

logger = logging.getLogger("amplitude_ai")

# Events that take the next turn number of their session when no turn_id is given.
_TURN_KINDS = frozenset({"user_message", "ai_response", "tool_call", "embedding", "span"})
# Events about a session as a whole: without a session id they are suspicious.
_SESSION_LEVEL = frozenset({"session_end", "session_enrichment"})
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
        content_mode: Shortcut for ``AIConfig(content_mode=...)``; overrides ``config``'s.

    Events tracked outside any session belong to the user's *default session* (one per
    user per process, id ``default-<uuid>``) so that every event carries the
    ``[Agent] Session ID`` the catalog requires; see ``amplitude_ai._identity``.
    """

    def __init__(
        self,
        amplitude: Any = None,
        *,
        api_key: str | None = None,
        config: AIConfig | None = None,
        content_mode: ContentMode | str | None = None,
    ) -> None:
        self.config = config if config is not None else AIConfig()
        if content_mode is not None:
            self.config = dataclasses.replace(self.config, content_mode=content_mode)
        self._stats: dict[str, Any] = {
            "events_rejected": 0,
            "catalog_rejections": 0,
            "fields_dropped": Counter(),
        }
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
            agent_description=description,
            env=env,
            context=_mapping("context", context),
            groups=_mapping("groups", groups),
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
            # Calls to provider APIs the SDK recognises but does not track, with why.
            "untracked_calls": _untracked_calls(),
            "validation": {
                "events_rejected": self._stats["events_rejected"],
                "catalog_rejections": self._stats["catalog_rejections"],
                "fields_dropped": dict(self._stats["fields_dropped"]),
            },
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

    def _emit(
        self,
        kind: EventKind,
        args: TrackArgs,
        bound: SessionContext | None = None,
        *,
        anonymous: bool = False,
        unless_seen: bool = False,
    ) -> str | None:
        """The one entry every tier's events go through: check the arguments, resolve the
        scope, build, validate and deliver one event.

        ``args`` uses the public methods' argument names (``None`` = omitted); ``bound``
        holds an agent's or session's defaults. The automatic tiers (provider wrappers,
        decorators) pass ``anonymous=True``: without any user identity the event goes to
        the anonymous device instead of being rejected; ``unless_seen=True`` skips a user
        message already tracked as the last one of its conversation. Returns the event's
        own id (message, invocation or span id; generated when omitted) for the kinds that
        have one, also when tracking failed. Never raises, except :class:`ValidationError` under
        ``AIConfig(validate=True)``.
        """
        present: dict[str, Any] = {k: v for k, v in args.items() if v is not None}
        id_arg = ID_ARGS.get(kind)
        event_id: str | None = None
        if id_arg is not None:
            given = check_scope_value(id_arg, present.get(id_arg))
            if given is None and present.get(id_arg) is not None:
                if self.config.validate:
                    raise ValidationError(f"{kind}: {id_arg} must be a non-empty string")
                self._note_dropped(
                    kind, id_arg, f"{id_arg} must be a non-empty string; a new one was used"
                )
            event_id = given if given is not None else new_uuid()
            present[id_arg] = event_id
        try:
            self._emit_unsafe(kind, present, bound, anonymous, unless_seen)
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
        return event_id

    def _emit_unsafe(
        self,
        kind: EventKind,
        args: dict[str, Any],
        bound: SessionContext | None,
        anonymous: bool = False,
        unless_seen: bool = False,
    ) -> None:
        checked = check_args(kind, args)
        if self.config.validate and (checked.dropped or checked.rejected):
            problems = {**checked.dropped, **checked.rejected}
            raise ValidationError(f"{kind}: " + "; ".join(problems.values()))
        for name, reason in checked.dropped.items():
            self._note_dropped(kind, name, reason)
        for name, change in checked.coerced.items():
            log_once(f"coerced:{kind}:{name}", logging.INFO, "amplitude_ai: %s: %s", kind, change)
        args = checked.args
        active = current_context()
        scope = resolve_scope(args, bound, active)
        unusable: list[str] = []
        if bound is not None or active is not None:  # values the checks above have not seen
            scope, unusable = _checked_scope(scope)
        if unusable and self.config.validate:
            raise ValidationError(f"{kind}: unusable " + ", ".join(unusable))
        for name in unusable:
            self._note_dropped(kind, name, f"the {name} of the agent or session is unusable")
        if kind == "score" and not scope.session_id and args.get("target_type") == "session":
            scope = scope.evolve(session_id=args.get("target_id"))  # the scored session itself
        rejected = dict(checked.rejected)
        if anonymous and not scope.user_id and not scope.device_id:
            scope = scope.evolve(device_id=anonymous_device_id())
        if not scope.user_id and not scope.device_id:
            rejected["user_id"] = (
                "user_id is required (or a session with device_id); pass user_id or track "
                "inside agent.session(user_id=...)"
            )
        if rejected and self.config.validate:
            raise ValidationError(f"{kind}: " + "; ".join(rejected.values()))
        if not scope.session_id:
            scope = self._default_session(kind, scope)
        if kind == "user_message" and not rejected:
            # A default session is no conversation: repeats are recognised per known user
            # only (an anonymous device may be many people asking the same thing).
            session = None if is_default_session(scope.session_id) else scope.session_id
            key = _registry.conversation_key(session, scope.user_id)
            if unless_seen and _registry.user_message_seen(
                key, scope.trace_id, args.get("content")
            ):
                return
            _registry.remember_user_message(key, scope.trace_id, args.get("content"))
        turn = args.get("turn_id")
        if kind in _TURN_KINDS and scope.session_id and not rejected:
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
        if not rejected:
            # The safety net: whatever the checks above missed must not reach Amplitude.
            # (The full check also re-parses the JSON-valued properties; ours are built as
            # strict JSON, so the structural one suffices unless validate=True asks for all.)
            if self.config.validate:
                found = validate_event(
                    record["event_type"], props, user_id=scope.user_id, device_id=scope.device_id
                )
            else:
                found = structural_problems(record["event_type"], props)
            if found:
                if self.config.validate:
                    raise ValidationError(f"{record['event_type']}: " + "; ".join(found))
                with self._turn_lock:
                    self._stats["catalog_rejections"] += 1
                rejected = {f"catalog:{i}": problem for i, problem in enumerate(found)}
        if rejected:
            self._reject(kind, record, rejected)
            return
        if kind == "session_end":
            self._forget_session(scope.session_id)
        self._deliver(record)

    def _default_session(self, kind: str, scope: SessionContext) -> SessionContext:
        """Outside any session: the user's default session (see ``_identity``)."""
        if kind in _SESSION_LEVEL:
            if self.config.validate:
                raise ValidationError(f"{kind}: session_id is required; use agent.session()")
            warn_rate_limited(
                f"no-session:{kind}",
                "amplitude_ai: %s without session_id applies to the user's default session; "
                "pass session_id or call it on agent.session()",
                kind,
            )
        return scope.evolve(session_id=default_session_id(scope.user_id, scope.device_id))

    def _note_dropped(self, kind: str, name: str, reason: str) -> None:
        with self._turn_lock:
            self._stats["fields_dropped"][f"{kind}.{name}"] += 1
        warn_rate_limited(
            f"dropped:{kind}:{name}",
            "amplitude_ai: %s: %s (left out; the event is still sent)",
            kind,
            reason,
        )

    def _reject(self, kind: str, record: EventRecord, reasons: Mapping[str, str]) -> None:
        """A required value is unusable: report the event instead of sending it."""
        with self._turn_lock:
            self._stats["events_rejected"] += 1
        message = "; ".join(reasons.values())
        warn_rate_limited(
            f"rejected:{kind}:{','.join(sorted(reasons))}",
            "amplitude_ai: %s was not sent: %s",
            record["event_type"],
            message,
        )
        if self.config.on_event_callback is not None:
            self._delivery_callback(
                build_event(record, None), REJECTED_CODE, f"not sent by amplitude_ai: {message}"
            )

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


def _checked_scope(scope: SessionContext) -> tuple[SessionContext, list[str]]:
    """The resolved scope with unusable values (from any layer) coerced or left out, and
    the names of those left out."""
    changes: dict[str, Any] = {}
    for name in (*SCOPE_FIELDS, "context", "groups"):
        value = getattr(scope, name)
        if value is None or (type(value) is str and value.strip()):
            continue  # the common case, already fine
        changes[name] = check_scope_value(name, value)
    if not changes:
        return scope, []
    return scope.evolve(**changes), [n for n, v in changes.items() if v is None]


def _mapping(name: str, value: Any) -> dict[str, Any] | None:
    """A copy of an agent's ``context``/``groups`` (constructors never raise into the app:
    anything but a mapping is left out with a warning)."""
    if isinstance(value, Mapping):
        return dict(value) if value else None
    if value is not None:
        warn_rate_limited(
            f"agent-arg:{name}",
            "amplitude_ai: agent(%s=%r) is not a mapping; it was left out",
            name,
            value,
        )
    return None


def _untracked_calls() -> dict[str, Any]:
    from .providers._untracked import untracked_calls  # no provider SDK import

    return untracked_calls()
