"""Benchmark: how long ``import amplitude_ai`` takes in a fresh interpreter, and what it pulls in.

Run from the repo root::

    .venv/bin/python bench/bench_import.py             # 15 runs of each measurement
    .venv/bin/python bench/bench_import.py --quick     # 5 runs (smoke)
    .venv/bin/python bench/bench_import.py --json out.json

Three measurements, each in fresh subprocesses of this interpreter:

1. wall clock of ``python -c "import amplitude_ai"`` minus ``python -c pass`` (the two are
   run alternately; medians and the median of the paired differences are reported);
2. ``python -X importtime -c "import amplitude_ai"``: the cumulative time of the
   ``amplitude_ai`` line and the modules with the largest self time below it;
3. a ``sys.modules`` check: importing ``amplitude_ai`` must import no provider SDK
   (openai, anthropic, google.genai, mistralai, boto3), nor genai_prices nor amplitude
   (amplitude-analytics is imported when a client that delivers is created, genai_prices at
   the first cost lookup). Violations are printed loudly; this is a report, not a test.

By default every child runs with a bytecode cache in a private temporary directory
(``PYTHONPYCACHEPREFIX``), warmed before timing: that is what an installed wheel gives
(pip compiles on install). ``--bytecode env`` keeps this environment's settings instead
(with ``PYTHONDONTWRITEBYTECODE=1`` the source tree is then compiled on every run).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import describe_git, git_state

TARGET_MS = 150.0
FORBIDDEN = (
    "openai",
    "anthropic",
    "google.genai",
    "mistralai",
    "boto3",
    "botocore",
    "genai_prices",
    "amplitude",
)
_IMPORTTIME = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)\s*$")

CHECK_SCRIPT = r"""
import json, sys
before = set(sys.modules)
FORBIDDEN = tuple(json.loads(sys.argv[1]))

def loaded(names):
    return sorted(n for n in names if any(n == f or n.startswith(f + ".") for f in FORBIDDEN))

import amplitude_ai
after_import = set(sys.modules)
report = {
    "after_import": loaded(after_import),
    "new_modules": len(after_import - before),
    "third_party": sorted(
        {n.split(".")[0] for n in after_import - before}
        - set(sys.stdlib_module_names) - {"amplitude_ai"}
    ),
}
mock = amplitude_ai.MockAmplitudeAI()
report["after_mock_client"] = loaded(sys.modules)
mock.track_ai_message(user_id="u", session_id="s", model="gpt-4o", provider="openai",
                      latency_ms=1.0, input_tokens=10, output_tokens=5, total_cost_usd=0.001)
