"""The provider registry names what exists: every drop-in, patch function and API surface
it lists is real on the installed provider SDKs."""

from __future__ import annotations

import importlib
import importlib.util
from operator import attrgetter

import pytest

import amplitude_ai
from amplitude_ai.providers.registry import PROVIDERS
from amplitude_ai.testing import MockAmplitudeAI


def _installed(spec) -> bool:
    try:
        return importlib.util.find_spec(spec.module) is not None
    except ImportError:
        return False


@pytest.mark.parametrize("spec", PROVIDERS, ids=lambda s: s.id)
def test_entry_names_what_exists(spec):
    # A router (LiteLLM) is priced per provider it routes to, not with a pricing id.
    assert spec.surfaces and (spec.pricing_id or spec.functions) and spec.patch_function
    assert callable(getattr(amplitude_ai, spec.patch_function))
    if spec.client_factory:  # boto3: clients come from a factory, the drop-in is one too
        assert not spec.client_classes and spec.service_name
    else:
        assert len(spec.client_classes) == len(spec.drop_ins)
    if not _installed(spec):
        pytest.skip(f"{spec.distribution} is not installed")
    if spec.client_factory:
        module_name, _, factory = spec.client_factory.rpartition(".")
        assert callable(getattr(importlib.import_module(module_name), factory))
        client = _client(spec)
        assert client.meta.service_model.service_name == spec.service_name
        return
    for class_name, drop_in in zip(spec.client_classes, spec.drop_ins, strict=True):
        provider_cls = None
        for path in spec.import_paths:
            try:
                provider_cls = getattr(importlib.import_module(path), class_name, None)
            except ImportError:
                continue
            if provider_cls is not None:
                break
        assert isinstance(provider_cls, type), f"{class_name} not in {spec.import_paths}"
        ours = getattr(amplitude_ai, drop_in)
        assert issubclass(ours, provider_cls)


def _client(spec):
    """A drop-in client of ``spec`` (constructed only, never called)."""
    client = getattr(amplitude_ai, spec.drop_ins[0])
    kwargs = {
        "gemini": {"api_key": "k"},
        "mistral": {"api_key": "k"},
        "azure_openai": {"api_key": "k", "azure_endpoint": "http://x", "api_version": "v"},
        "bedrock": {
            "region_name": "us-east-1",
            "aws_access_key_id": "k",
            "aws_secret_access_key": "s",
        },
    }.get(spec.id, {"api_key": "k"})
    return client(amplitude=MockAmplitudeAI(), **kwargs)


@pytest.mark.parametrize("spec", PROVIDERS, ids=lambda s: s.id)
def test_surfaces_are_methods_of_the_client(spec):
    if not _installed(spec):
        pytest.skip(f"{spec.distribution} is not installed")
    if spec.functions:  # module functions (LiteLLM), reported through its callback list
        module = importlib.import_module(spec.module)
        assert spec.surfaces == spec.functions
        assert all(callable(getattr(module, name, None)) for name in spec.functions)
        module_name, _, class_name = spec.callback.partition(":")
        callback = getattr(importlib.import_module(module_name), class_name)
        base = importlib.import_module(f"{spec.module}.integrations.custom_logger")
        assert issubclass(callback, base.CustomLogger)
        return
    client = _client(spec)
    missing = []
    for surface in spec.surfaces:
        owner_path, _, method = surface.rpartition(".")
        owner = client
        for step in owner_path.split("."):
            if step.endswith("()"):
                owner = getattr(owner, step[:-2])(model="m")  # chats.create(model=...)
            else:
                owner = getattr(owner, step, None)
            if owner is None:
                break
        if owner is None or not callable(getattr(owner, method, None)):
            missing.append(surface)
    # Older releases may lack a surface (e.g. openai's Responses API); the newest have all.
    # (boto3 before 1.34.116 has no converse/converse_stream).
    assert not missing or spec.id in ("openai", "azure_openai", "anthropic", "bedrock"), missing
    assert callable(attrgetter(spec.surfaces[0])(client))


def test_reported_ids_cover_hosts_and_variants_of_a_client() -> None:
    from amplitude_ai.providers import registry

    openai_ids = registry.reported_ids("openai")
    assert {"openai", "groq", "ollama", registry.UNKNOWN_HOST_PROVIDER} <= openai_ids
    assert registry.reported_ids("gemini") == {"gemini", "vertex_ai"}
    assert registry.reported_ids("anthropic") == {"anthropic"}
    assert "openai_compatible" not in registry.reported_ids("azure_openai")


def test_every_untracked_api_the_sdk_reports_has_a_registry_reason() -> None:
    """The SDK names untracked calls by request path (a resource such as ``beta.threads``)
    or by operation (Bedrock): each name must resolve to the registry's ``untracked``."""
    from amplitude_ai.providers import _bedrock_hook, _untracked
    from amplitude_ai.providers.registry import BY_ID

    reported = {
        (provider, api) for provider, table in _untracked._PATHS.items() for _, api in table
    } | {("bedrock", api) for api in _bedrock_hook.NOT_TRACKED.values()}
    reported |= {("openai", api) for _, _, _, api in _untracked.REALTIME_CONNECT}
    assert len(reported) >= 10
    missing = {(p, api) for p, api in reported if not BY_ID[p].untracked_reason(api)}
    assert missing == set()
    assert BY_ID["openai"].untracked_reason("beta.threads") == BY_ID[
        "azure_openai"
    ].untracked_reason("beta.threads.runs.create")
    assert BY_ID["openai"].untracked_reason("chat.completions") is None
