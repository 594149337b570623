"""Checks on resources/event_catalog.json and its JSON Schema.

These tests read the files directly (no SDK import), so they guard the catalog
itself: structure, cross-references and naming rules.
"""

import copy
import json
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CATALOG_PATH = REPO_ROOT / "resources" / "event_catalog.json"
SCHEMA_PATH = REPO_ROOT / "resources" / "event_catalog.schema.json"

PREFIXES = ("[Agent] ", "[Amplitude] ", "$")


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def catalog() -> dict[str, Any]:
    return _load(CATALOG_PATH)


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return _load(SCHEMA_PATH)


def derive_key(name: str) -> str:
    for prefix in PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    return re.sub(r"[^a-z0-9]+", "_", name.lower())


def _sdk_events(catalog: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n: e for n, e in catalog["events"].items() if e["emitted_by"] == "sdk"}


def _server_events(catalog: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n: e for n, e in catalog["events"].items() if e["emitted_by"] == "server"}


# --- schema --------------------------------------------------------------------------------------


def test_schema_is_a_valid_draft_2020_12_schema(schema):
    jsonschema.Draft202012Validator.check_schema(schema)


def test_catalog_validates_against_schema(catalog, schema):
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(catalog), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_catalog_points_at_its_schema(catalog):
    assert (CATALOG_PATH.parent / catalog["$schema"]).resolve() == SCHEMA_PATH.resolve()


def _set_prop_field(field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(cat: dict[str, Any]) -> None:
        cat["properties"]["[Agent] Session ID"][field] = value

    return mutate


def _del_prop_field(field: str) -> Callable[[dict[str, Any]], None]:
    def mutate(cat: dict[str, Any]) -> None:
        del cat["properties"]["[Agent] Latency Ms"][field]

    return mutate


def _set_event_field(event: str, field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(cat: dict[str, Any]) -> None:
        cat["events"][event][field] = value

    return mutate


def _rename_event(old: str, new: str) -> Callable[[dict[str, Any]], None]:
    def mutate(cat: dict[str, Any]) -> None:
        cat["events"][new] = cat["events"].pop(old)

    return mutate


def _add_top_level(cat: dict[str, Any]) -> None:
    cat["extra"] = {}


def _add_property_named(cat: dict[str, Any]) -> None:
    cat["properties"]["Latency"] = dict(cat["properties"]["[Agent] Latency Ms"])


def _json_format_on_number(cat: dict[str, Any]) -> None:
    cat["properties"]["[Agent] Latency Ms"]["format"] = "json"


def _event_property_extra_field(cat: dict[str, Any]) -> None:
    cat["events"]["[Agent] Tool Call"]["properties"]["[Agent] Tool Name"]["optional"] = True


def _event_property_required_not_bool(cat: dict[str, Any]) -> None:
    cat["events"]["[Agent] Tool Call"]["properties"]["[Agent] Tool Name"]["required"] = "yes"


def _common_property_server_only(cat: dict[str, Any]) -> None:
    cat["common_properties"]["[Agent] Session ID"]["server_only"] = True


SESSION_ID = ("properties", "[Agent] Session ID")
LATENCY = ("properties", "[Agent] Latency Ms")
SPAN = ("events", "[Agent] Span")
TOPIC = ("events", "[Agent] Topic Classification")
TOOL_NAME = ("events", "[Agent] Tool Call", "properties", "[Agent] Tool Name")

# name -> (mutation, path inside the catalog where the validator must report an error)
MUTATIONS: dict[str, tuple[Callable[[dict[str, Any]], None], tuple[str, ...]]] = {
    "unknown_type": (_set_prop_field("type", "integer"), SESSION_ID),
    "unknown_content": (_set_prop_field("content", "some"), SESSION_ID),
    "format_not_json": (_set_prop_field("format", "yaml"), SESSION_ID),
    "format_on_number": (_json_format_on_number, LATENCY),
    "key_not_snake_case": (_set_prop_field("key", "SessionID"), SESSION_ID),
    "empty_description": (_set_prop_field("description", ""), SESSION_ID),
    "extra_property_field": (_set_prop_field("label", "Session"), SESSION_ID),
    "missing_description": (_del_prop_field("description"), LATENCY),
    "missing_type": (_del_prop_field("type"), LATENCY),
    "missing_content": (_del_prop_field("content"), LATENCY),
    "extra_top_level_field": (_add_top_level, ()),
    "property_name_without_prefix": (_add_property_named, ("properties",)),
    "event_name_without_prefix": (_rename_event("[Agent] Span", "Span"), ("events",)),
    "unknown_emitted_by": (_set_event_field("[Agent] Span", "emitted_by", "client"), SPAN),
    "method_not_string_or_null": (_set_event_field("[Agent] Span", "method", 3), SPAN),
    "server_event_with_method": (
        _set_event_field("[Agent] Topic Classification", "method", "x"),
        TOPIC,
    ),
    "server_event_common": (
        _set_event_field("[Agent] Topic Classification", "common", True),
        TOPIC,
    ),
    "sdk_event_without_method": (_set_event_field("[Agent] Span", "method", None), SPAN),
    "extra_event_field": (_set_event_field("[Agent] Span", "owner", "sdk"), SPAN),
    "event_property_extra_field": (_event_property_extra_field, TOOL_NAME),
    "event_property_required_not_bool": (_event_property_required_not_bool, TOOL_NAME),
    "common_property_server_only": (
        _common_property_server_only,
        ("common_properties", "[Agent] Session ID"),
    ),
}


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_schema_rejects_broken_catalog(catalog, schema, mutation):
    mutate, where = MUTATIONS[mutation]
    broken = copy.deepcopy(catalog)
    mutate(broken)
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(broken))
    assert errors, f"{mutation} was accepted"
    paths = [tuple(e.absolute_path) for e in errors]
    assert any(p[: len(where)] == where for p in paths), paths


# --- cross-references ----------------------------------------------------------------------------


def test_common_properties_are_defined(catalog):
    missing = set(catalog["common_properties"]) - set(catalog["properties"])
    assert not missing


@pytest.mark.parametrize(
    "event_name",
    [
        "[Agent] User Message",
        "[Agent] AI Response",
        "[Agent] Tool Call",
        "[Agent] Embedding",
        "[Agent] Span",
        "[Agent] Session End",
        "[Agent] Session Enrichment",
        "[Agent] Score",
        "[Agent] Session Evaluation",
        "[Agent] Topic Classification",
    ],
)
def test_event_properties_are_defined(catalog, event_name):
    event = catalog["events"][event_name]
    missing = set(event["properties"]) - set(catalog["properties"])
    assert not missing


def test_every_property_is_used(catalog):
    used = set(catalog["common_properties"])
    for event in catalog["events"].values():
        used |= set(event["properties"])
    unused = set(catalog["properties"]) - used
    assert not unused


def test_no_common_property_repeated_in_sdk_events(catalog):
    common = set(catalog["common_properties"])
    repeated = {
        name: sorted(common & set(event["properties"]))
        for name, event in _sdk_events(catalog).items()
        if common & set(event["properties"])
    }
    assert not repeated


def test_server_only_flag_only_on_score(catalog):
    flagged = {
        (event_name, prop_name)
        for event_name, event in catalog["events"].items()
        for prop_name, usage in event["properties"].items()
        if usage.get("server_only", False)
    }
    assert flagged == {
        ("[Agent] Score", "[Agent] Taxonomy Version"),
        ("[Agent] Score", "[Agent] Evaluated At"),
        ("[Agent] Score", "[Agent] Score Label"),
    }
    for _, prop_name in flagged:
        assert catalog["events"]["[Agent] Score"]["properties"][prop_name]["required"] is False


# --- keys ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("[Agent] TTFB Ms", "ttfb_ms"),
        ("[Agent] Cost USD", "cost_usd"),
        ("[Amplitude] Session Replay ID", "session_replay_id"),
        ("$llm_message", "llm_message"),
        ("[Agent] AI Response", "ai_response"),
    ],
)
def test_derive_key_examples(name, expected):
    assert derive_key(name) == expected


