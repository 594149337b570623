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
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from amplitude_ai import AmplitudeAI


# amplitude-analytics' sender thread keeps the process alive for up to one flush interval
# after the program ends (10 s by default); a second keeps short scripts snappy.
_FLUSH_INTERVAL_MS = 1000


def _tracking_client() -> AmplitudeAI:
    """An ``AmplitudeAI`` configured from the environment (with a shorter flush interval)."""
    import atexit

    import amplitude_ai
    from amplitude_ai.config import ENV_API_KEY

    config = amplitude_ai.AIConfig()
    key = os.environ.get(ENV_API_KEY)
    if not key or config.dry_run:
        return amplitude_ai.AmplitudeAI(config=config)  # warns: events built, not sent
    from amplitude import Amplitude, Config

    settings = Config(server_zone=config.server_zone, flush_interval_millis=_FLUSH_INTERVAL_MS)
    if config.server_url:
        settings.server_url = config.server_url
    client = Amplitude(key, settings)

    def deliver_the_rest() -> None:
        try:
            client.shutdown()
        except Exception as exc:  # at exit, report and move on
            print(f"[amplitude-ai] final flush failed: {exc!r}", file=sys.stderr)

    atexit.register(deliver_the_rest)
    return amplitude_ai.AmplitudeAI(amplitude=client, config=config)


def _instrument() -> None:
    if os.environ.get("AMPLITUDE_AI_AUTO_PATCH", "").strip().lower() != "true":
        return
    try:
        import amplitude_ai

        ai = _tracking_client()
        patched = amplitude_ai.patch(amplitude=ai)
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
