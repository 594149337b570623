"""Zero-code instrumentation: ``patch()``, ``patch_openai()``, ``patch_anthropic()``,
``patch_azure_openai()``, ``patch_gemini()``, ``patch_mistral()``, ``patch_bedrock()``,
``patch_litellm()`` and ``unpatch()``.

Patching replaces ``request`` on the provider's client classes and adds kwarg shims to
the resource methods, so every client of that SDK is tracked, including clients created
inside libraries. Each replaced attribute is recorded with what was there before (or that
nothing was), and ``unpatch()`` puts exactly that back. Patching twice, or patching while
instrumented clients exist, never tracks a call twice: already-patched attributes are not
wrapped again and an in-progress tracked call makes nested hooks pass through.

What gets patched is found by looking, not by version number: a resource module, class
or method an older SDK release lacks (the Responses API, ``parse``, ``.stream()``) is
skipped. A release whose client classes have no request hook is not patched at all;
``patch()`` lists it in ``.skipped`` of its result and warns once.

Bedrock (boto3) has no client class to patch: ``patch_bedrock()`` registers event handlers
with botocore instead (see ``providers._bedrock_hook``), so it covers clients created
after it; ``unpatch()`` removes them again.

LiteLLM is not patched but observed: its own callback list gets an
``AmplitudeLiteLLMCallback`` (see ``amplitude_ai.integrations.litellm``), which
``unpatch()`` takes out again.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import threading
from collections.abc import Callable
from typing import Any

from . import _registry
from .providers._tracker import PATCHED_TRACKERS

_MISSING: Any = object()
_lock = threading.Lock()
# (owner, attribute, previous value in owner.__dict__ or _MISSING), in patch order.
_saved: list[tuple[Any, str, Any]] = []
# Undo steps that are not attribute assignments (event handlers registered on a session).
_cleanups: list[Callable[[], None]] = []
_trackers: dict[str, Any] = PATCHED_TRACKERS  # provider -> Tracker used by patched classes
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
    (
        "openai.resources.images",
        ("Images", "AsyncImages"),
        ("generate", "edit", "create_variation"),
    ),
    ("openai.resources.audio.speech", ("Speech", "AsyncSpeech"), ("create",)),
    (
        "openai.resources.audio.transcriptions",
        ("Transcriptions", "AsyncTranscriptions"),
        ("create",),
    ),
    ("openai.resources.audio.translations", ("Translations", "AsyncTranslations"), ("create",)),
    ("openai.resources.moderations", ("Moderations", "AsyncModerations"), ("create",)),
    ("openai.resources.completions", ("Completions", "AsyncCompletions"), ("create",)),
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


class PatchResult(list[str]):
    """The provider ids ``patch()`` patched, in order (a plain ``list`` of ``str``), plus
    ``skipped``: provider id -> why an installed SDK was left unpatched."""

    def __init__(self, patched: list[str], skipped: dict[str, str]) -> None:
        super().__init__(patched)
        self.skipped = skipped


def _shim_resources(table: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]) -> None:
    from .providers._calls import SHIM_MARK, make_shim

    for module_name, classes, methods in table:
        try:
            module = importlib.import_module(module_name)
        except ImportError:  # a surface this release does not have
            continue
        for class_name in classes:
            cls = getattr(module, class_name, None)
            if cls is None:
                continue
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


def _hookable(provider_id: str, module: Any) -> tuple[list[type[Any]], str | None]:
    """The client classes of ``provider_id`` to hook, or why this release cannot be."""
    from .providers._compat import has_request_hook
    from .providers.registry import BY_ID

    classes = []
    for class_name in BY_ID[provider_id].client_classes:
        cls = getattr(module, class_name, None)
        if cls is None:
            return [], f"no {module.__name__}.{class_name}"
        if not has_request_hook(cls):
            return [], f"{module.__name__}.{class_name} has no request hook"
        classes.append(cls)
    return classes, None


def _patch_provider(
    provider_id: str,
    amplitude: Any,
    user_id: str | None,
    family: str,
    resolver: Callable[[str], Any],
    table: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...],
) -> str | None:
    """Patch one provider; the reason when its installed release cannot be (warned once)."""
    from .providers._compat import note_untested, warn_not_instrumented
    from .providers._tracker import make_tracker
    from .providers.registry import BY_ID

    module = importlib.import_module(BY_ID[provider_id].module)
    # The family's base classes are hooked once for OpenAI and Azure alike.
    classes, problem = _hookable("openai" if family == "openai" else provider_id, module)
    if problem is None and family == "openai":
        _, problem = _hookable(provider_id, module)
    if problem is not None:
        warn_not_instrumented(provider_id, problem)
        return problem
    note_untested(provider_id)
    _trackers[provider_id] = make_tracker(amplitude, provider_id, user_id)
    for cls in classes:
        _hook_request(cls, family, resolver)
    _shim_resources(table)
    if family == "openai":
        _notice_realtime()
    _registry.patched_providers.add(provider_id)
    return None


def _patch_openai_family(name: str, amplitude: Any, user_id: str | None) -> str | None:
    from .providers import _openai_fields

    return _patch_provider(
        name, amplitude, user_id, "openai", _openai_fields.resolve, _OPENAI_RESOURCES
    )


def _patch_anthropic(amplitude: Any, user_id: str | None) -> str | None:
    from .providers import _anthropic_fields

    return _patch_provider(
        "anthropic",
        amplitude,
        user_id,
        "anthropic",
        _anthropic_fields.resolve,
        _ANTHROPIC_RESOURCES,
    )


def _notice_realtime() -> None:
    """Realtime sessions are websockets, not requests: their ``connect()`` reports itself
    as untracked (see ``providers._untracked``)."""
    from .providers import _untracked

    for module_name, classes, method, api in _untracked.REALTIME_CONNECT:
        try:
            module = importlib.import_module(module_name)
        except ImportError:  # a release without the Realtime API
            continue
        for class_name in classes:
            cls = getattr(module, class_name, None)
            current = cls.__dict__.get(method) if cls is not None else None
            if current is None or getattr(current, _untracked.NOTICE_MARK, None) is not None:
                continue
            _replace(cls, method, _untracked.notice_shim(current, None, api))


def patch_openai(amplitude: Any = None, *, user_id: str | None = None) -> None:
    """Track every ``openai.OpenAI``/``AsyncOpenAI`` call (not Azure; see
    :func:`patch_azure_openai`). Calling it again only updates where events go. On an
    openai release that cannot be instrumented it warns and patches nothing."""
    with _lock:
        _patch_openai_family("openai", amplitude, user_id)


def patch_azure_openai(amplitude: Any = None, *, user_id: str | None = None) -> None:
    """Track every ``openai.AzureOpenAI``/``AsyncAzureOpenAI`` call."""
    with _lock:
        _patch_openai_family("azure_openai", amplitude, user_id)


def patch_anthropic(amplitude: Any = None, *, user_id: str | None = None) -> None:
    """Track every ``anthropic.Anthropic``/``AsyncAnthropic`` call."""
    with _lock:
        _patch_anthropic(amplitude, user_id)


def _patch_gemini(amplitude: Any, user_id: str | None) -> str | None:
    """Hook google-genai's ``BaseApiClient`` (see ``providers._gemini_hook``) and accept
    the ``amplitude_*`` kwargs on the model and chat methods."""
    from .providers import _gemini_hook
    from .providers._compat import note_untested, warn_not_instrumented
    from .providers._direct import kwargs_shim
    from .providers._tracker import make_tracker

    try:
        api_module = importlib.import_module("google.genai._api_client")
        # ``ApiClient`` in the first 1.x releases, ``BaseApiClient`` since.
        base = getattr(api_module, "BaseApiClient", None) or api_module.ApiClient
    except (ImportError, AttributeError) as exc:
        problem = f"no google.genai._api_client.BaseApiClient ({exc})"
        warn_not_instrumented("gemini", problem)
        return problem
    note_untested("gemini")
    _trackers["gemini"] = make_tracker(amplitude, "gemini", user_id)
    for name in _gemini_hook.METHODS:
        current = base.__dict__.get(name)
        if current is None or getattr(current, _gemini_hook.HOOK_MARK, False):
            continue
        _replace(base, name, _gemini_hook.class_hook(name, current))
    _shim_with(kwargs_shim, _GEMINI_RESOURCES)
    _registry.patched_providers.add("gemini")
    return None


_GEMINI_RESOURCES = (
    (
        "google.genai.models",
        ("Models", "AsyncModels"),
        ("generate_content", "generate_content_stream", "embed_content"),
    ),
    ("google.genai.chats", ("Chat", "AsyncChat"), ("send_message", "send_message_stream")),
)


def _shim_with(
    make: Callable[[Any], Any], table: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]
) -> None:
    from .providers._calls import SHIM_MARK

    for module_name, classes, methods in table:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        for class_name in classes:
            cls = getattr(module, class_name, None)
            for method in methods if cls is not None else ():
                current = cls.__dict__.get(method)
                if current is None or getattr(current, SHIM_MARK, None) is not None:
                    continue
                _replace(cls, method, make(current))


def _patch_mistral(amplitude: Any, user_id: str | None) -> str | None:
    """Wrap mistralai's ``Chat``/``Embeddings`` methods (see ``providers._mistral_hook``)."""
    from .providers import _mistral_hook
    from .providers._calls import SHIM_MARK
    from .providers._compat import note_untested, warn_not_instrumented
    from .providers._tracker import make_tracker
    from .providers.registry import BY_ID

    classes: dict[str, type[Any]] = {}
    for package in BY_ID["mistral"].import_paths:
        for attr, (module_name, class_name) in _mistral_hook.RESOURCE_CLASSES.items():
            if attr in classes:
                continue
            try:
                module = importlib.import_module(f"{package}.{module_name}")
            except ImportError:
                continue
            cls = getattr(module, class_name, None)
            if isinstance(cls, type):
                classes[attr] = cls
    if "chat" not in classes:
        problem = "no mistralai Chat class"
        warn_not_instrumented("mistral", problem)
        return problem
    note_untested("mistral")
    _trackers["mistral"] = make_tracker(amplitude, "mistral", user_id)
    for attr, cls in classes.items():
        for name, (surface, streams) in _mistral_hook.METHODS[attr].items():
            current = cls.__dict__.get(name)
            if current is None or getattr(current, SHIM_MARK, None) is not None:
                continue
            _replace(cls, name, _mistral_hook.class_hook(current, surface, streams))
    _registry.patched_providers.add("mistral")
    return None


