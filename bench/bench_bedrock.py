"""Benchmark: per-call overhead of the Bedrock wrapper over the raw boto3 client.

Run from the repo root::

    .venv/bin/python bench/bench_bedrock.py            # full run
    .venv/bin/python bench/bench_bedrock.py --quick    # smoke run

Every variant calls ``converse`` (plain) and ``converse_stream`` (read to the end) of a
boto3 ``bedrock-runtime`` client, twice: against the local fake server over HTTP
(``tests/support/llm_server.py`` in a child process, so its work does not compete for this
process's GIL) and in-process through ``fake_llm()`` (botocore's send answered without a
socket, which takes most of the machine's noise out of the µs added). Variants:

``raw``      ``boto3.client("bedrock-runtime")``: the baseline.
``hook``     ``amplitude_ai.Bedrock`` whose ``AmplitudeAI`` drops events before building
             them: the wrapper's own work (event handlers, reading, stream tap, timing).
``wrapped``  ``amplitude_ai.Bedrock`` with real event building (User Message + AI Response,
             cost lookup) into a sink that keeps the records, inside an ``agent.session()``.

Samples are the mean µs per call of ``--number`` calls, in slices interleaved across the
variants in a rotating order. Reported: median, ratio of medians to ``raw`` and the median
of the per-round paired differences. A benchmark, not a test: nothing asserts on time.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"
for _name in ("AMPLITUDE_AI_CONTENT_MODE", "AMPLITUDE_AI_DEBUG", "AMPLITUDE_AI_SERVER_URL"):
    os.environ.pop(_name, None)

MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
REPLY_TEXT = (
    "Retention is the share of users who come back after their first visit. Measure it "
    "with a retention chart: pick a starting event, a return event, and a time window."
)
CREDENTIALS = {
    "region_name": "us-east-1",
    "aws_access_key_id": "AKIDBENCH",
    "aws_secret_access_key": "bench-secret",
}


def _reply() -> Any:
    from amplitude_ai.testing import FakeReply

    return FakeReply(REPLY_TEXT, input_tokens=420, output_tokens=60)


def serve_llm(max_seconds: float) -> None:
    """Child-process entry: run the fake server, print its URL, stop when stdin closes."""
    sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests"))
    from support.llm_server import LLMServer

    with LLMServer() as server:
        server.llm.reply(_reply())

        def trim() -> None:  # the server records every request; keep its memory flat
            while True:
                time.sleep(1.0)
                server.llm.calls.clear()

        threading.Thread(target=trim, daemon=True).start()
        print(server.url, flush=True)
        done = threading.Event()
        threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
        done.wait(max_seconds)


@contextlib.contextmanager
def llm_server() -> Iterator[str]:
    proc = subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), "--serve-llm", "900"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        yield proc.stdout.readline().strip()
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)


def _sinks() -> tuple[Any, Any]:
    from amplitude_ai import AIConfig, AmplitudeAI

    class DroppingAI(AmplitudeAI):
        def _create_client(self, api_key: str | None) -> Any:
            return None

        def _emit(self, kind: str, args: Any, bound: Any = None, **options: Any) -> None:
            return None

    class SinkAI(AmplitudeAI):
        records: list[dict[str, Any]]

        def _create_client(self, api_key: str | None) -> Any:
            self.records = []
            return None

        def _deliver(self, record: dict[str, Any]) -> None:
            self.records.append(record)
            if len(self.records) > 10_000:
                self.records.clear()

    return DroppingAI(config=AIConfig()), SinkAI(api_key="unused", config=AIConfig())


def _variants(url: str | None, stream: bool) -> tuple[dict[str, Callable[[], Any]], Any]:
    import boto3
    from botocore.config import Config

    import amplitude_ai

    kwargs: dict[str, Any] = {
        **CREDENTIALS,
        "config": Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    }
    if url:
        kwargs["endpoint_url"] = url
    dropping, sink = _sinks()
    clients = {
        "raw": boto3.client("bedrock-runtime", **kwargs),
        "hook": amplitude_ai.Bedrock(amplitude=dropping, **kwargs),
        "wrapped": amplitude_ai.Bedrock(amplitude=sink, **kwargs),
    }
    messages = [{"role": "user", "content": [{"text": "How do I measure retention?"}]}]

    def caller(client: Any) -> Callable[[], Any]:
        if stream:

            def read_stream() -> int:
                response = client.converse_stream(modelId=MODEL, messages=messages)
                return sum(1 for _ in response["stream"])

            return read_stream
        return lambda: client.converse(modelId=MODEL, messages=messages)

    session = sink.agent("bench-bot").session(user_id="bench-user")
    return {k: caller(c) for k, c in clients.items()}, session


def run_mode(url: str | None, stream: bool, args: argparse.Namespace) -> dict[str, Any]:
    calls, session = _variants(url, stream)
    keys = list(calls)
    samples: dict[str, list[float]] = {k: [] for k in keys}
    rounds: list[dict[str, float]] = []
    with session:
        for key in keys:
            for _ in range(args.warmup):
                calls[key]()
        slices = args.number // args.slice
        for rep in range(args.repeats):
            totals = dict.fromkeys(keys, 0)
            gc.collect()
            for s in range(slices):
                shift = (s + rep) % len(keys)
                for key in keys[shift:] + keys[:shift]:
                    start = time.perf_counter_ns()
                    for _ in range(args.slice):
                        calls[key]()
                    totals[key] += time.perf_counter_ns() - start
            sample = {k: t / (slices * args.slice) / 1000.0 for k, t in totals.items()}
            rounds.append(sample)
            for key in keys:
                samples[key].append(sample[key])
            print("  round", rep + 1, ", ".join(f"{k} {v:.1f}" for k, v in sample.items()), "µs")
    raw = statistics.median(samples["raw"])
    return {
        "mode": f"{'local server' if url else 'in-process'}, {'stream' if stream else 'plain'}",
        "variants": {
            k: {
                "median_us": statistics.median(v),
                "ratio": statistics.median(v) / raw,
                "paired_us": statistics.median(r[k] - r["raw"] for r in rounds),
            }
            for k, v in samples.items()
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--number", type=int, default=200, help="calls per sample")
    parser.add_argument("--slice", type=int, default=25, help="calls per interleaved slice")
    parser.add_argument("--repeats", type=int, default=7, help="samples per variant")
    parser.add_argument("--warmup", type=int, default=50, help="warm-up calls per variant")
    parser.add_argument("--quick", action="store_true", help="smoke run")
    parser.add_argument("--serve-llm", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_llm is not None:
        serve_llm(args.serve_llm)
        return
    if args.quick:
        args.number, args.slice, args.repeats, args.warmup = 50, 25, 3, 10
    import boto3
    import botocore

    from amplitude_ai.testing import fake_llm

    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs; boto3 {boto3.__version__}, "
          f"botocore {botocore.__version__}")  # fmt: skip
    results = []
    with llm_server() as url:
        for stream in (False, True):
            print(f"\nlocal server, {'stream' if stream else 'plain'}:")
            results.append(run_mode(url, stream, args))
    with fake_llm(_reply()):
        for stream in (False, True):
            print(f"\nin-process, {'stream' if stream else 'plain'}:")
            results.append(run_mode(None, stream, args))
    print(f"\n{'mode':<24}{'variant':<10}{'median µs':>11}{'x raw':>8}{'added µs':>10}")
    for res in results:
        for key, v in res["variants"].items():
            print(f"{res['mode']:<24}{key:<10}{v['median_us']:>11.1f}{v['ratio']:>8.3f}"
                  f"{v['paired_us']:>+10.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
