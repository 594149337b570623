"""The rewriter enters only the nodes on a path to an edit (``edit_tree.paths_to_edits``):
libcst rebuilds every node it enters, and below an edited node a rewrite receives the
original subtree anyway. The written bytes must be exactly those of a rewrite that enters
every node, for every file of every example app, the detection corpus and the fixture
projects, in the swap tier (rewrites constructions) and the session tier (wraps bodies)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_plan_reuse import _projects, _write  # type: ignore[import-not-found]

from amplitude_ai_mcp.codemods import plan as planning
from amplitude_ai_mcp.codemods.edit_tree import forget_trees
from amplitude_ai_mcp.codemods.plan import Options, plan_file
from amplitude_ai_mcp.detect.source import clear_caches
from amplitude_ai_mcp.workspace import WorkspaceError


def _written(root: Path, rel: str, options: Options) -> list[tuple[str, bytes]] | None:
    clear_caches()
    forget_trees()
    try:
        outcome = plan_file(root, root / rel, options)
    except WorkspaceError:
        return None
    return [(change.path.name, change.new) for change in outcome.changes]


def test_rewriting_only_the_paths_to_edits_writes_what_a_full_rewrite_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared = 0
    differences: list[str] = []
    for name, files in _projects():
        root = (tmp_path / "p").resolve()
        _write(root, files)
        for rel in (r for r in files if r.endswith(".py")):
            for tier in ("swap", "session"):
                options = Options(tier=tier, agent_id="paths" if tier == "session" else None)
                ours = _written(root, rel, options)
                with monkeypatch.context() as patched:
                    patched.setattr(planning, "paths_to_edits", lambda *args: None)
                    full = _written(root, rel, options)
                if ours is None or not ours:
                    assert full == ours, f"{name}:{rel} [{tier}]"
                    continue
                compared += 1
                if ours != full:
                    differences.append(f"{name}:{rel} [{tier}]")
    assert not differences, "\n".join(differences)
    assert compared > 100, compared  # the comparison covered real edits
