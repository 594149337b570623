"""The generated verify test of every example app passes on the instrumented app and fails
on the original — run as real pytest subprocesses, offline (fake LLM), without API keys.

Three project trees per app are built in a temporary directory: ``instrumented`` (must pass),
``original`` (must fail: no bootstrap) and ``half`` (the original code plus the bootstrap
module, so the failure must come from the missing events, not from a missing import). Each
tree is run by one pytest process for all apps; outcomes are read from JUnit XML.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from amplitude_ai_mcp.verify.generate import generate
from amplitude_ai_mcp.workspace import Roots

from .apps import APPS, APPS_DIR, bootstrap_files, copy_app

VARIANTS = ("instrumented", "original", "half")
_SECRETS = ("AMPLITUDE_AI_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "AZURE_OPENAI_API_KEY")


def _offline_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SECRETS}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("PYTEST_ADDOPTS", None)
    return env


def _outcomes(xml: Path) -> dict[str, list[tuple[str, str, str]]]:
    """app -> [(test name, passed|failed|error|skipped, message)]."""
    found: dict[str, list[tuple[str, str, str]]] = {}
    for case in ET.parse(xml).getroot().iter("testcase"):
        app = case.get("classname", "").split(".")[0]
        outcome, message = "passed", ""
        for tag in ("failure", "error", "skipped"):
            node = case.find(tag)
            if node is not None:
                outcome = "failed" if tag == "failure" else tag
                message = (node.get("message") or "") + "\n" + (node.text or "")
        found.setdefault(app, []).append((case.get("name", ""), outcome, message))
    return found


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("verify-apps")
    generated: dict[str, object] = {}
    for app, (module, _) in APPS.items():
        root = copy_app(app, "instrumented", base / "instrumented" / app)
        result = generate(Roots((root,)), module, apply=True)
        generated[app] = result
        test_file = root / result.test_path
        for variant in ("original", "half"):
            other = copy_app(app, "original", base / variant / app)
            (other / "tests").mkdir(exist_ok=True)
            shutil.copy(test_file, other / result.test_path)
            if variant == "half":
                for rel in bootstrap_files(app):
                    shutil.copy(APPS_DIR / app / "instrumented" / rel, other / rel)
    procs = {
        variant: subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "--import-mode=importlib",
                "--rootdir",
                str(base / variant),
                f"--junitxml={base / variant}.xml",
                "-o",
                "junit_family=xunit1",
                str(base / variant),
            ],
            cwd=base / variant,
            env=_offline_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for variant in VARIANTS
    }
    logs = {variant: proc.communicate(timeout=300)[0] for variant, proc in procs.items()}
    return {
        "generated": generated,
        "logs": logs,
        "outcomes": {v: _outcomes(Path(f"{base / v}.xml")) for v in VARIANTS},
    }


@pytest.mark.parametrize("app", sorted(APPS))
def test_generated_test_passes_on_the_instrumented_app(runs, app):
    results = runs["outcomes"]["instrumented"].get(app)
    expected = len(runs["generated"][app].entry_points)
    assert results, runs["logs"]["instrumented"][-3000:]
    assert len(results) == expected >= 1
    assert [(name, outcome) for name, outcome, _ in results if outcome != "passed"] == [], (
        "\n".join(m for _, o, m in results if o != "passed")
    )


@pytest.mark.parametrize("app", sorted(APPS))
def test_generated_test_fails_on_the_original_app_with_a_readable_reason(runs, app):
    results = runs["outcomes"]["original"].get(app)
    assert results, runs["logs"]["original"][-3000:]
    for name, outcome, message in results:
        assert outcome in ("failed", "error"), name
        assert "is not instrumented yet (run the instrument_file tool on it)" in message, message


@pytest.mark.parametrize("app", sorted(APPS))
def test_generated_test_fails_when_only_the_bootstrap_exists(runs, app):
    """The original code with the bootstrap beside it: the events are missing."""
    results = runs["outcomes"]["half"].get(app)
    assert results, runs["logs"]["half"][-3000:]
    for name, outcome, message in results:
        assert outcome == "failed", (name, message)
        assert "AI Response" in message and "not instrumented" in message, message
