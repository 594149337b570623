"""A plan's ``uninstrumented_after`` from the first detection pass and the edit set
(``codemods/reuse.py``) equals a full re-detection of the output.

That shortcut is what keeps a plan from analysing its module twice; this is the guard that
makes it safe. Every Python file of every example app (``tests/apps/*/original``), of the
detection corpus and of the codemod fixture projects is planned in every tier; the plan is
applied to a copy, and the output is validated from scratch (``validate_file``'s analysis:
whole module, no relevance slice, no cache) with the bootstrap the plan wrote beside it. The
two counts must agree, whichever way the plan got its own (proof or fallback), and the proof
must carry most plans.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_fixture_apps import CASES  # type: ignore[import-not-found]

from amplitude_ai_mcp.codemods.plan import Options, apply_changes, plan_file, read_source
from amplitude_ai_mcp.detect import relevance
from amplitude_ai_mcp.detect.source import clear_caches
from amplitude_ai_mcp.detect.validate import validate_source
from amplitude_ai_mcp.workspace import WorkspaceError

TESTS = Path(__file__).resolve().parents[2]
TIERS = ("swap", "wrap", "session", "patch")


def _projects() -> Iterator[tuple[str, dict[str, bytes]]]:
    """(name, files) of every project: example apps, the detection corpus, fixture apps."""
    roots = [*sorted(TESTS.glob("apps/*/original")), TESTS / "mcp" / "detection_corpus"]
    for root in roots:
        files = {
            p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts
        }
        yield root.relative_to(TESTS).as_posix(), files
    for case in CASES:
        yield (
            f"fixture:{case.name}",
            {rel: c.encode("utf-8") if isinstance(c, str) else c for rel, c in case.files.items()},
        )


def _write(root: Path, files: dict[str, bytes]) -> None:
    if root.exists():
        shutil.rmtree(root)
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _redetected(root: Path, rel: str, monkeypatch: pytest.MonkeyPatch) -> int:
    """Uninstrumented sites of the written output, analysed whole and from scratch."""
    clear_caches()
    with monkeypatch.context() as patched:
        patched.setattr(relevance, "ENABLED", False)
        found = validate_source(read_source(root / rel, rel).text, rel, root, rel)
    clear_caches()
    assert not found.truncated
    return sum(not s.instrumented and not s.in_test for s in found.call_sites)


def test_reused_after_equals_a_full_redetection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared = proven = 0
    mismatches: list[str] = []
    for name, files in _projects():
        targets = [rel for rel in files if rel.endswith(".py")]
        for rel in targets:
            for tier in TIERS:
                root = (tmp_path / "p").resolve()
                _write(root, files)
                options = Options(tier=tier, agent_id="reuse-check" if tier == "session" else None)
                try:
                    outcome = plan_file(root, root / rel, options)
                except WorkspaceError:
                    continue  # e.g. the bootstrap itself, or a file that is not valid Python
                result = outcome.result
                if result.uninstrumented_before == 0 and not outcome.changes:
                    continue  # nothing to instrument: nothing to prove
                apply_changes(outcome.changes)
                expected = _redetected(root, rel, monkeypatch)
                compared += 1
                proven += outcome.after_reused
                if result.uninstrumented_after != expected:
                    mismatches.append(
                        f"{name}:{rel} [{tier}] reused={outcome.after_reused}: "
                        f"{result.uninstrumented_after} != {expected}"
                    )
    assert not mismatches, "\n".join(mismatches)
    # The guard is only worth something if the shortcut is taken: most plans prove it.
    assert compared > 300, compared
    assert proven > compared // 2, (proven, compared)
    print(f"\nplans compared: {compared}; after proven from the edit set: {proven}")
