"""Benchmark: per-call overhead of the provider wrappers over the raw provider clients.

Run from the repo root::

    .venv/bin/python bench/bench_wrappers.py            # full run (~1 min on 2 cores)
    .venv/bin/python bench/bench_wrappers.py --quick    # smoke run (~10 s)
    .venv/bin/python bench/bench_wrappers.py --json out.json

Every variant calls ``chat.completions.create`` (``--provider openai``; ``azure``: the
Azure OpenAI client; ``groq``: an OpenAI client whose ``base_url`` is Groq's, an
OpenAI-compatible host, whose requests a redirecting transport delivers to the server),
``messages.create`` (``--provider anthropic``), ``models.generate_content[_stream]``
(``--provider gemini``, google-genai), ``chat.complete``/``chat.stream`` (``--provider
mistral``) or ``converse``/``converse_stream`` (``--provider bedrock``, boto3's
``bedrock-runtime`` client) against the same local fake provider server
(``tests/support/llm_server.py``, in a child process so its work does not compete for this
process's GIL), non-streamed and streamed (the stream is read to the end). It runs with
whatever openai/anthropic releases are installed: run it in the provider matrix venvs to
compare release lines, e.g.
``PYTHONPATH=sdk .matrix/floor/bin/python bench/bench_wrappers.py --quick``. Variants:

Each mode runs twice: over HTTP against the server (what the targets are about), and with
an in-process ``httpx2.MockTransport`` answering from the same ``FakeLLM`` (no socket, no
second process), which takes most of the machine's noise out of the µs added (Gemini and
Mistral: an ``httpx2.MockTransport`` passed through their own client options, which the
newest google-genai and mistralai releases send through; Bedrock: ``fake_llm()``
answering botocore's send, so most of a raw call is botocore's own serialising, signing
and event-stream parsing).

``raw``        ``openai.OpenAI`` / ``anthropic.Anthropic``: the baseline.
``hook``       ``amplitude_ai.OpenAI`` (``.Anthropic``) whose ``AmplitudeAI`` drops events
               before building them: the wrapper's own work (request and response
               reading, stream wrapping, timing, context variables).
``raw_usage``  (OpenAI streams, on releases with ``stream_options``) ``openai.OpenAI`` asking
               for the usage chunk itself, as the wrapper does: separates the cost of that
               extra chunk from the wrapper's.
``wrapped``    ``amplitude_ai.OpenAI`` with real event building (User Message + AI Response,
               cost lookup) into a sink that keeps the records (no network), inside an
               ``agent.session()``. What an application pays on the caller's thread, minus
               the amplitude-analytics hand-off (see ``bench_track.py`` ``f_real``).

Samples are the mean µs per call of ``--number`` calls, gathered in slices of ``--slice``
calls interleaved across the variants in a rotating order. Reported: median, p10/p90,
ratio of medians to ``raw`` and µs added (difference of medians, and median of the
per-round paired differences). Targets: ≤ 50 µs added and ≤ 1.1x raw.

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
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from _common import describe_git, git_state  # noqa: E402

os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"
for _name in ("AMPLITUDE_AI_CONTENT_MODE", "AMPLITUDE_AI_DEBUG", "AMPLITUDE_AI_SERVER_URL"):
    os.environ.pop(_name, None)

TARGET_ADDED_US = 50.0
TARGET_RATIO = 1.1
REPLY_TEXT = (
    "Retention is the share of users who come back after their first visit. Measure it "
    "with a retention chart: pick a starting event, a return event, and a time window."
)


def serve_llm(max_seconds: float) -> None:
    """Child-process entry: run the fake server, print its URL, stop when stdin closes."""
    sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests"))
    from amplitude_ai.testing import FakeReply
    from support.llm_server import LLMServer

    with LLMServer() as server:
        server.llm.reply(FakeReply(REPLY_TEXT, input_tokens=420, output_tokens=60))
        threading.Thread(target=_trim_calls, args=(server,), daemon=True).start()
        print(server.url, flush=True)
        done = threading.Event()
        threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
        done.wait(max_seconds)


def _trim_calls(server: Any) -> None:
    while True:  # the server records every request; keep its memory flat
        time.sleep(1.0)
        server.llm.calls.clear()


@contextlib.contextmanager
def llm_server() -> Any:
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
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass
class Variant:
    key: str
    label: str
    call: Callable[[int], Any]
    samples: list[float] = field(default_factory=list)


def _sinks() -> tuple[Any, Any]:
    from amplitude_ai import AIConfig, AmplitudeAI

    class DroppingAI(AmplitudeAI):
        """Receives the wrapper's tracking calls and drops them before building events."""

        def _create_client(self, api_key: str | None) -> Any:
            return None

        def _emit(self, kind: str, args: Any, bound: Any = None, **options: Any) -> None:
            return None

    class PlainSinkAI(AmplitudeAI):
        """Real event building; delivery appends the record (no copy, no I/O)."""

        records: list[dict[str, Any]]

        def _create_client(self, api_key: str | None) -> Any:
            self.records = []
            return None

        def _deliver(self, record: dict[str, Any]) -> None:
            self.records.append(record)
            if len(self.records) > 10_000:
                self.records.clear()

    return DroppingAI(config=AIConfig()), PlainSinkAI(api_key="unused", config=AIConfig())


