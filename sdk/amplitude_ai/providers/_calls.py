"""Per-call state that travels from a resource method to the client's ``request``.

Provider methods reject unknown keyword arguments, so the ``amplitude_*`` identity kwargs
are taken off in a thin shim around ``create``/``parse``/``stream`` and handed to the
request hook through a :class:`~contextvars.ContextVar`. A second context variable marks
"a tracked call is in progress" so that stacked instrumentation (``wrap`` plus ``patch``,
or ``patch`` twice) tracks each call exactly once.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from typing import Any

from ._stream_link import adopt_stream

# Per-call keyword -> the tracking field it sets.
CALL_KWARGS: dict[str, str] = {
    "amplitude_user_id": "user_id",
    "amplitude_session_id": "session_id",
    "amplitude_trace_id": "trace_id",
    "amplitude_agent_id": "agent_id",
}
EMPTY: Mapping[str, str] = {}

call_overrides: ContextVar[Mapping[str, str]] = ContextVar(
    "amplitude_ai_call_overrides", default=EMPTY
)
tracking_active: ContextVar[bool] = ContextVar("amplitude_ai_tracking_active", default=False)

# Marks a shim so that installing shims twice never stacks them.
SHIM_MARK = "__amplitude_ai_shim__"


def pop_overrides(kwargs: dict[str, Any]) -> dict[str, str]:
    """Remove the ``amplitude_*`` kwargs from ``kwargs``; return them as tracking fields."""
    found: dict[str, str] = {}
    for name, field in CALL_KWARGS.items():
        if name in kwargs:
            value = kwargs.pop(name)
            if value is not None:
                found[field] = str(value)
    return found


def _run_with(overrides: Mapping[str, str], func: Callable[..., Any], *a: Any, **kw: Any) -> Any:
    token = call_overrides.set(overrides)
    try:
        return func(*a, **kw)
    finally:
        call_overrides.reset(token)


async def _await_with(overrides: Mapping[str, str], awaitable: Awaitable[Any]) -> Any:
    token = call_overrides.set(overrides)
    try:
        return await awaitable
    finally:
        call_overrides.reset(token)


def _defer_to_manager(manager: Any, overrides: Mapping[str, str]) -> None:
    """Stream helpers (``.stream(...)``) send their request on ``__enter__``, after the
    shim returned; re-wrap the manager's stored request so it still sees ``overrides``, and
    keep the stream it returns for :func:`_adopting_class`."""
    fields = getattr(manager, "__dict__", None)
    if fields is None:
        return
    for name, value in list(fields.items()):
        if not name.endswith("__api_request"):
            continue
        if inspect.iscoroutine(value):
            request = _await_with(overrides, value) if overrides else value
            fields[name] = _keep_async(manager, request)
        elif callable(value):
            call = functools.partial(_run_with, overrides, value) if overrides else value
            fields[name] = functools.partial(_keep_sync, manager, call)
        else:
            continue
        # A manager type we cannot extend still works, as is.
        with contextlib.suppress(TypeError):
            manager.__class__ = _adopting_class(type(manager))


_RAW_ATTR = "_amplitude_ai_raw_stream"


def _keep_sync(manager: Any, request: Callable[[], Any]) -> Any:
    raw = request()
    manager.__dict__[_RAW_ATTR] = raw  # keeps it alive until __enter__ has built its stream
    return raw


async def _keep_async(manager: Any, request: Awaitable[Any]) -> Any:
    raw = await request
    manager.__dict__[_RAW_ATTR] = raw
    return raw


_adopting: dict[type[Any], type[Any]] = {}


def _adopting_class(cls: type[Any]) -> type[Any]:
    """``cls`` with an ``__enter__``/``__aenter__`` that hands the tracked call over to the
    stream the helper builds, when that stream is not the one the request returned
    (anthropic 0.2x-0.3x build a second stream over the same HTTP response)."""
    if getattr(cls, "_amplitude_ai_adopting", False):
        return cls
    sub = _adopting.get(cls)
    if sub is not None:
        return sub

    def handover(manager: Any, stream: Any) -> Any:
        raw = manager.__dict__.pop(_RAW_ATTR, None)
        if (
            raw is not None
            and raw is not stream
            and getattr(stream, "_raw_stream", None) is not raw
        ):
            adopt_stream(stream)
        return stream

    namespace: dict[str, Any] = {"__slots__": (), "_amplitude_ai_adopting": True}
    if hasattr(cls, "__enter__"):
        namespace["__enter__"] = lambda self: handover(self, cls.__enter__(self))
    if hasattr(cls, "__aenter__"):

        async def __aenter__(self: Any) -> Any:
            return handover(self, await cls.__aenter__(self))

        namespace["__aenter__"] = __aenter__
    sub = type(cls.__name__, (cls,), namespace)
    sub.__qualname__ = cls.__qualname__
    sub.__module__ = cls.__module__
    _adopting[cls] = sub
    return sub


def make_shim(method: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a resource method (bound, or a plain function taking ``self``) so that it
    accepts the ``amplitude_*`` kwargs and strips them before the provider sees them."""
    if inspect.iscoroutinefunction(method):

        @functools.wraps(method)
        async def async_shim(*args: Any, **kwargs: Any) -> Any:
            overrides = pop_overrides(kwargs) if kwargs else EMPTY
            if not overrides:
                return await method(*args, **kwargs)
            return await _await_with(overrides, method(*args, **kwargs))

        shim: Callable[..., Any] = async_shim
    else:

        @functools.wraps(method)
        def sync_shim(*args: Any, **kwargs: Any) -> Any:
            overrides = pop_overrides(kwargs) if kwargs else EMPTY
            if not overrides:
                result = method(*args, **kwargs)
                if hasattr(result, "__enter__") or hasattr(result, "__aenter__"):
                    _defer_to_manager(result, overrides)
                return result
            result = _run_with(overrides, method, *args, **kwargs)
            if inspect.iscoroutine(result):  # an async method behind a sync decorator
                return _await_with(overrides, result)
            if hasattr(result, "__enter__") or hasattr(result, "__aenter__"):
                _defer_to_manager(result, overrides)
            return result

        shim = sync_shim
    setattr(shim, SHIM_MARK, method)
    return shim


def install_instance_shims(resource: Any, names: tuple[str, ...]) -> Any:
    """Shadow ``names`` on one resource object with shims (no effect on other clients)."""
    for name in names:
        method = getattr(resource, name, None)
        if method is None or getattr(method, SHIM_MARK, None) is not None:
            continue
        setattr(resource, name, make_shim(method))
    return resource
