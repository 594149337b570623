"""Run the provider and framework tests against several releases of the libraries they drive.

Each matrix line is a virtualenv pinning one release of each library it tests, and belongs
to a line set:

* ``providers``: one openai and one anthropic release, and on most lines one google-genai,
  one mistralai and one boto3 release too (plus the pins an app on those releases needs,
  e.g. ``httpx<0.28`` for openai lines that still pass ``proxies=`` to httpx); runs
  ``tests/providers``;
* ``crewai``: one CrewAI release (its pins clash with the MCP server's, so it cannot join the
  dev venv); runs every ``tests/**/test_crewai*.py``;
* ``llamaindex``: llama-index-core with LlamaIndex's own OpenAI LLM and embedding packages
  (``llama-index-llms-openai`` caps openai below the dev venv's release); runs
  ``tests/integrations/test_llamaindex*.py``;
* ``otel``: the [otel] extra's floor (the dev venv has the newest release); runs the OTEL
  bridge's tests.

The SDK under test is not installed into a line: the source tree is put on ``sys.path`` and
only the SDK's runtime dependencies are installed, which keeps one line's setup to a few
seconds once pip's cache is warm. Venvs are cached under ``.matrix/`` and reused while their
requirement list is unchanged.

    python scripts/provider_matrix.py                      # every line of every set
    python scripts/provider_matrix.py --ci                 # the lines CI runs
    python scripts/provider_matrix.py --set crewai         # one line set (repeatable)
    python scripts/provider_matrix.py --line floor -- -x -k stream   # extra pytest args
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".matrix"
# What the SDK imports at run time and what the tests need around it.
BASE_REQUIREMENTS = (
    "amplitude-analytics>=1.1,<2",
    "genai-prices>=0.0.53,<1",
    "pytest>=8.3,<10",
    "pytest-asyncio>=0.25,<2",
)
# What each line set runs: paths or glob patterns, relative to the checkout (a pattern is
# expanded when the line runs, so test files added later are picked up by name).
SET_TESTS = {
    "providers": ("tests/providers",),
    "crewai": ("tests/**/test_crewai*.py",),
    "llamaindex": ("tests/integrations/test_llamaindex*.py",),
    "otel": ("tests/integrations/test_opentelemetry.py", "tests/integrations/test_otel*.py"),
}
LINE_SETS = tuple(SET_TESTS)


@dataclass(frozen=True)
class Line:
    name: str
    # (distribution, release) pairs, in the order the label names them.
    pins: tuple[tuple[str, str], ...]
    line_set: str = "providers"
    extra: tuple[str, ...] = ()  # further requirements (e.g. an httpx range)
    ci: bool = True
    note: str = ""
    # Extra pytest arguments of this line only (e.g. a warning filter for a release's quirk).
    pytest_args: tuple[str, ...] = ()

    def release(self, distribution: str) -> str | None:
        return dict(self.pins).get(distribution)

    def requirements(self) -> list[str]:
        return [*BASE_REQUIREMENTS, *(f"{d}=={v}" for d, v in self.pins), *self.extra]

    @property
    def label(self) -> str:
        return ", ".join(f"{d} {v}" for d, v in self.pins)

    def tests(self) -> list[str]:
        found: list[str] = []
        for pattern in SET_TESTS[self.line_set]:
            matches = sorted(str(p.relative_to(ROOT)) for p in ROOT.glob(pattern))
            found += [m for m in matches if m not in found]
        return found


def provider_line(
    name: str,
    openai: str,
    anthropic: str,
    extra: tuple[str, ...] = (),
    *,
    gemini: str = "",
    mistral: str = "",
    litellm: str = "",
    bedrock: str = "",
    **options: object,
) -> Line:
    """A ``providers`` line: one openai and one anthropic release, and optionally one
    google-genai, mistralai, boto3 (its botocore comes with it) and litellm release."""
    optional = {"google-genai": gemini, "mistralai": mistral, "boto3": bedrock, "litellm": litellm}
    pins: tuple[tuple[str, str], ...] = (("openai", openai), ("anthropic", anthropic))
    pins += tuple((dist, release) for dist, release in optional.items() if release)
    return Line(name, pins, "providers", extra, **options)  # type: ignore[arg-type]


# Old openai/anthropic lines construct httpx clients with ``proxies=``, which httpx 0.28
# removed: apps on those lines pin httpx<0.28 themselves, and so do these venvs (google-genai
# needs httpx>=0.28, so its lines are the others: the floor of google-genai and mistralai
# rides on late-1x-0x).
OLD_HTTPX = ("httpx>=0.25,<0.28",)
LINES = (
    # boto3: 1.28.57 is the floor (InvokeModel only), 1.34.116 the first with Converse.
    provider_line(
        "floor",
        "1.0.0",
        "0.16.0",
        OLD_HTTPX,
        bedrock="1.28.57",
        note="oldest supported release of each",
    ),
    provider_line(
        "app-2024",
        "1.11.1",
        "0.30.1",
        OLD_HTTPX,
        bedrock="1.34.116",
        note="releases an app pinned in 2024; boto3's first Converse release",
    ),
    provider_line(
        "late-1x-0x",
        "1.109.1",
        "0.125.0",
        gemini="1.0.0",
        mistral="1.1.0",
        note="last openai 1.x, last anthropic 0.x; google-genai and mistralai floors",
    ),
    provider_line(
        "early-2x-1x",
        "2.0.0",
        "1.0.0",
        gemini="2.0.0",
        mistral="2.0.0",
        bedrock="1.40.0",
        note="first openai 2.x, anthropic 1.x, google-genai 2.x, mistralai 2.x",
    ),
    provider_line(
        "late-2x-1x",
        "2.54.0",
        "1.17.0",
        gemini="1.75.0",
        mistral="1.12.4",
        note="last openai 2.x, anthropic 1.x, google-genai 1.x, mistralai 1.x",
    ),
    provider_line(
        "early-3x-2x",
        "3.0.0",
        "2.0.0",
        gemini="3.0.0",
        mistral="3.0.0",
        note="first openai 3.x, anthropic 2.x, google-genai 3.x, mistralai 3.x",
    ),
    # LiteLLM's floor, with the openai/anthropic releases of its time (it needs
    # openai>=1.68.2).
    provider_line(
        "litellm-floor",
        "1.68.2",
        "0.49.0",
        litellm="1.67.0",
        note="oldest supported litellm",
        # litellm 1.67 caches async httpx clients and leaves their sockets to the garbage
        # collector; pytest then reports the unclosed socket in whichever later test the
        # collection happens to run (a different one each run). Newer releases close them.
        pytest_args=(
            "-W",
            "ignore:Exception ignored in. <socket.socket:pytest.PytestUnraisableExceptionWarning",
            "-W",
            "ignore:Exception ignored in. <function _SelectorTransport.__del__"
            ":pytest.PytestUnraisableExceptionWarning",
        ),
    ),
    # The main suite's venv resolves the dev extra to the newest releases: CI covers this
    # line there, with the whole suite.
    provider_line(
        "newest",
        "3.60.0",
        "2.17.0",
        ci=False,
        gemini="3.6.1",
        mistral="3.7.0",
        bedrock="1.44.8",
        litellm="1.110.2",
        note="newest releases",
    ),
    # CrewAI 1.10.1 is the [crewai] extra's floor (the first release whose LLM events carry
    # a call_id and whose event bus has off/flush).
    Line("crewai-floor", (("crewai", "1.10.1"),), "crewai", note="the [crewai] extra's floor"),
    Line("crewai-newest", (("crewai", "1.15.30"),), "crewai", note="newest release"),
    # LlamaIndex's own OpenAI LLM and embedding. llama-index-llms-openai 0.5.6 and
    # llama-index-embeddings-openai 0.5.1 are the first releases that accept
    # llama-index-core 0.14 (the [llamaindex] extra's line); openai 1.81.0 is the oldest
    # release llama-index-llms-openai 0.5.6 accepts. The newest llama-index-llms-openai caps
    # openai below 3, so its line runs the last openai 2.x (the dev venv has 3.x, which is
    # why LlamaIndex's OpenAI packages are not in dev).
    Line(
        "llamaindex-floor",
        (
            ("llama-index-core", "0.14.0"),
            ("llama-index-llms-openai", "0.5.6"),
            ("llama-index-embeddings-openai", "0.5.1"),
            ("openai", "1.81.0"),
        ),
        "llamaindex",
        note="the [llamaindex] extra's floor with the first OpenAI packages for it",
    ),
    Line(
        "llamaindex-newest",
        (
            ("llama-index-core", "0.14.25"),
            ("llama-index-llms-openai", "0.8.3"),
            ("llama-index-embeddings-openai", "0.7.0"),
            ("openai", "2.54.0"),
        ),
        "llamaindex",
        note="newest releases (openai: the newest llama-index-llms-openai accepts)",
    ),
    # The OTEL bridge at the [otel] extra's floor, over the newest openai.
    Line(
        "otel-floor",
        (("opentelemetry-api", "1.27.0"), ("opentelemetry-sdk", "1.27.0"), ("openai", "3.60.0")),
        "otel",
        ("httpx>=0.28,<0.29",),  # the tests' HTTP-level instrumentation hooks an httpx client
        note="the [otel] extra's floor",
    ),
)


def _key(line: Line) -> str:
    text = "\n".join([sys.version, *line.requirements()])
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def ensure_venv(line: Line) -> Path:
    """The line's venv, created (or rebuilt when its requirements changed) on demand."""
    venv = CACHE / line.name
    stamp = venv / "matrix-key"
    python = venv / "bin" / "python"
    if stamp.is_file() and stamp.read_text() == _key(line) and python.exists():
        return python
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
         *line.requirements()],
        check=True,
    )  # fmt: skip
    stamp.write_text(_key(line))
    return python


