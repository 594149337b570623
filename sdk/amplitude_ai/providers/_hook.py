"""The request hook: one place where every tracked provider call passes.

Both SDKs funnel every API call through ``client.request(cast_to, options, stream=...,
stream_cls=...)``; hooking it covers ``create``, ``parse``, the ``.stream()`` helpers and
``with_raw_response`` alike, and hands back the provider's own result object. Streams are
returned as the very same ``Stream`` object; only its internal iterator is wrapped so the
events can be emitted when the stream is exhausted, fails or is closed early.
"""

from __future__ import annotations

import inspect
import logging
import time
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol

from amplitude_ai import _claims
from amplitude_ai._logging import log_once
from amplitude_ai.context import SessionContext, current_context
from amplitude_ai.propagation import inject_context

from ._calls import call_overrides, tracking_active
from ._emit import RequestInfo, effective_ai, emit_call
from ._stream_link import remember
from ._tracker import Tracker
from ._untracked import note_untracked


class Accumulator(Protocol):
    """Collects a stream's chunks into the same fields a whole response would give."""

    def add(self, item: Any) -> None: ...

    def fields(self) -> dict[str, Any]: ...

    def is_usage_only(self, item: Any) -> bool: ...


@dataclass(frozen=True)
class Surface:
    """How to read one API endpoint (e.g. OpenAI ``/chat/completions``)."""

    request_info: Callable[[Mapping[str, Any]], RequestInfo]
    response_fields: Callable[[Any], dict[str, Any]]
    accumulator: Callable[[], Accumulator] | None = None
    # OpenAI chat streams only report usage when asked with stream_options.include_usage.
    asks_for_usage: bool = False
    # Nothing is read from the body (audio speech): a call whose body the caller streams
    # itself (``with_streaming_response``) is still reported, from the request.
    request_only: bool = False


Resolver = Callable[[str], "Surface | None"]


class _Call:
    """One tracked request, from start to its events."""

    __slots__ = (
        "_done",
        "ctx",
        "hide_usage",
        "options",
        "overrides",
        "request",
        "response_id",
        "run",
        "started",
        "surface",
        "tracker",
        "ttfb",
    )

    def __init__(self, tracker: Tracker, surface: Surface, options: Any) -> None:
        self.tracker = tracker
        self.surface = surface
        self.ctx: SessionContext | None = current_context()
        self.overrides = call_overrides.get()
        body = options.json_data
        extra = options.extra_json if isinstance(options.extra_json, Mapping) else {}
        # extra_body values are sent merged into the JSON body; read them the same way.
        self.request = surface.request_info({**body, **extra} if extra else body)
        self.hide_usage = False
        changes: dict[str, Any] = {}
        if (
            surface.asks_for_usage
            and body.get("stream")
            and "stream_options" not in body
            and "stream_options" not in extra
        ):
            changes["json_data"] = {**body, "stream_options": {"include_usage": True}}
            self.hide_usage = True
        # The session's own client decides when the wrapped client was built on a plain
        # amplitude.Amplitude (as it decides where the events go).
        if effective_ai(tracker, self.ctx).config.propagate_context:
            scope = self.ctx
            if self.overrides:
                scope = (scope if scope is not None else SessionContext()).evolve(**self.overrides)
            headers = dict(options.headers) if isinstance(options.headers, Mapping) else {}
            changes["headers"] = inject_context(headers, context=scope)
        self.options = options.model_copy(update=changes) if changes else options
        self.ttfb: float | None = None
        self.response_id: str | None = None  # lets framework layers skip this call
        self.run = _claims.current_run(tracker.provider)
        _claims.begin_call(tracker.provider)  # layers around this call see it
        self._done = False
        self.started = time.perf_counter()

    @property
    def done(self) -> bool:
        return self._done

    def _elapsed_ms(self) -> float:
        return (time.perf_counter() - self.started) * 1000.0

    def finish(self, response: Mapping[str, Any], *, error: BaseException | None = None) -> None:
        if self._done:
            return
        self._done = True
        ttfb = None if self.ttfb is None else (self.ttfb - self.started) * 1000.0
        if error is not None:
            _claims.claim_error(error, run=self.run)
        elif _claims.response_claimed(self.response_id):
            return  # an inner layer (an HTTP-level OTEL instrumentation) reported it first
        else:
            _claims.claim_response(self.response_id, run=self.run)
        emit_call(
            self.tracker,
            self.ctx,
            self.overrides,
            self.request,
            response,
            latency_ms=self._elapsed_ms(),
            ttfb_ms=ttfb,
            error=error,
        )

    def finish_response(self, result: Any) -> None:
        try:
            self.response_id = _claims.response_id_of(result)
            fields = self.surface.response_fields(result)
        except Exception:
            log_once(
                "provider-read", logging.ERROR, "amplitude_ai: unreadable response", exc_info=True
            )
            fields = {}
        self.finish(fields)


