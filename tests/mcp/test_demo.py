"""The README's main command: the demo drives the real server over stdio and prints findings."""

from __future__ import annotations

import subprocess
import sys


def test_demo_scans_the_bundled_app_over_stdio():
    proc = subprocess.run(
        [sys.executable, "-m", "amplitude_ai_mcp.demo"],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith("server amplitude-ai ")
    assert "4 LLM call sites (4 uninstrumented)" in out
    assert "support_bot/app.py:15  openai chat.completions.create (async)" in out
    assert "built at support_bot/clients.py:9" in out
    assert "support_bot/escalation.py:11  anthropic messages.create (sync)" in out
    assert "suggest_instrumentation: 5 steps (based on scan)" in out
    assert proc.stderr.strip() == ""  # server logs stay quiet at the default level
