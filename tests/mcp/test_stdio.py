"""The real server process over stdio, driven by clients that do not share fastmcp's code.

- a hand-written JSON-RPC client (newline-delimited frames, as the MCP stdio transport says):
  every stdout line must be a JSON-RPC 2.0 frame; other requests are answered while a scan
  runs; progress notifications arrive; a cancelled scan does not block the server;
- the official ``mcp`` SDK's stdio client;
- the MCP Inspector CLI (node), when it is available offline.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from queue import Empty, Queue

import pytest

from amplitude_ai_mcp import __version__

# The tools the server registers, as the generated (drift-tested) schema lists them.
_SCHEMA_TOOLS = json.loads(
    (Path(__file__).resolve().parents[2] / "mcp.schema.json").read_text(encoding="utf-8")
)["tools"]
_WRITING_TOOLS = {t["name"] for t in _SCHEMA_TOOLS if not t["annotations"]["readOnlyHint"]}

PROTOCOL = "2025-06-18"
TIMEOUT = 60


class RawClient:
    """Minimal line-oriented JSON-RPC peer; records every stdout line."""

    def __init__(self, root: Path) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "amplitude_ai_mcp", "--root", str(root)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=root,
        )
        self.lines: list[str] = []
        self.frames: Queue[dict] = Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._next_id = 0

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)
            try:
                self.frames.put(json.loads(line))
            except json.JSONDecodeError:
                self.frames.put({"not_json": line})

    def send(self, message: dict) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(message) + "\n")
        self.proc.stdin.flush()

    def request(self, method: str, params: dict | None = None) -> int:
        self._next_id += 1
        message = {"jsonrpc": "2.0", "id": self._next_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return self._next_id

    def wait_for(self, request_id: int, seen: list[dict] | None = None) -> dict:
        while True:
            try:
                frame = self.frames.get(timeout=TIMEOUT)
            except Empty:
                raise AssertionError(f"no response to request {request_id}") from None
            if seen is not None:
                seen.append(frame)
            if frame.get("id") == request_id and ("result" in frame or "error" in frame):
                return frame

    def close(self) -> str:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=TIMEOUT)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
        self._reader.join(timeout=10)
        assert self.proc.stderr is not None
        return self.proc.stderr.read()

    def initialize(self) -> dict:
        rid = self.request(
            "initialize",
            {
                "protocolVersion": PROTOCOL,
                "capabilities": {},
                "clientInfo": {"name": "raw-test-client", "version": "0"},
            },
        )
        response = self.wait_for(rid)
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return response


def _assert_all_frames(lines: list[str]) -> None:
    assert lines, "the server wrote nothing"
    for line in lines:
        frame = json.loads(line)  # raises on anything that is not JSON
        assert frame.get("jsonrpc") == "2.0", line


@pytest.fixture
def raw(example_app):
    client = RawClient(example_app)
    yield client
    if client.proc.poll() is None:
        client.proc.kill()


def test_stdout_carries_only_json_rpc_frames(raw):
    init = raw.initialize()["result"]
    assert init["serverInfo"] == {"name": "amplitude-ai", "version": __version__} or (
        init["serverInfo"]["name"] == "amplitude-ai"
        and init["serverInfo"]["version"] == __version__
    )
    assert "scan_project" in init["instructions"]
    tools = raw.wait_for(raw.request("tools/list"))["result"]["tools"]
    assert len(tools) == len(_SCHEMA_TOOLS)
    for tool in tools:
        assert tool["annotations"]["readOnlyHint"] is (tool["name"] not in _WRITING_TOOLS)
        assert "outputSchema" in tool
    call = raw.wait_for(
        raw.request(
            "tools/call",
            {"name": "validate_file", "arguments": {"path": "support_bot/escalation.py"}},
        )
    )
    assert call["result"]["structuredContent"]["total"] == 1
    assert call["result"]["content"][0]["text"].splitlines()[0].endswith("1 uninstrumented")
    bad = raw.wait_for(
        raw.request("tools/call", {"name": "validate_file", "arguments": {"path": "../etc/passwd"}})
    )
    assert bad["result"]["isError"] is True
    resource = raw.wait_for(raw.request("resources/read", {"uri": "amplitude-ai://event-schema"}))
    assert json.loads(resource["result"]["contents"][0]["text"])["catalog_version"]
    prompt = raw.wait_for(
        raw.request(
            "prompts/get", {"name": "instrument_app", "arguments": {"framework": "fastapi"}}
        )
    )
    assert "scan_project" in prompt["result"]["messages"][0]["content"]["text"]
    unknown = raw.wait_for(raw.request("no/such/method"))
    assert unknown["error"]["code"] == -32601
    raw.wait_for(raw.request("ping"))
    stderr = raw.close()
    assert raw.proc.returncode == 0, stderr
    _assert_all_frames(raw.lines)


def _big_tree(root: Path, files: int) -> None:
    pkg = root / "bulk"
    pkg.mkdir()
    for i in range(files):
        body = (
            "from openai import OpenAI\n\nclient = OpenAI()\n\n\ndef f():\n"
            "    return client.chat.completions.create(model='m', messages=[])\n"
            if i % 10 == 0
            else f"def helper_{i}(x):\n    return x * {i}\n"
        )
        (pkg / f"m{i:05d}.py").write_text(body)


def test_requests_are_answered_during_a_scan_and_progress_is_reported(raw, example_app):
    _big_tree(example_app, 1500)
    raw.initialize()
    seen: list[dict] = []
    scan_id = raw.request(
        "tools/call",
        {"name": "scan_project", "arguments": {"limit": 1}, "_meta": {"progressToken": "scan-1"}},
    )
    list_id = raw.request("tools/list")
    order: list[int] = []
    while len(order) < 2:
        frame = raw.frames.get(timeout=TIMEOUT)
        seen.append(frame)
        if frame.get("id") in (scan_id, list_id):
            order.append(frame["id"])
    assert order == [list_id, scan_id], "tools/list waited for the scan"
    progress = [f for f in seen if f.get("method") == "notifications/progress"]
    assert progress and all(f["params"]["progressToken"] == "scan-1" for f in progress)
    scan = next(f for f in seen if f.get("id") == scan_id)
    assert scan["result"]["structuredContent"]["counts"]["call_sites"] == 4 + 150
    raw.close()
    _assert_all_frames(raw.lines)


def test_a_cancelled_scan_stops_and_does_not_block_the_server(raw, example_app):
    _big_tree(example_app, 3000)
    raw.initialize()
    scan_id = raw.request(
        "tools/call",
        {"name": "scan_project", "arguments": {}, "_meta": {"progressToken": "cancel-me"}},
    )
    while raw.frames.get(timeout=TIMEOUT).get("method") != "notifications/progress":
        pass  # the scan is running in its worker thread
    raw.send(
        {
            "jsonrpc": "2.0",
            "method": "notifications/cancelled",
            "params": {"requestId": scan_id, "reason": "test"},
        }
    )
    seen: list[dict] = []
    raw.wait_for(raw.request("ping"), seen)
    answered = raw.wait_for(raw.request("tools/list"), seen)
    assert "result" in answered
    stderr = raw.close()  # waits for the process to exit; the reader drains stdout
    while not raw.frames.empty():
        seen.append(raw.frames.get())
    assert raw.proc.returncode == 0, stderr
    assert not [f for f in seen if f.get("id") == scan_id], "a cancelled request was answered"
    late = [f for f in seen if f.get("method") == "notifications/progress"]
    assert len(late) <= 1, "the scan kept reporting progress after it was cancelled"
    _assert_all_frames(raw.lines)


@pytest.mark.asyncio
async def test_official_mcp_sdk_stdio_client(example_app):
    from mcp.client.session import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "amplitude_ai_mcp", "--root", str(example_app)],
        cwd=str(example_app),
    )
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        init = await session.initialize()
        assert init.server_info.version == __version__
        tools = await session.list_tools()
        assert {t.name for t in tools.tools} >= {"scan_project", "validate_file"}
        result = await session.call_tool("scan_project", {"limit": 10})
        assert result.structured_content["counts"]["call_sites"] == 4
        assert not result.is_error


def _inspector_available() -> str | None:
    npx = shutil.which("npx")
    if npx is None:
        return "node/npx is not installed"
    probe = subprocess.run(
        [npx, "--offline", "--yes", "@modelcontextprotocol/inspector", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    if probe.returncode != 0 and "ENOTCACHED" in probe.stderr:
        return (
            "the MCP Inspector is not in the npm cache and tests stay offline; run "
            "`npx @modelcontextprotocol/inspector --help` once to cache it"
        )
    return None


def test_mcp_inspector_cli(example_app):
    reason = _inspector_available()
    if reason:
        pytest.skip(reason)
    base = [
        "npx",
        "--offline",
        "--yes",
        "@modelcontextprotocol/inspector",
        "--cli",
        sys.executable,
        "-m",
        "amplitude_ai_mcp",
        "--root",
        str(example_app),
    ]
    listed = subprocess.run(
        [*base, "--method", "tools/list"],
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )
    assert listed.returncode == 0, listed.stderr
    names = {t["name"] for t in json.loads(listed.stdout)["tools"]}
    assert "scan_project" in names
    called = subprocess.run(
        [
            *base,
            "--method",
            "tools/call",
            "--tool-name",
            "validate_file",
            "--tool-arg",
            "path=support_bot/escalation.py",
        ],
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )
    assert called.returncode == 0, called.stderr
    assert json.loads(called.stdout)["structuredContent"]["total"] == 1


@pytest.mark.parametrize("version", ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"])
def test_every_handshake_protocol_version_is_served(example_app, version):
    client = RawClient(example_app)
    try:
        rid = client.request(
            "initialize",
            {
                "protocolVersion": version,
                "capabilities": {},
                "clientInfo": {"name": "raw-test-client", "version": "0"},
            },
        )
        result = client.wait_for(rid)["result"]
        assert result["protocolVersion"] == version
        client.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        tools = client.wait_for(client.request("tools/list"))["result"]["tools"]
        assert len(tools) == len(_SCHEMA_TOOLS)
    finally:
        client.close()
    _assert_all_frames(client.lines)


@pytest.mark.asyncio
async def test_modern_protocol_era_over_stdio(example_app):
    from fastmcp import Client
    from fastmcp.client.transports import StdioTransport
    from mcp_types.version import LATEST_MODERN_VERSION

    transport = StdioTransport(
        command=sys.executable,
        args=["-m", "amplitude_ai_mcp", "--root", str(example_app)],
        cwd=str(example_app),
    )
    async with Client(transport) as client:
        assert client.protocol_version == LATEST_MODERN_VERSION
        assert client.server_info.version == __version__
        result = await client.call_tool("validate_file", {"path": "support_bot/escalation.py"})
        assert result.structured_content["total"] == 1
