"""Per-request session context for web apps: ``AmplitudeAIMiddleware`` (ASGI: Starlette,
FastAPI) and ``AmplitudeAIWSGIMiddleware`` (WSGI: Flask, Django).

Each request runs inside an ``agent.session()``, so every provider call, ``@tool``,
``@observe`` and ``track_*`` call made while handling it (also while a streamed body is
produced) carries the request's user, session and trace without passing them around.

Identity per request:

* user: ``user_id_resolver(request)`` (sync or async for ASGI; it gets a Starlette
  ``Request``, or the WSGI ``environ``); a resolver error is logged and the request
  proceeds without a user.
* session: the ``x-amplitude-session-id`` header (an upstream service's conversation),
  else ``session_id_resolver(request)``, else a new id for this request.
* trace: ``x-amplitude-trace-id`` or a valid W3C ``traceparent``, else a new id.
* an upstream ``x-amplitude-agent-id`` becomes the ``parent_agent_id`` of this agent.

Only sessions the middleware created itself, for a known user, are ended (``[Agent]
Session End``) when the response is finished; a session named by a header or resolver
belongs to a conversation that outlives the request.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import copy_context
from typing import TYPE_CHECKING, Any

from ._ids import new_uuid
from ._logging import log_once
from .context import SessionContext
from .propagation import extract_context

if TYPE_CHECKING:
    from .client import AmplitudeAI
    from .session import Session

__all__ = ["AmplitudeAIMiddleware", "AmplitudeAIWSGIMiddleware"]

Resolver = Callable[[Any], Any]


def _resolve_ai(amplitude_ai: Any, amplitude: Any) -> AmplitudeAI:
    from .client import AmplitudeAI

    if amplitude_ai is not None:
        if not isinstance(amplitude_ai, AmplitudeAI):
            raise TypeError(
                "amplitude_ai= must be an amplitude_ai.AmplitudeAI; pass an amplitude.Amplitude "
                "client as amplitude= instead"
            )
        return amplitude_ai
    if isinstance(amplitude, AmplitudeAI):
        return amplitude
    return AmplitudeAI(amplitude=amplitude)


class _RequestSessions:
    """What both middlewares share: turning one request's headers and resolved values
    into the session it runs in."""

    def __init__(
        self,
        amplitude_ai: Any,
        amplitude: Any,
        agent_id: str | None,
        agent_version: str | None,
        env: str | None,
        customer_org_id: str | None,
        end_sessions: bool,
    ) -> None:
        self.ai = _resolve_ai(amplitude_ai, amplitude)
        self.defaults = SessionContext(
            agent_id=agent_id,
            agent_version=agent_version,
            env=env,
            customer_org_id=customer_org_id,
        )
        self.end_sessions = end_sessions

    def open(self, headers: Mapping[str, str], user_id: Any, session_id: Any) -> Session:
        from .agent import BoundAgent
        from .session import Session

        upstream = extract_context(headers)
        defaults = self.defaults
        parent = upstream["agent_id"]
        if parent and parent != defaults.agent_id:
            defaults = defaults.evolve(parent_agent_id=parent)
        named = upstream["session_id"] or (str(session_id) if session_id else None)
        user = str(user_id) if user_id not in (None, "") else None
        return Session(
            BoundAgent(self.ai, defaults),
            session_id=named or new_uuid(),
            user_id=user,
            trace_id=upstream["trace_id"] or new_uuid(),
            # Amplitude rejects a Session End without a user, so anonymous requests send none.
            auto_end=self.end_sessions and named is None and user is not None,
        )


def _resolver_failed(kind: str) -> None:
    log_once(
        f"middleware-{kind}",
        logging.WARNING,
        "amplitude_ai: %s_resolver raised; the request is tracked without it",
        kind,
        exc_info=True,
    )


def _call_resolver(kind: str, resolver: Resolver | None, request: Any) -> Any:
    if resolver is None:
        return None
    try:
        return resolver(request)
    except Exception:
        _resolver_failed(kind)
        return None


async def _await_resolved(kind: str, value: Any) -> Any:
    if not inspect.isawaitable(value):
        return value
    try:
        return await value
    except Exception:
        _resolver_failed(kind)
        return None


class _SessionMiddleware:
    """The constructor both middlewares share (see :class:`AmplitudeAIMiddleware`)."""

    def __init__(
        self,
        app: Callable[..., Any],
        amplitude_ai: AmplitudeAI | None = None,
        *,
        amplitude: Any = None,
        user_id_resolver: Resolver | None = None,
        session_id_resolver: Resolver | None = None,
        agent_id: str | None = None,
        agent_version: str | None = None,
        env: str | None = None,
        customer_org_id: str | None = None,
        end_sessions: bool = True,
    ) -> None:
        self.app = app
        self._sessions = _RequestSessions(
            amplitude_ai, amplitude, agent_id, agent_version, env, customer_org_id, end_sessions
        )
        self.user_id_resolver = user_id_resolver
        self.session_id_resolver = session_id_resolver


def _not_tracked() -> None:
    """Log (once) that a request runs without a session because opening one failed."""
    log_once(
        "middleware-open",
        logging.ERROR,
        "amplitude_ai: could not open a request session; the request is not tracked",
        exc_info=True,
    )


class AmplitudeAIMiddleware(_SessionMiddleware):
    """ASGI middleware: one ``[Agent]`` session context per HTTP/WebSocket request.

    Use with ``app.add_middleware(AmplitudeAIMiddleware, amplitude_ai=ai,
    user_id_resolver=lambda request: request.state.user.id)``. The resolvers get a
    Starlette ``Request`` (the raw ASGI scope when Starlette is not installed) and may be
    ``async``. The user is resolved before the endpoint runs, so read it from something an
    outer middleware or the request itself provides (``request.state``, a header, a cookie).

    Args:
        app: The ASGI application to wrap.
        amplitude_ai: The ``AmplitudeAI`` the events go through.
        amplitude: Alternatively an ``amplitude.Amplitude`` client to build one on.
        user_id_resolver: ``request -> user id or None``.
        session_id_resolver: ``request -> conversation id or None`` (a conversation spread
            over several requests); by default each request is its own session.
        agent_id, agent_version, env, customer_org_id: Defaults for the request's events.
        end_sessions: Send ``[Agent] Session End`` for the per-request sessions the
            middleware creates (default ``True``).
    """

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        try:
            session = await self._open(scope, receive)
        except Exception:
            _not_tracked()
            await self.app(scope, receive, send)
            return
        async with session:
            await self.app(scope, receive, send)

    async def _open(self, scope: dict[str, Any], receive: Any) -> Session:
        headers = {
            k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers") or ()
        }
        request: Any = scope
        if self.user_id_resolver is not None or self.session_id_resolver is not None:
            request = _starlette_request(scope, receive)
        user_id = await _await_resolved(
            "user_id", _call_resolver("user_id", self.user_id_resolver, request)
        )
        session_id = await _await_resolved(
            "session_id", _call_resolver("session_id", self.session_id_resolver, request)
        )
        return self._sessions.open(headers, user_id, session_id)


def _starlette_request(scope: dict[str, Any], receive: Any) -> Any:
    try:
        if scope.get("type") == "websocket":
            from starlette.requests import HTTPConnection

            return HTTPConnection(scope)
        from starlette.requests import Request
    except ImportError:
        return scope
    return Request(scope, receive)


class AmplitudeAIWSGIMiddleware(_SessionMiddleware):
    """WSGI middleware: one ``[Agent]`` session context per request (Flask, Django, ...).

    Wrap the WSGI callable: ``app.wsgi_app = AmplitudeAIWSGIMiddleware(app.wsgi_app,
    amplitude_ai=ai, user_id_resolver=lambda environ: environ.get("HTTP_X_USER_ID"))``
    for Flask, or ``application = AmplitudeAIWSGIMiddleware(get_wsgi_application(), ...)``
    for Django. Resolvers get the WSGI ``environ``. The session stays active while a
    streamed body is iterated and ends when the server closes the response.

    Takes the same arguments as :class:`AmplitudeAIMiddleware`.
    """

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        try:
            headers = {
                key[5:].replace("_", "-").lower(): str(value)
                for key, value in environ.items()
                if key.startswith("HTTP_")
            }
            session = self._sessions.open(
                headers,
                _call_resolver("user_id", self.user_id_resolver, environ),
                _call_resolver("session_id", self.session_id_resolver, environ),
            )
        except Exception:
            _not_tracked()
            return self.app(environ, start_response)
        # The body may be produced after this call returns (streaming): run the app and
        # every step of the body in one private context that holds the session.
        ctx = copy_context()
        ctx.run(session.__enter__)
        try:
            body = ctx.run(self.app, environ, start_response)
        except BaseException as exc:
            ctx.run(session.__exit__, type(exc), exc, exc.__traceback__)
            raise
        return _SessionBody(body, ctx, session)


class _SessionBody:
    """A WSGI response body iterated (and closed) inside the request's session context."""

    def __init__(self, body: Iterable[bytes], ctx: Any, session: Session) -> None:
        self._body = body
        self._ctx = ctx
        self._session = session
        self._closed = False

    def __iter__(self) -> Iterator[bytes]:
        iterator = self._ctx.run(iter, self._body)
        while True:
            try:
                chunk = self._ctx.run(next, iterator)
            except StopIteration:
                return
            yield chunk

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                self._ctx.run(close)
        finally:
            self._ctx.run(self._session.__exit__, None, None, None)
