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

Printed: files/s of the first scan, the re-scan speed-up, and the time libcst alone needs to
parse the analysed files (the floor of the first scan). Targets: >= 3,000 files/s first scan;
re-scan >= 10x faster.
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
t = time.perf_counter(); first = scan(root, limit=1); first_s = time.perf_counter() - t
t = time.perf_counter(); second = scan(root, limit=1); second_s = time.perf_counter() - t
edited = root / llm[0]
edited.write_text(edited.read_text() + "\\n\\ndef _more(q):\\n    return _bench_client.chat"
                  ".completions.create(model='m', messages=[])\\n")
t = time.perf_counter(); third = scan(root, limit=1); third_s = time.perf_counter() - t
t = time.perf_counter()
for rel in llm:
    libcst.parse_module((root / rel).read_text())
parse_s = time.perf_counter() - t
print(json.dumps({{
    "first_s": first_s, "second_s": second_s, "after_edit_s": third_s, "parse_llm_files_s": parse_s,
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--llm-every", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--pythonpath", help="measure another checkout (its mcp_server directory) instead"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-scan-") as tmp:
        root = Path(tmp) / "tree"
        built = make_tree(root, args.files, args.llm_every)
        runs = [run_once(root, built["llm_files"], args.pythonpath) for _ in range(args.runs)]
    first = statistics.median(r["first_s"] for r in runs)
    second = statistics.median(r["second_s"] for r in runs)
    parse = statistics.median(r["parse_llm_files_s"] for r in runs)
    rate = built["files"] / first
    summary = {
        "files": built["files"],
        "mb": round(built["bytes"] / 1e6, 1),
        "analysed": runs[0]["analysed"],
        "first_scan_s": round(first, 2),
        "files_per_s": round(rate),
        "rescan_s": round(second, 3),
        "rescan_speedup": round(first / second, 1),
        "after_edit_s": round(statistics.median(r["after_edit_s"] for r in runs), 3),
        "call_sites_first_second_after_edit": runs[0]["sites"],
        "libcst_parse_of_analysed_files_s": round(parse, 2),
        "first_scan_vs_bare_parse": round(first / parse, 2),
    }
    for key, value in summary.items():
        print(f"  {key}: {value}")
    print(
        f"  target >= {TARGET_FILES_PER_S} files/s: "
        f"{'MET' if rate >= TARGET_FILES_PER_S else 'NOT MET'}; re-scan >= {TARGET_RESCAN:.0f}x: "
        f"{'MET' if first / second >= TARGET_RESCAN else 'NOT MET'}"
    )
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "runs": runs}, indent=2))


if __name__ == "__main__":
    main()