# Caches keyed by object identity (the object is kept in the value to make the identity
# check safe): base URL -> provider, and (tracker, provider) -> the re-targeted tracker.
# Bounded: base URLs come from the application.
_host_providers: dict[int, tuple[Any, str]] = {}
_host_trackers: dict[tuple[int, str], tuple[Tracker, Tracker]] = {}
_CACHE_LIMIT = 1024


def _host_tracker(tracker: Tracker, client: Any) -> Tracker:
    """``tracker`` reporting the provider that serves the client's ``base_url``: an
    ``openai.OpenAI`` client pointed at Groq, Ollama, OpenRouter... (see
    ``registry.provider_for_host``). Other clients (Azure, Anthropic) keep their own."""
    if tracker.provider != "openai":
        return tracker
    url = getattr(client, "_base_url", None) or getattr(client, "base_url", None)
    if url is None:
        return tracker
    cached = _host_providers.get(id(url))
    if cached is not None and cached[0] is url:
        provider = cached[1]
    else:
        from .registry import provider_for_host

        host = str(getattr(url, "host", "") or "")
        provider = provider_for_host(host, getattr(url, "port", None), tracker.provider)
        if len(_host_providers) >= _CACHE_LIMIT:
            _host_providers.clear()
        _host_providers[id(url)] = (url, provider)
    if provider == tracker.provider:
        return tracker
    known = _host_trackers.get((id(tracker), provider))
    if known is not None and known[0] is tracker:
        return known[1]
    moved = replace(tracker, provider=provider)
    if len(_host_trackers) >= _CACHE_LIMIT:
        _host_trackers.clear()
    _host_trackers[(id(tracker), provider)] = (tracker, moved)
    return moved


def _begin(
    tracker: Tracker | None, options: Any, resolver: Resolver, client: Any = None
) -> _Call | None:
    """A ``_Call`` when this request is one we track, else ``None``. Never raises."""
    try:
        if tracker is None or str(options.method).lower() != "post":
            return None
        surface = resolver(str(options.url))
        if surface is None:
            note_untracked(tracker.provider, str(options.url))
            return None
        if not isinstance(options.json_data, Mapping):
            return None
        call = _Call(tracker, surface, options)
        if client is not None:
            # After _Call read the framework run: frameworks name the client's family.
            call.tracker = _host_tracker(tracker, client)
        return call
    except Exception:
        log_once(
            "provider-begin", logging.ERROR, "amplitude_ai: could not read a request", exc_info=True
        )
        return None


def _parsed(result: Any) -> tuple[Any, bool]:
    """The typed result inside ``with_raw_response`` wrappers (``parse()`` caches, so the
    caller later gets the very same object; async SDK responses return an awaitable here);
    ``(None, False)`` for ``with_streaming_response``, whose body belongs to the caller."""
    if not (hasattr(result, "http_response") and hasattr(result, "parse")):
        return result, True
    request = getattr(result.http_response, "request", None)
    mode = request.headers.get(_RAW_HEADER) if request is not None else None
    if mode == "stream":
        return None, False
    return result.parse(), True


_RAW_HEADER = "x-stainless-raw-response"  # how both SDKs mark raw/streaming-response calls


# --------------------------------------------------------------------------- sync


def request_sync(
    original: Callable[..., Any],
    tracker: Tracker | None,
    resolver: Resolver,
    cast_to: Any,
    options: Any,
    *args: Any,
    **kwargs: Any,
) -> Any:
    if tracking_active.get():
        return original(cast_to, options, *args, **kwargs)
    call = _begin(tracker, options, resolver, getattr(original, "__self__", None))
    if call is None:
        return original(cast_to, options, *args, **kwargs)
    token = tracking_active.set(True)
    try:
        result = original(cast_to, call.options, *args, **kwargs)
    except Exception as exc:
        call.finish({}, error=exc)
        raise
    finally:
        tracking_active.reset(token)
    try:
        _after_sync(call, result)
    except Exception:
        log_once("provider-after", logging.ERROR, "amplitude_ai: tracking failed", exc_info=True)
    return result


