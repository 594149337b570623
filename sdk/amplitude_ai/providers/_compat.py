"""What an installed provider SDK offers, found by looking (never by version number).

The wrappers need one thing from a client class: the ``request(cast_to, options, ...)``
method every API call goes through (openai>=1.0, anthropic's Stainless clients). Everything
else (which resources exist, whether they are class-level properties or attributes set in
``__init__``, which methods a resource has) is looked up as it is used. A release without
the hook point is not instrumented: its clients keep working untracked, and the app is told
once, with the installed and the supported versions.
"""

from __future__ import annotations

import inspect
import logging
import threading
import warnings
from importlib import metadata
from typing import Any

from .registry import BY_ID, ProviderSpec, in_range

logger = logging.getLogger("amplitude_ai")
_warned: set[str] = set()
_warned_lock = threading.Lock()


class UnsupportedProviderWarning(RuntimeWarning):
    """An installed provider SDK cannot be instrumented; its calls are not tracked."""


def has_request_hook(cls: type[Any]) -> bool:
    """Whether ``cls`` funnels its calls through ``request(cast_to, options, ...)``."""
    request = getattr(cls, "request", None)
    if not callable(request):
        return False
    try:
        params = list(inspect.signature(request).parameters)
    except (TypeError, ValueError):
        return False
    return params[1:3] == ["cast_to", "options"]


def installed_version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def describe(spec: ProviderSpec) -> str:
    """``openai 0.28.1 (supported: openai>=1.0,<4)``."""
    version = installed_version(spec.distribution) or "(version unknown)"
    return f"{spec.distribution} {version} (supported: {spec.requirement})"


def warn_once(key: str, message: str) -> None:
    """A ``UnsupportedProviderWarning`` and a log line, once per ``key`` per process."""
    with _warned_lock:
        if key in _warned:
            return
        _warned.add(key)
    logger.warning(message)
    warnings.warn(message, UnsupportedProviderWarning, stacklevel=3)


def warn_not_instrumented(provider_id: str, reason: str) -> None:
    spec = BY_ID[provider_id]
    warn_once(
        f"unsupported:{provider_id}",
        f"amplitude_ai: {describe(spec)} cannot be instrumented ({reason}); "
        f"{spec.id} calls run untracked. Install a supported release: "
        f"pip install 'amplitude-ai[{spec.extra}]'",
    )


def note_untested(provider_id: str) -> None:
    """Log once when a release outside the tested range is instrumented anyway (it has the
    hook point, so tracking is attempted; the app is never broken by it)."""
    spec = BY_ID[provider_id]
    version = installed_version(spec.distribution)
    if version is None or in_range(spec, version):
        return
    key = f"untested:{provider_id}"
    with _warned_lock:
        if key in _warned:
            return
        _warned.add(key)
    logger.warning(
        "amplitude_ai: %s is outside the tested range; tracking is attempted", describe(spec)
    )


def reset_warnings() -> None:
    """Forget which warnings were given (tests)."""
    with _warned_lock:
        _warned.clear()
