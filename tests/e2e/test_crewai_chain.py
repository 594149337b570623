"""The whole chain on the CrewAI example app (``tests/apps/crewai_crew``, laid out as
``crewai create crew`` lays a project out), with the real tools.

Same steps as ``test_framework_chain``: plan -> apply -> re-apply changes nothing ->
validate_file reports 0 uninstrumented -> generate_verify_test on the project -> the
generated tests pass on the instrumented copy, fail on the original, and fail on the
original beside the bootstrap the tool wrote.

CrewAI's pins clash with the MCP server's, so no venv holds both. The MCP half (instrument,
validate, generate) runs wherever ``amplitude_ai_mcp`` imports: in this process, or else
in the interpreter named by ``AMPLITUDE_AI_MCP_PYTHON`` (``scripts/provider_matrix.py`` sets it
when it runs this file in a CrewAI venv). The generated tests run only where CrewAI is
installed; in the dev venv that half skips.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from .apps import copy_app, run_pytest_per_variant

APP = "crewai_crew"
VARIANTS = ("instrumented", "original", "half")
MCP_PYTHON = "AMPLITUDE_AI_MCP_PYTHON"
# CrewAI offline and quiet: no telemetry, tracing, version check or first-run prompt.
CREWAI_OFFLINE = {
    "CREWAI_TESTING": "true",
    "CREWAI_DISABLE_TELEMETRY": "true",
    "CREWAI_DISABLE_TRACKING": "true",
    "CREWAI_TRACING_ENABLED": "false",
    "CREWAI_DISABLE_VERSION_CHECK": "true",
    "OTEL_SDK_DISABLED": "true",
}


def prepare(base: Path) -> dict[str, object]:
    """The MCP half: instrument a copy of the app with the real tools, generate its verify
    test, and lay out the three variants under ``base`` (needs ``amplitude_ai_mcp``)."""
    from amplitude_ai_mcp.verify.generate import generate
    from amplitude_ai_mcp.workspace import Roots

    from .test_instrument_verify_chain import _instrument

    root = copy_app(APP, "original", base / "instrumented" / APP)
    report = _instrument(APP, root)
    generated = generate(Roots((root,)), apply=True)
    for variant in VARIANTS[1:]:
        other = copy_app(APP, "original", base / variant / APP)
        (other / "tests").mkdir()
        shutil.copy(root / generated.test_path, other / generated.test_path)
        if variant == "half":  # the original code beside the bootstrap the tool wrote
            for boot in root.rglob("amplitude_bootstrap.py"):
                shutil.copy(boot, other / boot.relative_to(root))
    bootstraps = [p.relative_to(root).as_posix() for p in root.rglob("amplitude_bootstrap.py")]
    return {
        "report": report,
        "test_path": str(generated.test_path),
        "entry_points": len(generated.entry_points),
        "needs_input": [n.question for n in generated.needs_input],
        "bootstraps": {rel: (root / rel).read_text(encoding="utf-8") for rel in bootstraps},
        "test_source": (root / generated.test_path).read_text(encoding="utf-8"),
    }


def _prepare_elsewhere(python: str, base: Path) -> dict[str, object]:
    """:func:`prepare` in the MCP server's interpreter (this one has CrewAI, not the server)."""
    tests = Path(__file__).resolve().parents[1]
    code = (
        "import json, sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); "
        "from e2e.test_crewai_chain import prepare; "
        "Path(sys.argv[3]).write_text(json.dumps(prepare(Path(sys.argv[2]))))"
    )
    out = base / "prepared.json"
    done = subprocess.run(
        [python, "-c", code, str(tests), str(base), str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    base = tmp_path_factory.mktemp("crewai_chain")
    if importlib.util.find_spec("amplitude_ai_mcp") is not None:
        return base, prepare(base)
    python = os.environ.get(MCP_PYTHON)
    if not python:
        pytest.skip(f"neither amplitude_ai_mcp here nor {MCP_PYTHON} set")
    return base, _prepare_elsewhere(python, base)


@pytest.fixture(scope="module")
def outcomes(prepared):
    if importlib.util.find_spec("crewai") is None:
        pytest.skip("crewai is not installed here (the matrix's crewai lines run this part)")
    base, _ = prepared
    with pytest.MonkeyPatch.context() as patch:  # read by offline_env() for the subprocesses
        for name, value in CREWAI_OFFLINE.items():
            patch.setenv(name, value)
        patch.setenv("CREWAI_STORAGE_DIR", tempfile.mkdtemp(prefix="crewai-chain-"))
        logs, found = run_pytest_per_variant(base, VARIANTS)
    return logs, {variant: found[variant].get(APP) for variant in VARIANTS}


def test_apply_is_idempotent_and_leaves_nothing_uninstrumented(prepared):
    report = prepared[1]["report"]
    files = report["files"]
    assert files, "nothing was instrumented"
    assert sum(f["edits"] for f in files.values()) >= 1
    assert sum(f["uninstrumented_before"] for f in files.values()) >= 1
    for rel, f in files.items():
        assert f["reapply_changes"] == 0 and f["reapply_identical"], rel
    assert set(report["uninstrumented_after"].values()) == {0}, report["uninstrumented_after"]


def test_bootstrap_registers_the_crewai_hooks_once(prepared):
    bootstraps = prepared[1]["bootstraps"]
    assert list(bootstraps) == ["src/market_brief/amplitude_bootstrap.py"]
    text = bootstraps["src/market_brief/amplitude_bootstrap.py"]
    assert text.count("AmplitudeCrewAIHooks(ai).register()") == 1
    compile(text, "amplitude_bootstrap.py", "exec")


def test_generated_test_drives_the_crew(prepared):
    info = prepared[1]
    assert info["entry_points"] >= 1
    assert not [q for q in info["needs_input"] if "not checked" in q]
    assert "main.py" in info["test_source"] and "run" in info["test_source"]


def test_generated_test_passes_on_the_instrumented_crew(prepared, outcomes):
    logs, results = outcomes
    assert results["instrumented"], logs["instrumented"][-3000:]
    assert len(results["instrumented"]) == prepared[1]["entry_points"]
    failures = [m for _, outcome, m in results["instrumented"] if outcome != "passed"]
    assert failures == []


def test_same_generated_test_fails_on_the_original(outcomes):
    logs, results = outcomes
    assert results["original"], logs["original"][-3000:]
    for name, outcome, message in results["original"]:
        assert outcome in ("failed", "error"), name
        assert "is not instrumented yet" in message, message


def test_same_generated_test_fails_on_the_original_beside_the_bootstrap(outcomes):
    logs, results = outcomes
    assert results["half"], logs["half"][-3000:]
    for name, outcome, message in results["half"]:
        assert outcome == "failed", (name, message)
        assert "not instrumented" in message and "event" in message, message


if __name__ == "__main__":  # pragma: no cover - for a manual run of the MCP half
    print(json.dumps(prepare(Path(sys.argv[1])), indent=2))
