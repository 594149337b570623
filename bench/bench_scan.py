"""Benchmark: scan_project throughput on a tree of real-sized modules, and a re-scan.

The tree is built from the running interpreter's own standard library (real modules up to
60 KB, copied round-robin into package directories until ``--files`` files exist); one file
in ``--llm-every`` gets an OpenAI client and a chat call appended, so the prefilter has real
work to choose and the analysed files are real-sized. Each run is a fresh process that scans
twice: the first scan (cold caches) and a second one of the unchanged tree (warm in-memory
caches), then edits one LLM file and scans a third time (the edit must be seen).

Run from the repo root::

    .venv/bin/python bench/bench_scan.py                 # 10,000 files, 3 runs
    .venv/bin/python bench/bench_scan.py --files 3000 --runs 1
    .venv/bin/python bench/bench_scan.py --json out.json

    .venv/bin/python bench/bench_scan.py --baseline 046e79d   # vs a commit, interleaved

Printed: files/s of the first scan, the re-scan speed-up, and the time libcst alone needs to
parse the analysed files (the floor of the first scan). Targets: >= 3,000 files/s first scan;
re-scan >= 10x faster.

Every figure is given twice: wall time and the child's CPU time (user + system, all its
threads and worker processes). The shared machine's load moves wall time a lot (a run can
wait most of its time for a core); CPU time shows the work done. The 1-minute load average
is printed beside every run. ``--baseline REV`` measures ``git archive REV`` the same way,
runs alternating with this checkout's, and prints the ratios of the medians.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path
from typing import Any

TARGET_FILES_PER_S = 3_000
TARGET_RESCAN = 10.0
MAX_MODULE_BYTES = 60_000

LLM_TAIL = """

import openai as _bench_openai

_bench_client = _bench_openai.OpenAI()


def _bench_ask(question):
    reply = _bench_client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": question}]
    )
    return reply.choices[0].message.content
"""


def stdlib_modules() -> list[Path]:
    lib = Path(sysconfig.get_paths()["stdlib"])
    found = []
    for path in sorted(lib.rglob("*.py")):
        rel = path.relative_to(lib).parts
        if any(p in ("site-packages", "test", "tests", "idlelib", "lib2to3") for p in rel):
            continue
        try:
            size = path.stat().st_size
        except OSError:
            continue
        if 0 < size <= MAX_MODULE_BYTES:
            found.append(path)
    return found


def make_tree(root: Path, files: int, llm_every: int) -> dict[str, Any]:
    sources = stdlib_modules()
    total = 0
    llm = []
    for i in range(files):
        src = sources[i % len(sources)]
        target = root / f"pkg{i // 200:03d}" / f"m{i:05d}_{src.stem}.py"
        target.parent.mkdir(parents=True, exist_ok=True)
        text = src.read_text(encoding="utf-8", errors="replace")
        if i % llm_every == llm_every // 2:
            text += LLM_TAIL
            llm.append(str(target.relative_to(root)))
        target.write_text(text, encoding="utf-8")
        total += len(text.encode("utf-8"))
    return {"files": files, "bytes": total, "llm_files": llm}


CHILD = """
import json, os, sys, time
from pathlib import Path
import libcst
from amplitude_ai_mcp.detect.project import scan
root = Path({root!r})
llm = {llm!r}

def cpu():
    own = os.times()
    return own.user + own.system + own.children_user + own.children_system

def timed(fn):
    t, c = time.perf_counter(), cpu()
    out = fn()
    return out, time.perf_counter() - t, cpu() - c

load = os.getloadavg()[0]
first, first_s, first_cpu = timed(lambda: scan(root, limit=1))
second, second_s, second_cpu = timed(lambda: scan(root, limit=1))
edited = root / llm[0]
edited.write_text(edited.read_text() + "\\n\\ndef _more(q):\\n    return _bench_client.chat"
                  ".completions.create(model='m', messages=[])\\n")
third, third_s, _ = timed(lambda: scan(root, limit=1))
t = time.perf_counter()
for rel in llm:
    libcst.parse_module((root / rel).read_text())
