"""Demo: start the real server over stdio, scan the bundled example app, print findings.

``python -m amplitude_ai_mcp.demo`` copies the example app to a temporary directory, launches
``python -m amplitude_ai_mcp --root <copy>`` as a subprocess, talks MCP to it over stdio
(initialize, tools/list, scan_project, validate_file, suggest_instrumentation) and prints
what it found. Offline; no API keys.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from ._data import data_dir


async def run(app_dir: Path, out: Any = sys.stdout) -> dict[str, Any]:
    from fastmcp import Client
    from fastmcp.client.transports import StdioTransport

    transport = StdioTransport(
        command=sys.executable,
        args=["-m", "amplitude_ai_mcp", "--root", str(app_dir)],
        cwd=str(app_dir),
    )

    def say(line: str = "") -> None:
        print(line, file=out)

    async with Client(transport) as client:
        info = client.server_info
        tools = await client.list_tools()
        say(
            f"server {info.name} {info.version} over stdio; tools: "
            + ", ".join(t.name for t in tools)
        )
        scan = await client.call_tool("scan_project", {})
        data = scan.structured_content
        say(f"\nscan_project: {scan.content[0].text}")
        say("  providers:  " + ", ".join(p["name"] for p in data["providers"]))
        say("  web:        " + ", ".join(p["name"] for p in data["web_frameworks"]))
        say("  dependency files: " + ", ".join(data["dependency_files"]))
        for site in data["call_sites"]:
            flags = ["async" if site["is_async"] else "sync"]
            if site["stream"]:
                flags.append("stream")
            status = "instrumented" if site["instrumented"] else "NOT instrumented"
            built = (
                f" built at {site['client_file']}:{site['client_line']}"
                if site["client_file"]
                else ""
            )
            say(
                f"  {site['file']}:{site['line']}  {site['provider']} {site['api']} "
                f"({', '.join(flags)}) client `{site['receiver']}` = {site['client_origin']}()"
                f"{built} -> {status}"
            )
        first = data["call_sites"][0]["file"] if data["call_sites"] else None
        if first:
            checked = await client.call_tool("validate_file", {"path": first})
            say(f"\nvalidate_file {first}: {checked.content[0].text}")
            for tip in checked.structured_content["suggestions"]:
                say(f"  - {tip}")
        plan = await client.call_tool("suggest_instrumentation", {})
        say(f"\nsuggest_instrumentation: {plan.content[0].text}")
        for i, step in enumerate(plan.structured_content["steps"], 1):
            tool = f" [{step['tool']}]" if step["tool"] else ""
            say(f"  {i}. {step['step']}{tool}: {step['detail']}")
        return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m amplitude_ai_mcp.demo", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--app",
        type=Path,
        default=None,
        help="scan this directory instead of the bundled example app",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="amplitude-ai-demo-") as tmp:
        app = args.app
        if app is None:
            app = Path(tmp) / "support_bot"
            shutil.copytree(data_dir("examples") / "support_bot", app)
        asyncio.run(run(app.resolve()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