def build_venvs(lines: Sequence[Line], jobs: int) -> None:
    """Build the lines' venvs ``jobs`` at a time: installs wait on the network and the disk
    more than on the CPU, so overlapping them shortens CI; the test runs stay one at a time."""
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        list(pool.map(ensure_venv, lines))


def run_line(line: Line, pytest_args: list[str]) -> tuple[int, float]:
    started = time.perf_counter()
    python = ensure_venv(line)
    env = dict(os.environ)
    # The MCP server's interpreter (this one in CI): tests/e2e/test_crewai_chain.py runs its
    # instrument/generate half there, since CrewAI's venv cannot hold the server.
    env.setdefault("AMPLITUDE_AI_MCP_PYTHON", sys.executable)
    # The source tree, not an installed copy: what CI checks is this checkout.
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "sdk"), env.get("PYTHONPATH", "")]).rstrip(
        os.pathsep
    )
    tests = line.tests()
    if not tests:
        print(f"== {line.name}: no test file matches {SET_TESTS[line.line_set]}", flush=True)
        return 5, time.perf_counter() - started  # pytest's "no tests collected"
    cmd = [str(python), "-m", "pytest", "-q", "-p", "amplitude_ai.pytest_plugin",
           "-p", "no:cacheprovider", *tests, *line.pytest_args, *pytest_args]  # fmt: skip
    print(f"== {line.name}: {line.label}", flush=True)
    code = subprocess.run(cmd, cwd=ROOT, env=env).returncode
    return code, time.perf_counter() - started


