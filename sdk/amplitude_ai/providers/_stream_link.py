"""Tracked streams linked to their HTTP response, so that a helper which builds a stream
object of its own over the same response (anthropic 0.2x-0.3x ``messages.stream()``) gets
tracked in place of the stream the request returned.

The request hook links each stream it tracks (:func:`remember`); the per-call shims
(``_calls``) hand the helper's stream over (:func:`adopt_stream`). Both import this module,
neither imports the other: no import cycle between the hook and the shims.
"""

from __future__ import annotations

import contextlib
import logging
import weakref
from collections.abc import Callable
from typing import Any, NamedTuple

from amplitude_ai._logging import log_once

_PENDING_ATTR = "_amplitude_ai_stream"


class _Pending(NamedTuple):
    original: weakref.ref[Any]  # the stream the request returned
    state: Any  # the hook's stream state: ``state.call.done`` once the call is finished
    finalizer: weakref.finalize[Any, Any]  # finishes the call when ``original`` is dropped
    attach: Callable[..., None]  # attach(stream, state, is_async=...) tracks ``stream``


def remember(stream: Any, state: Any, finalizer: Any, attach: Callable[..., None]) -> None:
    """Link the tracked ``stream`` to its response (a response type that takes no
    attributes just cannot be adopted from)."""
    response = getattr(stream, "response", None)
    if response is None:
        return
    with contextlib.suppress(AttributeError, TypeError):
        setattr(response, _PENDING_ATTR, _Pending(weakref.ref(stream), state, finalizer, attach))


def adopt_stream(stream: Any) -> None:
    """Track ``stream`` in place of the stream the request returned when a helper rebuilt
    it over the same response and the original will never be read. Never raises."""
    try:
        pending = getattr(getattr(stream, "response", None), _PENDING_ATTR, None)
        if pending is None or not hasattr(stream, "_iterator"):
            return
        original, state, finalizer, attach = pending
        if original() is stream or state.call.done:
            return
        finalizer.detach()  # the discarded original must not end the call early
        attach(stream, state, is_async=hasattr(stream._iterator, "__anext__"))
    except Exception:
        log_once("provider-adopt", logging.ERROR, "amplitude_ai: tracking failed", exc_info=True)
