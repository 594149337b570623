"""``@tool`` and ``@observe``: track functions as tool calls and spans.

Both work on sync and async functions and accept ``amplitude=`` (an ``AmplitudeAI`` or a
plain ``amplitude.Amplitude``); without it they use the client of the active session, and
outside any session one configured from the environment when ``AMPLITUDE_AI_API_KEY`` is
set (as ``patch()`` does). With no client at all they simply call the function. The
wrapped function's result and exceptions are passed through untouched; the extra call
keywords ``amplitude_user_id`` and ``amplitude_session_id`` are consumed by the wrapper.
"""

from __future__ import annotations

import functools
import inspect
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any, TypeVar, overload

from ._identity import anonymous_device_id
from ._ids import new_uuid
from ._logging import log_once
from .client import AmplitudeAI
from .config import ENV_API_KEY
from .context import SessionContext, current_context, use_context

F = TypeVar("F", bound=Callable[..., Any])

_CALL_KWARGS = ("amplitude_user_id", "amplitude_session_id")
_clients_by_amplitude: weakref.WeakKeyDictionary[Any, AmplitudeAI] = weakref.WeakKeyDictionary()


def _client_for(amplitude: Any) -> AmplitudeAI | None:
    """An ``AmplitudeAI`` for the decorator's ``amplitude=`` argument (one per instance)."""
    if amplitude is None or isinstance(amplitude, AmplitudeAI):
        return amplitude
    client = _clients_by_amplitude.get(amplitude)
    if client is None:
        client = AmplitudeAI(amplitude=amplitude)
        _clients_by_amplitude[amplitude] = client
    return client


_env_client: list[AmplitudeAI] = []  # created once, on first need
_env_lock = threading.Lock()


def _environment_client() -> AmplitudeAI | None:
    """The process-wide client of bare decorators, when an API key is configured."""
    if not os.environ.get(ENV_API_KEY):
        return None
    with _env_lock:
        if not _env_client:
            _env_client.append(AmplitudeAI())
        return _env_client[0]


def _session_client(ctx: SessionContext | None) -> AmplitudeAI | None:
    """The client of the active session, if any."""
    ai = ctx.ai if ctx is not None else None
    return ai if isinstance(ai, AmplitudeAI) else None


@functools.lru_cache(maxsize=1024)
def _signature(fn: Callable[..., Any]) -> inspect.Signature:
    return inspect.signature(fn)


