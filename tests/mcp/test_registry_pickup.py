"""A provider added to the SDK's registry reaches the MCP side with no edit there: its
client classes or factory, surfaces, drop-ins, patch function, distribution and offline
settings appear in detection's tables, verify's provider set and the suggestions."""

from __future__ import annotations

import dataclasses
import importlib

import pytest

from amplitude_ai.providers import registry as R
from amplitude_ai_mcp.detect import providers as P

NEW = (
    R.ProviderSpec(
        id="bedrock",  # a factory-made client, as boto3's are
        distribution="boto3",
        floor="1.28.57",
        below="2",
        extra="bedrock",
        module="boto3",
        client_classes=(),
        drop_ins=("Bedrock",),
        drop_in_module="bedrock",
        patch_function="patch_bedrock",
        surfaces=("invoke_model", "converse", "converse_stream"),
        pricing_id="aws",
        client_factory="boto3.client",
        service_name="bedrock-runtime",
        session_classes=("boto3.Session",),
    ),
    R.ProviderSpec(
        id="acme",  # a class-based client with a chat session and an async twin
        distribution="acme-ai",
        floor="1.0",
        below="2",
        extra="acme",
        module="acme",
        client_classes=("Acme", "AsyncAcme"),
        drop_ins=("AcmeDropIn", "AsyncAcmeDropIn"),
        drop_in_module="acme",
        patch_function="patch_acme",
        surfaces=("complete", "complete_stream", "vectors.embed", "sessions.open().say"),
        offline_env=(("ACME_API_KEY", "offline"),),
    ),
)


@pytest.fixture
def extended(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(R, "PROVIDERS", (*R.PROVIDERS, *NEW))
    monkeypatch.setattr(R, "BY_ID", {p.id: p for p in R.PROVIDERS})
    try:
        yield importlib.reload(P)
    finally:
        monkeypatch.undo()
        importlib.reload(P)


def test_new_entries_reach_detection(extended) -> None:
    acme = extended.client_class("acme.Acme")
    assert acme is not None and acme.provider == "acme" and not acme.is_async
    assert extended.client_class("acme.AsyncAcme").is_async
    family = extended.FAMILIES[acme.family]
    api, _, _ = extended.match_api(family, ["complete_stream"])
    assert api.stream and api.operation == "chat"
    assert extended.match_api(family, ["vectors", "embed"])[0].operation == "embedding"
    session = extended.DERIVED[(acme.family, "sessions.open")]
    assert extended.match_api(extended.FAMILIES[session], ["say"]) is not None
    bedrock = extended.client_class("boto3.Session.client")
    assert bedrock is not None and bedrock.service_arg == "bedrock-runtime"
    assert extended.SERVICE_CLIENTS["bedrock-runtime"][0] == "bedrock"
    assert extended.DROP_INS["acme.Acme"] == "AcmeDropIn"
    assert extended.SDK_CLIENTS["Bedrock"] == "boto3.client"
    assert extended.PATCH_TARGETS["patch_acme"] == {"acme"}
    assert {"acme", "bedrock"} <= extended.INSTRUMENTED
    assert extended.DISTRIBUTIONS["acme-ai"] == ("provider", "acme")
    assert extended.DISTRIBUTIONS["boto3"] == ("provider", "bedrock")


def test_new_entries_reach_suggestions(extended) -> None:
    from amplitude_ai_mcp.suggest import how_to_instrument

    text = how_to_instrument("acme", "acme.Acme")
    assert "from amplitude_ai import AcmeDropIn" in text and "patch_acme" in text
    assert "amplitude_ai.Bedrock" in how_to_instrument("bedrock")


def test_every_entry_still_constructs_with_the_defaults() -> None:
    """The fields this side reads are optional: an entry written with only the SDK's
    original fields still constructs (other branches add entries that way)."""
    required = [
        f.name for f in dataclasses.fields(R.ProviderSpec) if f.default is dataclasses.MISSING
    ]
    assert required == [
        "id",
        "distribution",
        "floor",
        "below",
        "extra",
        "module",
        "client_classes",
        "drop_ins",
        "drop_in_module",
    ]


def test_the_server_and_the_sdk_share_one_registry_module() -> None:
    """The server loads the registry and its data modules without importing the SDK
    package (start-up time); the SDK imported afterwards uses those very modules, as
    package attributes too."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import amplitude_ai_mcp.models\n"
        "assert 'amplitude_ai' not in sys.modules\n"
        "hosts = sys.modules['amplitude_ai.providers.registry_hosts']\n"
        "import amplitude_ai.providers\n"
        "loaded = sys.modules['amplitude_ai.providers.registry']\n"
        "assert amplitude_ai.providers.registry is loaded\n"
        "from amplitude_ai.providers.registry import PROVIDERS\n"
        "assert PROVIDERS is loaded.PROVIDERS\n"
        "from amplitude_ai.providers import registry_hosts\n"
        "assert registry_hosts is hosts and loaded.COMPATIBLE_HOSTS is hosts.COMPATIBLE_HOSTS\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr
