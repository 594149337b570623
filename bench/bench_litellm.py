"""Benchmark: what the LiteLLM callback adds to ``litellm.completion``.

Run from the repo root::

    .venv/bin/python bench/bench_litellm.py             # 7 rounds of 40 calls per variant
    .venv/bin/python bench/bench_litellm.py --rounds 3 --number 20

Both variants call ``litellm.completion`` (LiteLLM's OpenAI route, so the openai SDK sends
the request) against the local fake provider server (``tests/support/llm_server.py``) over
real HTTP, in rounds that alternate the variants:

``untracked``  no callback registered: LiteLLM's own cost (it still runs its logging).
``tracked``    ``amplitude_ai.patch_litellm()`` with a ``MockAmplitudeAI`` (events are built,
               validated and kept in memory), inside an ``agent.session()``.

LiteLLM calls its callbacks after the call returned, on its logging worker threads, so two
times are reported per variant: what the caller waits for per call, and the time until
every call of the round has also been reported (``wait_for_pending``). Reported: the median
over rounds of the mean ms per call, and the ratio of the medians (tracked / untracked).

This is a benchmark, not a test: nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from importlib.metadata import version
from pathlib import Path

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import litellm  # noqa: E402

import amplitude_ai  # noqa: E402
from amplitude_ai.providers import _litellm_registration  # noqa: E402
from amplitude_ai.testing import FakeReply, MockAmplitudeAI  # noqa: E402
from support.llm_server import LLMServer  # noqa: E402

MESSAGES = [
    {"role": "system", "content": "You are concise."},
    {"role": "user", "content": "What is a cohort?"},
]


def _round(server: LLMServer, number: int, tracked: bool) -> tuple[float, float]:
    """(ms per call the caller waits, ms per call until every call was reported)."""
    kwargs = {
        "model": "openai/gpt-4o-mini",
        "messages": MESSAGES,
        "api_base": server.openai_url,
        "api_key": "sk-bench",
    }
    ai = MockAmplitudeAI()
    if tracked:
        amplitude_ai.patch_litellm(ai)
    try:
        with ai.agent("bench").session(user_id="bench-user"):
            started = time.perf_counter()
            for _ in range(number):
                litellm.completion(**kwargs)
            returned = time.perf_counter()
            for callback in _litellm_registration.registered():
                callback.wait_for_pending(timeout=60)
            reported = time.perf_counter()
    finally:
        amplitude_ai.unpatch()
    if tracked:
        responses = ai.events_of_type("[Agent] AI Response")
        assert len(responses) == number, f"{len(responses)} AI Responses for {number} calls"
    return (returned - started) * 1000 / number, (reported - started) * 1000 / number


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--number", type=int, default=40, help="calls per round and variant")
    args = parser.parse_args()
    samples: dict[str, list[tuple[float, float]]] = {"untracked": [], "tracked": []}
    with LLMServer() as server:
        server.llm.reply(FakeReply("A cohort is a group of users.", input_tokens=40))
        _round(server, 5, tracked=True)  # warm-up: imports, clients, pricing tables
        _round(server, 5, tracked=False)
        for n in range(args.rounds):
            order = ("untracked", "tracked") if n % 2 == 0 else ("tracked", "untracked")
            for variant in order:
                samples[variant].append(_round(server, args.number, variant == "tracked"))
    print(f"litellm {version('litellm')}")
    print(f"{args.rounds} rounds x {args.number} calls per variant, median of round means")
    medians = {}
    for variant, rows in samples.items():
        caller = statistics.median(r[0] for r in rows)
        reported = statistics.median(r[1] for r in rows)
        medians[variant] = (caller, reported)
        print(f"  {variant:<10} caller {caller:7.2f} ms/call   until reported {reported:7.2f}")
    base, ours = medians["untracked"], medians["tracked"]
    print(
        f"ratio tracked/untracked: caller {ours[0] / base[0]:.3f}x, "
        f"until reported {ours[1] / base[1]:.3f}x"
    )


if __name__ == "__main__":
    main()