def _http_lib(provider_module: Any) -> Any:
    """The HTTP library the installed SDK release sends through (httpx2, older: httpx)."""
    import importlib

    source = getattr(provider_module, "_base_client", None)
    uses_httpx2 = source is not None and getattr(source, "httpx2", None) is not None
    return importlib.import_module("httpx2" if uses_httpx2 else "httpx")


def _in_process_http_client(http: Any) -> Any:
    """A client of ``http`` whose transport answers from a FakeLLM here (no socket)."""
    from amplitude_ai.testing import FakeLLM, FakeReply

    fake = FakeLLM(FakeReply(REPLY_TEXT, input_tokens=420, output_tokens=60))

    def handler(request: Any) -> Any:
        wire = fake.respond(
            request.method, request.url.raw_path.decode(), dict(request.headers), request.read()
        )
        fake.calls.clear()
        return http.Response(wire.status, headers=wire.headers, content=wire.body)

    return http.Client(transport=http.MockTransport(handler))


OPENAI_FAMILY = ("openai", "azure", "groq")
GROQ_BASE_URL = "https://api.groq.com/openai/v1"


def _redirecting_http_client(http: Any, url: str) -> Any:
    """A client of ``http`` that keeps the request's host (``api.groq.com``, which decides
    the reported provider) but connects to the local server at ``url``."""
    from urllib.parse import urlsplit

    port = urlsplit(url).port

    class Redirect(http.HTTPTransport):  # type: ignore[misc, name-defined]
        def handle_request(self, request: Any) -> Any:
            request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=port)
            return super().handle_request(request)

    return http.Client(transport=Redirect())


def _knows_stream_options() -> bool:
    import inspect

    from openai.resources.chat.completions import Completions

    return "stream_options" in inspect.signature(Completions.create).parameters


def _in_process_transport() -> Any:
    """An httpx2 transport answering from a FakeLLM here (google-genai 3.x and mistralai 3.x
    send through httpx2)."""
    import httpx2

    from amplitude_ai.testing import FakeLLM, FakeReply

    fake = FakeLLM(FakeReply(REPLY_TEXT, input_tokens=420, output_tokens=60))

    def handler(request: Any) -> Any:
        wire = fake.respond(
            request.method, request.url.raw_path.decode(), dict(request.headers), request.read()
        )
        fake.calls.clear()
        return httpx2.Response(wire.status, headers=wire.headers, content=wire.body)

    return httpx2.MockTransport(handler)


