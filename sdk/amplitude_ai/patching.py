"""Zero-code instrumentation: ``patch()``, ``patch_openai()``, ``patch_anthropic()``,
``patch_azure_openai()`` and ``unpatch()``.

Patching replaces ``request`` on the provider's client classes and adds kwarg shims to
the resource methods, so every client of that SDK is tracked, including clients created
inside libraries. Each replaced attribute is recorded with what was there before (or that
nothing was), and ``unpatch()`` puts exactly that back. Patching twice, or patching while
instrumented clients exist, never tracks a call twice: already-patched attributes are not
wrapped again and an in-progress tracked call makes nested hooks pass through.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import threading
from collections.abc import Callable
from typing import Any

from . import _registry

_MISSING: Any = object()
_lock = threading.Lock()
# (owner, attribute, previous value in owner.__dict__ or _MISSING), in patch order.
_saved: list[tuple[Any, str, Any]] = []
_trackers: dict[str, Any] = {}  # provider -> Tracker used by patched classes
_PATCH_MARK = "__amplitude_ai_patched__"

# Resource classes whose methods get the per-call kwarg shims.
_OPENAI_RESOURCES = (
    (
        "openai.resources.chat.completions",
        ("Completions", "AsyncCompletions"),
        ("create", "parse", "stream"),
    ),
    ("openai.resources.responses", ("Responses", "AsyncResponses"), ("create", "parse", "stream")),
    ("openai.resources.embeddings", ("Embeddings", "AsyncEmbeddings"), ("create",)),
)
_ANTHROPIC_RESOURCES = (
    ("anthropic.resources.messages", ("Messages", "AsyncMessages"), ("create", "parse", "stream")),
    (
        "anthropic.resources.beta.messages",
        ("Messages", "AsyncMessages"),
        ("create", "parse", "stream"),
    ),
)


def _replace(owner: Any, name: str, value: Any) -> None:
    _saved.append((owner, name, owner.__dict__.get(name, _MISSING)))
    setattr(owner, name, value)


def _shim_resources(table: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]) -> None:
    from .providers._calls import SHIM_MARK, make_shim

    for module_name, classes, methods in table:
        module = importlib.import_module(module_name)
        for class_name in classes:
            cls = getattr(module, class_name)
            for method in methods:
                current = cls.__dict__.get(method)
                if current is None or getattr(current, SHIM_MARK, None) is not None:
                    continue
                _replace(cls, method, make_shim(current))


def _tracker_for(client: Any, family: str) -> Any:
    from .providers._tracker import tracker_of

    own = tracker_of(client)
    if own is not None:
        return own
    if family == "openai":
        import openai

        azure = isinstance(client, (openai.AzureOpenAI, openai.AsyncAzureOpenAI))
        return _trackers.get("azure_openai" if azure else "openai")
    return _trackers.get(family)


def _hook_request(cls: type[Any], family: str, resolver: Callable[[str], Any]) -> None:
    from .providers._hook import request_async, request_sync

    original = cls.__dict__.get("request") or cls.request
    if getattr(original, _PATCH_MARK, False):
        return
    if _is_async(original):

        @functools.wraps(original)
        async def async_request(self: Any, cast_to: Any, options: Any, *a: Any, **kw: Any) -> Any:
            bound = original.__get__(self, type(self))
            tracker = _tracker_for(self, family)
            return await request_async(bound, tracker, resolver, cast_to, options, *a, **kw)

        patched: Any = async_request
    else:

        @functools.wraps(original)
        def sync_request(self: Any, cast_to: Any, options: Any, *a: Any, **kw: Any) -> Any:
            bound = original.__get__(self, type(self))
            tracker = _tracker_for(self, family)
            return request_sync(bound, tracker, resolver, cast_to, options, *a, **kw)

        patched = sync_request
    setattr(patched, _PATCH_MARK, True)
    _replace(cls, "request", patched)


def _is_async(func: Any) -> bool:
    import inspect

    return inspect.iscoroutinefunction(func)


def _patch_openai_family(name: str, amplitude: Any, user_id: str | None) -> None:
    import openai

    from .providers import _openai_fields
    from .providers._tracker import make_tracker

    _trackers[name] = make_tracker(amplitude, name, user_id)
    for cls in (openai.OpenAI, openai.AsyncOpenAI):
        _hook_request(cls, "openai", _openai_fields.resolve)
    _shim_resources(_OPENAI_RESOURCES)
    _registry.patched_providers.add(name)


def patch_openai(amplitude: Any = None, *, user_id: str | None = None) -> None:
    """Track every ``openai.OpenAI``/``AsyncOpenAI`` call (not Azure; see
    :func:`patch_azure_openai`). Calling it again only updates where events go."""
    with _lock:
        _patch_openai_family("openai", amplitude, user_id)


def patch_azure_openai(amplitude: Any = None, *, user_id: str | None = None) -> None:
    """Track every ``openai.AzureOpenAI``/``AsyncAzureOpenAI`` call."""
    with _lock:
        _patch_openai_family("azure_openai", amplitude, user_id)


def patch_anthropic(amplitude: Any = None, *, user_id: str | None = None) -> None:
    """Track every ``anthropic.Anthropic``/``AsyncAnthropic`` call."""
    import anthropic

    from .providers import _anthropic_fields
    from .providers._tracker import make_tracker

    with _lock:
        _trackers["anthropic"] = make_tracker(amplitude, "anthropic", user_id)
        for cls in (anthropic.Anthropic, anthropic.AsyncAnthropic):
            _hook_request(cls, "anthropic", _anthropic_fields.resolve)
        _shim_resources(_ANTHROPIC_RESOURCES)
        _registry.patched_providers.add("anthropic")


_PATCHERS: dict[str, tuple[str, Callable[..., None]]] = {
    "openai": ("openai", patch_openai),
    "anthropic": ("anthropic", patch_anthropic),
    "azure_openai": ("openai", patch_azure_openai),
}


def patch(amplitude: Any = None, *, user_id: str | None = None, debug: bool = False) -> list[str]:
    """Patch every installed supported provider SDK; returns the names patched.

    ``amplitude`` is an ``amplitude.Amplitude`` or an ``AmplitudeAI`` (default: one
    configured from the environment, e.g. ``AMPLITUDE_AI_API_KEY``). One ``AmplitudeAI``
    is shared by all providers patched in this call. ``debug=True`` prints a one-line
    summary of every event to stderr (``AIConfig(debug=True)`` for that ``AmplitudeAI``).
    """
    from .providers._tracker import resolve_ai

    ai, _ = resolve_ai(amplitude)
    if debug:
        ai.config.debug = True
    patched = []
    for name, (module, patcher) in _PATCHERS.items():
        if importlib.util.find_spec(module) is not None:
            patcher(ai, user_id=user_id)
            patched.append(name)
    return patched


def unpatch() -> None:
    """Restore every attribute ``patch*`` replaced, exactly as it was (also ``del`` where
    nothing was defined before). Safe to call when nothing is patched."""
    with _lock:
        while _saved:
            owner, name, previous = _saved.pop()
            if previous is _MISSING:
                delattr(owner, name)
            else:
                setattr(owner, name, previous)
        _trackers.clear()
        _registry.patched_providers.clear()
