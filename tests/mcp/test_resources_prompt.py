"""Resources, resource templates, the instrument_app prompt and its completions."""

from __future__ import annotations

import json

import mcp_types
import pytest
from fastmcp.exceptions import ResourceError

from amplitude_ai.catalog import load_catalog
from amplitude_ai_mcp import patterns

pytestmark = pytest.mark.asyncio


async def test_resources_have_titles_descriptions_and_mime_types(client):
    resources = {str(r.uri): r for r in await client.list_resources()}
    assert set(resources) == {
        "amplitude-ai://event-schema",
        "amplitude-ai://integration-patterns",
        "amplitude-ai://instrument-guide",
    }
    for resource in resources.values():
        assert resource.title and resource.description and resource.mime_type
    templates = {t.uri_template: t for t in await client.list_resource_templates()}
    assert set(templates) == {
        "amplitude-ai://event-schema/{event_type}",
        "amplitude-ai://patterns/{pattern_id}",
    }
    for template in templates.values():
        assert template.title and template.description and template.mime_type


async def test_resources_serve_catalog_patterns_and_guide(client):
    schema = json.loads((await client.read_resource("amplitude-ai://event-schema"))[0].text)
    assert schema["catalog_version"] == load_catalog().version
    listing = json.loads(
        (await client.read_resource("amplitude-ai://integration-patterns"))[0].text
    )
    assert [p["id"] for p in listing] == patterns.pattern_ids()
    guide = (await client.read_resource("amplitude-ai://instrument-guide"))[0].text
    for tool in ("scan_project", "validate_file", "suggest_instrumentation"):
        assert tool in guide


async def test_resource_templates(client):
    event = json.loads(
        (await client.read_resource("amplitude-ai://event-schema/ai_response"))[0].text
    )
    assert event["event_type"] == "[Agent] AI Response"
    code = (await client.read_resource("amplitude-ai://patterns/tool_calls"))[0].text
    assert "@tool" in code
    with pytest.raises(Exception, match="unknown pattern"):
        await client.read_resource("amplitude-ai://patterns/nope")
    with pytest.raises(Exception, match="unknown event type"):
        await client.read_resource("amplitude-ai://event-schema/no_such_event")
    assert ResourceError  # the server raises ResourceError; the client sees its message


async def test_instrument_app_prompt_walks_the_four_phases(client):
    (prompt,) = await client.list_prompts()
    assert prompt.name == "instrument_app" and prompt.description
    args = {a.name: a for a in prompt.arguments}
    assert set(args) == {"framework", "provider", "content_tier"}
    assert all(a.description for a in args.values())
    result = await client.get_prompt(
        "instrument_app", {"framework": "flask", "provider": "anthropic", "content_tier": "full"}
    )
    text = result.messages[0].content.text
    assert "anthropic app (web framework: flask)" in text
    positions = [text.index(word) for word in ("Detect", "Plan", "Apply", "Verify", "5. Test")]
    assert positions == sorted(positions)
    steps = text[: text.index("\n\n")]  # the numbered steps end with the verify test, run
    assert steps.splitlines()[-1].startswith("5. Test: generate_verify_test")
    assert "python -m pytest -q tests/test_amplitude_verify.py" in steps.splitlines()[-1]


async def test_prompt_argument_completions(client):
    ref = mcp_types.PromptReference(type="ref/prompt", name="instrument_app")
    provider = await client.complete(ref, {"name": "provider", "value": "a"})
    assert provider.values == ["azure_openai", "anthropic"]
    tier = await client.complete(ref, {"name": "content_tier", "value": ""})
    assert tier.values == ["full", "metadata_only", "customer_enriched"]
    template = mcp_types.ResourceTemplateReference(
        type="ref/resource", uri="amplitude-ai://patterns/{pattern_id}"
    )
    ids = await client.complete(template, {"name": "pattern_id", "value": "m"})
    assert ids.values == ["multi_agent"]
