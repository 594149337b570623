"""Which LLM calls already produced an ``[Agent] AI Response``: the rule that keeps one
provider call from being counted twice when several layers observe it.

Layers that can see the same call: the provider layer (``patch()``, ``wrap()``, the
drop-in clients), a framework integration (LangChain, OpenAI Agents SDK, ...) and the
OTEL bridge. The innermost layer reports first (the provider hook finishes inside the
framework's call, an instrumentation's span ends before the framework's run does), so
the rule is *first reporter wins*:

* whoever tracks a response records its provider response id (``chatcmpl-…``,
  ``msg_…``, ``resp_…``) here; a later layer that sees the same id stays silent;
* a framework integration announces its model run (``enter_run``) in the context where it
  starts; the provider layer picks that up when its request starts and reports the run as
  covered, which holds even when the framework later finishes the run in another task
  (LangChain's ``astream`` does) and exposes no response id (streams);
* a failed call marks the exception object itself, which the framework re-raises
  unchanged;
* when a framework exposes no response id (e.g. some streams), a patched provider SDK
  (``patch()``) is known to track every call made through it, so the framework defers;
* the provider layer also marks each call it starts in the calling context
  (``begin_call``). A layer that observes a model call in that same context (an OTEL span
  exported inline, a CrewAI handler running on a copy of the emitting context) defers when
  a provider-layer call began inside its observation or is in its request right now: that
  covers failures and streams, which carry no response id;
* when an OpenTelemetry span is current as a provider-layer call starts, the span is
  recorded as covered (``cover_span``), so the OTEL bridge can tell even when it exports
  later on another thread (``BatchSpanProcessor``), where the calling context is gone.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections import OrderedDict
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from . import _registry
from .providers.registry import PROVIDERS

_MAX_IDS = 4096
_ids: OrderedDict[str, None] = OrderedDict()
# OpenTelemetry spans (trace id, span id) under which the provider layer tracks a call ->
# the provider (``patch*`` name, ``None`` when unknown). Recorded in the calling context
# when the call starts, so an exporter running later on another thread (a
# ``BatchSpanProcessor``) still knows the span's model call is reported.
_spans: OrderedDict[tuple[int, int], str | None] = OrderedDict()
_lock = threading.Lock()
_ERROR_MARK = "_amplitude_ai_tracked"


_open_run: ContextVar[tuple[str, str | None] | None] = ContextVar(
    "amplitude_ai_framework_run", default=None
)
_runs: OrderedDict[str, None] = OrderedDict()


def enter_run(key: str, provider: str | None = None) -> None:
    """Announce that a framework model run ``key`` (calling ``provider``, when known)
    starts in this context."""
    # Only a provider the SDK instruments narrows the match; an unknown name (a custom
    # LLM class) may well call an instrumented SDK underneath.
    _open_run.set((key, _PATCH_NAMES.get(provider.lower()) if provider else None))


def current_run(provider: str | None = None) -> str | None:
    """The framework model run announced in this context, if any (read when a provider
    request starts). A run announced for another provider is not this request's: an app
    may call one provider while iterating another's stream in the same task."""
    found = _open_run.get()
    if found is None:
        return None
    key, expected = found
    if expected and provider and _PATCH_NAMES.get(provider.lower()) != expected:
        return None
    return key


def run_claimed(key: str | None) -> bool:
    if not key:
        return False
    with _lock:
        return key in _runs


def _remember(store: OrderedDict[Any, Any], key: Any, value: Any = None) -> None:
    if not key:
        return
    with _lock:
        store[key] = value
        store.move_to_end(key)
        if len(store) > _MAX_IDS:
            store.popitem(last=False)


# Provider names as frameworks spell them -> the registry id whose ``patch_<id>`` covers
# them: the ids and distributions from the provider registry, plus the frameworks' aliases.
_PATCH_NAMES = {
    **{spec.distribution: spec.id for spec in reversed(PROVIDERS)},  # "openai" -> openai
    **{spec.id: spec.id for spec in PROVIDERS},
    "azure": "azure_openai",
    "azure-openai": "azure_openai",
    "google": "gemini",
    "google-genai": "gemini",
    "mistralai": "mistral",
    "aws": "bedrock",
    "amazon_bedrock": "bedrock",
    "aws_bedrock": "bedrock",
    "bedrock_converse": "bedrock",
    "litellm": "litellm",
}


def claim_response(response_id: str | None, *, run: str | None = None) -> None:
    """Record that an AI Response was tracked for provider response ``response_id`` (and
    for the framework run ``run`` the call belonged to)."""
    _remember(_ids, response_id)
    _remember(_runs, run)


def response_claimed(response_id: str | None) -> bool:
    if not response_id:
        return False
    with _lock:
        return response_id in _ids


