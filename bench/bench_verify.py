"""Benchmark: generate_verify_test latency on the example apps of ``tests/apps``.

Run from the repo root::

    .venv/bin/python bench/bench_verify.py            # 9 warm runs per app, 3 cold runs
    .venv/bin/python bench/bench_verify.py --runs 5 --json out.json

For every app (the hand-instrumented variant, copied to a temporary root) it measures:

- **warm**: ``generate()`` in this process after one warm-up call (libcst, the detection
  engine and the catalog already imported): the latency an MCP client sees per call.
- **validate**: ``validate_source`` on the same module, the detection pass alone, side by
  side, so the ratio shows what the verify-test planning and rendering add on top.
- **cold**: a fresh ``python -c`` that imports the generator and runs it once on the
  largest app (``multi_agent``, three modules), wall time including imports.

Medians of several runs; the machine is noisy (2 cores), so read ratios, not absolutes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import describe_git, git_state

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "e2e"))
from apps import APPS, copy_app  # noqa: E402


def _median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()

    from amplitude_ai_mcp.detect.validate import validate_source
    from amplitude_ai_mcp.verify.generate import generate
    from amplitude_ai_mcp.workspace import Roots

    base = Path(tempfile.mkdtemp(prefix="bench-verify-"))
    rows = []
    try:
        for app, (module, _) in APPS.items():
            root = copy_app(app, "instrumented", base / app)
            roots = Roots((root,))
            text = (root / module).read_text(encoding="utf-8")
            generate(roots, module)  # warm-up
            warm = _median_ms(lambda roots=roots, module=module: generate(roots, module), args.runs)
            validate = _median_ms(
                lambda text=text, module=module, root=root: validate_source(
                    text, module, root, module
                ),
                args.runs,
            )
            lines = text.count("\n")
            rows.append({"app": app, "lines": lines, "generate_ms": warm, "validate_ms": validate})
        cold_root = copy_app("multi_agent", "instrumented", base / "cold")
        code = (
            "import time; t = time.perf_counter()\n"
            "from amplitude_ai_mcp.verify.generate import generate\n"
            "from amplitude_ai_mcp.workspace import Roots\n"
            f"generate(Roots(({str(cold_root)!r},)), 'newsroom/orchestrator.py')\n"
            "print((time.perf_counter() - t) * 1000)\n"
        )
        cold = []
        for _ in range(args.cold_runs):
            start = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            )
            cold.append(((time.perf_counter() - start) * 1000, float(out.stdout.strip())))
    finally:
        shutil.rmtree(base, ignore_errors=True)

    print(f"generate_verify_test latency ({describe_git(git_state())}; median of {args.runs})")
    print(f"{'app':<20}{'lines':>6}{'generate ms':>13}{'validate ms':>13}{'ratio':>8}")
    for r in rows:
        ratio = r["generate_ms"] / r["validate_ms"]
        print(
            f"{r['app']:<20}{r['lines']:>6}{r['generate_ms']:>13.1f}"
            f"{r['validate_ms']:>13.1f}{ratio:>7.1f}x"
        )
    gen = statistics.median(r["generate_ms"] for r in rows)
    val = statistics.median(r["validate_ms"] for r in rows)
    print(f"{'median over apps':<26}{gen:>13.1f}{val:>13.1f}{gen / val:>7.1f}x")
    process = statistics.median(c[0] for c in cold)
    inside = statistics.median(c[1] for c in cold)
    print(
        f"cold (fresh process, multi_agent, median of {args.cold_runs}): "
        f"{process:.0f} ms process wall, {inside:.0f} ms import + generate"
    )
    if args.json:
        Path(args.json).write_text(
            json.dumps({"apps": rows, "cold_ms": cold, "git": git_state()}, indent=2)
        )


if __name__ == "__main__":
    main()
