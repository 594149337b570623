"""Start-up hook used by ``amplitude-ai-instrument`` (put first on ``PYTHONPATH``).

Python imports ``sitecustomize`` before running the program. This one patches the
installed provider SDKs when ``AMPLITUDE_AI_AUTO_PATCH=true``, makes sure buffered events
are delivered at exit, then runs the ``sitecustomize`` that would otherwise have loaded.
It never stops the program from starting: any failure is reported on stderr.
"""

from __future__ import annotations

import importlib
import os
import sys


def _instrument() -> None:
    if os.environ.get("AMPLITUDE_AI_AUTO_PATCH", "").strip().lower() != "true":
        return
    try:
        import atexit

        import amplitude_ai

        ai = amplitude_ai.AmplitudeAI()
        patched = amplitude_ai.patch(amplitude=ai)
        atexit.register(ai.shutdown)
        if ai.config.debug:
            print(f"[amplitude-ai] patched: {', '.join(patched) or 'nothing'}", file=sys.stderr)
    except Exception as exc:  # the application must start regardless
        print(f"[amplitude-ai] instrumentation disabled: {exc!r}", file=sys.stderr)


def _chain() -> None:
    """Load the next ``sitecustomize`` on the path, if the environment has one."""
    here = os.path.dirname(os.path.abspath(__file__))
    saved_path = list(sys.path)
    me = sys.modules.pop("sitecustomize", None)
    try:
        sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
        importlib.import_module("sitecustomize")
    except ImportError:
        pass
    finally:
        sys.path[:] = saved_path
        if me is not None:
            sys.modules["sitecustomize"] = me


_instrument()
_chain()
