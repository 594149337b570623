"""A client that reads only ``content`` (never ``structuredContent``) closes the whole loop over
real stdio: scan -> plan -> answer needs_input through ``inputs`` -> apply -> validate ->
generate_verify_test -> the generated test passes. Also: tools/list stays lean."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from queue import Empty, Queue

import pytest

APPS = Path(__file__).resolve().parents[1] / "apps"
TIMEOUT = 120
TOOLS_LIST_BUDGET = 20 * 1024  # bytes of the tools/list response frame
_SECRETS = ("AMPLITUDE_AI_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "AZURE_OPENAI_API_KEY")


class TextOnlyClient:
    """Newline-delimited JSON-RPC over the server's stdin/stdout; tool results as text only."""

    def __init__(self, root: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "amplitude_ai_mcp", "--root", str(root)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            cwd=root,
        )
        self.raw: Queue[bytes] = Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self._id = 0
        self.chars = 0  # characters of tool output this client read

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.raw.put(line)

    def _send(self, message: dict) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write((json.dumps(message) + "\n").encode())
        self.proc.stdin.flush()

    def request(self, method: str, params: dict | None = None) -> tuple[dict, int]:
        """The response frame and its size in bytes on the wire."""
        self._id += 1
        self._send({"jsonrpc": "2.0", "id": self._id, "method": method, "params": params or {}})
        while True:
            try:
                line = self.raw.get(timeout=TIMEOUT)
            except Empty:
                raise AssertionError(f"no answer to {method}") from None
            frame = json.loads(line)
            if frame.get("id") == self._id:
                assert "error" not in frame, frame
                return frame["result"], len(line.rstrip(b"\n"))

    def initialize(self) -> None:
        self.request(
            "initialize",
            {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "text-only", "version": "0"},
            },
        )
        self._send({"jsonrpc": "2.0", "method": "notifications/initialized"})

    def call(self, tool: str, **arguments: object) -> str:
        result, _ = self.request("tools/call", {"name": tool, "arguments": arguments})
        text = "\n".join(c["text"] for c in result["content"] if c["type"] == "text")
        assert not result.get("isError"), text
        self.chars += len(text)
        return text

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=TIMEOUT)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()


@pytest.fixture
def api(tmp_path: Path):
    root = tmp_path / "api"
    shutil.copytree(APPS / "fastapi_app" / "original", root)
    client = TextOnlyClient(root.resolve())
    client.initialize()
    yield root.resolve(), client
    client.close()


def test_tools_list_stays_under_budget(api):
    _, client = api
    result, size = client.request("tools/list")
    assert len(result["tools"]) == 9
    assert size <= TOOLS_LIST_BUDGET, f"tools/list is {size} bytes (budget {TOOLS_LIST_BUDGET})"
    for tool in result["tools"]:  # lean, not stripped: every input still says what it is
        assert tool["outputSchema"]["type"] == "object", tool["name"]
        for name, spec in tool["inputSchema"]["properties"].items():
            assert spec.get("description"), (tool["name"], name)


def test_a_text_only_client_closes_the_loop(api):
    root, client = api

    scan = client.call("scan_project")
    (site,) = re.findall(r"^- (support_api/main\.py):(\d+) .*UNINSTRUMENTED", scan, re.M)
    path = site[0]

    plan = client.call("instrument_file", path=path, tier="session")
    assert plan.splitlines()[0].endswith("2 need input; uninstrumented 1 -> 0")
    # Each needs_input item: "- [id] file:line: question" then "  suggestion: ...".
    asked = re.findall(r"^- \[([^\]]+)\] .*\n  suggestion: (.+)$", plan, re.M)
    assert [i for i, _ in asked] == [f"{path}:agent_id", f"{path}:chat:user_id"]
    inputs = dict(asked)  # the agent accepts the suggestions ('support-api', req.user_id)

    answered = client.call("instrument_file", path=path, tier="session", inputs=inputs)
    assert "0 need input" in answered.splitlines()[0]
    assert "+    with support_api_agent.session(user_id=req.user_id):" in answered
    sha = re.search(r"expected_sha256=([0-9a-f]{64})", answered)
    assert sha is not None
    applied = client.call(
        "instrument_file",
        path=path,
        tier="session",
        inputs=inputs,
        apply=True,
        expected_sha256=sha.group(1),
    )
    assert " edits applied in 2 files" in applied.splitlines()[0]

    validated = client.call("validate_file", path=path)
    assert validated.splitlines()[0] == f"{path}: 1 call sites, 0 uninstrumented"

    verify = client.call("generate_verify_test", path=path, apply=True)
    first = verify.splitlines()[0]
    assert "written" in first and "1 entry points (chat)" in first
    source = re.search(r"```python\n(.*?)```", verify, re.S)
    run = re.search(r"^run: (.+)$", verify, re.M)
    assert source is not None and run is not None
    test_file = root / run.group(1).split()[-1]
    assert test_file.read_text(encoding="utf-8") == source.group(1)

    env = {k: v for k, v in os.environ.items() if k not in _SECRETS}
    env.pop("PYTEST_ADDOPTS", None)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_file)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # A sanity bound, not a target: the text is the result once, not the JSON twice over.
    assert client.chars < 60_000, client.chars
