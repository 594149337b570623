"""The public surface of ``amplitude_ai``: pinned, documented, side-effect free."""

from __future__ import annotations

import inspect
import subprocess
import sys

import amplitude_ai

EXPECTED_PUBLIC_API = {
    "AIConfig",
    "AmplitudeAI",
    "AmplitudeAIError",
    "BoundAgent",
    "ConfigurationError",
    "ContentMode",
    "EvidenceQuote",
    "MessageLabel",
    "MockAmplitudeAI",
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
    "tool",
    "validate_event",
}


def test_all_is_pinned():
    assert set(amplitude_ai.__all__) == EXPECTED_PUBLIC_API
    assert len(amplitude_ai.__all__) == len(set(amplitude_ai.__all__))


def test_all_equals_the_public_names_of_the_module():
    public = {
        name
        for name, value in vars(amplitude_ai).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert public | {"__version__"} == set(amplitude_ai.__all__)


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
        "heavy = ['openai', 'anthropic', 'google.genai', 'mistralai', 'boto3', 'genai_prices',"
        " 'amplitude', 'httpx']\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
    assert out.stderr == ""


def test_version_matches_distribution_metadata():
    from importlib.metadata import version

    assert amplitude_ai.__version__ == version("amplitude-ai")
