"""Process exit time after ``shutdown()``, and the cost of shutdown during an outage.

Each sample is a fresh interpreter that creates an SDK-owned client aimed at a local
counting endpoint, tracks 20 events, calls ``ai.shutdown(timeout=1.0)`` and exits; the parent
measures from the moment the child prints "shutting down" to the child's exit.
``--baseline DIR`` adds the same run with another SDK on ``PYTHONPATH`` (e.g. an extracted
``git archive <commit> sdk`` of the code before the outbox, whose shutdown left the
amplitude-analytics consumer thread sleeping out its 10 s flush interval), side by side.

``--down`` points the client at a closed port (an outage): the SDK then retries until its
``timeout``, spools the events and exits. ``--hang`` points it at a port that accepts
connections but never answers: the requests in flight at the deadline keep the library's
(non-daemon) worker threads busy until the client's 10 s HTTP timeout, which bounds the exit.

    rm -rf /tmp/base && mkdir /tmp/base && git archive <commit> sdk resources | tar -x -C /tmp/base
    .venv/bin/python bench/bench_shutdown.py --baseline /tmp/base/sdk
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from _capture_sink import CaptureServer
from _common import describe_git, git_state

CHILD = """
import sys
from amplitude_ai import AIConfig, AmplitudeAI

ai = AmplitudeAI(api_key="bench-key", config=AIConfig(server_url=sys.argv[1]))
for i in range(20):
    ai.track_user_message("u1", f"m{i}", "s1")
print("shutting down", flush=True)
ai.shutdown(timeout=1.0)
"""


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/2/httpapi"


def sample(url: str, sdk_path: str | None, spool: str) -> float:
    env = {**os.environ, "AMPLITUDE_AI_SPOOL_DIR": spool}
    if sdk_path:
        env["PYTHONPATH"] = sdk_path
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, url],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    started = time.perf_counter()
    assert line.strip() == "shutting down", line
    proc.wait(timeout=120)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--down", action="store_true", help="endpoint down at shutdown")
    parser.add_argument("--hang", action="store_true", help="endpoint accepts, never answers")
    parser.add_argument("--baseline", metavar="DIR", help="another sdk/ directory to compare")
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args()

    server = None if args.down or args.hang else CaptureServer("subprocess")
    silent = socket.socket()
    if args.hang:  # listens (the kernel completes connections) but never accepts or answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/2/httpapi"
    else:
        url = closed_port_url() if server is None else server.url
    variants: dict[str, str | None] = {"sdk": None}
    if args.baseline:
        variants = {"baseline": os.path.abspath(args.baseline), "sdk": None}
    results: dict[str, list[float]] = {name: [] for name in variants}
    with tempfile.TemporaryDirectory() as spool:
        for _ in range(args.runs):  # interleaved, so load changes hit both variants
            for name, path in variants.items():
                results[name].append(sample(url, path, spool))
    if server is not None:
        server.stop()
    silent.close()
    state = "hanging" if args.hang else "down" if args.down else "up"
    print(describe_git(git_state()))
    print(f"endpoint {state}; {args.runs} runs each; seconds from shutdown() to process exit")
    medians = {k: statistics.median(v) for k, v in results.items()}
    for variant, samples in results.items():
        shown = ", ".join(f"{s:.2f}" for s in samples)
        print(f"  {variant:9s} median {medians[variant]:6.2f} s   [{shown}]")
    if "baseline" in medians and medians["sdk"] > 0:
        print(f"  ratio baseline/sdk: {medians['baseline'] / medians['sdk']:.1f}x")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"endpoint": state, "samples": results, "medians": medians}, fh, indent=2)


if __name__ == "__main__":
    main()