def select(
    ci: bool = False, names: Sequence[str] | None = None, sets: Sequence[str] | None = None
) -> list[Line]:
    return [
        ln
        for ln in LINES
        if (not ci or ln.ci)
        and (not names or ln.name in names)
        and (not sets or ln.line_set in sets)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--ci", action="store_true", help="only the lines CI runs")
    parser.add_argument("--line", action="append", help="run only this line (repeatable)")
    parser.add_argument(
        "--set", action="append", choices=LINE_SETS, help="run only this line set (repeatable)"
    )
    parser.add_argument("--list", action="store_true", help="print the lines and exit")
    parser.add_argument(
        "--jobs", type=int, default=2, help="venvs built at once before the runs (default 2)"
    )
    args, rest = parser.parse_known_args(argv)
    pytest_args = [a for a in rest if a != "--"]
    if args.list:
        for ln in select(sets=args.set):
            flag = "ci " if ln.ci else "   "
            print(f"{ln.name:18} {ln.line_set:11} {ln.label:80} {flag}{ln.note}")
        return 0
    lines = select(args.ci, args.line, args.set)
    if not lines:
        parser.error(f"no such line; known: {', '.join(ln.name for ln in LINES)}")
    build_venvs(lines, args.jobs)
    results = [(ln, *run_line(ln, pytest_args)) for ln in lines]
    print("\nmatrix:")
    for ln, code, seconds in results:
        status = "passed" if code == 0 else f"FAILED (exit {code})"
        print(f"  {ln.name:18} {ln.label:80} {status:18} {seconds:6.1f} s")
    failed = sum(code != 0 for _, code, _ in results)
    print(f"provider-matrix: {len(results) - failed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
