"""Hooks registered once at start-up (what the bootstrap instrument_file writes does) lose
no event when a script exits right after its crew finished: CrewAI handles the last events
(the crew's own end) on its worker threads, and delivery must wait for them.

A script in a subprocess kicks a crew off against the fake LLM, sends through the real
amplitude-analytics client to the local capture server and simply exits. CrewAI's handling
of the crew's end is slowed down, so the run would end before it without the wait.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

if importlib.util.find_spec("crewai") is None:
    pytest.skip("crewai is not installed (scripts/provider_matrix.py)", allow_module_level=True)

from support.capture_server import CaptureServer

SDK = Path(__file__).resolve().parents[2] / "sdk"

SCRIPT = textwrap.dedent(
    """
    import os, sys, time

    from amplitude_ai import AIConfig, AmplitudeAI
    from amplitude_ai.testing import fake_llm

    ai = AmplitudeAI(api_key="test-key", config=AIConfig(server_url=sys.argv[1], spool=False))

    from amplitude_ai.integrations import crewai as hooks_module

    original_end = hooks_module.AmplitudeCrewAIHooks._end

    def slow_end(self, source, event):  # CrewAI's worker is busy when the crew ends
        if type(event).__name__ == "CrewKickoffCompletedEvent":
            time.sleep(1.0)
        original_end(self, source, event)

    hooks_module.AmplitudeCrewAIHooks._end = slow_end
    hooks_module.AmplitudeCrewAIHooks(ai).register()

    from crewai import Agent, Crew, Task

    with fake_llm("All done.") as llm:
        agent = Agent(role="Clerk", goal="Answer", backstory="Brief.", llm="gpt-4o-mini")
        task = Task(description="Say done.", expected_output="one line", agent=agent)
        Crew(agents=[agent], tasks=[task]).kickoff()
    print("kicked off", len(llm.calls))
    """
)


def test_a_script_exiting_after_its_crew_delivers_the_crews_last_events(tmp_path):
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SDK), os.environ.get("PYTHONPATH", "")]),
        "OPENAI_API_KEY": "sk-test",
        "CREWAI_TESTING": "true",
        "CREWAI_DISABLE_TELEMETRY": "true",
        "CREWAI_DISABLE_TRACKING": "true",
        "CREWAI_TRACING_ENABLED": "false",
        "CREWAI_DISABLE_VERSION_CHECK": "true",
        "OTEL_SDK_DISABLED": "true",
        "CREWAI_STORAGE_DIR": str(tmp_path / "crewai"),
    }
    with CaptureServer() as server:
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT, server.url],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        assert "kicked off 1" in done.stdout, done.stdout[-2000:]
        events = server.events()
    names = [e["event_type"] for e in events]
    assert names.count("[Agent] AI Response") == 1, names
    spans = [e["event_properties"].get("[Agent] Span Name", "") for e in events]
    assert any(s.startswith("crew") for s in spans), (spans, done.stderr[-2000:])