def _other_variants(provider: str, url: str | None, stream: bool) -> tuple[list[Variant], Any]:
    """Gemini and Mistral: raw client, drop-in with events dropped, drop-in building events."""
    import amplitude_ai

    dropping, sink = _sinks()
    system = "You are a product analytics assistant."
    if provider == "gemini":
        from google import genai

        def make(cls: Any, **extra: Any) -> Any:
            options: dict[str, Any] = {"base_url": url or "http://in-process.invalid"}
            if url is None:
                options["client_args"] = {"transport": _in_process_transport()}
            return cls(api_key="g-bench", http_options=options, **extra)

        raw_cls, ours_cls, name = genai.Client, amplitude_ai.Gemini, "google.genai.Client"
        config = {"system_instruction": system, "temperature": 0.2}

        def ask(client: Any, question: str) -> Any:
            method = (
                client.models.generate_content_stream if stream else client.models.generate_content
            )
            return method(model="gemini-2.5-flash", contents=question, config=config)

    else:
        from amplitude_ai.providers.mistral import provider_class

        def make(cls: Any, **extra: Any) -> Any:
            if url is not None:
                return cls(api_key="m-bench", server_url=url, **extra)
            import httpx2

            client = httpx2.Client(transport=_in_process_transport())
            return cls(api_key="m-bench", server_url="http://in-process.invalid", client=client,
                       **extra)  # fmt: skip

        raw_cls, ours_cls, name = provider_class(), amplitude_ai.Mistral, "mistralai.Mistral"

        def ask(client: Any, question: str) -> Any:
            method = client.chat.stream if stream else client.chat.complete
            messages = [
                {"role": "system", "content": system},
                {"role": "user", "content": question},
            ]
            return method(model="mistral-small-latest", messages=messages, temperature=0.2)

    clients = {
        "raw": make(raw_cls),
        "hook": make(ours_cls, amplitude=dropping),
        "wrapped": make(ours_cls, amplitude=sink),
    }
    labels = {
        "raw": f"raw {name}",
        "hook": f"amplitude_ai.{ours_cls.__name__}, events dropped (wrapper only)",
        "wrapped": f"amplitude_ai.{ours_cls.__name__}, events built (2 per call)",
    }

    def caller(client: Any) -> Callable[[int], Any]:
        def call(i: int) -> Any:
            result = ask(client, f"What is retention? (question {i})")
            if stream:
                for _ in result:
                    pass
            return result

        return call

    session = sink.agent("bench-bot").session(user_id="bench-user")
    return [Variant(k, labels[k], caller(c)) for k, c in clients.items()], session


BEDROCK_MODEL = "anthropic.claude-3-haiku-20240307-v1:0"