def _pop_call_kwargs(fn: Callable[..., Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    params = _signature(fn).parameters
    return {k: kwargs.pop(k) for k in _CALL_KWARGS if k in kwargs and k not in params}


def _arguments(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    try:
        bound = _signature(fn).bind_partial(*args, **kwargs)
    except TypeError:
        return {"args": list(args), "kwargs": kwargs}
    return {k: v for k, v in bound.arguments.items() if k not in ("self", "cls")}


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


class _Call:
    """Bookkeeping for one decorated call: timing, outcome and the tracking hand-off."""

    def __init__(
        self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        self.extra = _pop_call_kwargs(fn, kwargs)
        self.inputs = _arguments(fn, args, kwargs)
        self.started = time.perf_counter()
        self.result: Any = None
        self.error: BaseException | None = None

    @property
    def latency_ms(self) -> float:
        return (time.perf_counter() - self.started) * 1000.0


def _run_sync(
    fn: Callable[..., Any], call: _Call, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    try:
        call.result = fn(*args, **kwargs)
    except BaseException as exc:
        call.error = exc
        raise
    return call.result


async def _run_async(
    fn: Callable[..., Any], call: _Call, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    try:
        call.result = await fn(*args, **kwargs)
    except BaseException as exc:
        call.error = exc
        raise
    return call.result


# ----------------------------------------------------------------------------- @tool
@overload
def tool(func: F) -> F: ...
@overload
def tool(*, name: str | None = None, amplitude: Any = None) -> Callable[[F], F]: ...
def tool(func: F | None = None, *, name: str | None = None, amplitude: Any = None) -> Any:
    """Track each call of the function as ``[Agent] Tool Call`` (input, output, latency,
    success); exceptions are tracked as failures and re-raised unchanged."""

    def decorate(fn: F) -> F:
        tool_name = name or fn.__name__

        def record(call: _Call) -> None:
            ctx = current_context()
            ai = _client_for(amplitude) or _session_client(ctx) or _environment_client()
            if ai is None:
                log_once(
                    f"tool-no-client:{tool_name}",
                    logging.DEBUG,
                    "amplitude_ai: @tool %s ran outside any session; not tracked",
                    tool_name,
                )
                return
            ai._emit(
                "tool_call",
                {
                    "user_id": call.extra.get("amplitude_user_id"),
                    "session_id": call.extra.get("amplitude_session_id"),
                    "tool_name": tool_name,
                    "latency_ms": call.latency_ms,
                    "success": call.error is None,
                    "input": call.inputs,
                    "output": call.result if call.error is None else None,
                    "error_message": _error_text(call.error) if call.error else None,
                },
                anonymous=True,
            )

        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                call = _Call(fn, args, kwargs)
                try:
                    return await _run_async(fn, call, args, kwargs)
                finally:
                    record(call)

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            call = _Call(fn, args, kwargs)
            try:
                return _run_sync(fn, call, args, kwargs)
            finally:
                record(call)

        return wrapper  # type: ignore[return-value]

    return decorate(func) if func is not None else decorate


# -------------------------------------------------------------------------- @observe
@overload
def observe(func: F) -> F: ...
@overload
def observe(
    *,
    name: str | None = None,
    amplitude: Any = None,
    agent_id: str | None = None,
    user_id: str | None = None,
) -> Callable[[F], F]: ...
def observe(
    func: F | None = None,
    *,
    name: str | None = None,
    amplitude: Any = None,
    agent_id: str | None = None,
    user_id: str | None = None,
) -> Any:
    """Track each call as ``[Agent] Span``. Inside an active session the span joins it
    (nested ``@observe`` calls link through ``parent_span_id``); otherwise, given a client,
    it opens a session of its own (agent ``agent_id`` or the span name) and ends it after."""

    def decorate(fn: F) -> F:
        span_name = name or fn.__name__

        def enter(call: _Call) -> tuple[AmplitudeAI | None, Any, SessionContext | None, str]:
            ctx = current_context()
            ai = _client_for(amplitude) or _session_client(ctx) or _environment_client()
            span_id = new_uuid()
            if ai is None or (ctx is not None and ctx.session_id):
                return ai, None, ctx, span_id
            user = call.extra.get("amplitude_user_id") or user_id
            session = ai.agent(agent_id or span_name).session(
                session_id=call.extra.get("amplitude_session_id"),
                user_id=user,
                # without any user, the span's session is the program's anonymous device's
                device_id=None if user else anonymous_device_id(),
            )
            session.__enter__()
            session.new_trace()
            return ai, session, session.context, span_id

        def leave(
            call: _Call,
            ai: AmplitudeAI | None,
            session: Any,
            ctx: SessionContext | None,
            span_id: str,
        ) -> None:
            if ai is None:
                return
            try:
                ai._emit(
                    "span",
                    {
                        "user_id": call.extra.get("amplitude_user_id"),
                        "span_name": span_name,
                        "latency_ms": call.latency_ms,
                        "span_id": span_id,
                        "parent_span_id": ctx.span_id if ctx else None,
                        "input_state": call.inputs,
                        "output_state": call.result if call.error is None else None,
                        "is_error": call.error is not None,
                        "error_message": _error_text(call.error) if call.error else None,
                    },
                    anonymous=True,
                )
            finally:
                if session is not None:
                    session.__exit__(None, None, None)

        def inner_context(ctx: SessionContext | None, span_id: str) -> Any:
            return use_context(ctx.evolve(span_id=span_id)) if ctx else _no_context()

        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                call = _Call(fn, args, kwargs)
                ai, session, ctx, span_id = enter(call)
                try:
                    with inner_context(ctx, span_id):
                        return await _run_async(fn, call, args, kwargs)
                finally:
                    leave(call, ai, session, ctx, span_id)

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            call = _Call(fn, args, kwargs)
            ai, session, ctx, span_id = enter(call)
            try:
                with inner_context(ctx, span_id):
                    return _run_sync(fn, call, args, kwargs)
            finally:
                leave(call, ai, session, ctx, span_id)

        return wrapper  # type: ignore[return-value]

    return decorate(func) if func is not None else decorate


class _no_context:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None
