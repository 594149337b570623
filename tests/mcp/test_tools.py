"""Every tool through an in-memory fastmcp Client: schema, structured content, summary, errors."""

from __future__ import annotations

import json

import pytest
from fastmcp.exceptions import ToolError

from amplitude_ai.catalog import load_catalog
from amplitude_ai_mcp import __version__
from amplitude_ai_mcp.server import INSTRUCTIONS

pytestmark = pytest.mark.asyncio

TOOLS = {
    "scan_project",
    "validate_file",
    "get_event_schema",
    "get_integration_pattern",
    "validate_setup",
    "suggest_instrumentation",
    "search_docs",
    "instrument_file",
    "generate_verify_test",
}
# Tools that write (instrument_file: the user's code on apply; generate_verify_test: only its
# own generated test file); every other tool is read-only.
WRITING_TOOLS = {"instrument_file", "generate_verify_test"}


async def test_server_identity_and_instructions(client):
    assert client.server_info.name == "amplitude-ai"
    assert client.server_info.version == __version__
    assert client.instructions == INSTRUCTIONS
    assert "scan_project" in client.instructions


async def test_every_tool_but_instrument_file_is_read_only_with_an_output_schema(client):
    tools = {t.name: t for t in await client.list_tools()}
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert tool.description and len(tool.description) > 60, tool.name
        ann = tool.annotations
        read_only = tool.name not in WRITING_TOOLS
        assert (ann.read_only_hint, ann.open_world_hint) == (read_only, False), tool.name
        if not read_only:  # the spec reads these two only on tools that may write
            assert (ann.destructive_hint, ann.idempotent_hint) == (False, True), tool.name
        assert tool.output_schema["type"] == "object", tool.name


async def test_scan_project_counts_pages_and_progress(client):
    progress: list[tuple[float, float | None]] = []

    async def on_progress(done, total, message):
        progress.append((done, total))

    result = await client.call_tool("scan_project", {"limit": 2}, progress_handler=on_progress)
    data = result.structured_content
    assert data["counts"]["call_sites"] == 4
    assert data["counts"]["uninstrumented"] == 4
    assert [p["name"] for p in data["providers"]] == ["anthropic", "openai"]
    assert [w["name"] for w in data["web_frameworks"]] == ["fastapi"]
    assert data["dependency_files"] == ["requirements-dev.txt", "requirements.txt"]
    assert len(data["call_sites"]) == 2 and data["next_offset"] == 2
    assert result.content[0].text.startswith("4 LLM call sites (4 uninstrumented)")
    assert progress and progress[-1][0] == progress[-1][1]
    rest = await client.call_tool("scan_project", {"offset": 2, "limit": 2})
    assert rest.structured_content["next_offset"] is None
    lines = [s["line"] for s in data["call_sites"] + rest.structured_content["call_sites"]]
    assert len(lines) == 4


async def test_scan_reports_skipped_files_with_reasons(client, example_app):
    (example_app / "broken.py").write_text("import openai\ndef f(:\n    pass\n")
    (example_app / "blob.py").write_bytes(b"\x00\x01binary")
    (example_app / "latin.py").write_bytes(b"x = '\xe9'\n")
    (example_app / "huge.py").write_text("x = 1\n" * 200_000)
    data = (await client.call_tool("scan_project", {})).structured_content
    reasons = {s["path"]: s["reason"] for s in data["skipped"]}
    assert reasons["broken.py"].startswith("syntax error at line ")
    assert "binary" in reasons["blob.py"]
    assert "UTF-8" in reasons["latin.py"] or "utf-8" in reasons["latin.py"]
    assert "limit per file" in reasons["huge.py"]
    assert data["counts"]["skipped_files"] == 4
    assert data["counts"]["call_sites"] == 4  # nothing else lost


async def test_validate_file_by_path_and_by_source(client):
    result = await client.call_tool("validate_file", {"path": "support_bot/escalation.py"})
    data = result.structured_content
    assert data["total"] == data["uninstrumented"] == 1
    site = data["call_sites"][0]
    assert (site["provider"], site["api"], site["receiver"]) == (
        "anthropic",
        "messages.create",
        "self.client",
    )
    assert "drop-in" in data["suggestions"][0]
    source = (
        "from amplitude_ai import OpenAI\nc = OpenAI()\nc.responses.create(model='m', input='x')\n"
    )
    data = (await client.call_tool("validate_file", {"source": source})).structured_content
    assert data["total"] == 1 and data["uninstrumented"] == 0
    assert data["suggestions"] == ["every call site here is already instrumented"]


