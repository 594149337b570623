"""The server's surface: full results as text, strict and enumerated arguments, one error type,
module-level tools, plain prompt arguments."""

from __future__ import annotations

import jsonschema
import pytest
from fastmcp.exceptions import ToolError

from amplitude_ai_mcp.codemods.add_bootstrap_module import CONTENT_MODES
from amplitude_ai_mcp.errors import UserError
from amplitude_ai_mcp.inputs import InputError
from amplitude_ai_mcp.patterns import PatternError
from amplitude_ai_mcp.schema import SchemaError
from amplitude_ai_mcp.suggest import CONTENT_TIERS
from amplitude_ai_mcp.tools import TOOLS
from amplitude_ai_mcp.workspace import WorkspaceError


async def _text(client, tool: str, arguments: dict) -> tuple[str, str, dict]:
    result = await client.call_tool(tool, arguments)
    (content,) = result.content
    summary, _, body = content.text.partition("\n\n")
    assert result.structured_content, tool  # structured content is kept...
    listed = {t.name: t.output_schema for t in await client.list_tools()}
    # ...and matches the compact output schema tools/list announces
    jsonschema.validate(result.structured_content, listed[tool])
    return summary, body, result.structured_content


@pytest.mark.asyncio
async def test_every_tool_returns_what_an_agent_acts_on_as_text(client, example_app):
    summary, body, data = await _text(client, "scan_project", {})
    assert "LLM call sites" in summary and "\n" not in summary
    for site in data["call_sites"]:
        assert f"- {site['file']}:{site['line']}  {site['provider']} {site['api']}" in body

    summary, body, data = await _text(client, "validate_file", {"path": "support_bot/app.py"})
    assert summary.endswith("uninstrumented")
    assert all(f"{s['file']}:{s['line']}" in body for s in data["call_sites"])
    assert all(s in body for s in data["suggestions"])

    summary, body, data = await _text(
        client, "instrument_file", {"path": "support_bot/app.py", "tier": "session"}
    )
    assert data["diff"].rstrip("\n") in body and f"sha256: {data['sha256']}" in body
    for item in data["needs_input"]:
        assert f"- [{item['id']}] {item['file']}:{item['line']}: {item['question']}" in body
    for edit in data["edits"]:
        assert f"{edit['file']}:{edit['line']} {edit['kind']}: {edit['reason']}" in body

    await client.call_tool("instrument_file", {"path": "support_bot/clients.py", "apply": True})
    summary, body, data = await _text(
        client, "generate_verify_test", {"path": "support_bot/app.py"}
    )
    assert data["test_source"].rstrip() in body and f"run: {data['run']}" in body
    assert all(e["name"] in body for e in data["entry_points"])

    summary, body, data = await _text(client, "get_event_schema", {"event_type": "ai_response"})
    assert all(f"- {p['name']} ({p['key']}): {p['type']}" in body for p in data["properties"])
    summary, body, data = await _text(client, "get_event_schema", {})
    assert all(e["event_type"] in body for e in data["events"])

    summary, body, data = await _text(client, "get_integration_pattern", {})
    assert all(p["id"] in body for p in data["patterns"]["patterns"])
    summary, body, data = await _text(
        client, "get_integration_pattern", {"pattern_id": data["patterns"]["patterns"][0]["id"]}
    )
    assert data["pattern"]["code"].rstrip() in body

    summary, body, data = await _text(client, "validate_setup", {})
    assert all(c["name"] in body and c["detail"] in body for c in data["checks"])
    summary, body, data = await _text(client, "suggest_instrumentation", {})
    assert all(f"{n}. {s['step']}" in body for n, s in enumerate(data["steps"], 1))
    summary, body, data = await _text(client, "search_docs", {"query": "serverless flush"})
    assert all(hit["heading"] in body for hit in data["results"])


@pytest.mark.parametrize(
    ("tool", "arguments", "message"),
    [
        ("instrument_file", {"path": "support_bot/app.py", "apply": "yes"}, "valid boolean"),
        ("instrument_file", {"path": "support_bot/app.py", "apply": 1}, "valid boolean"),
        ("scan_project", {"include_tests": "false"}, "valid boolean"),
        ("scan_project", {"limit": "5"}, "valid integer"),
        ("instrument_file", {"path": "support_bot/app.py", "tier": "Session"}, "'session'"),
        ("suggest_instrumentation", {"framework": "rails"}, "'fastapi'"),
        ("instrument_file", {"path": "support_bot/app.py", "inputs": ["x"]}, "should be an object"),
    ],
)
@pytest.mark.asyncio
async def test_arguments_are_validated_strictly(client, example_app, tool, arguments, message):
    before = (example_app / "support_bot" / "app.py").read_bytes()
    with pytest.raises(ToolError, match=message):
        await client.call_tool(tool, arguments)
    assert (example_app / "support_bot" / "app.py").read_bytes() == before


@pytest.mark.asyncio
async def test_enumerated_inputs_are_listed_in_the_schema(client):
    tools = {t.name: t for t in await client.list_tools()}
    props = tools["instrument_file"].input_schema["properties"]
    assert props["tier"]["enum"] == ["swap", "wrap", "patch", "session"]
    assert props["content_mode"]["enum"] == list(CONTENT_TIERS) == list(CONTENT_MODES)
    suggest = tools["suggest_instrumentation"].input_schema["properties"]
    assert None in suggest["framework"]["enum"] and "null" in suggest["framework"]["type"]
    assert props["apply"] == {
        "default": False,
        "description": props["apply"]["description"],
        "type": "boolean",
    }


def test_one_user_error_type_for_every_layer():
    for error in (WorkspaceError, SchemaError, PatternError, InputError):
        assert issubclass(error, UserError), error


def test_tools_are_module_level_functions():
    for fn, _, _ in TOOLS:
        assert fn.__qualname__ == fn.__name__, fn
        assert fn.__module__.startswith("amplitude_ai_mcp.tools."), fn


@pytest.mark.asyncio
async def test_prompt_arguments_read_as_plain_words(client):
    (prompt,) = await client.list_prompts()
    for argument in prompt.arguments:
        assert "JSON schema" not in argument.description
        assert argument.description.count("\n") == 0
        assert ", one of " in argument.description