def patch_gemini(amplitude: Any = None, *, user_id: str | None = None) -> None:
    """Track every ``google.genai.Client`` model call (Gemini API and Vertex AI)."""
    with _lock:
        _patch_gemini(amplitude, user_id)


def patch_mistral(amplitude: Any = None, *, user_id: str | None = None) -> None:
    """Track every mistralai ``Mistral`` chat and embedding call."""
    with _lock:
        _patch_mistral(amplitude, user_id)


def _patch_bedrock(amplitude: Any, user_id: str | None) -> str | None:
    """Register the Bedrock tracking handlers with every botocore session created from now
    on (botocore's ``BUILTIN_HANDLERS``) and with boto3's default session if it exists."""
    from .providers import _bedrock_hook
    from .providers._compat import note_untested, warn_not_instrumented
    from .providers._tracker import make_tracker

    try:
        from botocore import handlers
    except ImportError as exc:
        problem = f"no botocore ({exc})"
        warn_not_instrumented("bedrock", problem)
        return problem
    note_untested("bedrock")
    _trackers["bedrock"] = make_tracker(amplitude, "bedrock", user_id)
    builtin = list(handlers.BUILTIN_HANDLERS)
    ours = [(name, handler) for name, handler, _ in _bedrock_hook.HANDLERS]
    if not all(spec in builtin for spec in ours):
        _replace(handlers, "BUILTIN_HANDLERS", builtin + [s for s in ours if s not in builtin])
    boto3 = importlib.import_module("boto3") if _installed("boto3") else None
    session = getattr(boto3, "DEFAULT_SESSION", None)
    if session is not None:
        events = session.events
        _bedrock_hook.register(events)
        _cleanups.append(functools.partial(_bedrock_hook.unregister, events))
    _registry.patched_providers.add("bedrock")
    return None


