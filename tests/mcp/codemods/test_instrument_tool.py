"""instrument_file through an in-memory fastmcp Client against a copy of the example app."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from fastmcp.exceptions import ToolError

pytestmark = pytest.mark.asyncio


async def test_annotations_say_it_writes_but_is_idempotent(client):
    tools = {t.name: t for t in await client.list_tools()}
    ann = tools["instrument_file"].annotations
    assert ann.read_only_hint is False
    assert ann.destructive_hint is False
    assert ann.idempotent_hint is True
    assert "apply" in tools["instrument_file"].input_schema["properties"]
    assert tools["instrument_file"].input_schema["properties"]["apply"]["default"] is False


async def test_plan_writes_nothing(client, example_app: Path):
    target = example_app / "support_bot" / "clients.py"
    before = target.read_bytes()
    result = await client.call_tool("instrument_file", {"path": "support_bot/clients.py"})
    data = result.structured_content
    assert data["applied"] is False
    assert data["sha256"] == hashlib.sha256(before).hexdigest()
    assert data["files"] == ["support_bot/amplitude_bootstrap.py", "support_bot/clients.py"]
    assert data["bootstrap_import"] == "support_bot.amplitude_bootstrap"
    assert "+from amplitude_ai import AsyncOpenAI" in data["diff"]
    assert [e["kind"] for e in data["edits"]] == ["swap_client_import", "add_bootstrap_module"]
    assert data["uninstrumented_before"] == 0  # the calls live in app.py
    assert target.read_bytes() == before
    assert not (example_app / "support_bot" / "amplitude_bootstrap.py").exists()
    assert result.content[0].text.startswith("support_bot/clients.py (swap): 2 edits planned")


async def test_apply_with_the_plans_hash_then_reapply_changes_nothing(client, example_app: Path):
    plan = await client.call_tool(
        "instrument_file", {"path": "support_bot/escalation.py", "agent_id": "escalation"}
    )
    sha = plan.structured_content["sha256"]
    applied = await client.call_tool(
        "instrument_file",
        {
            "path": "support_bot/escalation.py",
            "agent_id": "escalation",
            "apply": True,
            "expected_sha256": sha,
        },
    )
    data = applied.structured_content
    assert data["applied"] is True
    assert data["uninstrumented_after"] == 0
    text = (example_app / "support_bot" / "escalation.py").read_text()
    assert "self.client = Anthropic(amplitude=ai)" in text
    boot = (example_app / "support_bot" / "amplitude_bootstrap.py").read_text()
    assert 'escalation_agent = ai.agent("escalation")' in boot
    snapshot = {p: p.read_bytes() for p in example_app.rglob("*.py")}
    again = await client.call_tool(
        "instrument_file",
        {"path": "support_bot/escalation.py", "agent_id": "escalation", "apply": True},
    )
    assert again.structured_content["files"] == []
    assert again.structured_content["applied"] is False
    assert again.content[0].text.startswith("support_bot/escalation.py (swap): no changes needed")
    assert {p: p.read_bytes() for p in example_app.rglob("*.py")} == snapshot
    check = await client.call_tool("validate_file", {"path": "support_bot/escalation.py"})
    assert check.structured_content["uninstrumented"] == 0


async def test_stale_hash_is_refused(client, example_app: Path):
    target = example_app / "support_bot" / "clients.py"
    plan = await client.call_tool("instrument_file", {"path": "support_bot/clients.py"})
    target.write_text(target.read_text() + "# edited meanwhile\n")
    with pytest.raises(ToolError, match="changed since it was planned"):
        await client.call_tool(
            "instrument_file",
            {
                "path": "support_bot/clients.py",
                "apply": True,
                "expected_sha256": plan.structured_content["sha256"],
            },
        )
    assert target.read_text().endswith("# edited meanwhile\n")
    assert not (example_app / "support_bot" / "amplitude_bootstrap.py").exists()


@pytest.mark.parametrize(
    ("arguments", "match"),
    [
        ({"path": "../outside.py"}, "outside the project root"),
        ({"path": "support_bot/missing.py"}, "does not exist"),
        ({"path": "requirements.txt"}, "not a .py file"),
        ({"path": "support_bot/clients.py", "tier": "magic"}, "Input should be 'swap', 'wrap'"),
        ({"path": "support_bot/clients.py", "content_mode": "all"}, "Input should be 'full'"),
        ({"path": "support_bot/clients.py", "agent_id": "a b"}, "agent_id"),
    ],
)
async def test_user_errors(client, example_app: Path, arguments, match):
    (example_app.parent / "outside.py").write_text("import openai\n")
    with pytest.raises(ToolError, match=match):
        await client.call_tool("instrument_file", arguments)


async def test_syntax_error_names_the_location(client, example_app: Path):
    (example_app / "broken.py").write_text("from openai import OpenAI\nclient = OpenAI(\n")
    with pytest.raises(ToolError, match=r"broken.py is not valid Python: .* at line 2"):
        await client.call_tool("instrument_file", {"path": "broken.py", "apply": True})
    assert (
        example_app / "broken.py"
    ).read_text() == "from openai import OpenAI\nclient = OpenAI(\n"
