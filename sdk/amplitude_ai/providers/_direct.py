"""Tracking calls hooked above the HTTP layer (Gemini's API client, Mistral's methods).

The OpenAI/Anthropic hook (``_hook``) reads Stainless request options; the providers here
hand over a request body (a mapping) and a result (a response object or dict, or an
iterator of stream items). This module turns those into the same ``emit_call`` as every
other provider: the user turn, the AI response or embedding, the error, latency and TTFB.

Every helper here is tracking-only: a tracking problem is logged once and never changes
what the provider returns or raises.
"""

from __future__ import annotations

import functools
import inspect
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import Any

from amplitude_ai import _claims
from amplitude_ai._logging import log_once
from amplitude_ai.context import SessionContext, current_context
from amplitude_ai.propagation import inject_context

from ._calls import EMPTY, SHIM_MARK, call_overrides, pop_overrides, tracking_active
from ._emit import effective_ai, emit_call
from ._hook import Surface
from ._tracker import Tracker


class DirectCall:
    """One tracked request, from the moment it is sent to its events."""

    __slots__ = (
        "_done",
        "ctx",
        "overrides",
        "request",
        "response_id",
        "run",
        "started",
        "surface",
        "tracker",
        "ttfb",
    )

    def __init__(self, tracker: Tracker, surface: Surface, body: Mapping[str, Any]) -> None:
        self.tracker = tracker
        self.surface = surface
        self.ctx = current_context()
        self.overrides = call_overrides.get()
        self.request = surface.request_info(body)
        self.ttfb: float | None = None
        self.response_id: str | None = None  # lets framework layers skip this call
        self.run = _claims.current_run(tracker.provider)
        _claims.begin_call(tracker.provider)  # layers around this call see it
        self._done = False
        self.started = time.perf_counter()

    def finish(self, fields: Mapping[str, Any], error: BaseException | None = None) -> None:
        if self._done:
            return
        self._done = True
        now = time.perf_counter()
        # First reporter wins between this layer, framework integrations and the OTEL bridge.
        if error is not None:
            _claims.claim_error(error, run=self.run)
        elif _claims.response_claimed(self.response_id):
            return
        else:
            _claims.claim_response(self.response_id, run=self.run)
        emit_call(
            self.tracker,
            self.ctx,
            self.overrides,
            self.request,
            fields,
            latency_ms=(now - self.started) * 1000.0,
            ttfb_ms=None if self.ttfb is None else (self.ttfb - self.started) * 1000.0,
            error=error,
        )

    def finish_response(self, result: Any) -> None:
        try:
            self.response_id = response_id(result)
            fields = self.surface.response_fields(result)
        except Exception:
            log_once(
                "provider-read", logging.ERROR, "amplitude_ai: unreadable response", exc_info=True
            )
            fields = {}
        self.finish(fields)


def response_id(obj: Any) -> str | None:
    """The provider response id of a result or stream item: an ``id`` attribute (Mistral's
    objects, or a stream event's ``data``), or Gemini's ``responseId`` in the JSON."""
    found = _claims.response_id_of(obj) or _claims.response_id_of(getattr(obj, "data", None))
    if found is None and (isinstance(obj, Mapping) or hasattr(obj, "body")):
        body = obj if isinstance(obj, Mapping) else None
        if (
            body is None
            and isinstance(obj.body, (str, bytes))
            and b'"responseId"' in (obj.body.encode() if isinstance(obj.body, str) else obj.body)
        ):
            import json

            body = json.loads(obj.body)
        value = body.get("responseId") if isinstance(body, Mapping) else None
        found = value if isinstance(value, str) and value else None
    return found


def context_headers(call: DirectCall) -> dict[str, str] | None:
    """The propagation headers (``traceparent``, ``x-amplitude-*``) for ``call`` when its
    ``AmplitudeAI`` has ``propagate_context`` on and there is a context to send, else
    ``None``. Never raises."""
    try:
        if not effective_ai(call.tracker, call.ctx).config.propagate_context:
            return None
        scope = call.ctx
        if call.overrides:
            scope = (scope if scope is not None else SessionContext()).evolve(**call.overrides)
        return inject_context({}, context=scope) or None
    except Exception:
        log_once(
            "provider-propagate", logging.ERROR, "amplitude_ai: no context headers", exc_info=True
        )
        return None


def begin(tracker: Tracker | None, surface: Surface | None, body: Any) -> DirectCall | None:
    """A ``DirectCall`` when this request is tracked, else ``None``. Never raises."""
    if tracker is None or surface is None or tracking_active.get():
        return None
    try:
        return DirectCall(tracker, surface, body if isinstance(body, Mapping) else {})
    except Exception:
        log_once(
            "provider-begin", logging.ERROR, "amplitude_ai: could not read a request", exc_info=True
        )
        return None


