"""Where Bedrock calls are hooked: botocore's event system.

Why there: a boto3 client has no class to subclass (``boto3.client("bedrock-runtime")``
builds a class at run time from the service model), but every operation of every botocore
client announces itself on the client's event emitter (``client.meta.events``), which is
botocore's documented extension point. Four events cover a call:

- ``provide-client-params.bedrock-runtime.<Op>``: the parameters as the app passed them;
  the ``amplitude_*`` keyword arguments are taken off here (botocore would reject them);
- ``before-call``: the request is about to be sent (after validation, once per call, not
  per retry): the tracked call starts;
- ``after-call``: botocore's parsed result (also for an error status, just before it raises
  the ``ClientError``); a stream's ``EventStream`` or InvokeModel's body is tapped here;
- ``after-call-error``: the request failed without a response (connection, timeout).

All four share botocore's per-call ``context`` dict, where the tracked call lives. The
handlers are idempotent per call, so a client that gets them twice (its own, and patch
handlers from its session) tracks each call once.

``Bedrock(...)`` and ``wrap(client)`` register the handlers on one client's emitter (plus a
first handler that names that client's tracker). ``patch_bedrock()`` adds them to
botocore's ``BUILTIN_HANDLERS``, which every botocore session created afterwards (boto3's
default session included) registers, and to the sessions that already exist and can be
found (boto3's default session); clients copy their session's handlers when they are
created, so a client created *before* ``patch_bedrock()`` is not tracked: wrap it, or
patch first. Every handler looks its tracker up at call time: after ``unpatch()`` the
handlers left on patched clients do nothing. Patching the client class instead was
rejected: the classes are generated per service and per session, and replacing
``BaseClient._make_api_call`` would sit on the path of every AWS call of the process.

aioboto3 / aiobotocore clients are not tracked: their bodies and streams are async and
these handlers are not; such calls are skipped (logged once), never broken.
"""

from __future__ import annotations

import functools
import io
import logging
import weakref
from collections.abc import Mapping
from typing import Any

from amplitude_ai._logging import log_once

from ._bedrock_fields import OPERATIONS, resolve
from ._calls import CALL_KWARGS, call_overrides, pop_overrides
from ._direct import DirectCall, StreamTap, begin, tap_iterator
from ._tracker import PATCHED_TRACKERS, Tracker

PROVIDER = "bedrock"
SERVICE = "bedrock-runtime"
_STATE = "amplitude_ai"  # key of this SDK's per-call state in botocore's request context
_OPERATIONS = frozenset(OPERATIONS)
_TAP = "_amplitude_ai_tap"


def _state(context: Any) -> dict[str, Any] | None:
    if not isinstance(context, dict):
        return None
    state = context.get(_STATE)
    if state is None:
        state = context[_STATE] = {}
    return state


# botocore operation name -> the registry's ``untracked`` API (``start_async_invoke``).
NOT_TRACKED = {
    "StartAsyncInvoke": "start_async_invoke",
    "InvokeModelWithBidirectionalStream": "invoke_model_with_bidirectional_stream",
}


def _say_not_tracked(operation: str, context: Any) -> None:
    """Count the call and warn once (``status()["untracked_calls"]`` lists it), when this
    client is instrumented or Bedrock is patched."""
    from ._untracked import report

    state = context.get(_STATE) if isinstance(context, dict) else None
    if (state and state.get("tracker")) or PATCHED_TRACKERS.get(PROVIDER) is not None:
        report(PROVIDER, NOT_TRACKED[operation])


def on_params(params: Any = None, model: Any = None, context: Any = None, **_: Any) -> None:
    """``provide-client-params``: take the ``amplitude_*`` kwargs off, keep the params."""
    name = getattr(model, "name", None)
    if name in NOT_TRACKED:
        _say_not_tracked(name, context)
    if name not in _OPERATIONS or not isinstance(params, dict):
        return None
    state = _state(context)
    if state is None:
        return None
    if any(name in params for name in CALL_KWARGS):
        state["overrides"] = {**state.get("overrides", {}), **pop_overrides(params)}
    state["params"] = params
    return None