parse_s = time.perf_counter() - t
print(json.dumps({{
    "first_s": first_s, "first_cpu_s": first_cpu, "second_s": second_s,
    "second_cpu_s": second_cpu, "after_edit_s": third_s, "parse_llm_files_s": parse_s,
    "load_1min": load, "load_1min_after": os.getloadavg()[0],
    "files": first.counts.python_files, "analysed": first.counts.analysed_files,
    "sites": [first.counts.call_sites, second.counts.call_sites, third.counts.call_sites],
}}))
"""


def run_once(root: Path, llm: list[str], pythonpath: str | None) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="bench-scan-run-"))
    try:
        tree = work / "tree"
        shutil.copytree(root, tree)
        env = dict(os.environ)
        if pythonpath:
            env["PYTHONPATH"] = pythonpath
        out = subprocess.run(
            [sys.executable, "-c", CHILD.format(root=str(tree), llm=llm)],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(work, ignore_errors=True)


def snapshot(rev: str, into: Path) -> str:
    """``git archive`` of ``rev``'s server and SDK code; returns the PYTHONPATH to measure it."""
    repo = Path(__file__).resolve().parent.parent
    archive = subprocess.run(
        ["git", "-C", str(repo), "archive", rev, "mcp_server", "sdk"],
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return os.pathsep.join([str(into / "mcp_server"), str(into / "sdk")])


def summarise(files: int, runs: list[dict[str, Any]]) -> dict[str, Any]:
    def med(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    first, second, first_cpu, second_cpu = (
        med("first_s"),
        med("second_s"),
        med("first_cpu_s"),
        med("second_cpu_s"),
    )
    return {
        "files_per_s": round(files / first),
        "files_per_cpu_s": round(files / first_cpu),
        "first_scan_s": round(first, 2),
        "first_scan_cpu_s": round(first_cpu, 2),
        "rescan_s": round(second, 3),
        "rescan_cpu_s": round(second_cpu, 3),
        "rescan_speedup": round(first / second, 1),
        "rescan_speedup_cpu": round(first_cpu / second_cpu, 1),
        "after_edit_s": round(med("after_edit_s"), 3),
        "call_sites_first_second_after_edit": runs[0]["sites"],
        "analysed": runs[0]["analysed"],
        "libcst_parse_of_analysed_files_s": round(med("parse_llm_files_s"), 2),
        "first_scan_vs_bare_parse": round(first / med("parse_llm_files_s"), 2),
        "load_1min_per_run": [round(r["load_1min"], 1) for r in runs],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--llm-every", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--pythonpath", help="measure another checkout (its mcp_server directory) instead"
    )
    parser.add_argument("--baseline", help="also measure this git revision, runs interleaved")
    args = parser.parse_args()
    runs: list[dict[str, Any]] = []
    base_runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-scan-") as tmp:
        root = Path(tmp) / "tree"
        built = make_tree(root, args.files, args.llm_every)
        base_path = None
        if args.baseline:
            (Path(tmp) / "base").mkdir()
            base_path = snapshot(args.baseline, Path(tmp) / "base")
        for i in range(args.runs):
            if base_path is not None:
                base_runs.append(run_once(root, built["llm_files"], base_path))
                print(f"  run {i + 1} baseline: {base_runs[-1]['first_s']:.2f} s", flush=True)
            runs.append(run_once(root, built["llm_files"], args.pythonpath))
            print(f"  run {i + 1} this tree: {runs[-1]['first_s']:.2f} s", flush=True)
    print(f"  tree: {built['files']} files, {built['bytes'] / 1e6:.1f} MB")
    summary = summarise(built["files"], runs)
    for key, value in summary.items():
        print(f"  {key}: {value}")
    rate, speedup = summary["files_per_s"], summary["rescan_speedup"]
    print(
        f"  target >= {TARGET_FILES_PER_S} files/s: "
        f"{'MET' if rate >= TARGET_FILES_PER_S else 'NOT MET'} (wall; "
        f"{summary['files_per_cpu_s']} files per CPU second); re-scan >= "
        f"{TARGET_RESCAN:.0f}x: {'MET' if speedup >= TARGET_RESCAN else 'NOT MET'} (wall; "
        f"{summary['rescan_speedup_cpu']}x in CPU time)"
    )
    report: dict[str, Any] = {"summary": summary, "runs": runs}
    if base_runs:
        base = summarise(built["files"], base_runs)
        report["baseline"] = {"revision": args.baseline, "summary": base, "runs": base_runs}
        print(f"  baseline {args.baseline}:")
        for key in (
            "files_per_s",
            "files_per_cpu_s",
            "rescan_s",
            "rescan_speedup",
            "load_1min_per_run",
        ):
            print(f"    {key}: {base[key]}")
        print(
            "  this tree vs baseline (medians): first scan "
            f"{base['first_scan_s'] / summary['first_scan_s']:.2f}x faster wall, "
            f"{base['first_scan_cpu_s'] / summary['first_scan_cpu_s']:.2f}x less CPU; "
            f"re-scan {base['rescan_s'] / summary['rescan_s']:.2f}x faster wall, "
            f"{base['rescan_cpu_s'] / summary['rescan_cpu_s']:.2f}x less CPU"
        )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
