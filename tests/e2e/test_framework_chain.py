"""The whole chain on the framework example apps (``FRAMEWORK_APPS``), with the real tools.

Same steps as ``test_instrument_verify_chain``: plan -> apply -> re-apply changes nothing ->
validate_file reports 0 uninstrumented -> generate_verify_test on the project -> the
generated tests pass on the instrumented copy, fail on the original, and fail on the
original beside the bootstrap the tool wrote (the app does not import it, so the framework
integrations are never registered and no event is sent; a script must load it itself: the
test imports nothing before running it). Web apps' tests name the request's user the way the
middleware reads it, and check it on the events.

Framework integrations register process-wide (a LangChain configure hook, an Agents SDK
trace processor), so each app's generated tests run in a pytest process of its own.
"""

from __future__ import annotations

import shutil

import pytest

from amplitude_ai_mcp.verify.generate import generate
from amplitude_ai_mcp.workspace import Roots

from .apps import CHAINS, FRAMEWORK_APPS, Chain, copy_app, run_pytest_per_variant
from .test_instrument_verify_chain import _instrument

APPS = sorted(FRAMEWORK_APPS)
VARIANTS = ("instrumented", "original", "half")


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    base = tmp_path_factory.mktemp("framework_chain")
    reports, generated, logs, outcomes = {}, {}, {}, {}
    for app in APPS:
        root = copy_app(app, "original", base / app / "instrumented" / app)
        reports[app] = _instrument(app, root)
        generated[app] = generate(
            Roots((root,)), apply=True, inputs=CHAINS.get(app, Chain()).inputs
        )
        for variant in VARIANTS[1:]:
            other = copy_app(app, "original", base / app / variant / app)
            (other / "tests").mkdir()
            shutil.copy(root / generated[app].test_path, other / generated[app].test_path)
            if variant == "half":
                for boot in root.rglob("amplitude_bootstrap.py"):
                    shutil.copy(boot, other / boot.relative_to(root))
        logs[app], found = run_pytest_per_variant(base / app, VARIANTS)
        outcomes[app] = {variant: found[variant].get(app) for variant in VARIANTS}
    return {"reports": reports, "generated": generated, "logs": logs, "outcomes": outcomes}


@pytest.mark.parametrize("app", APPS)
def test_apply_is_idempotent_and_leaves_nothing_uninstrumented(chain, app):
    report = chain["reports"][app]
    files = report["files"]
    assert files, "nothing was instrumented"
    assert sum(f["edits"] for f in files.values()) >= 1
    assert sum(f["uninstrumented_before"] for f in files.values()) >= 1
    for rel, f in files.items():
        assert f["reapply_changes"] == 0 and f["reapply_identical"], rel
    assert set(report["uninstrumented_after"].values()) == {0}, report["uninstrumented_after"]


@pytest.mark.parametrize("app", APPS)
def test_generated_test_drives_the_framework_and_passes(chain, app):
    generated = chain["generated"][app]
    assert not [n for n in generated.needs_input if "not checked" in n.question]
    results = chain["outcomes"][app]["instrumented"]
    assert results, chain["logs"][app]["instrumented"][-3000:]
    assert len(results) == len(generated.entry_points)
    failures = [m for _, outcome, m in results if outcome != "passed"]
    assert failures == []


@pytest.mark.parametrize("app", APPS)
def test_same_generated_test_fails_on_the_original(chain, app):
    results = chain["outcomes"][app]["original"]
    assert results, chain["logs"][app]["original"][-3000:]
    for name, outcome, message in results:
        assert outcome in ("failed", "error"), name
        assert "is not instrumented yet" in message, message


@pytest.mark.parametrize("app", APPS)
def test_same_generated_test_fails_on_the_original_beside_the_bootstrap(chain, app):
    results = chain["outcomes"][app]["half"]
    assert results, chain["logs"][app]["half"][-3000:]
    for name, outcome, message in results:
        assert outcome == "failed", (name, message)
        assert "not instrumented" in message and "event" in message, message
