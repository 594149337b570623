"""The SDK takes every event and property name from the catalog, and validates against it."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

import amplitude_ai
from amplitude_ai import AmplitudeAI, BoundAgent, Session
from amplitude_ai.catalog import RESERVED_PREFIXES, load_catalog, validate_event

SDK_DIR = Path(amplitude_ai.__file__).parent


def _docstring_nodes(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def test_no_wire_name_is_hand_typed_in_sdk_code():
    """Wire names appear only in the catalog file, never as string literals in SDK code."""
    catalog = load_catalog()
    wire_names = set(catalog.properties) | set(catalog.events)
    offenders = []
    for path in sorted(SDK_DIR.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = _docstring_nodes(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and node.value in wire_names
            ):
                offenders.append(f"{path.name}:{node.lineno}: {node.value!r}")
    assert offenders == []


@pytest.mark.parametrize("owner", [AmplitudeAI, BoundAgent, Session])
def test_every_sdk_event_has_its_tracking_method(owner):
    for spec in load_catalog().events.values():
        if spec.emitted_by == "sdk":
            assert callable(getattr(owner, spec.method, None)), (owner, spec.method)


def test_catalog_is_loaded_once():
    assert load_catalog() is load_catalog()


def test_property_and_event_key_maps():
    catalog = load_catalog()
    assert catalog.property_names["latency_ms"] == "[Agent] Latency Ms"
    assert catalog.property_names["session_replay_id"] == "[Amplitude] Session Replay ID"
    assert catalog.event_names["ai_response"] == "[Agent] AI Response"
    assert all(name.startswith(RESERVED_PREFIXES) for name in catalog.properties)


def test_unknown_event_type_names_close_matches():
    with pytest.raises(KeyError, match="did you mean '\\[Agent\\] AI Response'"):
        load_catalog().event("[Agent] AI Respons")


VALID_SCORE = {
    "[Agent] Session ID": "sess-1",
    "[Agent] SDK Version": "0.1.0",
    "[Agent] Runtime": "python",
    "[Agent] Score Name": "helpful",
    "[Agent] Score Value": 1,
    "[Agent] Target ID": "msg-1",
    "[Agent] Target Type": "message",
    "[Agent] Evaluation Source": "user",
}


def test_valid_event_has_no_problems():
    assert validate_event("[Agent] Score", VALID_SCORE, user_id="user-1") == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"[Agent] Score Value": "high"}, "must be number"),
        ({"[Agent] Score Value": True}, "must be number"),
        ({"[Agent] Score Name": 3}, "must be string"),
        ({"[Agent] Context": "{not json"}, "serialized JSON"),
        ({"[Agent] Model Name": "gpt-4o"}, "unknown property on [Agent] Score"),
        ({"[Agent] Scor Name": "x"}, "did you mean '[Agent] Score Name'"),
        ({"[Amplitude] Session Replay ID": 5}, "must be string"),
    ],
)
def test_validator_rejects(change, expected):
    problems = validate_event("[Agent] Score", {**VALID_SCORE, **change}, user_id="user-1")
    assert any(expected in p for p in problems), problems


def test_validator_requires_properties_and_identity():
    props = dict(VALID_SCORE)
    del props["[Agent] Target ID"]
    problems = validate_event("[Agent] Score", props)
    assert "missing required property '[Agent] Target ID'" in problems
    assert any("neither user_id nor device_id" in p for p in problems)


def test_validator_checks_string_arrays_and_objects():
    base = {
        "[Agent] Session ID": "s",
        "[Agent] SDK Version": "0",
        "[Agent] Runtime": "python",
        "[Agent] Message ID": "m",
        "[Agent] Component Type": "user_input",
    }
    ok = {**base, "[Agent] Attachment Types": '["pdf"]', "$llm_message": {"text": "hi"}}
    assert validate_event("[Agent] User Message", ok, user_id="user-1") == []
    bad = {**base, "[Agent] Attachment Types": "[1, 2]", "$llm_message": {"txt": "hi"}}
    problems = validate_event("[Agent] User Message", bad, user_id="user-1")
    assert any("JSON array of strings" in p for p in problems)
    assert any("'$llm_message' must be object" in p for p in problems)


def test_server_events_are_flagged_unless_allowed():
    problems = validate_event("[Agent] Session Evaluation", {}, user_id="user-1")
    assert any("emitted by Amplitude's server" in p for p in problems)
    allowed = validate_event(
        "[Agent] Session Evaluation", {}, user_id="user-1", allow_server_events=True
    )
    assert not any("emitted by Amplitude's server" in p for p in allowed)


def test_custom_properties_are_allowed():
    props = {**VALID_SCORE, "plan": "enterprise", "seats": 40}
    assert validate_event("[Agent] Score", props, user_id="user-1") == []


def test_signatures_use_documented_parameter_names():
    params = inspect.signature(AmplitudeAI.track_ai_message).parameters
    assert list(params)[1:7] == [
        "user_id",
        "content",
        "session_id",
        "model",
        "provider",
        "latency_ms",
    ]
    params = inspect.signature(AmplitudeAI.score).parameters
    assert list(params)[1:5] == ["user_id", "name", "value", "target_id"]