report["after_track_with_cost_given"] = loaded(sys.modules)
ai = amplitude_ai.AmplitudeAI(api_key="bench-key")  # tracks nothing: nothing is ever sent
ai.amplitude.configuration.opt_out = True
report["after_real_client"] = loaded(sys.modules)
amplitude_ai.calculate_cost("gpt-4o", "openai", input_tokens=10, output_tokens=5)
report["after_cost_lookup"] = loaded(sys.modules)
print(json.dumps(report))
"""


def child_env(mode: str, cache_dir: str | None) -> dict[str, str]:
    env = dict(os.environ)
    for name in list(env):
        if name.startswith("AMPLITUDE_AI_"):
            del env[name]
    if mode == "cached":
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        assert cache_dir is not None
        env["PYTHONPYCACHEPREFIX"] = cache_dir
    return env


def run_wall(code: str, env: dict[str, str]) -> float:
    t0 = time.perf_counter_ns()
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    return (time.perf_counter_ns() - t0) / 1e6


def run_check(env: dict[str, str]) -> dict[str, Any]:
    """The ``sys.modules`` report of CHECK_SCRIPT (tried twice: the tree may be mid-edit)."""
    proc = None
    for _ in range(2):
        proc = subprocess.run(
            [sys.executable, "-c", CHECK_SCRIPT, json.dumps(FORBIDDEN)],
            env=env,
            capture_output=True,
            text=True,
        )
        if proc.returncode == 0:
            return json.loads(proc.stdout.strip().splitlines()[-1])
    assert proc is not None
    print("!!!!!!!! WARNING: the sys.modules check failed:\n" + proc.stderr, file=sys.stderr)
    return {"error": proc.stderr[-2000:], "after_import": ["<check failed>"]}


def parse_importtime(stderr: str) -> dict[str, Any]:
    """Self/cumulative µs of every module below (and including) ``amplitude_ai``."""
    rows = []
    for line in stderr.splitlines():
        m = _IMPORTTIME.match(line)
        if m:
            rows.append((m.group(4), int(m.group(1)), int(m.group(2)), len(m.group(3)) // 2))
    end = next(i for i, r in enumerate(rows) if r[0] == "amplitude_ai" and r[3] == 0)
    start = end
    while start > 0 and rows[start - 1][3] > 0:
        start -= 1
    subtree = rows[start : end + 1]
    return {
        "cumulative_us": rows[end][2],
        "self_us": {name: self_us for name, self_us, _, _ in subtree},
        "children_cum_us": {name: cum for name, _, cum, depth in subtree if depth == 1},
        "startup_self_us": sum(r[1] for r in rows[:start]),
    }


def stdlib_or_third(name: str) -> str:
    top = name.split(".")[0]
    if top == "amplitude_ai":
        return "amplitude_ai"
    return "stdlib" if top in sys.stdlib_module_names else "third-party"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--runs", type=int, default=15, help="runs per measurement (default 15)")
    p.add_argument("--quick", action="store_true", help="5 runs (smoke)")
    p.add_argument(
        "--bytecode",
        choices=("cached", "env"),
        default="cached",
        help="cached: warm private bytecode cache (default); env: this environment as is",
    )
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = p.parse_args(argv)
    runs = 5 if args.quick else args.runs

    with contextlib.ExitStack() as stack:
        cache_dir = None
        if args.bytecode == "cached":
            cache_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="amp-ai-pyc-"))
        env = child_env(args.bytecode, cache_dir)
        for _ in range(2):  # warm the OS file cache and the bytecode cache
            run_wall("import amplitude_ai", env)
            subprocess.run(
                [sys.executable, "-X", "importtime", "-c", "import amplitude_ai"],
                env=env,
                check=True,
                capture_output=True,
            )

        base, imp = [], []
        for _ in range(runs):
            base.append(run_wall("pass", env))
            imp.append(run_wall("import amplitude_ai", env))
        diffs = [i - b for i, b in zip(imp, base, strict=True)]

        parsed = []
        for _ in range(runs):
            proc = subprocess.run(
                [sys.executable, "-X", "importtime", "-c", "import amplitude_ai"],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            parsed.append(parse_importtime(proc.stderr))

        check = run_check(env)

    modules = sorted({m for r in parsed for m in r["self_us"]})
    self_med = {m: statistics.median(r["self_us"].get(m, 0) for r in parsed) for m in modules}
    children = sorted({m for r in parsed for m in r["children_cum_us"]})
    child_med = {
        m: statistics.median(r["children_cum_us"].get(m, 0) for r in parsed) for m in children
    }
    by_group: dict[str, float] = {}
    for m, us in self_med.items():
        by_group[stdlib_or_third(m)] = by_group.get(stdlib_or_third(m), 0.0) + us
    wall_ms = statistics.median(imp) - statistics.median(base)
    result: dict[str, Any] = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "git": git_state(),
        "runs": runs,
        "bytecode": args.bytecode,
        "wall_pass_ms": summary(base),
        "wall_import_ms": summary(imp),
        "wall_import_minus_pass_ms": wall_ms,
        "paired_diff_ms": summary(diffs),
        "importtime_cumulative_ms": statistics.median(r["cumulative_us"] for r in parsed) / 1e3,
        "importtime_modules": len(modules),
        "importtime_self_by_group_ms": {k: v / 1e3 for k, v in by_group.items()},
        "top_self_ms": [
            (m, us / 1e3) for m, us in sorted(self_med.items(), key=lambda kv: -kv[1])[:10]
        ],
        "direct_children_cum_ms": [
            (m, us / 1e3) for m, us in sorted(child_med.items(), key=lambda kv: -kv[1])[:10]
        ],
        "modules_check": check,
        "target_ms": TARGET_MS,
    }
    violations = check["after_import"]
    result["no_forbidden_imports"] = not violations
    result["target_met"] = wall_ms <= TARGET_MS
    print_report(result)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(result, fh, indent=2)
        print(f"\nresults written to {args.json}")
    return result


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median": statistics.median(ordered),
        "min": ordered[0],
        "max": ordered[-1],
        "n": len(ordered),
    }


def print_report(r: dict[str, Any]) -> None:
    print(
        f"import amplitude_ai: {r['runs']} fresh subprocesses per measurement; "
        f"bytecode={r['bytecode']}; Python {r['python']}, {r['cpu_count']} CPUs; "
        f"{describe_git(r['git'])}"
    )
    w, b, d = r["wall_import_ms"], r["wall_pass_ms"], r["paired_diff_ms"]
    print(
        f"  wall  python -c pass                 median {b['median']:7.1f} ms  "
        f"(min {b['min']:.1f}, max {b['max']:.1f})"
    )
    print(
        f"  wall  python -c 'import amplitude_ai' median {w['median']:7.1f} ms  "
        f"(min {w['min']:.1f}, max {w['max']:.1f})"
    )
    print(
        f"  => import cost (median import - median pass): {r['wall_import_minus_pass_ms']:.1f} ms"
        f"; paired differences: median {d['median']:.1f} (min {d['min']:.1f}, "
        f"max {d['max']:.1f})"
    )
    print(
        f"  -X importtime cumulative of amplitude_ai: {r['importtime_cumulative_ms']:.1f} ms "
        f"over {r['importtime_modules']} modules (median; -X importtime adds its own overhead)"
    )
    groups = ", ".join(
        f"{k} {v:.1f} ms" for k, v in sorted(r["importtime_self_by_group_ms"].items())
    )
    print(f"  self time by origin: {groups}")
    print("  top 10 modules by self time (median):")
    for name, ms in r["top_self_ms"]:
        print(f"    {ms:7.2f} ms  {name}  [{stdlib_or_third(name)}]")
    print("  direct imports of amplitude_ai by cumulative time (median):")
    for name, ms in r["direct_children_cum_ms"]:
        print(f"    {ms:7.2f} ms  {name}")
    check = r["modules_check"]
    print(
        f"  new modules after import: {check.get('new_modules', '?')}; third-party top-level "
        f"packages imported: {', '.join(check.get('third_party', [])) or 'none'}"
    )
    for stage in (
        "after_import",
        "after_mock_client",
        "after_track_with_cost_given",
        "after_real_client",
        "after_cost_lookup",
    ):
        print(f"  watched modules {stage:<28} {', '.join(check.get(stage, [])) or '-'}")
    if check["after_import"]:
        print(
            "!!!!!!!! WARNING: importing amplitude_ai imported "
            + ", ".join(check["after_import"])
            + " !!!!!!!!"
        )
    else:
        print("  OK: importing amplitude_ai imports no provider SDK, genai_prices or amplitude")
    verdict = "MET" if r["target_met"] else "NOT MET"
    print(
        f"\nimport cost {r['wall_import_minus_pass_ms']:.1f} ms; target <= {TARGET_MS:g} ms: "
        f"{verdict}"
    )


if __name__ == "__main__":
    main()
