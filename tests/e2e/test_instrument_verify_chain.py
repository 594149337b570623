"""The whole chain on every example app, with the real tools (no hand-written instrumentation):

plan (instrument_file, apply=false) -> apply -> re-apply changes nothing (byte-identical) ->
validate_file reports 0 uninstrumented -> generate_verify_test on the whole project (no path)
-> the generated tests pass on the instrumented copy -> the same tests fail on the original,
and on the original beside the bootstrap the tool wrote (no events: the code is not
instrumented).

Where instrument_file asks for input it cannot guess (the user id of a web request), the
answer a developer would give is applied, as a coding agent does with ``needs_input``; what
generate_verify_test asks is answered only through its ``inputs`` (by needs_input id).
The generated tests run in two pytest subprocesses (all apps each), offline, without keys.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from amplitude_ai_mcp.codemods.plan import Options, apply_changes, plan_file
from amplitude_ai_mcp.detect.validate import validate_source
from amplitude_ai_mcp.verify.generate import generate
from amplitude_ai_mcp.workspace import Roots

from .apps import APPS, CHAINS, PROJECT_APPS, Chain, copy_app, run_pytest_per_variant

ALL_APPS = sorted({*APPS, *PROJECT_APPS})


def _call_site_files(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if validate_source(path.read_text(encoding="utf-8"), rel, root, rel).total:
            found.append(rel)
    return found


def _answer_user_id(root: Path, rel: str, expression: str) -> None:
    path = root / rel
    text = path.read_bytes().decode("utf-8")
    assert text.count(".session():") == 1, text
    path.write_bytes(text.replace(".session():", f".session(user_id={expression}):").encode())


# instrument_file answers needs_input through Options.inputs where this version has it;
# otherwise the answer is written into the session call as a developer would.
_ANSWERS_BY_ID = "inputs" in {f.name for f in dataclasses.fields(Options)}


def _instrument(app: str, root: Path) -> dict[str, object]:
    chain = CHAINS.get(app, Chain())
    options = Options(chain.tier, chain.agent_id, None, "full")
    report: dict[str, object] = {"files": {}}
    for rel in chain.files or _call_site_files(root):
        planned = plan_file(root, root / rel, options)
        by_inputs = chain.user_id is not None and _ANSWERS_BY_ID
        if by_inputs:  # answer "where does the user id come from?" by its needs_input id
            asked = [n.id for n in planned.result.needs_input if "user id" in n.question]
            options = dataclasses.replace(options, inputs={i: chain.user_id for i in asked})
            planned = plan_file(root, root / rel, options)
        before = (root / rel).read_bytes()
        assert planned.result.applied is False and (root / rel).read_bytes() == before
        apply_changes(planned.changes)
        after = {c: (root / c).read_bytes() for c in planned.result.files}
        replanned = plan_file(root, root / rel, options)
        apply_changes(replanned.changes)
        report["files"][rel] = {  # type: ignore[index]
            "edits": len(planned.result.edits),
            "uninstrumented_before": planned.result.uninstrumented_before,
            "reapply_changes": len(replanned.changes),
            "reapply_identical": all((root / c).read_bytes() == b for c, b in after.items()),
            "needs_input": [n.question for n in planned.result.needs_input],
        }
        if chain.user_id is not None and not by_inputs:
            _answer_user_id(root, rel, chain.user_id)
    report["uninstrumented_after"] = {
        rel: validate_source(
            (root / rel).read_text(encoding="utf-8"), rel, root, rel
        ).uninstrumented
        for rel in _call_site_files(root)
    }
    return report


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    base = tmp_path_factory.mktemp("chain")
    reports, generated = {}, {}
    for app in ALL_APPS:
        root = copy_app(app, "original", base / "instrumented" / app)
        reports[app] = _instrument(app, root)
        generated[app] = generate(
            Roots((root,)), apply=True, inputs=CHAINS.get(app, Chain()).inputs
        )
        reports[app]["verify_needs_input"] = [n.id for n in generated[app].needs_input]
        for variant in ("original", "half"):
            other = copy_app(app, "original", base / variant / app)
            (other / "tests").mkdir()
            shutil.copy(root / generated[app].test_path, other / generated[app].test_path)
            if variant == "half":  # the original code beside the bootstrap the tool wrote
                for boot in root.rglob("amplitude_bootstrap.py"):
                    shutil.copy(boot, other / boot.relative_to(root))
    logs, outcomes = run_pytest_per_variant(base, ("instrumented", "original", "half"))
    return {"reports": reports, "generated": generated, "logs": logs, "outcomes": outcomes}


@pytest.mark.parametrize("app", ALL_APPS)
def test_apply_is_idempotent_and_leaves_nothing_uninstrumented(chain, app):
    report = chain["reports"][app]
    files = report["files"]
    assert files, "nothing was instrumented"
    assert sum(f["edits"] for f in files.values()) >= 1
    for rel, f in files.items():
        assert f["reapply_changes"] == 0 and f["reapply_identical"], rel
    assert set(report["uninstrumented_after"].values()) == {0}, report["uninstrumented_after"]


@pytest.mark.parametrize("app", ALL_APPS)
def test_generated_test_passes_after_instrument_file(chain, app):
    results = chain["outcomes"]["instrumented"].get(app)
    assert results, chain["logs"]["instrumented"][-3000:]
    assert len(results) == len(chain["generated"][app].entry_points)
    failures = [m for _, outcome, m in results if outcome != "passed"]
    assert failures == []


@pytest.mark.parametrize("app", ALL_APPS)
def test_same_generated_test_fails_on_the_original(chain, app):
    results = chain["outcomes"]["original"].get(app)
    assert results, chain["logs"]["original"][-3000:]
    for name, outcome, message in results:
        assert outcome in ("failed", "error"), name
        assert "is not instrumented yet" in message, message


@pytest.mark.parametrize("app", ALL_APPS)
def test_same_generated_test_fails_on_the_original_beside_the_bootstrap(chain, app):
    """The failure comes from the missing events, not only from the missing bootstrap."""
    if CHAINS.get(app, Chain()).tier == "patch":
        pytest.skip("tier patch: the bootstrap's patch() is the instrumentation itself")
    results = chain["outcomes"]["half"].get(app)
    assert results, chain["logs"]["half"][-3000:]
    for name, outcome, message in results:
        assert outcome == "failed", (name, message)
        assert "not instrumented" in message and "event" in message, message
