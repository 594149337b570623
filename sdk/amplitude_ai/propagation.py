"""Carry session context across service boundaries in HTTP headers.

``inject_context`` writes a W3C ``traceparent`` plus ``x-amplitude-*`` headers for the
active session; ``extract_context`` reads them back on the receiving side, e.g. to open
``agent.session(session_id=ctx["session_id"], trace_id=ctx["trace_id"])``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from .context import SessionContext, current_context

TRACEPARENT = "traceparent"
SESSION_HEADER = "x-amplitude-session-id"
TRACE_HEADER = "x-amplitude-trace-id"
AGENT_HEADER = "x-amplitude-agent-id"

_TRACEPARENT_RE = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})\Z")


def _w3c_trace_id(trace_id: str) -> str:
    """A 32-hex W3C trace id: the trace id itself when it is a UUID/32-hex, else derived."""
    compact = trace_id.replace("-", "").lower()
    if re.fullmatch(r"[0-9a-f]{32}", compact) and compact != "0" * 32:
        return compact
    import uuid  # deferred: keeps `import amplitude_ai` light

    return uuid.uuid5(uuid.NAMESPACE_URL, trace_id).hex


def inject_context(
    headers: Mapping[str, str] | None = None, *, context: SessionContext | None = None
) -> dict[str, str]:
    """A copy of ``headers`` plus the propagation headers of ``context`` (default: active).

    Outside a session the headers are returned unchanged. An existing ``traceparent`` is
    kept (another tracer owns it); the Amplitude headers are always written.
    """
    out = dict(headers or {})
    ctx = context or current_context()
    if ctx is None:
        return out
    if ctx.session_id:
        out[SESSION_HEADER] = ctx.session_id
    if ctx.agent_id:
        out[AGENT_HEADER] = ctx.agent_id
    if ctx.trace_id:
        out[TRACE_HEADER] = ctx.trace_id
        if not any(k.lower() == TRACEPARENT for k in out):
            out[TRACEPARENT] = f"00-{_w3c_trace_id(ctx.trace_id)}-{os.urandom(8).hex()}-01"
    return out


def extract_context(headers: Mapping[str, Any]) -> dict[str, str | None]:
    """``{"trace_id", "session_id", "agent_id"}`` from incoming headers (case-insensitive).

    The Amplitude trace header wins; otherwise a valid ``traceparent`` supplies the trace
    id. Missing values are ``None``.
    """
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    trace_id = lowered.get(TRACE_HEADER)
    if not trace_id:
        match = _TRACEPARENT_RE.match(lowered.get(TRACEPARENT, "").strip().lower())
        valid = match and match.group(1) != "ff" and set(match.group(2)) != {"0"}
        if valid and match and set(match.group(3)) != {"0"}:
            trace_id = match.group(2)
    return {
        "trace_id": trace_id or None,
        "session_id": lowered.get(SESSION_HEADER) or None,
        "agent_id": lowered.get(AGENT_HEADER) or None,
    }