def call_sync(call: DirectCall | None, invoke: Callable[[], Any]) -> Any:
    """Run ``invoke`` (the provider's own call) and track its whole response."""
    if call is None:
        return invoke()
    token = tracking_active.set(True)
    try:
        result = invoke()
    except Exception as exc:
        call.finish({}, error=exc)
        raise
    finally:
        tracking_active.reset(token)
    call.finish_response(result)
    return result


async def call_async(call: DirectCall | None, invoke: Callable[[], Any]) -> Any:
    if call is None:
        return await invoke()
    token = tracking_active.set(True)
    try:
        result = await invoke()
    except Exception as exc:
        call.finish({}, error=exc)
        raise
    finally:
        tracking_active.reset(token)
    call.finish_response(result)
    return result


class StreamTap:
    """Feeds stream items to the surface's accumulator; ends the call once."""

    __slots__ = ("acc", "call")

    def __init__(self, call: DirectCall) -> None:
        assert call.surface.accumulator is not None
        self.call = call
        self.acc = call.surface.accumulator()

    def on_item(self, item: Any) -> None:
        call = self.call
        if call.ttfb is None:
            call.ttfb = time.perf_counter()
        try:
            if call.response_id is None:
                call.response_id = response_id(item)
            self.acc.add(item)
        except Exception:
            log_once(
                "provider-chunk", logging.ERROR, "amplitude_ai: unreadable stream chunk",
                exc_info=True,
            )  # fmt: skip

    def finish(self, error: BaseException | None = None) -> None:
        if self.call._done:
            return
        try:
            fields = self.acc.fields()
        except Exception:
            fields = {}
        self.call.finish(fields, error=error)


def tap_iterator(tap: StreamTap, items: Iterator[Any]) -> Iterator[Any]:
    """``items`` passed through unchanged; the call ends when they are exhausted, fail, or
    the generator is closed or collected (a stream abandoned early still reports)."""
    try:
        while True:
            token = tracking_active.set(True)  # nested hooks (patch + drop-in) pass through
            try:
                item = next(items)
            except StopIteration:
                break
            finally:
                tracking_active.reset(token)
            tap.on_item(item)
            yield item
    except Exception as exc:
        tap.finish(error=exc)
        raise
    finally:
        tap.finish()


async def tap_async_iterator(tap: StreamTap, items: AsyncIterator[Any]) -> AsyncIterator[Any]:
    try:
        while True:
            token = tracking_active.set(True)
            try:
                item = await items.__anext__()
            except StopAsyncIteration:
                break
            finally:
                tracking_active.reset(token)
            tap.on_item(item)
            yield item
    except Exception as exc:
        tap.finish(error=exc)
        raise
    finally:
        tap.finish()


# ----------------------------------------------------------------- per-call kwargs


def _with_overrides(overrides: Mapping[str, str], items: Iterator[Any]) -> Iterator[Any]:
    """A generator's steps run with ``overrides`` set (its request is sent lazily)."""
    while True:
        token = call_overrides.set(overrides)
        try:
            item = next(items)
        except StopIteration:
            return
        finally:
            call_overrides.reset(token)
        yield item


async def _with_overrides_async(
    overrides: Mapping[str, str], items: AsyncIterator[Any]
) -> AsyncIterator[Any]:
    while True:
        token = call_overrides.set(overrides)
        try:
            item = await items.__anext__()
        except StopAsyncIteration:
            return
        finally:
            call_overrides.reset(token)
        yield item


def kwargs_shim(method: Callable[..., Any]) -> Callable[..., Any]:
    """``method`` accepting the ``amplitude_*`` kwargs: they are removed and set as this
    call's tracking overrides, also for the steps of a generator it returns and for the
    items of an async iterator an async method returns."""
    if inspect.iscoroutinefunction(method):

        @functools.wraps(method)
        async def async_shim(*args: Any, **kwargs: Any) -> Any:
            overrides = pop_overrides(kwargs) if kwargs else EMPTY
            if not overrides:
                return await method(*args, **kwargs)
            token = call_overrides.set(overrides)
            try:
                result = await method(*args, **kwargs)
            finally:
                call_overrides.reset(token)
            if hasattr(result, "__anext__"):
                return _with_overrides_async(overrides, result)
            return result

        shim: Callable[..., Any] = async_shim
    elif inspect.isasyncgenfunction(method):

        @functools.wraps(method)
        def async_gen_shim(*args: Any, **kwargs: Any) -> Any:
            overrides = pop_overrides(kwargs) if kwargs else EMPTY
            result = method(*args, **kwargs)
            return _with_overrides_async(overrides, result) if overrides else result

        shim = async_gen_shim
    else:

        @functools.wraps(method)
        def sync_shim(*args: Any, **kwargs: Any) -> Any:
            overrides = pop_overrides(kwargs) if kwargs else EMPTY
            if not overrides:
                return method(*args, **kwargs)
            token = call_overrides.set(overrides)
            try:
                result = method(*args, **kwargs)
            finally:
                call_overrides.reset(token)
            if inspect.isgenerator(result):
                return _with_overrides(overrides, result)
            return result

        shim = sync_shim
    setattr(shim, SHIM_MARK, method)
    return shim
