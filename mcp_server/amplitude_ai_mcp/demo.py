"""Demo: start the real server over stdio and instrument the bundled example app end to end.

``python -m amplitude_ai_mcp.demo`` copies the example app to a temporary directory, launches
``python -m amplitude_ai_mcp --root <copy>`` as a subprocess and talks MCP to it over stdio
like a coding agent: scan_project, validate_file, suggest_instrumentation, then
instrument_file per file (plan: the diff is printed; apply with the plan's sha256),
validate_file again, generate_verify_test, and finally runs the generated pytest file and
prints the events it captured. Offline (the SDK's fake LLM); no API keys.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from ._data import data_dir


async def run(app_dir: Path, out: Any = sys.stdout, instrument: bool = False) -> dict[str, Any]:
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
        if instrument:
            data["verify"] = await _instrument_and_verify(client, app_dir, say)
        return data


# The bundled app's files and the tier each gets: clients are swapped for the SDK's drop-in
# classes where they are built; the request handlers get agent sessions (user id parameter).
_EXAMPLE_PLAN = (
    ("support_bot/clients.py", "swap"),
    ("support_bot/escalation.py", "swap"),
    ("support_bot/app.py", "session"),
)
_EXAMPLE_AGENT = "support-bot"
_VERIFY_TARGET = "support_bot/app.py"
# Imported by the bundled app or its generated test (the `demo` extra installs them).
_RUN_NEEDS = ("pytest", "openai", "anthropic", "fastapi", "httpx")


async def _instrument_and_verify(client: Any, app_dir: Path, say: Any) -> dict[str, Any]:
    for path, tier in _EXAMPLE_PLAN:
        args = {"path": path, "tier": tier, "agent_id": _EXAMPLE_AGENT}
        planned = await client.call_tool("instrument_file", args)
        result = planned.structured_content
        say(f"\ninstrument_file {path} (tier={tier}, plan): {planned.content[0].text}")
        for line in result["diff"].splitlines():
            say(f"  {line}")
        for item in result["needs_input"]:
            say(f"  needs input: {item['file']}:{item['line']} {item['question']}")
        applied = await client.call_tool(
            "instrument_file", {**args, "apply": True, "expected_sha256": result["sha256"]}
        )
        say(f"  apply: {applied.content[0].text}")
    for path, _ in _EXAMPLE_PLAN:
        checked = await client.call_tool("validate_file", {"path": path})
        say(f"validate_file {path}: {checked.content[0].text}")
    generated = await client.call_tool(
        "generate_verify_test", {"path": _VERIFY_TARGET, "apply": True}
    )
    verify = generated.structured_content
    say(f"\ngenerate_verify_test {_VERIFY_TARGET}: {generated.content[0].text}")
    for entry in verify["entry_points"]:
        say(f"  drives {entry['name']}: {entry['how']} (session: {entry['session']})")
    for item in verify["needs_input"]:
        say(f"  needs input: {item['file']}:{item['line']} {item['question']}")
    missing = [m for m in _RUN_NEEDS if importlib.util.find_spec(m) is None]
    if missing:
        say(
            f"\nnot running {verify['test_path']}: {', '.join(missing)} not installed "
            "(pip install -e '.[demo]' adds what the bundled app and its test need)"
        )
        return {**verify, "passed": None, "summary": "not run"}
    outcome = _run_verify_test(app_dir, verify["test_path"])
    say(f"\n$ {verify['run']}   (offline: fake LLM, no API key)")
    for line in outcome["lines"]:
        say(f"  {line}")
    return {**verify, "passed": outcome["passed"], "summary": outcome["summary"]}


def _run_verify_test(app_dir: Path, test_path: str) -> dict[str, Any]:
    """Run the generated test in a child pytest; keep the captured events and the verdict."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", test_path],
        cwd=app_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    lines = proc.stdout.splitlines()
    shown = [
        line[line.index("[amplitude-ai] ") :] if "[amplitude-ai] " in line else line
        for line in lines
        if "[amplitude-ai] " in line or line.startswith(("E   ", "FAILED "))
    ]
    summary = next((line for line in reversed(lines) if " in " in line), "").strip("= ")
    return {"lines": [*shown, summary], "passed": proc.returncode == 0, "summary": summary}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m amplitude_ai_mcp.demo", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--app",
        type=Path,
        default=None,
        help="scan this directory instead of the bundled example app (scan only: nothing "
        "is instrumented)",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="amplitude-ai-demo-") as tmp:
        app = args.app
        if app is None:
            app = Path(tmp) / "support_bot"
            shutil.copytree(data_dir("examples") / "support_bot", app)
        asyncio.run(run(app.resolve(), instrument=args.app is None))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
