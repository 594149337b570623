"""Turning one finished provider call into ``[Agent]`` events.

Runs after the provider returned (or raised, or a stream ended) and never raises: a
tracking problem is logged once and the application carries on with the provider's result.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, cast

from amplitude_ai._identity import anonymous_device_id as anonymous_device_id  # re-exported
from amplitude_ai._kinds import TrackArgs
from amplitude_ai._logging import log_once
from amplitude_ai.context import Emitter, SessionContext, _active

from ._tracker import Tracker


@dataclass
class RequestInfo:
    """What the request says about the call (the response may override most of it)."""

    kind: str  # "ai_response", "embedding" or "span"
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
    ai = effective_ai(tracker, ctx)
    ident: dict[str, Any] = dict(overrides)
    if tracker.user_id and "user_id" not in ident and not (ctx and ctx.user_id):
        ident["user_id"] = tracker.user_id
    fields = dict(request.fields)
    fields.update((k, v) for k, v in response.items() if v is not None)
    fields["provider"] = tracker.provider
    fields["latency_ms"] = latency_ms
    if request.kind == "embedding":
        fields.pop("is_streaming", None)
        ai._emit("embedding", _args({**ident, **fields}), anonymous=True)
        return
    if request.kind == "span":  # a guardrail-like call (moderation): its result is the state
        skip = ("span_name", "latency_ms")
        state = {k: v for k, v in fields.items() if k not in skip and v is not None}
        span: dict[str, Any] = {
            **ident,
            "span_name": fields.get("span_name"),
            "latency_ms": latency_ms,
            "output_state": state,
        }
        if error is not None:
            span["is_error"] = True
            span["error_message"] = _error_text(error)
        ai._emit("span", _args(span), anonymous=True)
        return
    if request.user_message is not None:
        user_turn = _args({**ident, "content": request.user_message})
        ai._emit("user_message", user_turn, anonymous=True, unless_seen=True)
    if error is not None:
        fields["is_error"] = True
        fields["error_message"] = _error_text(error)
    if ttfb_ms is not None:
        fields["ttfb_ms"] = ttfb_ms
    ai._emit("ai_response", _args({**ident, **fields}), anonymous=True)


def _args(values: dict[str, Any]) -> TrackArgs:
    """The fields read from a request/response use the tracking methods' argument names."""
    return cast(TrackArgs, values)


def effective_ai(tracker: Tracker, ctx: SessionContext | None) -> Emitter:
    """The client a call reports to: the active session's own client, unless the wrapped
    client was given an ``AmplitudeAI`` explicitly (a plain ``amplitude.Amplitude`` is
    not: the session's client shares turn numbering, privacy and propagation settings)."""
    if ctx is not None and ctx.ai is not None and not tracker.explicit:
        return ctx.ai
    return tracker.ai
