"""How much an agent reads, and how many calls it makes, to instrument and verify each example app.

A naive agent drives the MCP tools over an in-memory client and reads **only the text
content** of each result (never ``structuredContent``): scan_project -> instrument_file per
file with uninstrumented call sites (the session tier when the scan names a web framework),
needs_input answered with the tool's own suggestions through ``inputs`` -> apply ->
validate_file -> generate_verify_test (apply=true; its questions answered the same way).
With ``--run`` the generated tests are run (pytest, offline) on the instrumented copy.

Not a test: prints per app the tool calls, the characters of tool output, the questions left
unanswered and (with ``--run``) whether the generated test passed; then median and max.

    .venv/bin/python bench/bench_tool_output.py [--run] [--apps a,b] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from fastmcp import Client

from amplitude_ai_mcp.server import create_server
from amplitude_ai_mcp.workspace import Roots

APPS = Path(__file__).resolve().parents[1] / "tests" / "apps"
_SECRETS = ("AMPLITUDE_AI_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "AZURE_OPENAI_API_KEY")
_ITEM = re.compile(
    r"^- \[([^\]]+)\] .*?(?:\n  suggestion: (.+))?\n  (answer with|\(not answerable)", re.M
)


@dataclass
class AppRun:
    app: str
    calls: int = 0
    chars: int = 0
    files: list[str] = field(default_factory=list)
    unanswered: int = 0
    errors: list[str] = field(default_factory=list)
    verify: str = ""  # first line of generate_verify_test
    test_passed: bool | None = None


class Agent:
    def __init__(self, client: Client, run: AppRun) -> None:
        self.client, self.run = client, run

    async def call(self, tool: str, **arguments: Any) -> tuple[bool, str]:
        result = await self.client.call_tool(tool, arguments, raise_on_error=False)
        text = "\n".join(c.text for c in result.content if c.type == "text")
        self.run.calls += 1
        self.run.chars += len(text)
        if result.is_error:
            self.run.errors.append(f"{tool}: {text.splitlines()[0] if text else '?'}")
        return not result.is_error, text


def _answers(text: str) -> tuple[dict[str, str], int, list[str]]:
    """(answers from suggestions, answerable items without one, files the items point to)."""
    answers: dict[str, str] = {}
    missing, files = 0, []
    for item_id, suggestion, kind in _ITEM.findall(text):
        if kind == "answer with":
            if suggestion:
                answers[item_id] = suggestion
            else:
                missing += 1
        elif suggestion and suggestion.endswith(".py"):
            files.append(suggestion)  # "built in <file>: run instrument_file on that file"
    return answers, missing, files


async def drive(app: str, root: Path) -> AppRun:
    run = AppRun(app)
    async with Client(create_server(Roots((root,)))) as client:
        agent = Agent(client, run)
        ok, scan = await agent.call("scan_project", limit=200)
        if not ok:
            return run
        tier = "session" if re.search(r"^web frameworks: ", scan, re.M) else "swap"
        queue = sorted(set(re.findall(r"^- ([^:\n]+\.py):\d+ .*UNINSTRUMENTED", scan, re.M)))
        done: set[str] = set()
        while queue:
            path = queue.pop(0)
            if path in done:
                continue
            done.add(path)
            ok, plan = await agent.call("instrument_file", path=path, tier=tier)
            if not ok:
                continue
            inputs, missing, elsewhere = _answers(plan)
            queue += [f for f in elsewhere if f not in done]
            if inputs:
                ok, plan = await agent.call("instrument_file", path=path, tier=tier, inputs=inputs)
                if not ok:
                    continue
            run.unanswered += missing
            sha = re.search(r"expected_sha256=([0-9a-f]{64})", plan)
            if sha is None:
                continue  # nothing to write
            ok, _ = await agent.call(
                "instrument_file",
                path=path,
                tier=tier,
                inputs=inputs,
                apply=True,
                expected_sha256=sha.group(1),
            )
            if ok:
                run.files.append(path)
                await agent.call("validate_file", path=path)
        tools = {t.name: t for t in await client.list_tools()}
        schema = tools["generate_verify_test"].input_schema
        targets = [None] if "path" not in schema.get("required", []) else run.files[:1]
        for target in targets:
            arguments: dict[str, Any] = {"apply": True}
            if target is not None:
                arguments["path"] = target
            ok, verify = await agent.call("generate_verify_test", **arguments)
            if ok:
                inputs, missing, _ = _answers(verify)
                if inputs:
                    ok, verify = await agent.call(
                        "generate_verify_test", **arguments, inputs=inputs
                    )
                run.unanswered += missing
                run.verify = verify.splitlines()[0] if verify else ""
    return run


def run_tests(root: Path, run: AppRun) -> None:
    tests = sorted((root / "tests").glob("test_amplitude_verify*.py"))
    if not tests:
        return
    env = {k: v for k, v in os.environ.items() if k not in _SECRETS}
    env.pop("PYTEST_ADDOPTS", None)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *map(str, tests)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    run.test_passed = proc.returncode == 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", action="store_true", help="run the generated tests")
    parser.add_argument("--apps", help="comma-separated app names (default: all)")
    parser.add_argument("--json", type=Path, help="write every run here")
    args = parser.parse_args(argv)
    names = sorted(p.name for p in APPS.iterdir() if (p / "original").is_dir())
    if args.apps:
        names = [n for n in names if n in args.apps.split(",")]
    runs: list[AppRun] = []
    with tempfile.TemporaryDirectory() as tmp:
        for app in names:
            root = Path(tmp) / app
            shutil.copytree(APPS / app / "original", root)
            run = asyncio.run(drive(app, root.resolve()))
            if args.run:
                run_tests(root, run)
            runs.append(run)
            passed = {None: "-", True: "pass", False: "FAIL"}[run.test_passed]
            print(
                f"{app:24} calls {run.calls:3}  chars {run.chars:7,}  unanswered "
                f"{run.unanswered}  errors {len(run.errors)}  test {passed}  {run.verify[:70]}"
            )
    if runs:
        calls = [r.calls for r in runs]
        chars = [r.chars for r in runs]
        print(
            f"\n{len(runs)} apps: tool calls median {statistics.median(calls)}, max {max(calls)}; "
            f"characters of tool output median {statistics.median(chars):,.0f}, max {max(chars):,}"
        )
        if args.run:
            print(f"generated tests passed: {sum(bool(r.test_passed) for r in runs)}/{len(runs)}")
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in runs], indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
