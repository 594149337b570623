"""Framework integrations import their framework only when they are imported themselves:
``import amplitude_ai`` (and its middleware and integrations package) stays free of them."""

from __future__ import annotations

import subprocess
import sys

FRAMEWORKS = (
    "langchain_core",
    "langgraph",
    "llama_index",
    "opentelemetry",
    "agents",
    "pydantic_ai",
    "starlette",
    "fastapi",
    "flask",
    "anthropic",
    "openai",
    "crewai",
)


def _loaded_after(statement: str) -> list[str]:
    code = (
        f"import sys\n{statement}\nprint(','.join(m for m in {FRAMEWORKS!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return [m for m in out.stdout.strip().split(",") if m]


def test_sdk_middleware_and_integrations_package_import_no_framework():
    assert (
        _loaded_after("import amplitude_ai, amplitude_ai.middleware, amplitude_ai.integrations")
        == []
    )


def test_each_integration_imports_only_its_own_framework():
    assert "langchain_core" in _loaded_after("import amplitude_ai.integrations.langchain")
    loaded = _loaded_after("import amplitude_ai.integrations.opentelemetry")
    assert "opentelemetry" in loaded and "langchain_core" not in loaded
    assert "anthropic" not in _loaded_after("import amplitude_ai.integrations.anthropic_tools")


def test_top_level_names_load_on_first_access():
    loaded = _loaded_after(
        "import amplitude_ai\nassert 'create_amplitude_callback' in dir(amplitude_ai)"
    )
    assert loaded == []
    assert "langchain_core" in _loaded_after("from amplitude_ai import create_amplitude_callback")