async def test_validate_file_resolves_imports_across_files(client):
    data = (
        await client.call_tool("validate_file", {"path": "support_bot/app.py"})
    ).structured_content
    assert data["total"] == 3
    assert {s["resolved_by"] for s in data["call_sites"]} == {"cross_file"}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({}, "exactly one of"),
        ({"path": "a.py", "source": "x"}, "exactly one of"),
        ({"path": "missing.py"}, "does not exist"),
        ({"path": "support_bot"}, "is a directory"),
        ({"path": "requirements.txt"}, "not a .py file"),
        ({"source": "def broken(:\n"}, "syntax error at line 1"),
    ],
)
async def test_validate_file_user_errors(client, arguments, message):
    with pytest.raises(ToolError, match=message):
        await client.call_tool("validate_file", arguments)


async def test_get_event_schema_default_is_small_and_filters(client):
    result = await client.call_tool("get_event_schema", {})
    data = result.structured_content
    catalog = load_catalog()
    sdk_events = [e for e in catalog.events.values() if e.emitted_by == "sdk"]
    assert [e["event_type"] for e in data["events"]] == [e.name for e in sdk_events]
    assert data["properties"] == []
    assert len(json.dumps(data)) < 6000
    detail = (
        await client.call_tool("get_event_schema", {"event_type": "ai_response"})
    ).structured_content
    assert detail["event_type"] == "[Agent] AI Response"
    names = {p["name"] for p in detail["properties"]}
    assert names == set(catalog.events["[Agent] AI Response"].allowed)
    one = (
        await client.call_tool(
            "get_event_schema", {"event_type": "[Agent] AI Response", "property": "model_name"}
        )
    ).structured_content
    assert [p["key"] for p in one["properties"]] == ["model_name"]
    assert one["properties"][0]["required"] is True
    with_server = (
        await client.call_tool("get_event_schema", {"include_server_side": True})
    ).structured_content
    assert len(with_server["events"]) == len(catalog.events)


async def test_get_event_schema_unknown_names_list_close_matches(client):
    with pytest.raises(ToolError, match=r"did you mean '\[Agent\] AI Response'"):
        await client.call_tool("get_event_schema", {"event_type": "[Agent] AI Respons"})
    with pytest.raises(ToolError, match="unknown property"):
        await client.call_tool("get_event_schema", {"property": "latency_msec"})
    with pytest.raises(ToolError, match="include_server_side"):
        await client.call_tool("get_event_schema", {"event_type": "[Agent] Session Evaluation"})


async def test_get_integration_pattern(client):
    listing = (await client.call_tool("get_integration_pattern", {})).structured_content
    ids = [p["id"] for p in listing["patterns"]["patterns"]]
    assert "agent_session" in ids and len(ids) >= 5
    one = (
        await client.call_tool("get_integration_pattern", {"pattern_id": "multi_agent"})
    ).structured_content["pattern"]
    assert "orchestrator.child(" in one["code"]
    with pytest.raises(ToolError, match="did you mean multi_agent"):
        await client.call_tool("get_integration_pattern", {"pattern_id": "multi_agents"})


async def test_validate_setup_never_shows_the_key(client, example_app, monkeypatch):
    monkeypatch.delenv("AMPLITUDE_AI_API_KEY", raising=False)
    result = await client.call_tool("validate_setup", {})
    checks = {c["name"]: c for c in result.structured_content["checks"]}
    assert not checks["sdk_available"]["ok"]
    assert "amplitude-ai" in checks["sdk_available"]["fix"]
    assert checks["api_key"]["fix"].startswith("export AMPLITUDE_AI_API_KEY=")
    monkeypatch.setenv("AMPLITUDE_AI_API_KEY", "secret-value-123456")
    (example_app / "requirements.txt").write_text("amplitude-ai\nopenai>=1.0,<4\n")
    result = await client.call_tool("validate_setup", {})
    assert result.structured_content["ok"] is True
    assert "secret-value-123456" not in json.dumps(result.structured_content)
    monkeypatch.setenv("AMPLITUDE_AI_CONTENT_MODE", "everything")
    bad = (await client.call_tool("validate_setup", {})).structured_content
    mode = next(c for c in bad["checks"] if c["name"] == "content_mode")
    assert not mode["ok"] and "metadata_only" in mode["fix"]


