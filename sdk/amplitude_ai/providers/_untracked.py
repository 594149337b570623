"""APIs the wrappers recognise but do not track: reported, never dropped silently.

The registry lists them per provider (``ProviderSpec.untracked``: method paths with the
reason, which the MCP server's detection reads too). The first call to one of them in a
process logs one warning naming the API and the reason; every call is counted, and
``AmplitudeAI.status()["untracked_calls"]`` shows the counts with the reasons. Requests
are recognised by their path in the request hook; the Realtime API opens a websocket
instead of sending a request, so its ``connect()`` methods get a small shim (per client
for drop-ins, on the classes for ``patch()``).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from amplitude_ai._logging import log_once

# Path fragments that must all appear in a request path -> the API it belongs to (the
# resource of registry ``untracked`` methods); first match wins. Fragments, not prefixes: Azure and
# proxies put a prefix before the path.
_PATHS: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    "openai": (
        (("/threads", "/runs"), "beta.threads.runs"),
        (("/threads",), "beta.threads"),
        (("/assistants",), "beta.assistants"),
        (("/batches",), "batches"),
        (("/realtime/",), "realtime"),
    ),
    "anthropic": ((("/messages/batches",), "messages.batches"),),
}
_PATHS["azure_openai"] = _PATHS["openai"]

_lock = threading.Lock()
_calls: dict[tuple[str, str], int] = {}


def reason_for(provider: str, api: str) -> str:
    from .registry import BY_ID

    spec = BY_ID.get(provider)
    reason = spec.untracked_reason(api) if spec is not None else None
    return reason or "not tracked by the SDK"


def report(provider: str, api: str) -> None:
    """Count one call to an untracked API; warn the first time per process."""
    with _lock:
        _calls[(provider, api)] = _calls.get((provider, api), 0) + 1
    log_once(
        f"untracked:{provider}:{api}",
        logging.WARNING,
        "amplitude_ai: %s %s calls are not tracked: %s",
        provider,
        api,
        reason_for(provider, api),
    )


def note_untracked(provider: str, url: str) -> None:
    """Report ``url`` (a POST the hook does not track) when it belongs to an untracked
    API. Never raises."""
    table = _PATHS.get(provider)
    if not table:
        return
    try:
        path = url.split("?", 1)[0]
        for fragments, api in table:
            if all(f in path for f in fragments):
                report(provider, api)
                return
    except Exception:  # reporting must never get in the way of the call
        return


def untracked_calls() -> dict[str, dict[str, Any]]:
    """``{"<provider> <api>": {"calls": n, "reason": ...}}`` for ``status()``."""
    with _lock:
        counts = dict(_calls)
    return {
        f"{provider} {api}": {"calls": n, "reason": reason_for(provider, api)}
        for (provider, api), n in sorted(counts.items())
    }


# ---------------------------------------------------------------- Realtime websockets

NOTICE_MARK = "__amplitude_ai_notice__"
# (module, classes, method, api) of the websocket entry points.
REALTIME_CONNECT: tuple[tuple[str, tuple[str, ...], str, str], ...] = (
    ("openai.resources.realtime.realtime", ("Realtime", "AsyncRealtime"), "connect", "realtime"),
    (
        "openai.resources.beta.realtime.realtime",
        ("Realtime", "AsyncRealtime"),
        "connect",
        "beta.realtime",
    ),
)


_reporting: ContextVar[bool] = ContextVar("amplitude_ai_untracked_reporting", default=False)


def _provider_of(resource: Any) -> str:
    """``azure_openai`` for a resource of an Azure client, else ``openai``."""
    client = getattr(resource, "_client", None)
    return "azure_openai" if "Azure" in type(client).__name__ else "openai"


def notice_shim(method: Callable[..., Any], provider: str | None, api: str) -> Callable[..., Any]:
    """``method`` that reports ``api`` as untracked each time it is called (``provider``
    ``None``: a class-level shim, the provider is read from the resource's client).
    Nested shims (a drop-in while patched) report the call once."""

    @functools.wraps(method)
    def shim(*args: Any, **kwargs: Any) -> Any:
        if _reporting.get():
            return method(*args, **kwargs)
        with contextlib.suppress(Exception):  # reporting never gets in the call's way
            report(provider or _provider_of(args[0] if args else None), api)
        token = _reporting.set(True)
        try:
            return method(*args, **kwargs)
        finally:
            _reporting.reset(token)

    setattr(shim, NOTICE_MARK, method)
    return shim


# Client resource attribute -> (path below it to the object with ``connect``, api).
CLIENT_NOTICES: dict[str, tuple[str, str]] = {
    "realtime": ("", "realtime"),
    "beta": ("realtime", "beta.realtime"),
}


def shim_resource_notices(attr: str, resource: Any, provider: str) -> None:
    """Per-client Realtime notices on the ``attr`` resource of a drop-in / wrapped OpenAI
    client (a release without the Realtime API is left as is). Never raises."""
    found = CLIENT_NOTICES.get(attr)
    if found is None:
        return
    child, api = found
    try:
        owner = getattr(resource, child, None) if child else resource
        method = getattr(owner, "connect", None) if owner is not None else None
        if owner is None or method is None or getattr(method, NOTICE_MARK, None) is not None:
            return
        owner.connect = notice_shim(method, provider, api)
    except Exception:
        return
