"""Every integration pattern is real code: import it and run it offline with MockAmplitudeAI."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from amplitude_ai import MockAmplitudeAI
from amplitude_ai_mcp import patterns
from amplitude_ai_mcp._data import data_dir


def _load(pattern_id: str):
    path = data_dir("patterns") / f"{pattern_id}.py"
    spec = importlib.util.spec_from_file_location(f"pattern_{pattern_id}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_every_pattern_file_is_covered_here():
    assert set(patterns.pattern_ids()) == set(RUNNERS)


def _agent_session(ai):
    module = _load("agent_session")
    reply = module.Reply(text="Hi!", model="gpt-4o-mini", input_tokens=12, output_tokens=3)
    assert module.answer(ai, lambda q: reply, "user-1", "Hello?") == "Hi!"
    ai.assert_event_tracked("[Agent] User Message", user_id="user-1")
    ai.assert_event_tracked("[Agent] AI Response", model_name="gpt-4o-mini", input_tokens=12)
    ai.assert_event_tracked("[Agent] Session End", user_id="user-1")


def _tool_calls(ai):
    module = _load("tool_calls")
    assert module.handle(ai, "user-2", "42")["status"] == "shipped"
    ai.assert_event_tracked("[Agent] Tool Call", tool_name="lookup_order", tool_success=True)


def _multi_agent(ai):
    module = _load("multi_agent")
    assert module.orchestrate(ai, "user-3", "write a report") == ["3 sources found", "draft ready"]
    responses = ai.events_of_type("[Agent] AI Response")
    parents = {r["event_properties"].get("[Agent] Parent Agent ID") for r in responses}
    assert parents == {"orchestrator"}
    sessions = {r["event_properties"]["[Agent] Session ID"] for r in ai.events}
    assert len(sessions) == 1


def _scores(ai):
    module = _load("scores_and_enrichments")
    reply_id = module.rate_reply(ai, "user-4")
    ai.assert_event_tracked("[Agent] Score", target_id=reply_id)
    end = ai.assert_event_tracked("[Agent] Session End", user_id="user-4")
    assert end is not None


def _serverless(ai):
    module = _load("serverless_flush")
    assert module.handler(ai, {"user_id": "user-5", "message": "hi"}) == {"status": "ok"}
    ai.assert_event_tracked("[Agent] AI Response", user_id="user-5")


RUNNERS = {
    "agent_session": _agent_session,
    "tool_calls": _tool_calls,
    "multi_agent": _multi_agent,
    "scores_and_enrichments": _scores,
    "serverless_flush": _serverless,
}


@pytest.mark.parametrize("pattern_id", sorted(RUNNERS))
def test_pattern_runs_offline_and_emits_catalog_valid_events(pattern_id):
    ai = MockAmplitudeAI()
    RUNNERS[pattern_id](ai)
    assert ai.events
    ai.assert_all_valid()


def test_pattern_summaries_come_from_the_files():
    for summary in patterns.summaries():
        assert summary.title and summary.summary
        assert Path(data_dir("patterns") / f"{summary.id}.py").is_file()
