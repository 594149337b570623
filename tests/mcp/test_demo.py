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


def test_demo_instruments_and_verifies_the_bundled_app_end_to_end():
    """scan -> plan (diff) -> apply -> validate -> generate_verify_test -> run -> events."""
    proc = subprocess.run(
        [sys.executable, "-m", "amplitude_ai_mcp.demo"],
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "instrument_file support_bot/clients.py (tier=swap, plan)" in out
    assert "  +from amplitude_ai import AsyncOpenAI" in out  # the planned diff is shown
    assert "+    with support_bot_agent.session(user_id=user_id):" in out
    assert (
        "validate_file support_bot/app.py: support_bot/app.py: 3 call sites, 0 uninstrumented"
        in out
    )
    assert (
        "generate_verify_test support_bot/app.py: tests/test_amplitude_verify_support_bot_app.py"
        in out
    )
    events = [
        line.strip() for line in out.splitlines() if line.strip().startswith("[amplitude-ai] ")
    ]
    responses = [e for e in events if "[Agent] AI Response | user=verify-user" in e]
    models = sorted(e.split("model=")[1].split(" ")[0] for e in responses)
    # /chat and /chat/stream (OpenAI) and /escalate (Anthropic, through escalation.py)
    assert models == ["claude-3-5-haiku-latest", "gpt-4o-mini", "gpt-4o-mini"]
    assert sum("[Agent] Session End" in e for e in events) == 3
    assert out.rstrip().splitlines()[-1].strip().startswith("4 passed in ")
    assert "FAILED " not in out
    assert proc.stderr.strip() == ""