def patch_bedrock(amplitude: Any = None, *, user_id: str | None = None) -> None:
    """Track every boto3 ``bedrock-runtime`` client created after this call (``converse``,
    ``converse_stream``, ``invoke_model``, ``invoke_model_with_response_stream``). A client
    created before it is not tracked: ``wrap()`` it or use ``amplitude_ai.Bedrock``."""
    with _lock:
        _patch_bedrock(amplitude, user_id)


def _litellm_callback(amplitude: Any, user_id: str | None) -> Callable[[], Any]:
    def make() -> Any:
        from .integrations.litellm import AmplitudeLiteLLMCallback

        return AmplitudeLiteLLMCallback(amplitude, user_id=user_id)

    return make


def _patch_litellm(amplitude: Any, user_id: str | None) -> str | None:
    """Register the LiteLLM callback now, or when the app imports LiteLLM (``patch()``
    never imports it: that takes seconds and may fetch LiteLLM's cost map)."""
    from .providers import _litellm_registration
    from .providers._compat import note_untested

    note_untested("litellm")
    _litellm_registration.register_when_imported(_litellm_callback(amplitude, user_id))
    _registry.patched_providers.add("litellm")
    return None


def patch_litellm(amplitude: Any = None, *, user_id: str | None = None) -> None:
    """Track every LiteLLM ``completion``/``acompletion`` (streamed too) and
    ``embedding``/``aembedding`` call, whichever provider LiteLLM routes it to, by adding an
    ``AmplitudeLiteLLMCallback`` to ``litellm.callbacks``. Calling it again replaces that
    callback; ``unpatch()`` removes it."""
    from .providers import _litellm_registration
    from .providers._compat import note_untested
    from .providers._tracker import resolve_ai

    ai, _ = resolve_ai(amplitude)
    with _lock:
        note_untested("litellm")
        _litellm_registration.register(_litellm_callback(ai, user_id))
        _registry.patched_providers.add("litellm")


