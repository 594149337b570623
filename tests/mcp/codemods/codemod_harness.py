"""Helpers for the codemod tests: write a small project, plan/apply instrument_file on it,
validate the result, and read captured events by catalog key."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from amplitude_ai.catalog import load_catalog
from amplitude_ai.testing import MockAmplitudeAI
from amplitude_ai_mcp.codemods.plan import Options, Outcome, apply_changes, plan_file
from amplitude_ai_mcp.detect.validate import validate_source


class CapturingAI(MockAmplitudeAI):
    """Stands in for ``amplitude_ai.AmplitudeAI`` while the bootstrap module is imported."""

    instances: ClassVar[list[CapturingAI]] = []

    def __init__(self, amplitude: Any = None, *, api_key: str | None = None, config=None) -> None:
        super().__init__(config=config)
        CapturingAI.instances.append(self)


def write_project(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_bytes(content.encode("utf-8"))
        else:
            path.write_bytes(content)


def instrument(root: Path, rel: str, **options: Any) -> Outcome:
    outcome = plan_file(root, (root / rel).resolve(), Options(**options))
    apply_changes(outcome.changes)
    return outcome


def uninstrumented(root: Path, rel: str) -> list[str]:
    text = (root / rel).read_bytes().decode("utf-8", errors="replace")
    result = validate_source(text, rel, root, rel)
    return [f"{s.line}:{s.api}" for s in result.call_sites if not s.instrumented]


def event_type(key: str) -> str:
    return load_catalog().event_names[key]


def prop(event: dict[str, Any], key: str) -> Any:
    return event["event_properties"].get(load_catalog().property_names[key])
