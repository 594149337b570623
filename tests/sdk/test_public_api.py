"""The public surface of ``amplitude_ai``: pinned, documented, side-effect free."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

import amplitude_ai

EXPECTED_PUBLIC_API = {
    "AIConfig",
    "AmplitudeAI",
    "AmplitudeAIError",
    "Anthropic",
    "AsyncAnthropic",
    "AsyncAzureOpenAI",
    "AsyncOpenAI",
    "AzureOpenAI",
    "Bedrock",
    "BoundAgent",
    "ConfigurationError",
    "ContentMode",
    "EvidenceQuote",
    "MessageLabel",
    "MockAmplitudeAI",
    "OpenAI",
    "Gemini",
    "Mistral",
    "RubricScore",
    "Session",
    "SessionContext",
    "SessionEnrichments",
    "TenantHandle",
    "TopicClassification",
    "ValidationError",
    "__version__",
    "calculate_cost",
    "current_context",
    "extract_context",
    "infer_model_tier",
    "inject_context",
    "observe",
    "patch",
    "patch_anthropic",
    "patch_azure_openai",
    "patch_bedrock",
    "patch_gemini",
    "patch_litellm",
    "patch_mistral",
    "patch_openai",
    "tool",
    "unpatch",
    "validate_event",
    "wrap",
}
# Instrumented provider clients: loaded on first access so the package imports no SDK.
LAZY_CLIENTS = {
    "Anthropic",
    "AsyncAnthropic",
    "AsyncAzureOpenAI",
    "AsyncOpenAI",
    "AzureOpenAI",
    "OpenAI",
    "Gemini",
    "Mistral",
    "Bedrock",
}


EXPECTED_TESTING_API = {
    "FakeCall",
    "FakeLLM",
    "FakeReply",
    "FakeToolCall",
    "MockAmplitudeAI",
    "fake_llm",
    "fitting_replies",
    "sample_from_schema",
}
EXPECTED_MOCK_METHODS = {
    "assert_all_valid",
    "assert_event_tracked",
    "assert_session_closed",
    "capture",
    "events_for_agent",
    "events_for_session",
    "events_of_type",
    "reset",
}


def test_testing_module_is_pinned():
    from amplitude_ai import testing

    assert set(testing.__all__) == EXPECTED_TESTING_API
    own = {
        name
        for name in vars(testing.MockAmplitudeAI)
        if not name.startswith("_") and inspect.getdoc(getattr(testing.MockAmplitudeAI, name))
    }
    assert own == EXPECTED_MOCK_METHODS


def test_all_is_pinned():
    assert set(amplitude_ai.__all__) == EXPECTED_PUBLIC_API
    assert len(amplitude_ai.__all__) == len(set(amplitude_ai.__all__))


def test_all_equals_the_public_names_of_the_module():
    public = {
        name
        for name, value in vars(amplitude_ai).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert public | {"__version__"} | LAZY_CLIENTS == set(amplitude_ai.__all__)


def test_lazy_clients_are_the_provider_subclasses():
    import anthropic
    import openai

    assert issubclass(amplitude_ai.OpenAI, openai.OpenAI)
    assert issubclass(amplitude_ai.AsyncOpenAI, openai.AsyncOpenAI)
    assert issubclass(amplitude_ai.AzureOpenAI, openai.AzureOpenAI)
    assert issubclass(amplitude_ai.AsyncAzureOpenAI, openai.AsyncAzureOpenAI)
    assert issubclass(amplitude_ai.Anthropic, anthropic.Anthropic)
    assert issubclass(amplitude_ai.AsyncAnthropic, anthropic.AsyncAnthropic)
    assert set(dir(amplitude_ai)) >= LAZY_CLIENTS
    # Bedrock is boto3's client factory wrapped: it builds botocore clients, not a subclass.
    client = amplitude_ai.Bedrock(
        amplitude=amplitude_ai.testing.MockAmplitudeAI(),
        region_name="us-east-1",
        aws_access_key_id="k",
        aws_secret_access_key="s",
    )
    assert client.meta.service_model.service_name == "bedrock-runtime"
    with pytest.raises(AttributeError, match="no attribute 'Cohere'"):
        amplitude_ai.Cohere  # noqa: B018  (not a provider this SDK has)


def test_every_public_object_is_documented():
    undocumented = [
        name
        for name in amplitude_ai.__all__
        if name != "__version__" and not inspect.getdoc(getattr(amplitude_ai, name))
    ]
    assert undocumented == []


def test_import_has_no_heavy_or_provider_side_effects():
    code = (
        "import sys, amplitude_ai\n"
        "heavy = ['openai', 'anthropic', 'google.genai', 'mistralai', 'boto3', 'litellm',"
        " 'genai_prices',"
        " 'amplitude', 'httpx', 'httpx2']\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
    assert out.stderr == ""


def test_version_matches_distribution_metadata():
    from importlib.metadata import version

    assert amplitude_ai.__version__ == version("amplitude-ai")