def on_tracker(tracker: Tracker, context: Any = None, model: Any = None, **_: Any) -> None:
    """First ``provide-client-params`` handler of an instrumented client: its tracker."""
    name = getattr(model, "name", None)
    state = _state(context) if name in _OPERATIONS or name in NOT_TRACKED else None
    if state is not None:
        state["tracker"] = tracker


def on_before_call(model: Any = None, context: Any = None, **_: Any) -> None:
    state = context.get(_STATE) if isinstance(context, dict) else None
    if not state or "call" in state or "params" not in state:
        return None
    tracker = state.get("tracker") or PATCHED_TRACKERS.get(PROVIDER)
    if tracker is None:
        return None
    params = state["params"]
    try:
        surface = resolve(model.name, params)
    except Exception:
        log_once("bedrock-read", logging.ERROR, "amplitude_ai: unreadable request", exc_info=True)
        return None
    overrides = state.get("overrides")
    token = call_overrides.set({**call_overrides.get(), **overrides}) if overrides else None
    try:
        state["call"] = begin(tracker, surface, params)
    finally:
        if token is not None:
            call_overrides.reset(token)
    return None  # never a response: the request goes out as usual


def _error(parsed: Any, operation: str) -> BaseException:
    """The ``ClientError`` botocore raises next, rebuilt from the same parsed error (the
    exception object itself is created after the last event)."""
    from botocore.exceptions import ClientError

    code = ""
    if isinstance(parsed, Mapping):
        code = str((parsed.get("Error") or {}).get("Code") or "")
    cls = _error_class(code) if code.isidentifier() else ClientError
    return cls(parsed, operation)


@functools.lru_cache(maxsize=64)
def _error_class(code: str) -> type[BaseException]:
    """A ``ClientError`` subclass named like botocore's modeled one (``ThrottlingException``),
    so the tracked error text reads the same as the exception the app sees."""
    from botocore.exceptions import ClientError

    return type(code, (ClientError,), {})


def on_after_call(
    http_response: Any = None, parsed: Any = None, model: Any = None, context: Any = None, **_: Any
) -> None:
    state = context.get(_STATE) if isinstance(context, dict) else None
    call: DirectCall | None = state.pop("call", None) if state else None
    if call is None:
        return
    try:
        if type(http_response).__module__.startswith("aiobotocore"):
            log_once(
                "bedrock-async", logging.WARNING,
                "amplitude_ai: aiobotocore/aioboto3 Bedrock calls are not tracked",
            )  # fmt: skip
            return
        status = getattr(http_response, "status_code", 200)
        if status >= 300:
            call.finish({}, error=_error(parsed, model.name))
            return
        call.response_id = _request_id(parsed)
        _finish(call, model.name, http_response, parsed)
    except Exception:
        log_once("bedrock-response", logging.ERROR, "amplitude_ai: unreadable response",
                 exc_info=True)  # fmt: skip


def on_after_call_error(exception: Any = None, context: Any = None, **_: Any) -> None:
    state = context.get(_STATE) if isinstance(context, dict) else None
    call: DirectCall | None = state.pop("call", None) if state else None
    if call is not None and isinstance(exception, BaseException):
        call.finish({}, error=exception)


def _request_id(parsed: Any) -> str | None:
    meta = parsed.get("ResponseMetadata") if isinstance(parsed, Mapping) else None
    value = meta.get("RequestId") if isinstance(meta, Mapping) else None
    return value if isinstance(value, str) and value else None


def _finish_with(call: DirectCall, result: Any) -> None:
    try:
        fields = call.surface.response_fields(result)
    except Exception:
        log_once("bedrock-fields", logging.ERROR, "amplitude_ai: unreadable response",
                 exc_info=True)  # fmt: skip
        fields = {}
    call.finish(fields)


