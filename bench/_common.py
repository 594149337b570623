"""Helpers shared by the benchmark scripts (not a benchmark itself)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
from typing import Any

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _git(cwd: str, *args: str) -> str:
    try:
        return subprocess.run(
            ["git", "--no-optional-locks", "-C", cwd, *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


def git_state() -> dict[str, Any]:
    """Which SDK code is measured: the commit of this repo and whether ``sdk/`` had
    uncommitted changes (read-only git), or the directory ``amplitude_ai`` is imported
    from when that is not this repo's ``sdk/`` (e.g. a ``git archive`` snapshot put first
    on ``PYTHONPATH``)."""
    spec = importlib.util.find_spec("amplitude_ai")
    origin = os.path.dirname(os.path.dirname(spec.origin)) if spec and spec.origin else "?"
    commit = _git(REPO, "rev-parse", "--short", "HEAD").strip() or "unknown"
    dirty = [line[3:] for line in _git(REPO, "status", "--porcelain", "--", "sdk").splitlines()]
    in_repo = os.path.realpath(origin) == os.path.realpath(os.path.join(REPO, "sdk"))
    return {"commit": commit, "sdk_changes": dirty, "sdk_path": origin, "sdk_in_repo": in_repo}


def describe_git(state: dict[str, Any]) -> str:
    if not state.get("sdk_in_repo", True):
        snapshot = os.path.join(state["sdk_path"], "SNAPSHOT")
        label = ""
        if os.path.isfile(snapshot):
            with open(snapshot, encoding="utf-8") as fh:
                label = f" ({fh.read().strip()})"
        return f"sdk imported from {state['sdk_path']}{label}; repo at {state['commit']}"
    changes = state["sdk_changes"]
    if not changes:
        return f"commit {state['commit']} (sdk/ clean)"
    return f"commit {state['commit']} + uncommitted sdk/ changes in {', '.join(changes)}"
