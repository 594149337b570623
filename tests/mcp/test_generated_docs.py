"""AGENTS.md, llms.txt, llms-full.txt and mcp.schema.json match the live registry and catalog."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from amplitude_ai.catalog import load_catalog
from amplitude_ai_mcp.gen_docs import OUTPUTS, generate

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def generated():
    return generate()


@pytest.mark.parametrize("name", OUTPUTS)
def test_committed_file_is_up_to_date(generated, name):
    committed = (ROOT / name).read_text(encoding="utf-8")
    assert committed == generated[name], (
        f"{name} drifted from the server/catalog; run `python -m amplitude_ai_mcp.gen_docs`"
    )


def test_schema_lists_every_tool_resource_and_prompt(generated):
    schema = json.loads(generated["mcp.schema.json"])
    assert {t["name"] for t in schema["tools"]} >= {"scan_project", "validate_file"}
    assert all("outputSchema" in t and "annotations" in t for t in schema["tools"])
    assert [p["name"] for p in schema["prompts"]] == ["instrument_app"]


def test_llms_txt_names_every_event(generated):
    for event in load_catalog().events:
        assert f"- {event}" in generated["llms.txt"]


def test_full_reference_lists_every_registry_provider():
    from amplitude_ai.providers.registry import KNOWN_PROVIDERS, PROVIDERS

    text = (Path(__file__).resolve().parents[2] / "llms-full.txt").read_text(encoding="utf-8")
    section = text.split("## Providers", 1)[1].split("\n## ", 1)[0]
    for spec in PROVIDERS:
        assert f"- `{spec.id}` ({spec.requirement}, extra `{spec.extra}`)" in section
        assert all(f"`{s}`" in section for s in spec.surfaces)
    for known in KNOWN_PROVIDERS:
        assert f"`{known.id}`" in section
