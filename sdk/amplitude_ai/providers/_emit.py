"""Turning one finished provider call into ``[Agent]`` events.

Runs after the provider returned (or raised, or a stream ended) and never raises: a
tracking problem is logged once and the application carries on with the provider's result.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from amplitude_ai import _registry
from amplitude_ai._ids import new_uuid
from amplitude_ai._logging import log_once
from amplitude_ai.context import SessionContext, _active

from ._tracker import Tracker

if TYPE_CHECKING:
    from amplitude_ai.client import AmplitudeAI


@dataclass
class RequestInfo:
    """What the request says about the call (the response may override most of it)."""

    kind: str  # "ai_response" or "embedding"
    fields: dict[str, Any] = field(default_factory=dict)
    user_message: str | None = None


@contextmanager
def _as_active(ctx: SessionContext | None) -> Iterator[None]:
    """Resolve identity as it was when the call started (streams end later, elsewhere)."""
    token = _active.set(ctx)
    try:
        yield
    finally:
        _active.reset(token)


def _conversation(
    ident: Mapping[str, Any], ctx: SessionContext | None
) -> tuple[str | None, str | None, str | None]:
    """(session, user, trace) the events will carry: explicit values, else the context's
    (the trace only within the context's own session), as ``resolve_scope`` decides."""
    session_id = ident.get("session_id")
    same_session = ctx is not None and (session_id is None or session_id == ctx.session_id)
    if ctx is not None:
        session_id = session_id or ctx.session_id
    user_id = ident.get("user_id") or (ctx.user_id if ctx is not None else None)
    trace_id = ident.get("trace_id") or (ctx.trace_id if same_session and ctx else None)
    return session_id, user_id, trace_id


def _has_identity(ident: Mapping[str, Any], ctx: SessionContext | None) -> bool:
    if ident.get("user_id") or ident.get("device_id"):
        return True
    return ctx is not None and bool(ctx.user_id or ctx.device_id)


@functools.cache
def anonymous_device_id() -> str:
    """The device id of provider calls made without any user identity.

    Zero-code setups (``patch()``, ``amplitude-ai-instrument``) often know no user; Amplitude
    rejects events with neither a user id nor a device id, so such calls are grouped under
    one anonymous device per program: cost, latency, tokens and errors stay measurable in
    aggregate, and per-user analysis starts once a user id is passed.
    """
    program = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    log_once(
        "anonymous-device",
        logging.WARNING,
        "amplitude_ai: LLM calls without a user id are tracked under the anonymous device "
        "id 'amplitude-ai:%s' (aggregate metrics only); pass amplitude_user_id=... or call "
        "inside agent.session(user_id=...) for per-user analytics",
        program or "python",
    )
    return f"amplitude-ai:{program or 'python'}"


def _error_text(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def emit_call(
    tracker: Tracker,
    ctx: SessionContext | None,
    overrides: Mapping[str, str],
    request: RequestInfo,
    response: Mapping[str, Any],
    *,
    latency_ms: float,
    ttfb_ms: float | None = None,
    error: BaseException | None = None,
) -> None:
    """Track the user turn (once) and the AI response / embedding of one call."""
    try:
        with _as_active(ctx):
            _emit_unsafe(tracker, ctx, overrides, request, response, latency_ms, ttfb_ms, error)
    except Exception:
        log_once(
            "provider-emit",
            logging.ERROR,
            "amplitude_ai: tracking a %s call failed; the call itself was not affected",
            tracker.provider,
            exc_info=True,
        )


def _emit_unsafe(
    tracker: Tracker,
    ctx: SessionContext | None,
    overrides: Mapping[str, str],
    request: RequestInfo,
    response: Mapping[str, Any],
    latency_ms: float,
    ttfb_ms: float | None,
    error: BaseException | None,
) -> None:
    ai = tracker.ai
    if ctx is not None and ctx.ai is not None and not tracker.explicit:
        ai = ctx.ai
    ident: dict[str, Any] = dict(overrides)
    if tracker.user_id and "user_id" not in ident and not (ctx and ctx.user_id):
        ident["user_id"] = tracker.user_id
    if not _has_identity(ident, ctx):
        ident["device_id"] = anonymous_device_id()
    fields = dict(request.fields)
    fields.update((k, v) for k, v in response.items() if v is not None)
    fields["provider"] = tracker.provider
    fields["latency_ms"] = latency_ms
    if request.kind == "embedding":
        fields.pop("is_streaming", None)
        _track(ai, "embedding", {**ident, **fields}, "span_id")
        return
    if request.user_message is not None:
        session_id, user_id, trace_id = _conversation(ident, ctx)
        key = _registry.conversation_key(session_id, user_id)
        if not _registry.user_message_seen(key, trace_id, request.user_message):
            _track(ai, "user_message", {**ident, "content": request.user_message}, "message_id")
    if error is not None:
        fields["is_error"] = True
        fields["error_message"] = _error_text(error)
    if ttfb_ms is not None:
        fields["ttfb_ms"] = ttfb_ms
    _track(ai, "ai_response", {**ident, **fields}, "message_id")


def _track(ai: AmplitudeAI, kind: str, args: dict[str, Any], id_arg: str) -> None:
    """What ``ai.track_<kind>(**args)`` does, without binding ~40 keyword parameters and
    copying ``locals()``: the arguments here are already the documented names."""
    present = {k: v for k, v in args.items() if v is not None}  # as TrackingMethods._track
    present[id_arg] = new_uuid()
    ai._emit(kind, present, None)