def claim_error(error: BaseException | None, *, run: str | None = None) -> None:
    """Mark a provider exception as already tracked (it travels up unchanged)."""
    _remember(_runs, run)
    if error is None:
        return
    # An exception type without a __dict__ cannot carry the mark; it is then counted by
    # whichever layer reports it.
    with contextlib.suppress(Exception):
        setattr(error, _ERROR_MARK, True)


def error_claimed(error: BaseException | None) -> bool:
    """True when ``error``, or an exception it was raised from, was already tracked."""
    seen = 0
    while error is not None and seen < 8:
        if getattr(error, _ERROR_MARK, False):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def provider_patched(provider: str | None) -> bool:
    """True when ``patch()`` instruments every call of this provider's SDK."""
    if not provider:
        return False
    name = _PATCH_NAMES.get(provider.lower())
    return name is not None and name in _registry.patched_providers


def response_id_of(obj: Any) -> str | None:
    """The provider response id of a response object or of a stream event carrying it
    (a chat chunk's ``id``, Anthropic's ``message_start.message.id``, a Responses
    ``response.created`` event's ``response.id``)."""
    for candidate in (obj, getattr(obj, "message", None), getattr(obj, "response", None)):
        value = getattr(candidate, "id", None) if candidate is not None else None
        if isinstance(value, str) and value:
            return value
    return None


@dataclass(frozen=True)
class ProviderCall:
    """A call the provider layer started: which SDK (its ``patch*`` name, when known) and
    when (``time.time_ns()``, the clock OTEL spans use)."""

    provider: str | None
    started_ns: int


_provider_call: ContextVar[ProviderCall | None] = ContextVar(
    "amplitude_ai_provider_call", default=None
)


def begin_call(provider: str | None) -> ProviderCall:
    """Mark, in the calling context, that the provider layer starts tracking a call (and,
    when an OpenTelemetry span is current, that the call runs under that span)."""
    call = ProviderCall(_PATCH_NAMES.get(provider.lower()) if provider else None, time.time_ns())
    _provider_call.set(call)
    span = _current_otel_span()
    if span is not None:
        cover_span(*span, call.provider)
    return call


def last_call() -> ProviderCall | None:
    """The provider-layer call most recently started in this context."""
    return _provider_call.get()


def _same_provider(call: ProviderCall, provider: str | None) -> bool:
    # A layer that cannot name the provider (or names one we do not know) may well be
    # looking at an instrumented SDK underneath.
    wanted = _PATCH_NAMES.get(provider.lower()) if provider else None
    return wanted is None or call.provider is None or wanted == call.provider


def provider_call_since(provider: str | None, since_ns: int) -> bool:
    """True when a provider-layer call of ``provider`` in this context began at or after
    ``since_ns`` (the observer wraps it), or the provider layer is inside its request right
    now (the observer sits below it, e.g. an HTTP-level span): that call is, or will be,
    reported by the provider layer. Only the request itself counts as "right now", never a
    stream read later, so a call abandoned unread cannot silence later observers."""
    call = _provider_call.get()
    if call is None or not _same_provider(call, provider):
        return False
    if call.started_ns >= since_ns:
        return True
    # The provider layer's "inside a request" flag; looked up, not imported, because the
    # provider layer imports this module (a mark exists only once that layer has loaded).
    calls = sys.modules.get("amplitude_ai.providers._calls")
    return bool(calls is not None and calls.tracking_active.get())


def provider_call_between(
    before: ProviderCall | None, after: ProviderCall | None, provider: str | None
) -> bool:
    """True when the provider layer started a call of ``provider`` between two snapshots
    of ``last_call()`` taken in the same flow of control."""
    return after is not None and after is not before and _same_provider(after, provider)


def _current_otel_span() -> tuple[int, int] | None:
    """The (trace id, span id) of the OpenTelemetry span current in this context, if any.
    Looked up, not imported: without OpenTelemetry loaded there is no span to record."""
    trace = sys.modules.get("opentelemetry.trace")
    if trace is None:
        return None
    try:
        context = trace.get_current_span().get_span_context()
    except Exception:  # a half-initialised or unusual OpenTelemetry install
        return None
    if not context.is_valid:
        return None
    return context.trace_id, context.span_id


def cover_span(trace_id: int, span_id: int, provider: str | None) -> None:
    """Record that the provider layer reports the model call of span ``span_id``."""
    _remember(_spans, (trace_id, span_id), provider)


def span_claim(trace_id: int, span_id: int) -> ProviderCall | None:
    """The provider-layer call recorded under span ``span_id`` (its start time is not
    kept: 0), or ``None`` when no call of the provider layer ran under that span."""
    with _lock:
        if (trace_id, span_id) not in _spans:
            return None
        return ProviderCall(_spans[(trace_id, span_id)], 0)


def call_matches(call: ProviderCall, provider: str | None) -> bool:
    """Whether a provider-layer ``call`` can be the call of ``provider`` an observer saw."""
    return _same_provider(call, provider)
