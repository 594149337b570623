"""``wrap()``: instrument a provider client the application already created."""

from __future__ import annotations

import sys
from typing import Any

from .exceptions import ConfigurationError


def _instrumented_class(client: Any) -> type[Any] | None:
    """Our drop-in class for ``client``'s provider class (the most derived one it is an
    instance of: ``AzureOpenAI`` subclasses ``OpenAI``)."""
    import importlib

    from .providers.registry import PROVIDERS

    matches = []
    for spec in PROVIDERS:
        if spec.client_factory:  # no classes to match (boto3): see _factory_made
            continue
        for path in spec.import_paths:
            module = sys.modules.get(path)  # a client exists, so its SDK is imported
            if module is None:
                continue
            for class_name, drop_in in zip(spec.client_classes, spec.drop_ins, strict=True):
                cls = getattr(module, class_name, None)
                if isinstance(cls, type) and isinstance(client, cls):
                    matches.append((len(cls.__mro__), spec.drop_in_module, drop_in))
    if not matches:
        return None
    _, module_name, drop_in = max(matches)
    target = importlib.import_module(f"amplitude_ai.providers.{module_name}")
    return getattr(target, drop_in)


def _factory_made(client: Any) -> Any:
    """The provider module that wraps ``client`` when its SDK makes clients with a factory
    (boto3's ``bedrock-runtime``), else ``None``."""
    import importlib

    from .providers.registry import PROVIDERS

    for spec in PROVIDERS:
        if spec.client_factory and spec.module in sys.modules:
            target = importlib.import_module(f"amplitude_ai.providers.{spec.drop_in_module}")
            if target.owns(client):
                return target
    return None


def _copy_of(client: Any) -> Any:
    """A copy of ``client`` sharing its settings and connection pool.

    The SDK's own ``copy()`` first. Some older releases cannot copy every client they make
    (openai 1.0's ``AzureOpenAI.copy()`` drops ``api_version`` and raises): then a shallow
    copy whose resources are rebuilt on it, so that their calls go through the copy.
    """
    try:
        return client.copy()
    except (TypeError, ValueError):
        pass
    import copy as _copy

    new = _copy.copy(client)
    fields = vars(new)
    later = []
    for name, value in list(fields.items()):
        if getattr(value, "_client", None) is client:
            fields[name] = type(value)(new)  # resources take the client as their only argument
        elif type(value).__name__.endswith(("WithRawResponse", "WithStreamingResponse")):
            later.append(name)  # built from the resources, so after them
    for name in later:
        fields[name] = type(fields[name])(new)
    return new


def wrap(client: Any, amplitude: Any = None, *, user_id: str | None = None) -> Any:
    """An instrumented copy of ``client`` (``openai.OpenAI``/``AsyncOpenAI``/``AzureOpenAI``/
    ``AsyncAzureOpenAI``, ``anthropic.Anthropic``/``AsyncAnthropic``, ``google.genai.Client``,
    mistralai's ``Mistral``, a boto3 ``bedrock-runtime`` client).

    The copy is a real ``amplitude_ai.OpenAI`` (etc.) that shares the original's settings
    and HTTP connection pool; the original stays untouched. ``amplitude`` is an
    ``amplitude.Amplitude`` or an ``AmplitudeAI``; ``user_id`` is used for calls made
    outside a session without ``amplitude_user_id``. Wrapping an already instrumented
    client returns it unchanged, so instrumentation never doubles.
    """
    from .providers._compat import warn_not_instrumented
    from .providers._factory import INSTRUMENTED_MARK, attach, shim_instance_resources
    from .providers._tracker import make_tracker

    if getattr(type(client), INSTRUMENTED_MARK, False):
        return client
    factory_module = _factory_made(client)
    if factory_module is not None:
        return factory_module.wrap_client(client, amplitude, user_id)
    cls = _instrumented_class(client)
    if cls is None:
        raise ConfigurationError(
            f"wrap() supports OpenAI, Azure OpenAI, Anthropic, Gemini, Mistral and boto3 "
            "bedrock-runtime clients, not "
            f"{type(client).__module__}.{type(client).__qualname__}; for other providers use "
            "AmplitudeAI.track_ai_message() around the call"
        )
    custom = getattr(sys.modules.get(cls.__module__), "wrap_client", None)
    if custom is not None:  # a provider whose clients are not copied the Stainless way
        return custom(client, amplitude, user_id)
    if getattr(cls, "_amplitude_untracked", False):
        # A provider release the wrappers cannot hook: the app keeps its client, untracked.
        warn_not_instrumented(cls._amplitude_provider, "wrap() has no request hook to use")
        return client
    copy = _copy_of(client)
    copy.__class__ = cls
    shim_instance_resources(copy, cls._amplitude_instance_resources, cls._amplitude_provider)
    attach(copy, make_tracker(amplitude, cls._amplitude_provider, user_id))
    return copy
