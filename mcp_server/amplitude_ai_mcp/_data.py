"""Where bundled data lives: inside the wheel (``_data/``) or in the source checkout."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent
_REPO = _HERE.parents[1]


def data_dir(name: str) -> Path:
    """``patterns`` / ``prompts`` / ``examples`` directory, packaged copy first."""
    packaged = _HERE / "_data" / name
    if packaged.is_dir():
        return packaged
    source = {
        "patterns": _REPO / "resources" / "patterns",
        "examples": _REPO / "resources" / "examples",
        "prompts": _REPO / "prompts",
    }[name]
    if source.is_dir():
        return source
    raise FileNotFoundError(f"bundled {name} not found at {packaged} or {source}; reinstall")


def data_file(name: str) -> Path:
    """A single top-level file (AGENTS.md, llms.txt): packaged copy first."""
    packaged = _HERE / "_data" / name
    return packaged if packaged.is_file() else _REPO / name
