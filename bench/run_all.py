"""Run the benchmarks (SDK track, SDK import, MCP server) and print one combined summary.

    .venv/bin/python bench/run_all.py            # full runs (~2 min on 2 cores)
    .venv/bin/python bench/run_all.py --quick    # smoke runs (~15 s)
    .venv/bin/python bench/run_all.py --json bench-results.json

Each benchmark runs in its own subprocess (its full output is shown as it goes); the
summary at the end is built from their JSON results. Missing a target is reported, not an
error; the exit status is non-zero only when a benchmark itself failed to run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import describe_git

HERE = os.path.dirname(os.path.abspath(__file__))


def run(script: str, extra: list[str], json_path: str) -> dict[str, Any] | None:
    cmd = [sys.executable, os.path.join(HERE, script), *extra, "--json", json_path]
    print(f"\n$ {' '.join(cmd)}", flush=True)
    proc = subprocess.run(cmd, check=False)
    if proc.returncode != 0:
        print(f"!!!!!!!! {script} failed with exit status {proc.returncode}", flush=True)
        return None
    with open(json_path, encoding="utf-8") as fh:
        return json.load(fh)


def summary(
    track: dict[str, Any] | None, imp: dict[str, Any] | None, mcp: dict[str, Any] | None = None
) -> dict[str, Any]:
    print("\n" + "=" * 78)
    print("SUMMARY")
    print("=" * 78)
    meta = track or imp or {}
    if meta:
        print(
            f"{meta['date']}; Python {meta['python']}; {meta['cpu_count']} CPUs; "
            f"{describe_git(meta['git'])}"
        )
    verdicts: dict[str, Any] = {}
    if track is not None:
        variants = track["variants"]
        base = variants.get("a_plain", {}).get("gc_on", {}).get("median")
        print(
            f"\ntrack_ai_message, µs per call (gc on; {track['repeats']} x {track['number']} "
            f"calls; machine noise max/min {track.get('machine_noise', float('nan')):.2f})"
        )
        print(f"  {'variant':<62} {'median':>8} {'norm':>8} {'x a':>6}")
        for entry in variants.values():
            s = entry["gc_on"]
            ratio = f"{s['median'] / base:6.2f}" if base else "     -"
            print(
                f"  {entry['label']:<62} {s['median']:8.2f} "
                f"{s.get('normalized', float('nan')):8.2f} {ratio}"
            )
        d = track["derived"]
        if "cost_lookup_share_us" in d:
            print(
                f"  cost-lookup share (b - a): {d['cost_lookup_share_us']:+.2f} µs "
                f"({d.get('cost_lookup_share_pct', float('nan')):.0f}% of b)"
            )
        if "headline_us" in track:
            met = track["headline_target_met"]
            verdicts["track_target_met"] = met
            print(
                f"  headline a_plain: {track['headline_us']:.2f} µs (norm "
                f"{track.get('headline_norm_us') or float('nan'):.2f}); target <= 30 µs: "
                f"{'MET' if met else 'NOT MET'}"
            )
        delivery = track.get("delivery") or {}
        if delivery:
            verdicts["delivery_ok"] = delivery["ok"]
            print(
                f"  real client: {delivery['tracked']} tracked, {delivery['server_events']} "
                f"received -> {'OK' if delivery['ok'] else 'MISMATCH'}"
            )
    if imp is not None:
        verdicts["import_target_met"] = imp["target_met"]
        verdicts["no_forbidden_imports"] = imp["no_forbidden_imports"]
        print(
            f"\nimport amplitude_ai: {imp['wall_import_minus_pass_ms']:.1f} ms over "
            f"`python -c pass` (median of {imp['runs']}); -X importtime cumulative "
            f"{imp['importtime_cumulative_ms']:.1f} ms; target <= {imp['target_ms']:g} ms: "
            f"{'MET' if imp['target_met'] else 'NOT MET'}"
        )
        top = ", ".join(f"{name} {ms:.1f}" for name, ms in imp["top_self_ms"][:5])
        print(f"  largest self times (ms): {top}")
        print(
            "  provider SDKs / genai_prices / amplitude imported by `import amplitude_ai`: "
            + (", ".join(imp["modules_check"]["after_import"]) or "none (OK)")
        )
    if mcp is not None:
        st, sc, la = mcp["startup"], mcp["scan"], mcp["latency"]
        verdicts["mcp_startup_target_met"] = st["target_met"]
        verdicts["mcp_scan_throughput_target_met"] = sc["throughput_target_met"]
        verdicts["mcp_scan_rss_target_met"] = sc["rss_target_met"]
        verdicts["mcp_latency_target_met"] = la["target_met"]
        print(
            f"\nMCP server: start -> tools/list {st['server_to_tools_list_s']:.2f} s "
            f"(import fastmcp alone {st['import_fastmcp_s']:.2f} s); target <= 0.3 s: "
            f"{'MET' if st['target_met'] else 'NOT MET'}"
        )
        print(
            f"  scan {sc['files']} files: {sc['files_per_s']:.0f} files/s "
            f"(read-only walk {sc['read_only_files_per_s']:.0f}), peak RSS "
            f"{sc['peak_rss_mb']:.0f} MB; targets >= 4000 files/s "
            f"{'MET' if sc['throughput_target_met'] else 'NOT MET'}, <= 100 MB "
            f"{'MET' if sc['rss_target_met'] else 'NOT MET'}"
        )
        during = la["during_scan_ms"]
        print(
            "  tools/list during scan: "
            + (f"{during:.1f} ms" if during is not None else "n/a")
            + f" (idle {la['idle_ms']:.1f} ms); target < 50 ms: "
            f"{'MET' if la['target_met'] else 'NOT MET'}"
        )
    return verdicts


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--quick", action="store_true", help="smoke runs of both benchmarks")
    p.add_argument("--json", metavar="PATH", help="write both results and the verdicts here")
    p.add_argument("--skip-track", action="store_true")
    p.add_argument("--skip-import", action="store_true")
    p.add_argument("--skip-mcp", action="store_true")
    args = p.parse_args(argv)
    extra = ["--quick"] if args.quick else []
    with tempfile.TemporaryDirectory(prefix="amp-ai-bench-") as tmp:
        track = imp = mcp = None
        if not args.skip_track:
            track = run("bench_track.py", [*extra, "--quiet"], os.path.join(tmp, "track.json"))
        if not args.skip_import:
            imp = run("bench_import.py", extra, os.path.join(tmp, "import.json"))
        if not args.skip_mcp:
            mcp = run("bench_mcp.py", extra, os.path.join(tmp, "mcp.json"))
    verdicts = summary(track, imp, mcp)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(
                {"track": track, "import": imp, "mcp": mcp, "verdicts": verdicts}, fh, indent=2
            )
        print(f"\nresults written to {args.json}")
    failed = (
        (track is None and not args.skip_track)
        or (imp is None and not args.skip_import)
        or (mcp is None and not args.skip_mcp)
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
