"""The real server process over stdio survives a generated corpus of hostile files: every
tool that parses code answers each request (a result or a tool error), the scan completes with
the hostile files in ``skipped``, and the process is alive at the end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from queue import Empty, Queue

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from adversarial_sources import fuzzed_sources, named_sources

pytestmark = pytest.mark.reliability

TIMEOUT = 120
APP = """\
import openai

client = openai.OpenAI()


def answer(question: str) -> str:
    reply = client.chat.completions.create(model="gpt-4o-mini", messages=[])
    return reply.choices[0].message.content
"""


class _Server:
    def __init__(self, root: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "amplitude_ai_mcp", "--root", str(root)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            cwd=root,
        )
        self.frames: Queue[dict] = Queue()
        self.stderr: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._drain, daemon=True).start()
        self._id = 0

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.frames.put(json.loads(line))

    def _drain(self) -> None:
        assert self.proc.stderr is not None
        self.stderr.extend(self.proc.stderr)

    def call(self, method: str, params: dict | None = None) -> dict:
        self._id += 1
        message = {"jsonrpc": "2.0", "id": self._id, "method": method, "params": params or {}}
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(message) + "\n")
        self.proc.stdin.flush()
        while True:
            try:
                frame = self.frames.get(timeout=TIMEOUT)
            except Empty:
                code = self.proc.poll()
                raise AssertionError(f"no answer to {method} {params} (exit code {code})") from None
            if frame.get("id") == self._id:
                return frame

    def tool(self, name: str, **arguments: object) -> dict:
        frame = self.call("tools/call", {"name": name, "arguments": arguments})
        assert "result" in frame, frame  # a tool error is a result with isError, not a crash
        return frame["result"]


@pytest.fixture
def hostile_project(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    root = tmp_path / "project"
    root.mkdir()
    (root / "app.py").write_text(APP, encoding="utf-8")
    corpus = {**named_sources(), **fuzzed_sources(40)}
    for name, text in corpus.items():
        (root / f"{name}.py").write_text("import openai\n" + text, encoding="utf-8")
    return root.resolve(), corpus


def test_server_survives_the_hostile_corpus_over_stdio(hostile_project):
    root, corpus = hostile_project
    server = _Server(root)
    try:
        server.call(
            "initialize",
            {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "reliability", "version": "0"},
            },
        )
        server.proc.stdin.write(  # type: ignore[union-attr]
            json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}) + "\n"
        )
        server.proc.stdin.flush()  # type: ignore[union-attr]

        scanned = server.tool("scan_project", limit=200)["structuredContent"]
        assert [(s["file"], s["line"]) for s in scanned["call_sites"]] == [("app.py", 7)]
        skipped = {s["path"]: s["reason"] for s in scanned["skipped"]}
        assert scanned["counts"]["skipped_files"] >= 50  # the list itself shows the first 50
        for early in ("attributes_20k.py", "blank_lines_999k.py", "calls_5k.py"):
            assert skipped[early], early
        # CPython's parser reads it (in the guarded worker) and no statement of it touches
        # an LLM client, so libcst never sees the 20,000-term expression: analysed, no site.
        assert "and_20k.py" not in skipped
        steps = server.tool("suggest_instrumentation")
        assert not steps.get("isError"), steps

        answered = 0
        for name, text in corpus.items():
            file = f"{name}.py"
            for tool, arguments in (
                ("validate_file", {"path": file}),
                ("validate_file", {"source": text[:1_000_000]}),
                ("instrument_file", {"path": file}),
                ("generate_verify_test", {"path": file}),
            ):
                result = server.tool(tool, **arguments)
                answered += 1
                if result.get("isError"):
                    message = result["content"][0]["text"]
                    assert "internal error" not in message.lower(), (tool, name, message)
            assert server.proc.poll() is None, f"the server died on {name}"
        assert answered == 4 * len(corpus)
        # Still fully working afterwards.
        assert server.tool("validate_file", path="app.py")["structuredContent"]["total"] == 1
        assert "result" in server.call("ping")
    finally:
        if server.proc.poll() is None:
            server.proc.stdin.close()  # type: ignore[union-attr]
            try:
                server.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.proc.kill()
    assert not any("Segmentation" in line or "Traceback" in line for line in server.stderr)
