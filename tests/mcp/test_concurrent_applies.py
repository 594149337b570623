"""Reliability: many instrument_file(apply=true) requests at once on one project.

Every module of a package is instrumented with the session tier and its own agent, all
requests in flight together (in memory: FastMCP runs each sync tool call in a worker
thread; over stdio: one real server process; and two server processes on the same
project). Afterwards every module must import in a fresh interpreter and the one shared
bootstrap must define every agent, each exactly once.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from fastmcp import Client

from amplitude_ai_mcp.codemods.plan import Options, apply_changes, plan_file
from amplitude_ai_mcp.server import create_server
from amplitude_ai_mcp.workspace import Roots, WorkspaceError

from .test_stdio import RawClient

pytestmark = pytest.mark.reliability


MODULE = '''"""Support handler {i}."""

from openai import OpenAI

client = OpenAI()


def answer_{i}(user_id: str, question: str) -> str:
    reply = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{{"role": "user", "content": question}}]
    )
    return reply.choices[0].message.content or ""
'''


def make_project(root: Path, modules: int) -> list[str]:
    package = root / "bots"
    package.mkdir()
    (package / "__init__.py").write_text("")
    names = []
    for i in range(modules):
        (package / f"handler_{i}.py").write_text(MODULE.format(i=i))
        names.append(f"handler_{i}")
    return names


def agent_id(name: str) -> str:
    return name.replace("_", "-")


def import_every_module(root: Path, names: list[str]) -> dict[str, str]:
    """Import each module in one fresh interpreter; module -> error ('' when it imports)."""
    script = (
        "import importlib, json, sys\n"
        "out = {}\n"
        "for name in sys.argv[1:]:\n"
        "    try:\n"
        "        importlib.import_module('bots.' + name)\n"
        "        out[name] = ''\n"
        "    except Exception as exc:\n"
        "        out[name] = f'{type(exc).__name__}: {exc}'\n"
        "print(json.dumps(out))\n"
    )
    env = {
        **os.environ,
        "OPENAI_API_KEY": "sk-test",
        "PYTHONPATH": str(root),
        "AMPLITUDE_AI_API_KEY": "",
    }
    done = subprocess.run(
        [sys.executable, "-c", script, *names],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def bootstrap_agents(root: Path) -> list[str]:
    text = (root / "bots" / "amplitude_bootstrap.py").read_text()
    return re.findall(r'ai\.agent\("([^"]+)"', text)


def check_project(root: Path, names: list[str], applied: int) -> None:
    assert applied == len(names)
    errors = import_every_module(root, names)
    failed = {name: error for name, error in errors.items() if error}
    print(
        f"\nconcurrent applies: {applied}/{len(names)} applied, "
        f"{len(names) - len(failed)}/{len(names)} modules import"
    )
    assert failed == {}
    agents = bootstrap_agents(root)
    assert sorted(agents) == sorted(agent_id(n) for n in names)  # each agent exactly once


APPLIES_IN_MEMORY = 50


@pytest.mark.asyncio
async def test_parallel_session_applies_in_memory_keep_every_agent(tmp_path: Path):
    names = make_project(tmp_path, APPLIES_IN_MEMORY)
    server = create_server(Roots((tmp_path.resolve(),)))
    async with Client(server) as client:

        async def apply(name: str) -> bool:
            result = await client.call_tool(
                "instrument_file",
                {
                    "path": f"bots/{name}.py",
                    "tier": "session",
                    "agent_id": agent_id(name),
                    "apply": True,
                },
            )
            return bool(result.structured_content["applied"])

        outcomes = await asyncio.gather(*(apply(n) for n in names))
    check_project(tmp_path, names, sum(outcomes))


def test_parallel_applies_from_threads_on_the_library_api(tmp_path: Path):
    names = make_project(tmp_path, 24)
    root = tmp_path.resolve()
    applied: list[str] = []
    barrier = threading.Barrier(len(names))

    def work(name: str) -> None:
        outcome = plan_file(root, root / "bots" / f"{name}.py", Options("session", agent_id(name)))
        barrier.wait()  # every plan read the same (missing) bootstrap before anyone writes
        apply_changes(outcome.changes)
        applied.append(name)

    threads = [threading.Thread(target=work, args=(n,)) for n in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    check_project(root, names, len(applied))


def test_a_conflicting_concurrent_change_is_refused_not_overwritten(tmp_path: Path):
    root = tmp_path.resolve()
    make_project(root, 2)
    first = plan_file(root, root / "bots" / "handler_0.py", Options("session", "support_bot"))
    second = plan_file(root, root / "bots" / "handler_1.py", Options("session", "support-bot"))
    apply_changes(first.changes)
    # Both ids become the variable `support_bot`; the second plan imports that name for a
    # different agent, so merging it would bind the wrong agent: refused, nothing written.
    before = (root / "bots" / "handler_1.py").read_bytes()
    with pytest.raises(WorkspaceError, match="plan again"):
        apply_changes(second.changes)
    assert (root / "bots" / "handler_1.py").read_bytes() == before
    assert bootstrap_agents(root) == ["support_bot"]


APPLIES_STDIO = 16


def _stdio_applies(client: RawClient, names: list[str]) -> int:
    client.initialize()
    ids = {
        client.request(
            "tools/call",
            {
                "name": "instrument_file",
                "arguments": {
                    "path": f"bots/{name}.py",
                    "tier": "session",
                    "agent_id": agent_id(name),
                    "apply": True,
                },
            },
        ): name
        for name in names
    }
    answers: dict[int, dict] = {}
    while len(answers) < len(ids):  # answers arrive in any order
        frame = client.frames.get(timeout=300)
        if frame.get("id") in ids and ("result" in frame or "error" in frame):
            answers[frame["id"]] = frame
    applied = 0
    for frame in answers.values():
        result = frame.get("result") or {}
        assert not result.get("isError"), frame
        applied += bool(result["structuredContent"]["applied"])
    return applied


def test_parallel_session_applies_over_stdio(tmp_path: Path):
    root = tmp_path.resolve()
    names = make_project(root, APPLIES_STDIO)
    client = RawClient(root)
    try:
        applied = _stdio_applies(client, names)
    finally:
        client.close()
    check_project(root, names, applied)


def test_two_server_processes_on_one_project(tmp_path: Path):
    root = tmp_path.resolve()
    names = make_project(root, APPLIES_STDIO)
    clients = [RawClient(root), RawClient(root)]
    halves = [names[0::2], names[1::2]]
    counts: list[int] = []
    try:
        threads = [
            threading.Thread(target=lambda c=c, h=h: counts.append(_stdio_applies(c, h)))
            for c, h in zip(clients, halves, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for client in clients:
            client.close()
    check_project(root, names, sum(counts))
