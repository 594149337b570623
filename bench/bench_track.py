"""Micro-benchmark: caller-side cost of one ``track_ai_message`` call, per variant.

Run from the repo root::

    .venv/bin/python bench/bench_track.py            # full run (~1-2 min on 2 cores)
    .venv/bin/python bench/bench_track.py --quick    # smoke run (a few seconds)
    .venv/bin/python bench/bench_track.py --json out.json
    .venv/bin/python bench/bench_track.py --profile a_plain   # cProfile one variant

Each sample of a variant is the mean time of ``--number`` calls (``time.perf_counter_ns``),
gathered in slices of ``--slice`` calls that are interleaved across the variants in a
rotating order, so that the slow and fast phases of a noisy machine hit all variants alike.
Every repeat is done once with the garbage collector enabled (as in real life) and once with
it disabled. Reported:
median, p10/p90 and min/max of the samples, and the ratio of medians to variant ``a_plain``.

This is a benchmark, not a test: nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _capture_sink import CaptureServer
from _common import describe_git, git_state

# The real-client variant talks to 127.0.0.1; never route that through a proxy.
os.environ["NO_PROXY"] = os.environ["no_proxy"] = ",".join(
    x for x in (os.environ.get("no_proxy"), "127.0.0.1", "localhost") if x
)
# Environment knobs of the SDK would silently change what is measured.
for _name in ("AMPLITUDE_AI_CONTENT_MODE", "AMPLITUDE_AI_DEBUG", "AMPLITUDE_AI_SERVER_URL"):
    os.environ.pop(_name, None)

HEADLINE = "a_plain"
TARGET_US = 30.0
CONTENT = (
    "Sure! To reset your password, open Settings > Account > Security and choose "
    "'Reset password'. We will send a confirmation link to the e-mail address on file "
    "(for you that is jane.doe@example.com). The link expires after 30 minutes; if it "
    "does not arrive, check your spam folder or ask me to send it again."
)
BASE_CALL: dict[str, Any] = {
    "user_id": "user-42",
    "content": CONTENT,
    "session_id": "session-bench-1",
    "model": "gpt-4o",
    "provider": "openai",
    "latency_ms": 812.5,
    "input_tokens": 1_250,
    "output_tokens": 96,
    "finish_reason": "stop",
}
COST_GIVEN = {"total_cost_usd": 0.004085}
# Tiered (prompt-size-priced) models get one set of linear rates per price band.
TIERED_CANDIDATES = (
    ("gemini-2.5-pro", "gemini"),
    ("gemini-1.5-pro", "gemini"),
    ("claude-sonnet-4-5", "anthropic"),
)


# --------------------------------------------------------------------------- variants
CALIBRATION = "z_calib"
_CALIBRATION_KEYS = tuple(f"[Agent] Property {i}" for i in range(40))


def _calibration_work() -> int:
    """A fixed, SDK-free workload (dict and string work, ~10-20 µs): its samples show the
    machine's speed during each round, so the slow phases of a shared host can be told
    apart from real differences."""
    props = {}
    for i, key in enumerate(_CALIBRATION_KEYS):
        props[key] = f"{key}={i}"
    return sum(len(v) for v in props.values() if v)


@dataclass
class Variant:
    key: str
    label: str
    call: Callable[[], Any]
    scope: Callable[[], contextlib.AbstractContextManager[Any]] = contextlib.nullcontext
    after_slice: Callable[[int], None] = lambda n: None
    note: str = ""
    samples: dict[str, list[float]] = field(default_factory=lambda: {"gc_on": [], "gc_off": []})


def _plain_sink_class() -> type:
    from amplitude_ai import AmplitudeAI

    class PlainSinkAI(AmplitudeAI):
        """Real event building; delivery appends the record as is (no copy, no I/O)."""

        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.records: list[dict[str, Any]] = []

        def _create_client(self, api_key: str | None) -> Any:
            return None

        def _deliver(self, record: dict[str, Any]) -> None:
            self.records.append(record)

    return PlainSinkAI


def _pricer_kind(model: str, provider: str) -> str:
    """'linear' (cached rates), 'full' (genai-prices every call) or 'none', for reporting."""
    from amplitude_ai import costs

    provider_id = costs._PROVIDER_IDS.get(provider)
    cached = costs.default_calculator()._pricers.get((model, provider_id))
    if cached is None:
        return "not cached"
    pricer = cached[1]
    if pricer is None:
        return "none (unknown model)"
    if getattr(pricer, "__self__", None):
        return "linear (cached rates)"
    if type(pricer).__name__ == "_BandedPricer":
        return "linear per price band (cached rates)"
    return "full genai-prices"


def _tiered_model() -> tuple[str, str]:
    """The first candidate that genai-prices prices with tiers (found in its data)."""
    from datetime import datetime, timezone

    from genai_prices import data_snapshot
    from genai_prices.types import TieredPrices

    from amplitude_ai import costs

    snapshot = data_snapshot.get_snapshot()
    now = datetime.now(tz=timezone.utc)
    for model, provider in TIERED_CANDIDATES:
        try:
            _, info = snapshot.find_provider_model(
                model, None, costs._PROVIDER_IDS.get(provider), None
            )
        except LookupError:
            continue
        prices = info.get_prices(now)
        if any(isinstance(v, TieredPrices) for v in vars(prices).values()):
            return model, provider
    for prov in snapshot.providers:  # any tiered model at all
        for m in prov.models:
            if any(isinstance(v, TieredPrices) for v in vars(m.get_prices(now)).values()):
                return m.id, prov.id
    raise SystemExit("no tiered model found in genai-prices data")


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.variants: list[Variant] = []
        self.cold: dict[str, float] = {}
        self.notes: dict[str, str] = {}
        self.server: CaptureServer | None = None
        self.real_ai: Any = None
        self.real_expected = 0
        self.delivery_checks: list[dict[str, int]] = []

    # ------------------------------------------------------------------ setup
    def build(self, wanted: set[str] | None) -> None:
        from amplitude_ai import AIConfig, MockAmplitudeAI

        plain_cls = _plain_sink_class()

        def add(variant: Variant) -> None:
            if wanted is None or variant.key in wanted:
                self.variants.append(variant)

        def plain(**config: Any) -> Any:
            ai = plain_cls(config=AIConfig(**config))
            return ai

        def clearing(ai: Any, attr: str) -> Callable[[int], None]:
            return lambda n: getattr(ai, attr).clear()

        with_cost = {**BASE_CALL, **COST_GIVEN}

        mock = MockAmplitudeAI()
        add(
            Variant(
                "a_mock",
                "a  MockAmplitudeAI (deepcopy), cost given",
                lambda: mock.track_ai_message(**with_cost),
                after_slice=clearing(mock, "events"),
                note="MockAmplitudeAI stores copy.deepcopy(record)",
            )
        )
        ai_a = plain()
        add(
            Variant(
                "a_plain",
                "a  plain sink, cost given  [headline]",
                lambda: ai_a.track_ai_message(**with_cost),
                after_slice=clearing(ai_a, "records"),
                note="event build + validation + privacy; record appended without copying",
            )
        )

        ai_b = plain()
        t0 = time.perf_counter_ns()
        ai_b.track_ai_message(**BASE_CALL)
        self.cold["b_first_call_ms"] = (time.perf_counter_ns() - t0) / 1e6
        self.notes["b_pricer"] = _pricer_kind("gpt-4o", "openai")
        add(
            Variant(
                "b_cost",
                "b  + cost lookup gpt-4o (cached rates)",
                lambda: ai_b.track_ai_message(**BASE_CALL),
                after_slice=clearing(ai_b, "records"),
                note=f"no total_cost_usd; pricer: {self.notes['b_pricer']}",
            )
        )

        model, provider = _tiered_model()
        tiered_call = {**BASE_CALL, "model": model, "provider": provider}
        ai_c = plain()
        t0 = time.perf_counter_ns()
        ai_c.track_ai_message(**tiered_call)
        self.cold["c_first_call_ms"] = (time.perf_counter_ns() - t0) / 1e6
        self.notes["c_model"] = f"{model} ({provider})"
        self.notes["c_pricer"] = _pricer_kind(model, provider)
        add(
            Variant(
                "c_tiered",
                f"c  + cost lookup {model} (tiered)",
                lambda: ai_c.track_ai_message(**tiered_call),
                after_slice=clearing(ai_c, "records"),
                note=f"tiered prices; pricer: {self.notes['c_pricer']}",
            )
        )

        ai_meta = plain(content_mode="metadata_only")
        add(
            Variant(
                "d_metadata",
                "d  content_mode=metadata_only",
                lambda: ai_meta.track_ai_message(**with_cost),
                after_slice=clearing(ai_meta, "records"),
                note="content dropped from the event",
            )
        )
        ai_pii = plain(redact_pii=True)
        add(
            Variant(
                "d_redact",
                "d  redact_pii=True",
                lambda: ai_pii.track_ai_message(**with_cost),
                after_slice=clearing(ai_pii, "records"),
                note=f"4 regexes over the {len(CONTENT)}-char content (1 e-mail in it)",
            )
        )

        ai_e = plain()
        agent = ai_e.agent("bench-agent")
        in_session = {k: v for k, v in with_cost.items() if k not in ("user_id", "session_id")}
        holder: dict[str, Any] = {}

        @contextlib.contextmanager
        def session_scope() -> Iterator[None]:
            with agent.session(user_id="user-42") as session:
                holder["s"] = session
                yield

        add(
            Variant(
                "e_session",
                "e  session.track_ai_message (in agent.session())",
                lambda: holder["s"].track_ai_message(**in_session),
                scope=session_scope,
                after_slice=clearing(ai_e, "records"),
                note="fields from the bound session; one session per slice",
            )
        )
        add(
            Variant(
                "e_ambient",
                "e  ai.track_ai_message inside agent.session()",
                lambda: ai_e.track_ai_message(**in_session),
                scope=session_scope,
                after_slice=clearing(ai_e, "records"),
                note="fields from the ambient context (contextvar)",
            )
        )

        if not self.args.no_real and (wanted is None or "f_real" in wanted):
            self._build_real(add, with_cost)
        self.variants.append(
            Variant(
                CALIBRATION,
                "z  calibration: fixed pure-Python workload",
                _calibration_work,
                note="no SDK code: shows how fast the machine was while each sample ran",
            )
        )

    def _build_real(self, add: Callable[[Variant], None], call: dict[str, Any]) -> None:
        from amplitude import Amplitude, Config

        from amplitude_ai import AmplitudeAI

        self.server = CaptureServer(self.args.server)
        amp = Amplitude(
            "bench-key",
            Config(server_url=self.server.url, flush_queue_size=self.args.flush_queue_size),
        )
        ai = AmplitudeAI(amplitude=amp)
        self.real_ai = ai

        def counted(n: int) -> None:
            self.real_expected += n
            self._drain()

        add(
            Variant(
                "f_real",
                f"f  real Amplitude client -> local server (flush_queue_size="
                f"{self.args.flush_queue_size})",
                lambda: ai.track_ai_message(**call),
                after_slice=counted,
                note="track -> timeline (deepcopy) -> storage push; sends in background "
                "threads; drained after each slice, not timed",
            )
        )

    def _drain(self) -> None:
        """Flush and wait until the server has every event tracked so far (not timed)."""
        assert self.real_ai is not None
        assert self.server is not None
        for future in self.real_ai.flush():
            future.result(timeout=30)
        self.delivery_checks.append(self.server.wait_for(self.real_expected))

    # ------------------------------------------------------------------ timing
    def time_slice(self, variant: Variant, n: int) -> int:
        """Nanoseconds for ``n`` calls of ``variant`` (its scope and clean-up not timed)."""
        with variant.scope():
            call = variant.call
            t0 = time.perf_counter_ns()
            for _ in range(n):
                call()
            t1 = time.perf_counter_ns()
        variant.after_slice(n)
        return t1 - t0

    def warm_up(self) -> None:
        for variant in self.variants:
            self.time_slice(variant, self.args.warmup)

    def run(self) -> None:
        """One sample per variant per (repeat, gc mode): ``number`` calls, gathered in
        slices of ``slice`` calls that are interleaved across variants in a rotating order,
        so that slow and fast phases of a noisy machine are shared out evenly."""
        number, size = self.args.number, self.args.slice
        sizes = [size] * (number // size) + ([number % size] if number % size else [])
        for r in range(self.args.repeats):
            for gc_mode in ("gc_on", "gc_off"):
                totals = {v.key: 0 for v in self.variants}
                gc.collect()
                if gc_mode == "gc_off":
                    gc.disable()
                try:
                    for i, n in enumerate(sizes):
                        k = (r * len(sizes) + i) % len(self.variants)
                        for variant in self.variants[k:] + self.variants[:k]:
                            totals[variant.key] += self.time_slice(variant, n)
                finally:
                    gc.enable()
                for variant in self.variants:
                    variant.samples[gc_mode].append(totals[variant.key] / number / 1000.0)
            if not self.args.quiet:
                print(f"  repeat {r + 1}/{self.args.repeats} done", file=sys.stderr, flush=True)

    def loop_overhead_us(self) -> float:
        noop = lambda: None  # noqa: E731
        samples = []
        for _ in range(5):
            t0 = time.perf_counter_ns()
            for _ in range(self.args.number):
                noop()
            samples.append((time.perf_counter_ns() - t0) / self.args.number / 1000.0)
        return statistics.median(samples)

    def finish(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        if self.real_ai is not None and self.server is not None:
            self._drain()
            final = self.server.stats()
            amp = self.real_ai.amplitude
            amp.shutdown()
            _wake_consumer(amp)
            self.server.stop()
            result = {
                "tracked": self.real_expected,
                "server_events": final["events"],
                "server_unique_insert_ids": final["unique_insert_ids"],
                "server_requests": final["requests"],
                "ok": final["events"] == self.real_expected == final["unique_insert_ids"],
                "server_mode": self.server.mode,
            }
        return result


def _wake_consumer(amp: Any) -> None:
    """amplitude-analytics' consumer thread is not a daemon and, after ``shutdown()``, still
    sleeps up to ``flush_interval_millis`` (10 s) before it ends, holding up interpreter exit.
    Wake it (best effort; private attributes of amplitude-analytics 1.x)."""
    with contextlib.suppress(Exception):
        timeline = amp._Amplitude__timeline
        for plugins in timeline.plugins.values():
            for plugin in plugins:
                storage = getattr(plugin, "storage", None)
                if storage is not None:
                    with storage.lock:
                        storage.lock.notify_all()


# --------------------------------------------------------------------------- reporting
def summarize(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    if len(ordered) >= 2:
        deciles = statistics.quantiles(ordered, n=10, method="inclusive")
        p10, p90 = deciles[0], deciles[-1]
    else:
        p10 = p90 = ordered[0]
    return {
        "median": statistics.median(ordered),
        "p10": p10,
        "p90": p90,
        "min": ordered[0],
        "max": ordered[-1],
        "n": len(ordered),
    }


def normalized(samples: list[float], calib: list[float]) -> float:
    """The median sample rescaled to the fastest machine phase seen: median over rounds of
    (sample / calibration sample of the same round) x fastest calibration sample."""
    return statistics.median(s / c for s, c in zip(samples, calib, strict=True)) * min(calib)


def report(bench: Bench, delivery: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "git": git_state(),
        "repeats": args.repeats,
        "number": args.number,
        "slice": args.slice,
        "warmup": args.warmup,
        "loop_overhead_us": bench.loop_overhead_us(),
        "cold": bench.cold,
        "notes": bench.notes,
        "variants": {},
        "derived": {},
        "delivery": delivery,
    }
    calib = next((v for v in bench.variants if v.key == CALIBRATION), None)
    for v in bench.variants:
        out["variants"][v.key] = entry = {
            "label": v.label,
            "note": v.note,
            "gc_on": summarize(v.samples["gc_on"]),
            "gc_off": summarize(v.samples["gc_off"]),
            "samples": v.samples,
        }
        if calib is not None:
            for gc_mode in ("gc_on", "gc_off"):
                entry[gc_mode]["normalized"] = normalized(
                    v.samples[gc_mode], calib.samples[gc_mode]
                )
    variants = out["variants"]
    print()
    print(
        f"track_ai_message: µs per call; {args.repeats} repeats x {args.number} calls "
        f"in interleaved slices of {args.slice} (warm-up {args.warmup});\n"
        f"Python {out['python']}, {out['cpu_count']} CPUs; "
        f"loop overhead {out['loop_overhead_us']:.3f} µs; {describe_git(out['git'])}"
    )
    for gc_mode, title in (("gc_on", "gc enabled (real life)"), ("gc_off", "gc disabled")):
        base = variants.get(HEADLINE, {}).get(gc_mode, {}).get("median")
        print(f"\n== {title} ==")
        print(
            f"{'variant':<62} {'median':>8} {'p10':>8} {'p90':>8} {'min':>8} {'max':>8} "
            f"{'x a':>6} {'norm':>8}"
        )
        for v in bench.variants:
            s = variants[v.key][gc_mode]
            ratio = f"{s['median'] / base:6.2f}" if base else "     -"
            print(
                f"{v.label:<62} {s['median']:8.2f} {s['p10']:8.2f} {s['p90']:8.2f} "
                f"{s['min']:8.2f} {s['max']:8.2f} {ratio} {s.get('normalized', float('nan')):8.2f}"
            )

    print(
        "\nmedian/p10/p90/min/max: µs per call over the samples; x a: median / median of "
        "a_plain;\nnorm: median rescaled to the fastest machine phase seen (each sample divided "
        "by the\ncalibration sample of its round, times the fastest calibration sample)."
    )
    if calib is not None:
        c = variants[CALIBRATION]["gc_on"]
        out["machine_noise"] = c["max"] / c["min"]
        print(
            f"machine noise: calibration samples span {c['min']:.2f}..{c['max']:.2f} µs "
            f"(max/min {c['max'] / c['min']:.2f})"
        )

    def value(key: str, stat: str) -> float | None:
        entry = variants.get(key)
        return entry["gc_on"].get(stat) if entry else None

    derived = out["derived"]
    print("\n== derived (gc enabled): variant - a_plain ==")
    print(f"  {'':<52} {'medians':>9} {'norm':>9}")
    for name, key, what in (
        ("mock_copy_overhead_us", "a_mock", "MockAmplitudeAI deepcopy (a_mock - a_plain)"),
        ("cost_lookup_share_us", "b_cost", "cost lookup, cached rates (b - a)"),
        ("tiered_cost_lookup_us", "c_tiered", "cost lookup, tiered model (c - a)"),
        ("metadata_only_overhead_us", "d_metadata", "content_mode=metadata_only (d - a)"),
        ("redact_pii_overhead_us", "d_redact", "redact_pii=True (d - a)"),
        ("session_overhead_us", "e_session", "session.track_ai_message (e - a)"),
        ("ambient_overhead_us", "e_ambient", "ai.track_ai_message in session (e - a)"),
        ("real_client_overhead_us", "f_real", "real Amplitude client hand-off (f - a)"),
    ):
        diffs = []
        for stat in ("median", "normalized"):
            a, v = value(HEADLINE, stat), value(key, stat)
            diffs.append(None if a is None or v is None else v - a)
        if diffs[0] is None:
            continue
        derived[name] = diffs[0]
        if diffs[1] is not None:
            derived[name + "_norm"] = diffs[1]
        norm = f"{diffs[1]:+9.2f}" if diffs[1] is not None else f"{'-':>9}"
        print(f"  {what:<52} {diffs[0]:+9.2f} {norm} µs")
    a, b = value(HEADLINE, "median"), value("b_cost", "median")
    if a is not None and b is not None:
        derived["cost_lookup_share_pct"] = 100.0 * (b - a) / b
        print(f"  cost-lookup share of b_cost: {100.0 * (b - a) / b:.1f}%")
    print(
        f"  cold first call with cost lookup (imports genai-prices, derives rates): "
        f"{bench.cold.get('b_first_call_ms', float('nan')):.1f} ms; first tiered-model call: "
        f"{bench.cold.get('c_first_call_ms', float('nan')):.1f} ms"
    )
    print(f"  pricers: gpt-4o -> {bench.notes.get('b_pricer')}; ", end="")
    print(f"{bench.notes.get('c_model')} -> {bench.notes.get('c_pricer')}")
    if a is not None:
        norm_a = value(HEADLINE, "normalized")
        min_a = value(HEADLINE, "min")
        verdict = "MET" if a <= TARGET_US else "NOT MET"
        print(
            f"\nheadline a_plain (gc on): median {a:.2f} µs/call "
            f"(norm {norm_a or float('nan'):.2f}, min {min_a:.2f}); "
            f"target <= {TARGET_US:g} µs: {verdict}"
        )
        out["headline_us"] = a
        out["headline_norm_us"] = norm_a
        out["headline_target_met"] = a <= TARGET_US
    if delivery:
        print(
            f"\nreal client delivery: tracked {delivery['tracked']}, server received "
            f"{delivery['server_events']} events ({delivery['server_unique_insert_ids']} unique "
            f"insert_ids) in {delivery['server_requests']} requests"
        )
        if not delivery["ok"]:
            print(
                "!!!!!!!! WARNING: DELIVERY MISMATCH: the capture server did not receive "
                "exactly every tracked event !!!!!!!!",
                flush=True,
            )
    return out


def profile(bench: Bench, key: str, number: int) -> None:
    import cProfile
    import pstats

    variant = next((v for v in bench.variants if v.key == key), None)
    if variant is None:
        raise SystemExit(f"unknown variant {key!r}")
    bench.time_slice(variant, number)  # warm
    profiler = cProfile.Profile()
    with variant.scope():
        profiler.enable()
        for _ in range(number):
            variant.call()
        profiler.disable()
    variant.after_slice(number)
    print(f"cProfile of {number} calls of {key} (sorted by own time):")
    pstats.Stats(profiler).strip_dirs().sort_stats("tottime").print_stats(25)
    pstats.Stats(profiler).strip_dirs().sort_stats("cumulative").print_stats(15)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--repeats", type=int, default=9, help="samples per variant (default 9)")
    p.add_argument("--number", type=int, default=3000, help="calls per sample (default 3000)")
    p.add_argument(
        "--slice", type=int, default=250, help="calls per interleaved slice (default 250)"
    )
    p.add_argument("--warmup", type=int, default=500, help="warm-up calls per variant")
    p.add_argument("--quick", action="store_true", help="smoke run: 3 x 300 calls (<= 10 s)")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    p.add_argument("--variants", help="comma-separated subset, e.g. a_plain,b_cost")
    p.add_argument("--no-real", action="store_true", help="skip the real-client variant f")
    p.add_argument(
        "--server",
        choices=("subprocess", "thread"),
        default="subprocess",
        help="where the capture server runs (default: a child process, so that its\n"
        "request handling does not compete for this process's GIL)",
    )
    p.add_argument("--flush-queue-size", type=int, default=200, help="Config.flush_queue_size")
    p.add_argument("--profile", metavar="VARIANT", help="cProfile one variant and exit")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    args = p.parse_args(argv)
    if args.quick:
        args.repeats, args.number, args.slice, args.warmup = 3, 300, 100, 100
    return args


def main(argv: list[str] | None = None) -> dict[str, Any] | None:
    args = parse_args(argv)
    with contextlib.suppress(AttributeError, ValueError):
        sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    wanted = set(args.variants.split(",")) if args.variants else None
    if args.profile:
        wanted = {args.profile}
        args.no_real = args.no_real or args.profile != "f_real"
    bench = Bench(args)
    try:
        bench.build(wanted)
        if args.profile:
            profile(bench, args.profile, args.number)
            bench.finish()
            return None
        bench.warm_up()
        bench.run()
        delivery = bench.finish()
    finally:
        if bench.server is not None:
            bench.server.stop()
    results = report(bench, delivery, args)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(results, fh, indent=2)
        print(f"\nresults written to {args.json}")
    return results


if __name__ == "__main__":
    main()