def _bedrock_variants(url: str | None, stream: bool) -> tuple[list[Variant], Any]:
    """boto3's bedrock-runtime client: raw, drop-in with events dropped, drop-in building
    events. In process, ``fake_llm()`` answers botocore's send (boto3 has no transport
    option); the returned context enters it around the session."""
    import boto3
    from botocore.config import Config

    import amplitude_ai
    from amplitude_ai.testing import FakeReply, fake_llm

    kwargs: dict[str, Any] = {
        "region_name": "us-east-1",
        "aws_access_key_id": "AKIDBENCH",
        "aws_secret_access_key": "bench-secret",
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
    labels = {
        "raw": "raw boto3.client('bedrock-runtime')",
        "hook": "amplitude_ai.Bedrock, events dropped (wrapper only)",
        "wrapped": "amplitude_ai.Bedrock, events built (2 per call)",
    }
    system = [{"text": "You are a product analytics assistant."}]

    def caller(client: Any) -> Callable[[int], Any]:
        def call(i: int) -> Any:
            text = f"What is retention? (question {i})"
            messages = [{"role": "user", "content": [{"text": text}]}]
            options = {"modelId": BEDROCK_MODEL, "messages": messages, "system": system}
            if stream:
                response = client.converse_stream(**options)
                for _ in response["stream"]:
                    pass
                return response
            return client.converse(**options)

        return call

    context = contextlib.ExitStack()
    if url is None:
        context.enter_context(fake_llm(FakeReply(REPLY_TEXT, input_tokens=420, output_tokens=60)))
    context.enter_context(sink.agent("bench-bot").session(user_id="bench-user"))
    return [Variant(k, labels[k], caller(c)) for k, c in clients.items()], context


def build_variants(provider: str, url: str | None, stream: bool) -> tuple[list[Variant], Any]:
    import importlib

    import amplitude_ai

    if provider in ("gemini", "mistral"):
        return _other_variants(provider, url, stream)
    if provider == "bedrock":
        return _bedrock_variants(url, stream)

    family = "openai" if provider in OPENAI_FAMILY else provider
    module = importlib.import_module(family)
    name = {"openai": "OpenAI", "groq": "OpenAI", "azure": "AzureOpenAI"}.get(provider, "Anthropic")
    raw_cls, ours_cls = getattr(module, name), getattr(amplitude_ai, name)
    dropping, sink = _sinks()
    http = _http_lib(module)

    def common() -> dict[str, Any]:
        kwargs: dict[str, Any] = {"api_key": "sk-bench", "max_retries": 0}
        base = url or "http://in-process.invalid"
        if provider == "azure":
            kwargs["azure_endpoint"] = base
            kwargs["api_version"] = "2024-10-21"
        elif provider == "groq":  # an OpenAI-compatible host: the real host name
            kwargs["base_url"] = GROQ_BASE_URL
            if url is not None:
                kwargs["http_client"] = _redirecting_http_client(http, url)
        else:
            kwargs["base_url"] = base + "/v1" if provider == "openai" else base
        if url is None:
            kwargs["http_client"] = _in_process_http_client(http)
        return kwargs

    clients = {
        "raw": raw_cls(**common()),
        "hook": ours_cls(amplitude=dropping, **common()),
        "wrapped": ours_cls(amplitude=sink, **common()),
    }
    if stream and family == "openai" and _knows_stream_options():
        # The wrapper asks for the usage chunk; a raw client may ask for it too.
        clients["raw_usage"] = raw_cls(**common())
    labels = {
        "raw": f"raw {family}.{name}",
        "hook": f"amplitude_ai.{name}, events dropped (wrapper only)",
        "wrapped": f"amplitude_ai.{name}, events built (2 per call)",
        "raw_usage": f"raw openai.{name} + stream_options include_usage",
    }

    def caller(client: Any, usage: bool = False) -> Callable[[int], Any]:
        extra = {"stream_options": {"include_usage": True}} if usage else {}

        def call(i: int) -> Any:
            # A new question every call, as in a chat (the same one would be deduplicated).
            question = {"role": "user", "content": f"What is retention? (question {i})"}
            system = "You are a product analytics assistant."
            if family == "openai":
                result = client.chat.completions.create(
                    model="llama-3.3-70b-versatile" if provider == "groq" else "gpt-4o",
                    messages=[{"role": "system", "content": system}, question],
                    temperature=0.2,
                    stream=stream,
                    **extra,
                )
            else:
                result = client.messages.create(
                    model="claude-sonnet-4-6",
                    max_tokens=256,
                    system=system,
                    messages=[question],
                    stream=stream,
                )
            if stream:
                for _ in result:
                    pass
            return result

        return call

    session = sink.agent("bench-bot").session(user_id="bench-user")
    variants = [Variant(k, labels[k], caller(c, k == "raw_usage")) for k, c in clients.items()]
    return variants, session


def run_mode(
    provider: str, url: str | None, stream: bool, args: argparse.Namespace
) -> dict[str, Any]:
    variants, session = build_variants(provider, url, stream)
    counter = iter(range(10**9))
    with session:
        for v in variants:  # warm-up: connections, pydantic models, cost rates
            for _ in range(args.warmup):
                v.call(next(counter))
        slices = args.number // args.slice
        rounds: list[dict[str, float]] = []
        for rep in range(args.repeats):
            totals = {v.key: 0 for v in variants}
            gc.collect()
            for s in range(slices):
                order = (
                    variants[(s + rep) % len(variants) :] + variants[: (s + rep) % len(variants)]
                )
                for v in order:
                    start = time.perf_counter_ns()
                    for _ in range(args.slice):
                        v.call(next(counter))
                    totals[v.key] += time.perf_counter_ns() - start
            calls = slices * args.slice
            sample = {k: t / calls / 1000.0 for k, t in totals.items()}
            rounds.append(sample)
            for v in variants:
                v.samples.append(sample[v.key])
            print(
                f"  round {rep + 1}/{args.repeats}: "
                + ", ".join(f"{k} {sample[k]:.1f}" for k in sample)
                + " µs/call",
                flush=True,
            )
    raw = statistics.median(next(v for v in variants if v.key == "raw").samples)
    result: dict[str, Any] = {
        "provider": provider,
        "stream": stream,
        "transport": "local server" if url else "in-process",
        "variants": {},
    }
    for v in variants:
        med = statistics.median(v.samples)
        q = statistics.quantiles(v.samples, n=10) if len(v.samples) > 1 else [med] * 9
        paired = [r[v.key] - r["raw"] for r in rounds]
        result["variants"][v.key] = {
            "label": v.label,
            "samples_us": v.samples,
            "median_us": med,
            "p10_us": q[0],
            "p90_us": q[-1],
            "ratio": med / raw,
            "added_us": med - raw,
            "added_paired_median_us": statistics.median(paired),
        }
    return result


def _mode(res: dict[str, Any]) -> str:
    return f"{res['provider']}, {res['transport']}, {'stream' if res['stream'] else 'plain'}"


def report(results: list[dict[str, Any]]) -> None:
    print()
    print(
        f"{'mode':<36}{'variant':<52}{'median':>9}{'p10':>9}{'p90':>9}{'x raw':>7}"
        f"{'added':>9}{'paired':>9}"
    )
    for res in results:
        mode = _mode(res)
        for v in res["variants"].values():
            print(
                f"{mode:<36}{v['label']:<52}{v['median_us']:>9.1f}{v['p10_us']:>9.1f}"
                f"{v['p90_us']:>9.1f}{v['ratio']:>7.3f}{v['added_us']:>+9.1f}"
                f"{v['added_paired_median_us']:>+9.1f}"
            )
    print("\n(µs per call; added = median - raw median; paired = median of per-round differences)")
    for res in results:
        mode = _mode(res)
        for key in ("hook", "wrapped"):
            v = res["variants"][key]
            ok_added = v["added_paired_median_us"] <= TARGET_ADDED_US
            ok_ratio = v["ratio"] <= TARGET_RATIO
            print(
                f"  {mode:<36} {key:<8} added {v['added_paired_median_us']:+.1f} µs "
                f"(target ≤ {TARGET_ADDED_US:.0f}): {'MET' if ok_added else 'NOT MET'};  "
                f"ratio {v['ratio']:.3f} (target ≤ {TARGET_RATIO}): "
                f"{'MET' if ok_ratio else 'NOT MET'}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--number", type=int, default=400, help="calls per sample")
    parser.add_argument("--slice", type=int, default=50, help="calls per interleaved slice")
    parser.add_argument("--repeats", type=int, default=9, help="samples per variant")
    parser.add_argument("--warmup", type=int, default=100, help="warm-up calls per variant")
    parser.add_argument("--quick", action="store_true", help="smoke run")
    parser.add_argument(
        "--transport",
        choices=("both", "server", "in-process"),
        default="both",
        help="the local fake server over HTTP, an in-process httpx2 transport, or both",
    )
    parser.add_argument(
        "--provider",
        choices=(
            "both",
            "all",
            "openai",
            "azure",
            "groq",
            "anthropic",
            "gemini",
            "mistral",
            "bedrock",
        ),
        default="both",
        help="which provider's raw and instrumented clients to compare (both: openai and "
        "anthropic; all: also azure, groq (an OpenAI client on an OpenAI-compatible host), "
        "gemini, mistral and bedrock)",
    )
    parser.add_argument("--json", help="write all samples and results here")
    parser.add_argument("--serve-llm", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_llm is not None:
        serve_llm(args.serve_llm)
        return
    if args.quick:
        args.number, args.slice, args.repeats, args.warmup = 100, 25, 3, 20
    state = git_state()
    print(f"SDK: {describe_git(state)}")
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    import anthropic
    import openai

    providers = {
        "both": ["openai", "anthropic"],
        "all": ["openai", "azure", "groq", "anthropic", "gemini", "mistral", "bedrock"],
    }.get(args.provider, [args.provider])
    versions = f"openai {openai.__version__}, anthropic {anthropic.__version__}"
    if "bedrock" in providers:
        import boto3
        import botocore

        versions += f", boto3 {boto3.__version__}, botocore {botocore.__version__}"
    print(versions)
    print(f"{args.repeats} samples x {args.number} calls, slices of {args.slice}")
    results = []
    with llm_server() as url:
        for target in (
            [url]
            if args.transport == "server"
            else [None]
            if args.transport == "in-process"
            else [url, None]
        ):
            for provider in providers:
                for stream in (False, True):
                    where = "local server" if target else "in-process transport"
                    print(f"\n{provider}, {where}, {'stream' if stream else 'non-stream'}:")
                    results.append(run_mode(provider, target, stream, args))
    report(results)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(
                {
                    "when": dt.datetime.now(dt.timezone.utc).isoformat(),
                    "git": state,
                    "args": vars(args),
                    "results": results,
                },
                fh,
                indent=1,
            )


if __name__ == "__main__":
    main()
