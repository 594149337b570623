"""instrument_file over real stdio (the server as a subprocess): plan, apply with the plan's
hash, validate, re-apply without changes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest


@pytest.mark.asyncio
async def test_plan_apply_validate_over_stdio(example_app: Path) -> None:
    from fastmcp import Client
    from fastmcp.client.transports import StdioTransport

    transport = StdioTransport(
        command=sys.executable,
        args=["-m", "amplitude_ai_mcp", "--root", str(example_app)],
        cwd=str(example_app),
    )
    target = "support_bot/escalation.py"
    async with Client(transport) as client:
        before = await client.call_tool("validate_file", {"path": target})
        assert before.structured_content["uninstrumented"] == 1
        plan = await client.call_tool("instrument_file", {"path": target})
        assert plan.structured_content["applied"] is False
        assert "+from support_bot.amplitude_bootstrap import ai" in plan.structured_content["diff"]
        applied = await client.call_tool(
            "instrument_file",
            {"path": target, "apply": True, "expected_sha256": plan.structured_content["sha256"]},
        )
        assert applied.structured_content["applied"] is True
        after = await client.call_tool("validate_file", {"path": target})
        assert after.structured_content["uninstrumented"] == 0
        again = await client.call_tool("instrument_file", {"path": target, "apply": True})
        assert again.structured_content["files"] == []
    assert (example_app / "support_bot" / "amplitude_bootstrap.py").is_file()
