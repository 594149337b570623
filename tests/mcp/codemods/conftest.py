"""Fixtures for the codemod tests: import + run instrumented code offline with the SDK's fake
LLM while the bootstrap's ``AmplitudeAI`` is a capturing mock."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import amplitude_ai
from amplitude_ai.testing import MockAmplitudeAI, fake_llm

_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from codemod_harness import CapturingAI  # noqa: E402


@pytest.fixture
def run_app(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Callable[[Path, str, Callable[..., Any]], tuple[Any, MockAmplitudeAI]]]:
    """Import ``module`` from ``root`` and call ``drive(module, ai)`` under the fake LLM.

    ``ai`` is the bootstrap's instance (a capturing mock). Returns (drive's result, ai).
    """
    roots: list[Path] = []
    CapturingAI.instances = []
    monkeypatch.setattr(amplitude_ai, "AmplitudeAI", CapturingAI)
    for var in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "AZURE_OPENAI_API_KEY"):
        monkeypatch.setenv(var, "test-key")
    monkeypatch.setenv("OPENAI_API_VERSION", "2024-06-01")
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://example-resource.openai.azure.com")

    def run(root: Path, module: str, drive: Callable[..., Any]) -> tuple[Any, MockAmplitudeAI]:
        roots.append(root)
        monkeypatch.syspath_prepend(str(root))
        # Each app has its own bootstrap module under one name: never reuse another test's.
        sys.modules.pop("amplitude_bootstrap", None)
        importlib.invalidate_caches()
        with fake_llm("Hello from the fake LLM"):
            mod = importlib.import_module(module)
            assert CapturingAI.instances, "the instrumented module did not import the bootstrap"
            ai = CapturingAI.instances[0]
            result = drive(mod, ai)
            if inspect.iscoroutine(result):
                result = asyncio.run(result)
        return result, ai

    yield run
    # Forget only the app's modules: provider SDKs imported on the way must stay loaded (their
    # sentinels are compared by identity).
    for name, module in list(sys.modules.items()):
        origin = getattr(module, "__file__", None) or ""
        if any(origin.startswith(str(r)) for r in roots):
            sys.modules.pop(name, None)