_PATCHERS: dict[str, tuple[str, Callable[[Any, str | None], str | None]]] = {
    "openai": ("openai", lambda ai, user: _patch_openai_family("openai", ai, user)),
    "anthropic": ("anthropic", _patch_anthropic),
    "azure_openai": ("openai", lambda ai, user: _patch_openai_family("azure_openai", ai, user)),
    "gemini": ("google.genai", _patch_gemini),
    "mistral": ("mistralai", _patch_mistral),
    "bedrock": ("boto3", _patch_bedrock),
    "litellm": ("litellm", _patch_litellm),
}


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # e.g. no ``google`` package at all
        return False


def patch(amplitude: Any = None, *, user_id: str | None = None, debug: bool = False) -> PatchResult:
    """Patch every installed supported provider SDK; returns the names patched.

    ``amplitude`` is an ``amplitude.Amplitude`` or an ``AmplitudeAI`` (default: one
    configured from the environment, e.g. ``AMPLITUDE_AI_API_KEY``). One ``AmplitudeAI``
    is shared by all providers patched in this call. The result is a list of provider ids;
    its ``skipped`` maps an installed provider whose release cannot be instrumented to the
    reason (that provider's calls keep working, untracked; a warning says so once).
    ``debug=True`` prints a one-line summary of every event to stderr
    (``AIConfig(debug=True)`` for that ``AmplitudeAI``).
    """
    from .providers._tracker import resolve_ai

    ai, _ = resolve_ai(amplitude)
    if debug:
        ai.config.debug = True
    patched: list[str] = []
    skipped: dict[str, str] = {}
    with _lock:
        for name, (module, patcher) in _PATCHERS.items():
            if not _installed(module):
                continue
            problem = patcher(ai, user_id)
            if problem is None:
                patched.append(name)
            else:
                skipped[name] = problem
    return PatchResult(patched, skipped)


def unpatch() -> None:
    """Restore every attribute ``patch*`` replaced, exactly as it was (also ``del`` where
    nothing was defined before). Safe to call when nothing is patched."""
    with _lock:
        while _cleanups:
            _cleanups.pop()()
        while _saved:
            owner, name, previous = _saved.pop()
            if previous is _MISSING:
                delattr(owner, name)
            else:
                setattr(owner, name, previous)
        from .providers import _litellm_registration

        _litellm_registration.unregister()
        _trackers.clear()
        _registry.patched_providers.clear()
