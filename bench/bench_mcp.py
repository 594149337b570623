"""Benchmark: the MCP server — start-up, scan throughput and responsiveness during a scan.

Run from the repo root::

    .venv/bin/python bench/bench_mcp.py              # full: 7 start-ups, 10,000-file tree x 3
    .venv/bin/python bench/bench_mcp.py --quick      # 3 start-ups, 2,000-file tree x 1
    .venv/bin/python bench/bench_mcp.py --json out.json

1. **Start-up**: wall time from spawning ``python -m amplitude_ai_mcp`` to the answer of
   ``tools/list`` (after ``initialize``), side by side with ``python -c pass`` and
   ``python -c "from fastmcp import FastMCP"`` (the floor the library sets). Target <= 0.3 s.
2. **Scan throughput**: ``scan()`` over a synthetic tree of ``--files`` .py files (1 in
   ``--llm-every`` is an LLM module with real call sites, the rest ordinary code), each run
   in a fresh child process that reports its wall time and peak RSS (``ru_maxrss``). Side by
   side: the same walk reading every file without analysing it. Targets >= 4,000 files/s,
   <= 100 MB.
3. **Responsiveness**: ``tools/list`` round trips over stdio, idle and while a
   ``scan_project`` of that tree runs in the same server. Target < 50 ms during the scan.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from queue import Queue
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import describe_git, git_state

STARTUP_TARGET_S = 0.3
FILES_PER_S_TARGET = 4000
RSS_TARGET_MB = 100
LATENCY_TARGET_MS = 50

LLM_MODULE = '''"""Module {i}: talks to an LLM."""
from dataclasses import dataclass

from openai import OpenAI

client = OpenAI()


@dataclass
class Answer:
    text: str


def ask_{i}(question: str) -> Answer:
    reply = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{{"role": "user", "content": question}}]
    )
    return Answer(reply.choices[0].message.content)
'''
PLAIN_MODULE = '''"""Module {i}: ordinary application code."""
import json
import os
from dataclasses import dataclass, field


@dataclass
class Record{i}:
    name: str
    tags: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps({{"name": self.name, "tags": self.tags}})


def load_{i}(path: str) -> list[Record{i}]:
    if not os.path.exists(path):
        return []
    with open(path) as fh:
        return [Record{i}(**row) for row in json.load(fh)]
'''


def make_tree(root: Path, files: int, llm_every: int) -> int:
    per_dir = 200
    llm = 0
    for i in range(files):
        directory = root / f"pkg{i // per_dir:03d}"
        directory.mkdir(exist_ok=True)
        if i % llm_every == 0:
            llm += 1
            text = LLM_MODULE.format(i=i)
        else:
            text = PLAIN_MODULE.format(i=i)
        (directory / f"mod{i:05d}.py").write_text(text)
    return llm


def _child(code: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


SCAN_CHILD = """
import json, resource, sys, time
from pathlib import Path
from amplitude_ai_mcp.detect.project import scan
t = time.perf_counter()
r = scan(Path({root!r}), limit=1)
wall = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"wall": wall, "rss_mb": rss, "files": r.counts.python_files,
                  "analysed": r.counts.analysed_files, "sites": r.counts.call_sites}}))
"""
READ_CHILD = """
import json, resource, time
from pathlib import Path
from amplitude_ai_mcp import workspace
from amplitude_ai_mcp.detect.project import Limits, walk_python_files
t = time.perf_counter()
files, _ = walk_python_files(Path({root!r}), Limits(), [], [])
for _rel, path in files:
    workspace.read_python(path)
