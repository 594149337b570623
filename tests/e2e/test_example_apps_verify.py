"""The generated verify test of every example app passes on the instrumented app and fails
on the original — run as real pytest subprocesses, offline (fake LLM), without API keys.

Three project trees per app are built in a temporary directory: ``instrumented`` (must pass),
``original`` (must fail: no bootstrap) and ``half`` (the original code plus the bootstrap
module, so the failure must come from the missing events, not from a missing import). Each
tree is run by one pytest process for all apps; outcomes are read from JUnit XML.
"""

from __future__ import annotations

import shutil

import pytest

from amplitude_ai_mcp.verify.generate import generate
from amplitude_ai_mcp.workspace import Roots

from .apps import APPS, APPS_DIR, bootstrap_files, copy_app, run_pytest_per_variant

VARIANTS = ("instrumented", "original", "half")


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
    logs, found = run_pytest_per_variant(base, VARIANTS)
    return {"generated": generated, "logs": logs, "outcomes": found}


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