def _finish(call: DirectCall, operation: str, http_response: Any, parsed: Any) -> None:
    if operation == "Converse":
        _finish_with(call, parsed)
    elif operation == "InvokeModel":
        data = _take_body(parsed)
        headers = getattr(http_response, "headers", None) or {}
        _finish_with(call, (data, headers))
    else:  # the two streams: parsed["stream"] / parsed["body"] is an EventStream
        key = "stream" if operation == "ConverseStream" else "body"
        _tap_stream(call, parsed.get(key))


def _take_body(parsed: Any) -> dict[str, Any]:
    """InvokeModel's JSON body: read once, handed back to the app as an unread
    ``StreamingBody`` over the same bytes."""
    import json

    from botocore.response import StreamingBody

    body = parsed.get("body")
    data = body.read()
    parsed["body"] = StreamingBody(io.BytesIO(data), len(data))
    try:
        loaded = json.loads(data) if data else {}
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


_tapped_classes: dict[type[Any], type[Any]] = {}


def _tapped_class(cls: type[Any]) -> type[Any]:
    """``cls`` (botocore's ``EventStream``) whose iteration feeds the tracked call and
    whose ``close()`` ends it (a stream left early reports what it saw)."""
    sub = _tapped_classes.get(cls)
    if sub is not None:
        return sub

    def __iter__(self: Any) -> Any:
        tap = vars(self).get(_TAP)
        items = cls.__iter__(self)
        return items if tap is None else tap_iterator(tap, items)

    def close(self: Any) -> None:
        try:
            cls.close(self)
        finally:
            tap = vars(self).get(_TAP)
            if tap is not None:
                tap.finish()

    sub = type(cls.__name__, (cls,), {"__iter__": __iter__, "close": close})
    sub.__qualname__ = cls.__qualname__
    sub.__module__ = cls.__module__
    _tapped_classes[cls] = sub
    return sub


def _tap_stream(call: DirectCall, stream: Any) -> None:
    from botocore.eventstream import EventStream

    if type(stream) is not EventStream:  # an unknown stream type: left alone, untracked
        log_once("bedrock-stream", logging.WARNING,
                 "amplitude_ai: a Bedrock stream of type %s is not tracked",
                 type(stream).__name__)  # fmt: skip
        return
    tap = StreamTap(call)
    vars(stream)[_TAP] = tap
    stream.__class__ = _tapped_class(EventStream)
    weakref.finalize(stream, tap.finish)  # dropped unread: still reported


# ------------------------------------------------------------------ registration

HANDLERS = (
    (f"provide-client-params.{SERVICE}", on_params, "amplitude-ai-bedrock-params"),
    (f"before-call.{SERVICE}", on_before_call, "amplitude-ai-bedrock-before"),
    (f"after-call.{SERVICE}", on_after_call, "amplitude-ai-bedrock-after"),
    (f"after-call-error.{SERVICE}", on_after_call_error, "amplitude-ai-bedrock-error"),
)
TRACKER_ID = "amplitude-ai-bedrock-tracker"


def register(events: Any) -> None:
    """Put the tracking handlers on one emitter (a client's or a session's); again is a
    no-op (unique ids)."""
    for name, handler, unique_id in HANDLERS:
        events.register(name, handler, unique_id=unique_id)


def unregister(events: Any) -> None:
    for name, handler, unique_id in HANDLERS:
        events.unregister(name, handler, unique_id=unique_id)


def is_bedrock_client(client: Any) -> bool:
    meta = getattr(client, "meta", None)
    model = getattr(meta, "service_model", None)
    return getattr(model, "service_name", None) == SERVICE and hasattr(meta, "events")


def instrument_client(client: Any, tracker: Tracker) -> None:
    """Track one boto3 ``bedrock-runtime`` client's calls to ``tracker``."""
    events = client.meta.events
    events.unregister(f"provide-client-params.{SERVICE}", unique_id=TRACKER_ID)
    events.register_first(
        f"provide-client-params.{SERVICE}",
        functools.partial(on_tracker, tracker),
        unique_id=TRACKER_ID,
    )
    register(events)
