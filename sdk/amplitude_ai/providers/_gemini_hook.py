"""Where Gemini calls are hooked: google-genai's ``BaseApiClient`` (``ApiClient`` in the
first 1.x releases).

Why there: every model call of a ``google.genai.Client`` (``models.generate_content`` and
``generate_content_stream``, ``embed_content``, the ``client.aio`` twins, chats, and each
round trip of automatic function calling) goes through one of four methods of the client's
``BaseApiClient``: ``request``, ``request_streamed``, ``async_request`` and
``async_request_streamed``, each called as ``(http_method, path, request_dict,
http_options)``. Their arguments are the wire body and the path (which names the model and
the method), their results the JSON the service returned (a dict in early releases, an
``SdkHttpResponse`` with the JSON text later), on both the Gemini API and Vertex AI and in
every release since 1.0. Hooking the public ``Models`` methods instead
would see SDK-typed arguments that changed shape between releases, and one call per
automatic-function-calling loop instead of one per model round trip; hooking httpx would
miss clients on aiohttp or requests (early releases) and the replay client. The hook only
reads; the request, its retries and the result are the SDK's own.

A drop-in / wrapped client carries its tracker on its ``BaseApiClient`` instance and gets
instance-level hooks; ``patch_gemini()`` puts the same hooks on the class (the instance's
tracker wins when both are present, and nested hooks pass through, so a call is tracked
once).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from amplitude_ai._logging import log_once

from ._calls import tracking_active
from ._direct import (
    StreamTap,
    begin,
    call_async,
    call_sync,
    context_headers,
    tap_async_iterator,
    tap_iterator,
)
from ._gemini_fields import resolve
from ._tracker import PATCHED_TRACKERS, TRACKER_ATTR, Tracker

PROVIDER = "gemini"
VERTEX_PROVIDER = "vertex_ai"  # the registry's Gemini entry lists it in ``variant_ids``
METHODS = ("request", "request_streamed", "async_request", "async_request_streamed")
HOOK_MARK = "__amplitude_ai_gemini_hook__"


def _tracker(api_client: Any) -> Tracker | None:
    own = getattr(api_client, TRACKER_ATTR, None)
    if own is not None:
        return own
    return PATCHED_TRACKERS.get(PROVIDER)


def _surface(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, Any]:
    try:
        method = args[0] if args else kwargs.get("http_method")
        path = args[1] if len(args) > 1 else kwargs.get("path")
        body = args[2] if len(args) > 2 else kwargs.get("request_dict")
        if str(method).lower() != "post":
            return None, body
        return resolve(str(path), body), body
    except Exception:
        log_once("gemini-read", logging.ERROR, "amplitude_ai: unreadable request", exc_info=True)
        return None, None


def _with_headers(args: Any, kwargs: dict[str, Any], headers: dict[str, str]) -> Any:
    """``(args, kwargs)`` whose ``http_options`` (4th argument) also send ``headers``: a
    dict or an ``HttpOptions``, merged over the caller's own headers for this request."""
    given = args[3] if len(args) > 3 else kwargs.get("http_options")
    if given is None:
        merged: Any = {"headers": headers}
    elif isinstance(given, dict):
        merged = {**given, "headers": {**(given.get("headers") or {}), **headers}}
    else:  # HttpOptions (pydantic)
        own = getattr(given, "headers", None) or {}
        merged = given.model_copy(update={"headers": {**own, **headers}})
    if len(args) > 3:
        return (*args[:3], merged, *args[4:]), kwargs
    return args, {**kwargs, "http_options": merged}


def run(name: str, api_client: Any, original: Callable[..., Any], args: Any, kwargs: Any) -> Any:
    """Call ``original`` (one of :data:`METHODS`, bound) and track it."""
    call = None
    if not tracking_active.get():
        tracker = _tracker(api_client)
        if tracker is not None:
            surface, body = _surface(args, kwargs)
            call = begin(tracker, surface, body)
    if call is not None:
        if getattr(api_client, "vertexai", False):
            # Same client, other service: Vertex AI calls say so (after begin() read the
            # framework run, which frameworks announce as "gemini").
            call.tracker = replace(call.tracker, provider=VERTEX_PROVIDER)
        headers = context_headers(call)
        if headers:
            try:
                args, kwargs = _with_headers(args, kwargs, headers)
            except Exception:
                log_once("gemini-headers", logging.ERROR, "amplitude_ai: no context headers",
                         exc_info=True)  # fmt: skip
    if name == "request":
        return call_sync(call, lambda: original(*args, **kwargs))
    if name == "async_request":
        return call_async(call, lambda: original(*args, **kwargs))
    if name == "request_streamed":
        if call is None:
            return original(*args, **kwargs)
        token = tracking_active.set(True)
        try:
            items = original(*args, **kwargs)
        except Exception as exc:
            call.finish({}, error=exc)
            raise
        finally:
            tracking_active.reset(token)
        return tap_iterator(StreamTap(call), iter(items))
    return _streamed_async(call, original, args, kwargs)


async def _streamed_async(call: Any, original: Callable[..., Any], args: Any, kwargs: Any) -> Any:
    if call is None:
        return await original(*args, **kwargs)
    token = tracking_active.set(True)
    try:
        items = await original(*args, **kwargs)
    except Exception as exc:
        call.finish({}, error=exc)
        raise
    finally:
        tracking_active.reset(token)
    return tap_async_iterator(StreamTap(call), aiter(items))


def class_hook(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
    """The class-level replacement of ``BaseApiClient.<name>`` (``patch_gemini``)."""
    if name.startswith("async_"):

        @functools.wraps(original)
        async def async_hook(self: Any, *args: Any, **kwargs: Any) -> Any:
            return await run(name, self, original.__get__(self, type(self)), args, kwargs)

        hook: Callable[..., Any] = async_hook
    else:

        @functools.wraps(original)
        def sync_hook(self: Any, *args: Any, **kwargs: Any) -> Any:
            return run(name, self, original.__get__(self, type(self)), args, kwargs)

        hook = sync_hook
    setattr(hook, HOOK_MARK, True)
    return hook


def instrument_api_client(api_client: Any, tracker: Tracker) -> None:
    """Hook one ``BaseApiClient`` instance: its calls report to ``tracker``. The hooks look
    up the class's method at call time, so patching or unpatching later still composes."""
    setattr(api_client, TRACKER_ATTR, tracker)
    for name in METHODS:
        if not callable(getattr(type(api_client), name, None)):
            continue  # a release without this method
        fields = vars(api_client)
        if getattr(fields.get(name), HOOK_MARK, False):
            continue
        fields[name] = _instance_hook(api_client, name)


def _instance_hook(api_client: Any, name: str) -> Callable[..., Any]:
    import weakref

    ref = weakref.ref(api_client)  # no cycle: the client can still be collected and closed

    def current() -> tuple[Any, Callable[..., Any]]:
        target = ref()
        if target is None:
            raise RuntimeError("the Gemini API client was closed")
        return target, getattr(type(target), name).__get__(target, type(target))

    if name.startswith("async_"):

        async def async_hook(*args: Any, **kwargs: Any) -> Any:
            target, original = current()
            return await run(name, target, original, args, kwargs)

        hook: Callable[..., Any] = async_hook
    else:

        def sync_hook(*args: Any, **kwargs: Any) -> Any:
            target, original = current()
            return run(name, target, original, args, kwargs)

        hook = sync_hook
    setattr(hook, HOOK_MARK, True)
    return hook