async def test_suggest_instrumentation_from_scan_and_from_arguments(client):
    data = (await client.call_tool("suggest_instrumentation", {})).structured_content
    assert data["based_on"] == "scan" and data["framework"] == "fastapi"
    instrument = next(s for s in data["steps"] if s["step"] == "Instrument the clients")
    assert instrument["files"] == ["support_bot/app.py", "support_bot/escalation.py"]
    args = (
        await client.call_tool(
            "suggest_instrumentation", {"framework": "flask", "provider": "litellm"}
        )
    ).structured_content
    assert args["based_on"] == "arguments"
    assert any(s["detail"].startswith("litellm: ") for s in args["steps"])
    gemini = (
        await client.call_tool("suggest_instrumentation", {"provider": "gemini"})
    ).structured_content
    detail = next(s["detail"] for s in gemini["steps"] if s["step"].startswith("Instrument"))
    assert "amplitude_ai.Gemini" in detail and "amplitude_ai.patch_gemini" in detail
    with pytest.raises(ToolError, match="Input should be 'full'"):
        await client.call_tool("suggest_instrumentation", {"content_tier": "all"})


async def test_search_docs_is_bounded(client):
    data = (
        await client.call_tool("search_docs", {"query": "serverless flush", "max_results": 3})
    ).structured_content
    assert 1 <= len(data["results"]) <= 3
    assert any("flush" in r["snippet"].lower() for r in data["results"])
    with pytest.raises(ToolError):
        await client.call_tool("search_docs", {"query": "x" * 500})
    with pytest.raises(ToolError):
        await client.call_tool("search_docs", {"query": "flush", "max_results": 500})


async def test_internal_errors_are_masked(client, monkeypatch):
    import amplitude_ai_mcp.docs as docs

    def boom(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(docs, "search", boom)
    result = await client.call_tool("search_docs", {"query": "x"}, raise_on_error=False)
    assert result.is_error
    assert "secret internal detail" not in result.content[0].text


async def test_validate_file_caps_the_site_list_but_counts_everything(client):
    lines = ["from openai import OpenAI", "c = OpenAI()"]
    lines += [f"c.chat.completions.create(model='m{i}', messages=[])" for i in range(150)]
    data = (
        await client.call_tool("validate_file", {"source": "\n".join(lines)})
    ).structured_content
    assert data["total"] == data["uninstrumented"] == 150
    assert len(data["call_sites"]) == 100 and data["truncated"] is True


async def test_default_answers_stay_small_on_a_large_project(client, example_app):
    bulk = example_app / "bulk"
    bulk.mkdir()
    for i in range(120):
        (bulk / f"m{i}.py").write_text(
            "from openai import OpenAI\nc = OpenAI()\n"
            + "".join(f"c.chat.completions.create(model='m{j}', messages=[])\n" for j in range(5))
        )
    result = await client.call_tool("scan_project", {})
    data = result.structured_content
    assert data["counts"]["call_sites"] == 604
    assert len(data["call_sites"]) == 50 and data["next_offset"] == 50
    # ~4 characters per token: well below the 25k-token limit clients enforce.
    assert len(json.dumps(data)) + len(result.content[0].text) < 60_000


async def test_inline_keys_are_masked_in_every_answer(client, example_app):
    key = "sk-proj-" + "a1B2c3D4e5F6g7H8i9J0"
    source = (
        "from openai import OpenAI\n"
        f"OpenAI(api_key={key!r}).chat.completions.create(model='m', messages=[])\n"
    )
    (example_app / "inline_key.py").write_text(source)
    checked = await client.call_tool("validate_file", {"path": "inline_key.py"})
    scanned = await client.call_tool("scan_project", {"limit": 200})
    for result in (checked, scanned):
        text = json.dumps(result.structured_content) + result.content[0].text
        assert key not in text
    site = next(s for s in checked.structured_content["call_sites"])
    assert site["receiver"] == "OpenAI(api_key='***')"
