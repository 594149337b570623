"""Where Mistral calls are hooked: the ``Chat`` and ``Embeddings`` methods of mistralai.

Why there: mistralai is a Speakeasy-generated SDK whose methods each build their own
request and hand a raw ``httpx.Response`` to a per-operation parser; below the methods
there is no single funnel that sees both a readable body and a parsed result (its
``before_request``/``after_success`` hooks get the raw HTTP exchange, and a stream's body
there is still unread). The public methods are stable from 1.0 to 3.x with keyword-only
arguments that mirror the JSON body, and they return the SDK's typed response or an
``EventStream`` whose ``generator`` the hook taps. So the methods are wrapped: per
instance for drop-in / wrapped clients, on the classes for ``patch_mistral()``; nested
wrappers pass through, so a call is tracked once.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import weakref
from collections.abc import Callable, Mapping
from typing import Any

from ._calls import EMPTY, SHIM_MARK, call_overrides, pop_overrides, tracking_active
from ._direct import (
    DirectCall,
    StreamTap,
    begin,
    call_async,
    call_sync,
    context_headers,
    tap_async_iterator,
    tap_iterator,
)
from ._hook import Surface
from ._mistral_fields import CHAT, CHAT_STREAM, EMBEDDINGS
from ._tracker import PATCHED_TRACKERS, TRACKER_ATTR, Tracker

PROVIDER = "mistral"
# resource attribute -> method -> (surface, streams?)
METHODS: Mapping[str, Mapping[str, tuple[Surface, bool]]] = {
    "chat": {
        "complete": (CHAT, False),
        "complete_async": (CHAT, False),
        "stream": (CHAT_STREAM, True),
        "stream_async": (CHAT_STREAM, True),
    },
    "embeddings": {"create": (EMBEDDINGS, False), "create_async": (EMBEDDINGS, False)},
}
# The classes behind those attributes, as modules relative to the client's package.
RESOURCE_CLASSES = {"chat": ("chat", "Chat"), "embeddings": ("embeddings", "Embeddings")}


def patched_tracker() -> Tracker | None:
    return PATCHED_TRACKERS.get(PROVIDER)


_TAP_ATTR = "_amplitude_ai_tap"
_finishing: dict[type[Any], type[Any]] = {}


def _finish_tap(stream: Any) -> None:
    tap = vars(stream).get(_TAP_ATTR)
    if tap is not None:
        tap.finish()


def _finishing_class(cls: type[Any]) -> type[Any]:
    """``cls`` whose ``close()`` / ``__exit__`` / ``__aexit__`` also end the tracked call (a
    stream left early in a ``with`` block reports at once; 2.0's streams have no close())."""
    sub = _finishing.get(cls)
    if sub is not None:
        return sub
    namespace: dict[str, Any] = {"_amplitude_ai_finishing": True}
    close = getattr(cls, "close", None)
    if inspect.iscoroutinefunction(close):

        async def aclose(self: Any) -> None:
            try:
                await close(self)
            finally:
                _finish_tap(self)

        namespace["close"] = aclose
    elif callable(close):

        def sync_close(self: Any) -> None:
            try:
                close(self)
            finally:
                _finish_tap(self)

        namespace["close"] = sync_close
    if hasattr(cls, "__exit__"):

        def __exit__(self: Any, *exc: Any) -> Any:
            try:
                return cls.__exit__(self, *exc)
            finally:
                _finish_tap(self)

        namespace["__exit__"] = __exit__
    if hasattr(cls, "__aexit__"):

        async def __aexit__(self: Any, *exc: Any) -> Any:
            try:
                return await cls.__aexit__(self, *exc)
            finally:
                _finish_tap(self)

        namespace["__aexit__"] = __aexit__
    sub = type(cls.__name__, (cls,), namespace)
    sub.__qualname__ = cls.__qualname__
    sub.__module__ = cls.__module__
    _finishing[cls] = sub
    return sub


def _adopt(stream: Any, tap: StreamTap, generator: Any) -> Any:
    stream.generator = generator
    vars(stream)[_TAP_ATTR] = tap
    if not getattr(type(stream), "_amplitude_ai_finishing", False):
        # A stream type we cannot extend still reports when read to the end or collected.
        with contextlib.suppress(TypeError):
            stream.__class__ = _finishing_class(type(stream))
    weakref.finalize(stream, tap.finish)  # dropped unread: still reported
    return stream


def _tap_sync(call: DirectCall, stream: Any) -> Any:
    tap = StreamTap(call)
    generator = getattr(stream, "generator", None)
    if generator is None or not hasattr(generator, "__next__"):
        return tap_iterator(tap, iter(stream))  # 1.x: the stream is a bare generator
    return _adopt(stream, tap, tap_iterator(tap, generator))


def _tap_async(call: DirectCall, stream: Any) -> Any:
    tap = StreamTap(call)
    generator = getattr(stream, "generator", None)
    if generator is None or not hasattr(generator, "__anext__"):
        return tap_async_iterator(tap, aiter(stream))
    return _adopt(stream, tap, tap_async_iterator(tap, generator))


def _takes_http_headers(method: Callable[..., Any]) -> bool:
    """Whether the method accepts ``http_headers=`` (mistralai releases since 1.2 do);
    earlier releases send no propagation headers."""
    try:
        return "http_headers" in inspect.signature(method).parameters
    except (TypeError, ValueError):
        return False


def _add_context_headers(call: DirectCall, kwargs: dict[str, Any]) -> None:
    """Send ``propagate_context`` headers with this request, over the caller's own."""
    headers = context_headers(call)
    if headers:
        kwargs["http_headers"] = {**(kwargs.get("http_headers") or {}), **headers}


def hooked(
    original: Callable[..., Any],
    surface: Surface,
    streams: bool,
    tracker: Callable[[Any], Tracker | None],
    *,
    bound: bool,
) -> Callable[..., Any]:
    """``original`` tracked. ``bound``: ``original`` is a bound method (instance hook);
    else a function taking the resource first (class hook). ``tracker(resource)`` says
    where the events go (``None``: untracked)."""
    is_async = inspect.iscoroutinefunction(original)
    takes_headers = _takes_http_headers(original)

    def prepare(args: tuple[Any, ...], kwargs: dict[str, Any]) -> DirectCall | None:
        if tracking_active.get():
            return None
        resource = None if bound else (args[0] if args else None)
        body = dict(kwargs)
        if streams:
            body["stream"] = True
        return begin(tracker(resource), surface, body)

    if is_async:

        @functools.wraps(original)
        async def async_method(*args: Any, **kwargs: Any) -> Any:
            overrides = pop_overrides(kwargs) if kwargs else EMPTY
            token = call_overrides.set({**call_overrides.get(), **overrides}) if overrides else None
            try:
                call = prepare(args, kwargs)
                if call is not None and takes_headers:
                    _add_context_headers(call, kwargs)
                if not streams or call is None:
                    return await call_async(call, lambda: original(*args, **kwargs))
                active = tracking_active.set(True)
                try:
                    stream = await original(*args, **kwargs)
                except Exception as exc:
                    call.finish({}, error=exc)
                    raise
                finally:
                    tracking_active.reset(active)
                return _tap_async(call, stream)
            finally:
                if token is not None:
                    call_overrides.reset(token)

        method: Callable[..., Any] = async_method
    else:

        @functools.wraps(original)
        def sync_method(*args: Any, **kwargs: Any) -> Any:
            overrides = pop_overrides(kwargs) if kwargs else EMPTY
            token = call_overrides.set({**call_overrides.get(), **overrides}) if overrides else None
            try:
                call = prepare(args, kwargs)
                if call is not None and takes_headers:
                    _add_context_headers(call, kwargs)
                if not streams or call is None:
                    return call_sync(call, lambda: original(*args, **kwargs))
                active = tracking_active.set(True)
                try:
                    stream = original(*args, **kwargs)
                except Exception as exc:
                    call.finish({}, error=exc)
                    raise
                finally:
                    tracking_active.reset(active)
                return _tap_sync(call, stream)
            finally:
                if token is not None:
                    call_overrides.reset(token)

        method = sync_method
    setattr(method, SHIM_MARK, original)
    return method


def _class_tracker(resource: Any) -> Tracker | None:
    return getattr(resource, TRACKER_ATTR, None) or patched_tracker()


def class_hook(original: Callable[..., Any], surface: Surface, streams: bool) -> Callable[..., Any]:
    return hooked(original, surface, streams, _class_tracker, bound=False)


def instrument_resource(resource: Any, attr: str, tracker: Tracker) -> None:
    """Hook one ``chat``/``embeddings`` object of a client: its calls report to ``tracker``.
    The hooks call the class's method at call time, so ``patch_mistral()`` composes."""
    setattr(resource, TRACKER_ATTR, tracker)
    cls = type(resource)
    for name, (surface, streams) in METHODS[attr].items():
        if not callable(getattr(cls, name, None)) or name in vars(resource):
            continue

        def original(*args: Any, _name: str = name, **kwargs: Any) -> Any:
            return getattr(cls, _name)(resource, *args, **kwargs)

        if inspect.iscoroutinefunction(getattr(cls, name)):
            plain = original

            async def original(*args: Any, _plain: Any = plain, **kwargs: Any) -> Any:  # type: ignore[misc]
                return await _plain(*args, **kwargs)

        original.__wrapped__ = getattr(cls, name)  # type: ignore[attr-defined]  # its signature
        setattr(resource, name, hooked(original, surface, streams, lambda _r: tracker, bound=True))
