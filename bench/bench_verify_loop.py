"""Benchmark: what the whole instrument-and-verify loop costs an agent, per example app.

Run from the repo root::

    .venv/bin/python bench/bench_verify_loop.py            # every app of tests/apps
    .venv/bin/python bench/bench_verify_loop.py --json out.json

For every app (its ``original/``, copied to a temporary root) a client drives the real server
in memory the way the instrument_app prompt says: scan_project, then per file that builds a
client or calls an LLM instrument_file (plan), instrument_file (apply with the plan's sha256),
validate_file, and finally generate_verify_test on the whole project (apply). It counts the
tool calls and the characters of tool output an agent reads: the text content (what a
text-only client sees) and the structured content serialised as JSON. Median and max over
the apps. Counts, not times: the figures do not depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import describe_git, git_state

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "e2e"))
from apps import APPS, CHAINS, PROJECT_APPS, Chain, copy_app  # noqa: E402  # noqa: E402


async def _loop(app: str, root: Path) -> dict[str, Any]:
    from fastmcp import Client

    from amplitude_ai_mcp.server import create_server
    from amplitude_ai_mcp.workspace import Roots

    chain = CHAINS.get(app, Chain())
    stats = {"calls": 0, "text_chars": 0, "json_chars": 0}

    async with Client(create_server(Roots((root,)))) as client:
        tools = {t.name: t for t in await client.list_tools()}

        async def call(name: str, args: dict[str, Any]) -> Any:
            result = await client.call_tool(name, args, raise_on_error=False)
            stats["calls"] += 1
            stats["text_chars"] += sum(len(getattr(c, "text", "")) for c in result.content)
            stats["json_chars"] += len(json.dumps(result.structured_content or {}))
            return result.structured_content or {}

        scan = await call("scan_project", {})
        files = list(chain.files) or sorted({s["file"] for s in scan.get("call_sites", [])})
        for rel in files:
            args: dict[str, Any] = {"path": rel, "tier": chain.tier}
            if chain.agent_id:
                args["agent_id"] = chain.agent_id
            planned = await call("instrument_file", args)
            if "sha256" in planned:
                await call(
                    "instrument_file", {**args, "apply": True, "expected_sha256": planned["sha256"]}
                )
            await call("validate_file", {"path": rel})
        verify_args: dict[str, Any] = {"apply": True}
        tool = tools["generate_verify_test"]
        schema = (getattr(tool, "input_schema", None) or tool.inputSchema).get("properties", {})
        if chain.inputs and "inputs" in schema:
            verify_args["inputs"] = chain.inputs
        await call("generate_verify_test", verify_args)
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    rows: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for app in sorted({*APPS, *PROJECT_APPS}):
            root = copy_app(app, "original", Path(tmp) / app)
            rows[app] = asyncio.run(_loop(app, root))
    print(f"{'app':<20} {'calls':>5} {'text chars':>11} {'json chars':>11}")
    for app, row in rows.items():
        print(f"{app:<20} {row['calls']:>5} {row['text_chars']:>11} {row['json_chars']:>11}")
    summary = {
        key: {
            "median": statistics.median(r[key] for r in rows.values()),
            "max": max(r[key] for r in rows.values()),
        }
        for key in ("calls", "text_chars", "json_chars")
    }
    for key, value in summary.items():
        print(f"{key}: median {value['median']}, max {value['max']}")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {"git": describe_git(git_state()), "apps": rows, "summary": summary},
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