@pytest.mark.parametrize("section", ["properties", "events"])
def test_keys_are_unique_and_derived_from_names(catalog, section):
    entries = catalog[section]
    wrong = {name: e["key"] for name, e in entries.items() if e["key"] != derive_key(name)}
    assert not wrong
    duplicates = [k for k, n in Counter(e["key"] for e in entries.values()).items() if n > 1]
    assert not duplicates


# --- events --------------------------------------------------------------------------------------


def test_eight_sdk_events_with_distinct_methods(catalog):
    sdk = _sdk_events(catalog)
    assert len(sdk) == 8
    methods = [e["method"] for e in sdk.values()]
    assert all(isinstance(m, str) and m for m in methods)
    assert len(set(methods)) == len(methods)
    assert all(e["common"] is True for e in sdk.values())


def test_two_server_events_without_common_properties(catalog):
    server = _server_events(catalog)
    assert set(server) == {"[Agent] Session Evaluation", "[Agent] Topic Classification"}
    for event in server.values():
        assert event["common"] is False
        assert event["method"] is None


def test_only_sdk_and_server_events(catalog):
    assert len(catalog["events"]) == len(_sdk_events(catalog)) + len(_server_events(catalog)) == 10


# --- property types ------------------------------------------------------------------------------


def test_json_format_only_on_string_properties(catalog):
    bad = {
        name
        for name, p in catalog["properties"].items()
        if "format" in p and (p["format"] != "json" or p["type"] != "string")
    }
    assert not bad


def test_object_type_only_for_llm_message(catalog):
    objects = {name for name, p in catalog["properties"].items() if p["type"] == "object"}
    assert objects == {"$llm_message"}


def test_llm_message_is_full_content_on_message_events(catalog):
    assert catalog["properties"]["$llm_message"]["content"] == "full"
    carriers = {n for n, e in catalog["events"].items() if "$llm_message" in e["properties"]}
    assert carriers == {"[Agent] User Message", "[Agent] AI Response"}
