"""Micro-benchmark: what an absurd model name costs a tracking call.

A model name is caller input; a whole document passed by mistake (10 MB) used to cost
seconds per call in pricing-table matching and tier inference. Names longer than
``costs.MAX_MODEL_NAME_CHARS`` are now neither priced nor tiered, and the event keeps the
first 1,024 characters (Amplitude's string limit). Reported: median µs per
``track_ai_message`` for a normal and for absurd names, and their ratio.

    .venv/bin/python bench/bench_model_name.py [--runs 7] [--json out.json]

This is a benchmark, not a test: nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any

from amplitude_ai import AIConfig, AmplitudeAI


class _Sink(AmplitudeAI):
    def _create_client(self, api_key: str | None) -> Any:
        return None

    def _deliver(self, record: dict[str, Any]) -> None:
        pass


def _time_call(ai: AmplitudeAI, model: str, number: int) -> float:
    started = time.perf_counter()
    for _ in range(number):
        ai.track_ai_message(
            "user-1",
            "answer",
            "sess-1",
            model=model,
            provider="openai",
            latency_ms=10.0,
            input_tokens=100,
            output_tokens=20,
        )
    return (time.perf_counter() - started) / number * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--number", type=int, default=200)
    parser.add_argument("--json", help="write the samples here")
    args = parser.parse_args()
    ai = _Sink(config=AIConfig())
    names = {
        "normal (gpt-4o)": "gpt-4o",
        "1 KB name": "m" * 1024,
        "10 MB name": "m" * 10_000_000,
    }
    samples: dict[str, list[float]] = {label: [] for label in names}
    for model in names.values():
        _time_call(ai, model, 3)  # warm-up (first pricing lookup, caches)
    for _ in range(args.runs):
        for label, model in names.items():  # interleaved, so machine noise hits all alike
            samples[label].append(_time_call(ai, model, args.number))
    base = statistics.median(samples["normal (gpt-4o)"])
    print(f"{'model name':<20} {'median µs/call':>15} {'x normal':>9}")
    for label, values in samples.items():
        median = statistics.median(values)
        print(f"{label:<20} {median:>15.1f} {median / base:>9.2f}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(samples, fh, indent=2)


if __name__ == "__main__":
    main()
