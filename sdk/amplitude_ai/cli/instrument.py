"""``amplitude-ai-instrument CMD [ARGS...]``: zero-code instrumentation from the environment.

Runs ``CMD`` (e.g. ``python app.py``, ``uvicorn app:api``) with every installed supported
provider SDK (those of ``providers.registry``) patched before the program's own code
starts, in that process and in the Python processes it starts. Configuration is read from
the environment only:

``AMPLITUDE_AI_API_KEY``      Amplitude API key (without it events are built, not sent)
``AMPLITUDE_AI_AUTO_PATCH``   must be ``true``; otherwise the command runs uninstrumented
``AMPLITUDE_AI_CONTENT_MODE`` ``full`` (default), ``metadata_only`` or ``customer_enriched``
``AMPLITUDE_AI_DEBUG``        ``true`` prints a summary of every event to stderr

How: a ``sitecustomize`` module (imported by Python at start-up) is put first on
``PYTHONPATH``; it patches (with a 1 s delivery flush interval, so a short script does not
wait amplitude-analytics' default 10 s at exit), registers a final flush at exit, then
hands over to any ``sitecustomize`` the environment already had. The command replaces this process
(``exec``), so it keeps its arguments, signals and exit code.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from amplitude_ai.config import ENV_API_KEY
from amplitude_ai.providers.registry import PROVIDERS

ENV_AUTO_PATCH = "AMPLITUDE_AI_AUTO_PATCH"
BOOTSTRAP_DIR = Path(__file__).resolve().parent / "_bootstrap"
_USAGE = f"""usage: amplitude-ai-instrument [--] COMMAND [ARGS...]

Run COMMAND with its {", ".join(p.id for p in PROVIDERS)} calls tracked as [Agent] events.
Set AMPLITUDE_AI_API_KEY and AMPLITUDE_AI_AUTO_PATCH=true; optional:
AMPLITUDE_AI_CONTENT_MODE (full | metadata_only | customer_enriched), AMPLITUDE_AI_DEBUG=true.

example:
  AMPLITUDE_AI_API_KEY=... AMPLITUDE_AI_AUTO_PATCH=true amplitude-ai-instrument python app.py
"""


def child_environment(environ: dict[str, str]) -> dict[str, str]:
    """``environ`` with the bootstrap directory first on ``PYTHONPATH``."""
    env = dict(environ)
    existing = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    bootstrap = str(BOOTSTRAP_DIR)
    env["PYTHONPATH"] = os.pathsep.join([bootstrap, *(p for p in existing if p != bootstrap)])
    return env


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "--":
        args = args[1:]
    if not args or args[0] in ("-h", "--help"):
        print(_USAGE, end="", file=sys.stdout if args else sys.stderr)
        return 0 if args else 2
    if os.environ.get(ENV_AUTO_PATCH, "").strip().lower() != "true":
        print(
            f"amplitude-ai-instrument: {ENV_AUTO_PATCH} is not 'true'; running {args[0]!r} "
            "without instrumentation",
            file=sys.stderr,
        )
    elif not os.environ.get(ENV_API_KEY):
        print(
            f"amplitude-ai-instrument: {ENV_API_KEY} is not set; events will be built but not sent",
            file=sys.stderr,
        )
    executable = shutil.which(args[0])
    if executable is None:
        print(f"amplitude-ai-instrument: command not found: {args[0]}", file=sys.stderr)
        return 127
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execve(executable, args, child_environment(dict(os.environ)))
    except OSError as exc:  # e.g. not executable
        print(f"amplitude-ai-instrument: cannot run {args[0]}: {exc}", file=sys.stderr)
        return 126
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
