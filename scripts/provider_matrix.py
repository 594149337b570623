"""Run the provider tests against several releases of the provider SDKs.

Each matrix line is a virtualenv with one openai and one anthropic release, and on most
lines one google-genai, one mistralai and one boto3 release too (plus the pins an
app on those releases needs, e.g. ``httpx<0.28`` for openai lines that still pass
``proxies=`` to httpx). The SDK under test is not installed into it: the source tree is put on
``sys.path`` and only the SDK's runtime dependencies are installed, which keeps one line's
setup to a few seconds once pip's cache is warm. Venvs are cached under ``.matrix/`` and
reused while their requirement list is unchanged.

    python scripts/provider_matrix.py              # every line
    python scripts/provider_matrix.py --ci         # the lines CI runs (all but the newest)
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
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".matrix"
# What the SDK imports at run time and what the provider tests need around it.
BASE_REQUIREMENTS = (
    "amplitude-analytics>=1.1,<2",
    "genai-prices>=0.0.53,<1",
    "pytest>=8.3,<10",
    "pytest-asyncio>=0.25,<2",
)
TESTS = ("tests/providers",)


@dataclass(frozen=True)
class Line:
    name: str
    openai: str
    anthropic: str
    extra: tuple[str, ...] = ()
    ci: bool = True
    note: str = ""
    gemini: str = ""  # google-genai release ("" = not installed on this line)
    mistral: str = ""  # mistralai release
    bedrock: str = ""  # boto3 release (its botocore comes with it)
    litellm: str = ""  # litellm release
    # Extra pytest arguments of this line only (e.g. a warning filter for a release's quirk).
    pytest_args: tuple[str, ...] = ()

    def requirements(self) -> list[str]:
        optional = [f"google-genai=={self.gemini}"] if self.gemini else []
        optional += [f"mistralai=={self.mistral}"] if self.mistral else []
        optional += [f"boto3=={self.bedrock}"] if self.bedrock else []
        optional += [f"litellm=={self.litellm}"] if self.litellm else []
        return [*BASE_REQUIREMENTS, f"openai=={self.openai}", f"anthropic=={self.anthropic}",
                *optional, *self.extra]  # fmt: skip

    @property
    def label(self) -> str:
        names = f"openai {self.openai}, anthropic {self.anthropic}"
        names += f", google-genai {self.gemini}" if self.gemini else ""
        names += f", mistralai {self.mistral}" if self.mistral else ""
        names += f", litellm {self.litellm}" if self.litellm else ""
        return names + (f", boto3 {self.bedrock}" if self.bedrock else "")


# Old openai/anthropic lines construct httpx clients with ``proxies=``, which httpx 0.28
# removed: apps on those lines pin httpx<0.28 themselves, and so do these venvs (google-genai
# needs httpx>=0.28, so its lines are the others: the floor of google-genai and mistralai
# rides on late-1x-0x).
OLD_HTTPX = ("httpx>=0.25,<0.28",)
LINES = (
    # boto3: 1.28.57 is the floor (InvokeModel only), 1.34.116 the first with Converse.
    Line(
        "floor",
        "1.0.0",
        "0.16.0",
        OLD_HTTPX,
        bedrock="1.28.57",
        note="oldest supported release of each",
    ),
    Line(
        "app-2024",
        "1.11.1",
        "0.30.1",
        OLD_HTTPX,
        bedrock="1.34.116",
        note="releases an app pinned in 2024; boto3's first Converse release",
    ),
    Line(
        "late-1x-0x",
        "1.109.1",
        "0.125.0",
        gemini="1.0.0",
        mistral="1.1.0",
        note="last openai 1.x, last anthropic 0.x; google-genai and mistralai floors",
    ),
    Line(
        "early-2x-1x",
        "2.0.0",
        "1.0.0",
        gemini="2.0.0",
        mistral="2.0.0",
        bedrock="1.40.0",
        note="first openai 2.x, anthropic 1.x, google-genai 2.x, mistralai 2.x",
    ),
    Line(
        "late-2x-1x",
        "2.54.0",
        "1.17.0",
        gemini="1.75.0",
        mistral="1.12.4",
        note="last openai 2.x, anthropic 1.x, google-genai 1.x, mistralai 1.x",
    ),
    Line(
        "early-3x-2x",
        "3.0.0",
        "2.0.0",
        gemini="3.0.0",
        mistral="3.0.0",
        note="first openai 3.x, anthropic 2.x, google-genai 3.x, mistralai 3.x",
    ),
    # LiteLLM's floor, with the openai/anthropic releases of its time (it needs
    # openai>=1.68.2).
    Line(
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
    Line(
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


def build_venvs(lines: Sequence[Any], jobs: int) -> None:
    """Build the lines' venvs ``jobs`` at a time: installs wait on the network and the disk
    more than on the CPU, so overlapping them shortens CI; the test runs stay one at a time."""
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        list(pool.map(ensure_venv, lines))


def run_line(line: Line, pytest_args: list[str]) -> tuple[int, float]:
    started = time.perf_counter()
    python = ensure_venv(line)
    env = dict(os.environ)
    # The source tree, not an installed copy: what CI checks is this checkout.
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "sdk"), env.get("PYTHONPATH", "")]).rstrip(
        os.pathsep
    )
    cmd = [str(python), "-m", "pytest", "-q", "-p", "amplitude_ai.pytest_plugin",
           "-p", "no:cacheprovider", *TESTS, *line.pytest_args, *pytest_args]  # fmt: skip
    print(f"== {line.name}: {line.label}", flush=True)
    code = subprocess.run(cmd, cwd=ROOT, env=env).returncode
    return code, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ci", action="store_true", help="only the lines CI runs")
    parser.add_argument("--line", action="append", help="run only this line (repeatable)")
    parser.add_argument("--list", action="store_true", help="print the lines and exit")
    parser.add_argument(
        "--jobs", type=int, default=2, help="venvs built at once before the runs (default 2)"
    )
    args, rest = parser.parse_known_args(argv)
    pytest_args = [a for a in rest if a != "--"]
    lines = [
        ln for ln in LINES if (not args.ci or ln.ci) and (not args.line or ln.name in args.line)
    ]
    if args.list:
        for ln in LINES:
            print(f"{ln.name:12} {ln.label:70} {'ci ' if ln.ci else '   '}{ln.note}")
        return 0
    if not lines:
        parser.error(f"no such line; known: {', '.join(ln.name for ln in LINES)}")
    build_venvs(lines, args.jobs)
    results = [(ln, *run_line(ln, pytest_args)) for ln in lines]
    print("\nprovider matrix:")
    for ln, code, seconds in results:
        status = "passed" if code == 0 else f"FAILED (exit {code})"
        print(f"  {ln.name:12} {ln.label:70} {status:18} {seconds:6.1f} s")
    failed = sum(code != 0 for _, code, _ in results)
    print(f"provider-matrix: {len(results) - failed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