def _after_sync(call: _Call, result: Any) -> None:
    value, readable = _parsed(result)
    if not readable:
        if call.surface.request_only:
            call.finish({})
        return
    if call.surface.accumulator is not None and hasattr(value, "_iterator"):
        _wrap_stream(value, call)
    else:
        call.finish_response(value)


class _StreamState:
    __slots__ = ("acc", "call")

    def __init__(self, call: _Call) -> None:
        self.call = call
        assert call.surface.accumulator is not None
        self.acc = call.surface.accumulator()

    def on_item(self, item: Any) -> bool:
        """Record ``item``; True when the caller should not see it (injected usage chunk)."""
        call = self.call
        try:
            if call.ttfb is None:
                call.ttfb = time.perf_counter()
            if call.response_id is None:
                call.response_id = _claims.response_id_of(item)
            self.acc.add(item)
            return call.hide_usage and self.acc.is_usage_only(item)
        except Exception:
            log_once(
                "provider-chunk",
                logging.ERROR,
                "amplitude_ai: unreadable stream chunk",
                exc_info=True,
            )
            return False

    def finish(self, error: BaseException | None = None) -> None:
        if self.call.done:  # exhaustion, close() and the finalizer all end up here
            return
        try:
            fields = self.acc.fields()
        except Exception:
            fields = {}
        self.call.finish(fields, error=error)


def _wrap_stream(stream: Any, call: _Call) -> None:
    _attach_stream(stream, _StreamState(call), is_async=False)


def _attach_stream(stream: Any, state: _StreamState, *, is_async: bool) -> None:
    """Route ``stream``'s items through ``state``; the call is finished when the stream is
    exhausted, fails, is closed or is garbage collected."""
    if is_async:
        _iterate_async(stream, state)
    else:
        _iterate_sync(stream, state)
    ref = weakref.ref(stream)
    # A stream dropped without being read or closed still reports its call.
    finalizer = weakref.finalize(stream, state.finish)
    remember(stream, state, finalizer, _attach_stream)  # for adopt_stream
    if not hasattr(type(stream), "close"):  # older releases: streams have no close()
        return
    if is_async:

        async def aclose() -> None:
            target = ref()
            try:
                if target is not None:
                    await type(target).close(target)
            finally:
                state.finish()

        stream.close = aclose
    else:

        def close() -> None:
            target = ref()
            try:
                if target is not None:
                    type(target).close(target)
            finally:
                state.finish()

        stream.close = close


def _iterate_sync(stream: Any, state: _StreamState) -> None:
    inner = stream._iterator

    def iterate() -> Any:
        try:
            for item in inner:
                if state.on_item(item):
                    continue
                yield item
        except Exception as exc:
            state.finish(error=exc)
            raise
        finally:
            state.finish()

    stream._iterator = iterate()


def _iterate_async(stream: Any, state: _StreamState) -> None:
    inner = stream._iterator

    async def iterate() -> Any:
        try:
            async for item in inner:
                if state.on_item(item):
                    continue
                yield item
        except Exception as exc:
            state.finish(error=exc)
            raise
        finally:
            state.finish()

    stream._iterator = iterate()


# -------------------------------------------------------------------------- async


async def request_async(
    original: Callable[..., Any],
    tracker: Tracker | None,
    resolver: Resolver,
    cast_to: Any,
    options: Any,
    *args: Any,
    **kwargs: Any,
) -> Any:
    if tracking_active.get():
        return await original(cast_to, options, *args, **kwargs)
    call = _begin(tracker, options, resolver, getattr(original, "__self__", None))
    if call is None:
        return await original(cast_to, options, *args, **kwargs)
    token = tracking_active.set(True)
    try:
        result = await original(cast_to, call.options, *args, **kwargs)
    except Exception as exc:
        call.finish({}, error=exc)
        raise
    finally:
        tracking_active.reset(token)
    try:
        value, readable = _parsed(result)
        if inspect.isawaitable(value):
            value = await value
        if not readable and call.surface.request_only:
            call.finish({})
        if readable:
            if call.surface.accumulator is not None and hasattr(value, "_iterator"):
                _wrap_async_stream(value, call)
            else:
                call.finish_response(value)
    except Exception:
        log_once("provider-after", logging.ERROR, "amplitude_ai: tracking failed", exc_info=True)
    return result


def _wrap_async_stream(stream: Any, call: _Call) -> None:
    _attach_stream(stream, _StreamState(call), is_async=True)
