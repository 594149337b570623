"""Run the CrewAI integration tests in venvs of their own.

CrewAI pins ``mcp`` and ``openai`` ranges that clash with the MCP server's extra, so it
cannot join the dev venv; the SDK alone (what ``pip install amplitude-ai[crewai]``
installs) has no such clash. Each line is a venv with the SDK's runtime dependencies, one
CrewAI release and pytest; the source tree is put on ``sys.path`` as in the provider
matrix (whose venv cache under ``.matrix/`` it shares).

    python scripts/crewai_line.py              # every line
    python scripts/crewai_line.py --line crewai-floor -- -x -k stream
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from provider_matrix import BASE_REQUIREMENTS, ROOT, build_venvs, ensure_venv

# The integration tests, and the MCP chain on the CrewAI example app (its instrument and
# generate half runs in this interpreter, named by AMPLITUDE_AI_MCP_PYTHON below).
TESTS = (
    "tests/integrations/test_crewai.py",
    "tests/integrations/test_crewai_exit.py",
    "tests/e2e/test_crewai_chain.py",
)


@dataclass(frozen=True)
class CrewLine:
    name: str
    crewai: str
    note: str = ""

    def requirements(self) -> list[str]:
        return [*BASE_REQUIREMENTS, f"crewai=={self.crewai}"]


LINES = (
    CrewLine("crewai-floor", "1.10.1", "the [crewai] extra's floor"),
    CrewLine("crewai-newest", "1.15.30", "newest release"),
)


def run_line(line: CrewLine, pytest_args: list[str]) -> tuple[int, float]:
    started = time.perf_counter()
    python = ensure_venv(line)  # type: ignore[arg-type]  # same shape as a provider line
    env = dict(os.environ)  # the tests keep CrewAI offline themselves (before importing it)
    env.setdefault("AMPLITUDE_AI_MCP_PYTHON", sys.executable)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "sdk"), env.get("PYTHONPATH", "")]).rstrip(
        os.pathsep
    )
    cmd = [str(python), "-m", "pytest", "-q", "-p", "amplitude_ai.pytest_plugin",
           "-p", "no:cacheprovider", *TESTS, *pytest_args]  # fmt: skip
    print(f"== {line.name}: crewai {line.crewai}", flush=True)
    code = subprocess.run(cmd, cwd=ROOT, env=env).returncode
    return code, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--line", action="append", help="run only this line (repeatable)")
    args, rest = parser.parse_known_args(argv)
    pytest_args = [a for a in rest if a != "--"]
    lines = [ln for ln in LINES if not args.line or ln.name in args.line]
    if not lines:
        parser.error(f"no such line; known: {', '.join(ln.name for ln in LINES)}")
    build_venvs(lines, 2)
    results = [(ln, *run_line(ln, pytest_args)) for ln in lines]
    print("\ncrewai lines:")
    for ln, code, seconds in results:
        status = "passed" if code == 0 else f"FAILED (exit {code})"
        print(f"  {ln.name:14} crewai {ln.crewai:10} {status:18} {seconds:6.1f} s")
    failed = sum(code != 0 for _, code, _ in results)
    print(f"crewai-lines: {len(results) - failed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