wall = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"wall": wall, "rss_mb": rss, "files": len(files)}}))
"""


class StdioServer:
    def __init__(self, root: Path) -> None:
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "amplitude_ai_mcp", "--root", str(root)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.frames: Queue[tuple[float, dict]] = Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self._id = 0

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.frames.put((time.perf_counter(), json.loads(line)))

    def send(self, message: dict) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(message) + "\n")
        self.proc.stdin.flush()

    def request(self, method: str, params: dict | None = None) -> int:
        self._id += 1
        self.send({"jsonrpc": "2.0", "id": self._id, "method": method, "params": params or {}})
        return self._id

    def wait(self, rid: int, on_frame: Any = None) -> float:
        while True:
            when, frame = self.frames.get(timeout=300)
            if on_frame is not None:
                on_frame(frame)
            if frame.get("id") == rid:
                return when

    def initialize(self) -> None:
        rid = self.request(
            "initialize",
            {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "bench", "version": "0"},
            },
        )
        self.wait(rid)
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def bench_startup(runs: int, root: Path) -> dict[str, Any]:
    server, bare, fastmcp_import = [], [], []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        bare.append(time.perf_counter() - t)
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "from fastmcp import FastMCP"], check=True)
        fastmcp_import.append(time.perf_counter() - t)
        s = StdioServer(root)
        s.initialize()
        done = s.wait(s.request("tools/list"))
        server.append(done - s.started)
        s.close()
    med = statistics.median
    result = {
        "runs": runs,
        "server_to_tools_list_s": med(server),
        "python_pass_s": med(bare),
        "import_fastmcp_s": med(fastmcp_import),
        "samples": {"server": server, "pass": bare, "fastmcp": fastmcp_import},
    }
    result["target_met"] = result["server_to_tools_list_s"] <= STARTUP_TARGET_S
    return result


def bench_scan(runs: int, root: Path) -> dict[str, Any]:
    scans = [_child(SCAN_CHILD.format(root=str(root))) for _ in range(runs)]
    reads = [_child(READ_CHILD.format(root=str(root))) for _ in range(runs)]
    files = scans[0]["files"]
    wall = statistics.median(s["wall"] for s in scans)
    read_wall = statistics.median(r["wall"] for r in reads)
    rss = max(s["rss_mb"] for s in scans)
    return {
        "runs": runs,
        "files": files,
        "analysed": scans[0]["analysed"],
        "call_sites": scans[0]["sites"],
        "scan_wall_s": wall,
        "files_per_s": files / wall,
        "read_only_wall_s": read_wall,
        "read_only_files_per_s": files / read_wall,
        "peak_rss_mb": rss,
        "read_only_peak_rss_mb": max(r["rss_mb"] for r in reads),
        "throughput_target_met": files / wall >= FILES_PER_S_TARGET,
        "rss_target_met": rss <= RSS_TARGET_MB,
        "samples": {"scan": scans, "read": reads},
    }


def bench_latency(root: Path, probes: int) -> dict[str, Any]:
    s = StdioServer(root)
    s.initialize()
    idle = []
    for _ in range(probes):
        t = time.perf_counter()
        idle.append(s.wait(s.request("tools/list")) - t)
    progress: list[dict] = []
    scan_id = s.request(
        "tools/call",
        {"name": "scan_project", "arguments": {"limit": 1}, "_meta": {"progressToken": "bench"}},
    )
    t_scan = time.perf_counter()
    # Wait for the first progress notification: the scan is running in its worker thread.
    while not progress:
        _, frame = s.frames.get(timeout=300)
        if frame.get("method") == "notifications/progress":
            progress.append(frame)
    during = []
    scan_done = None
    for _ in range(probes):
        t = time.perf_counter()
        rid = s.request("tools/list")
        while True:
            when, frame = s.frames.get(timeout=300)
            if frame.get("id") == scan_id:
                scan_done = when
            if frame.get("id") == rid:
                break
        if scan_done is None:
            during.append(when - t)
        time.sleep(0.02)
    if scan_done is None:
        scan_done = s.wait(scan_id)
    s.close()
    result = {
        "probes": probes,
        "idle_ms": statistics.median(idle) * 1000,
        "during_scan_ms": statistics.median(during) * 1000 if during else None,
        "during_scan_max_ms": max(during) * 1000 if during else None,
        "probes_during_scan": len(during),
        "scan_wall_s": scan_done - t_scan,
    }
    result["target_met"] = bool(during) and result["during_scan_ms"] < LATENCY_TARGET_MS
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--files", type=int, default=None, help="synthetic tree size (10000)")
    p.add_argument("--llm-every", type=int, default=100, help="1 LLM module per N files")
    p.add_argument("--runs", type=int, default=None)
    p.add_argument("--json", metavar="PATH")
    args = p.parse_args(argv)
    files = args.files or (2000 if args.quick else 10_000)
    runs = args.runs or (1 if args.quick else 3)
    meta = {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "git": git_state(),
    }
    print(
        f"{meta['date']}; Python {meta['python']}; {meta['cpu_count']} CPUs; "
        f"{describe_git(meta['git'])}"
    )
    with tempfile.TemporaryDirectory(prefix="amp-ai-mcp-bench-") as tmp:
        root = Path(tmp).resolve()
        empty = root / "empty"
        empty.mkdir()
        startup = bench_startup(3 if args.quick else 7, empty)
        print(
            f"\nstart-up -> initialize -> tools/list: {startup['server_to_tools_list_s']:.3f} s "
            f"median of {startup['runs']} (python -c pass {startup['python_pass_s']:.3f} s; "
            f"import fastmcp {startup['import_fastmcp_s']:.3f} s); target <= "
            f"{STARTUP_TARGET_S} s: {'MET' if startup['target_met'] else 'NOT MET'}"
        )
        tree = root / "tree"
        tree.mkdir()
        llm = make_tree(tree, files, args.llm_every)
        print(f"\nsynthetic tree: {files} files, {llm} LLM modules (1 in {args.llm_every})")
        scan = bench_scan(runs, tree)
        print(
            f"scan(): {scan['scan_wall_s']:.2f} s median of {runs} -> "
            f"{scan['files_per_s']:.0f} files/s, peak RSS {scan['peak_rss_mb']:.0f} MB; "
            f"{scan['analysed']} files parsed, {scan['call_sites']} call sites"
        )
        print(
            f"  read-only walk (no analysis): {scan['read_only_wall_s']:.2f} s -> "
            f"{scan['read_only_files_per_s']:.0f} files/s, peak RSS "
            f"{scan['read_only_peak_rss_mb']:.0f} MB"
        )
        print(
            f"  targets: >= {FILES_PER_S_TARGET} files/s "
            f"{'MET' if scan['throughput_target_met'] else 'NOT MET'}; <= {RSS_TARGET_MB} MB "
            f"{'MET' if scan['rss_target_met'] else 'NOT MET'}"
        )
        latency = bench_latency(tree, 5 if args.quick else 15)
        during = latency["during_scan_ms"]
        print(
            f"\ntools/list round trip: idle {latency['idle_ms']:.1f} ms; during scan_project "
            + (
                f"{during:.1f} ms median (max {latency['during_scan_max_ms']:.1f}, "
                f"{latency['probes_during_scan']} probes)"
                if during is not None
                else "n/a (scan finished first)"
            )
            + f"; target < {LATENCY_TARGET_MS} ms: "
            f"{'MET' if latency['target_met'] else 'NOT MET'}"
        )
    result = {
        **meta,
        "startup": startup,
        "scan": scan,
        "latency": latency,
        "tree": {"files": files, "llm_modules": llm},
    }
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(result, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
