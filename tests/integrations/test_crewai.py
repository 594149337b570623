"""CrewAI hooks: real crews drive CrewAI's own OpenAI provider against the local fake
server; CrewAI hands its events to worker threads, out of order.

CrewAI's pins clash with the MCP server's, so it is not in the dev venv: these tests skip
there and run in venvs of their own (``scripts/provider_matrix.py --set crewai``, in CI).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import tempfile

import pytest

if importlib.util.find_spec("crewai") is None:  # checked before the environment is touched
    pytest.skip("crewai is not installed (scripts/provider_matrix.py)", allow_module_level=True)

# Offline and quiet before CrewAI is imported: no telemetry, tracing or version check, and
# CrewAI's own test mode (no interactive "view your traces?" prompt after a failed run).
# Process-wide, so only where CrewAI runs at all: its own venv runs nothing else.
for _name, _value in {
    "CREWAI_TESTING": "true",
    "CREWAI_DISABLE_TELEMETRY": "true",
    "CREWAI_DISABLE_TRACKING": "true",
    "CREWAI_TRACING_ENABLED": "false",
    "CREWAI_DISABLE_VERSION_CHECK": "true",
    "OTEL_SDK_DISABLED": "true",
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    "CREWAI_STORAGE_DIR": tempfile.mkdtemp(prefix="crewai-tests-"),
}.items():
    os.environ.setdefault(_name, _value)

crewai = pytest.importorskip("crewai")

# Newer openai releases look ``httpx2`` up in sys.modules while another thread may still be
# importing it (CrewAI's handler threads import lazily); import it before any crew runs.
with contextlib.suppress(ImportError):
    import httpx2  # noqa: F401

import amplitude_ai  # noqa: E402
from amplitude_ai.testing import FakeReply, FakeToolCall  # noqa: E402

from ._events import tracked  # noqa: E402


@crewai.tools.tool("lookup")
def lookup(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


def _llm(server, *, stream: bool = False):
    return crewai.LLM(
        model="gpt-4o-mini",
        base_url=server.openai_url,
        api_key="sk-test",
        stream=stream,
        client_params={"max_retries": 0},
    )


def _crew(server, *, stream: bool = False, roles=("Researcher",), tools=(lookup,)):
    llm = _llm(server, stream=stream)
    agents = [
        crewai.Agent(
            role=role,
            goal="Answer well",
            backstory="Careful.",
            llm=llm,
            tools=list(tools),
            max_retry_limit=0,
            verbose=False,
        )
        for role in roles
    ]
    tasks = [
        crewai.Task(description=f"{a.role}: weather in Paris?", expected_output="one line", agent=a)
        for a in agents
    ]
    return crewai.Crew(agents=agents, tasks=tasks, verbose=False), llm


def _kickoff_with_tool(ai, server, llm, **hooks_options):
    from amplitude_ai.integrations.crewai import AmplitudeCrewAIHooks

    llm.queue(
        FakeReply("", tool_calls=(FakeToolCall("lookup", {"city": "Paris"}),)),
        FakeReply("Final: sunny in Paris"),
    )
    crew, _ = _crew(server)
    with AmplitudeCrewAIHooks(ai, **hooks_options):
        result = crew.kickoff()
    assert result.raw == "Final: sunny in Paris"


def test_a_crew_run_becomes_spans_model_calls_and_tool_calls(ai, server, llm):
    with ai.agent("support-bot").session(user_id="u-1", session_id="s-crew"):
        _kickoff_with_tool(ai, server, llm)

    replies = tracked(ai, "ai_response")
    assert len(replies) == 2
    first, second = replies if replies[0].get("tool_calls") else replies[::-1]
    assert "lookup" in first["tool_calls"]
    assert second["llm_message"]["text"] == "Final: sunny in Paris"
    assert {r["model_name"] for r in replies} == {"gpt-4o-mini"}
    assert {r["provider"] for r in replies} == {"openai"}
    assert all(r["is_error"] is False and r["latency_ms"] >= 0 for r in replies)

    # The task prompt is re-sent with each call and tracked once (some CrewAI releases add
    # their own user turn after a tool result, which is tracked as what it is).
    questions = tracked(ai, "user_message")
    texts = [q["llm_message"]["text"] for q in questions]
    assert sum("weather in Paris?" in t for t in texts) == 1, texts

    (tool,) = tracked(ai, "tool_call")
    assert tool["tool_name"] == "lookup" and tool["tool_success"] is True
    assert "Paris" in tool["tool_input"] and "sunny in Paris" in tool["tool_output"]

    spans = {s["span_name"].split(" ")[0]: s for s in tracked(ai, "span")}
    assert set(spans) == {"crew", "task", "agent"}
    assert spans["crew"].get("parent_span_id") is None
    assert spans["task"]["parent_span_id"] == spans["crew"]["span_id"]
    assert spans["agent"]["parent_span_id"] == spans["task"]["span_id"]

    # The caller's session reached CrewAI's worker threads: one session, one user.
    everything = [*replies, *questions, tool, *spans.values()]
    assert {e["session_id"] for e in everything} == {"s-crew"}
    assert {e["user_id"] for e in everything} == {"u-1"}
    assert len({e["trace_id"] for e in everything}) == 1
    # The agent's role is its agent id (no explicit agent_id on the hooks).
    assert {e["agent_id"] for e in [*replies, tool, spans["agent"]]} == {"Researcher"}


def _shape(ai):
    """What a run's events say, ids included (user messages aside: the SDK tracks a turn
    once per conversation, so a replay of the same run does not repeat it)."""
    keys = ("span_id", "parent_span_id", "span_name", "agent_id", "session_id", "tool_name")
    return sorted(
        (e["event_type"], *(str(e["event_properties"].get(_wire(k))) for k in keys))
        for e in ai.events
        if e["event_type"] != "[Agent] User Message"
    )


def _wire(key):
    from amplitude_ai.catalog import load_catalog

    return load_catalog().property_names[key]


def test_events_handled_in_reverse_order_map_the_same(ai, server, llm):
    """CrewAI's worker threads may handle a run's events in any order: replaying a real
    run's events backwards (each in the context it was emitted in) gives the same events."""
    import contextvars
    import threading

    from amplitude_ai.integrations.crewai import AmplitudeCrewAIHooks
    from amplitude_ai.testing import MockAmplitudeAI

    recorded, lock = [], threading.Lock()
    types = [event_type for event_type, _ in AmplitudeCrewAIHooks(ai)._handlers]

    def record(source, event):
        with lock:
            recorded.append((event, source, contextvars.copy_context()))

    for event_type in types:
        crewai.events.crewai_event_bus.on(event_type)(record)
    try:
        _kickoff_with_tool(ai, server, llm, user_id="u")  # the live run, through the bus
    finally:
        for event_type in types:
            crewai.events.crewai_event_bus.off(event_type, record)

    # The live run claimed its responses (first reporter wins); forget them so the replay
    # reports the same calls again.
    from amplitude_ai import _claims

    _claims._ids.clear()
    replayed = MockAmplitudeAI()
    hooks = AmplitudeCrewAIHooks(replayed, user_id="u")
    handlers = dict(hooks._handlers)
    recorded.sort(key=lambda r: (r[0].timestamp, r[0].emission_sequence or 0))
    for event, source, ctx in reversed(recorded):
        ctx.run(handlers[type(event)], source, event)
    assert len(recorded) == 12 and len(_shape(ai)) == 6
    assert _shape(replayed) == _shape(ai)


def test_without_a_session_the_kickoff_is_the_session(ai, server, llm):
    _kickoff_with_tool(ai, server, llm, user_id="u-2", agent_id="crew-bot")
    events = [*tracked(ai, "ai_response"), *tracked(ai, "tool_call"), *tracked(ai, "span")]
    assert len(events) == 6
    assert len({e["session_id"] for e in events}) == 1
    assert {e["user_id"] for e in events} == {"u-2"}
    assert {e["agent_id"] for e in events} == {"crew-bot"}  # explicit agent id wins


def test_two_kickoffs_are_two_sessions(ai, server, llm):
    _kickoff_with_tool(ai, server, llm, user_id="u")
    _kickoff_with_tool(ai, server, llm, user_id="u")
    sessions = {e["session_id"] for e in tracked(ai, "span")}
    assert len(sessions) == 2


def test_each_agent_of_a_crew_is_its_own_agent(ai, server, llm):
    from amplitude_ai.integrations.crewai import AmplitudeCrewAIHooks

    llm.queue(FakeReply("Found it."), FakeReply("Wrote it."))
    crew, _ = _crew(server, roles=("Researcher", "Writer"), tools=())
    with AmplitudeCrewAIHooks(ai, user_id="u"):
        crew.kickoff()
    by_agent = {r["agent_id"]: r["llm_message"]["text"] for r in tracked(ai, "ai_response")}
    assert by_agent == {"Researcher": "Found it.", "Writer": "Wrote it."}
    agent_spans = [s for s in tracked(ai, "span") if s["span_name"].startswith("agent ")]
    assert sorted(s["agent_id"] for s in agent_spans) == ["Researcher", "Writer"]


def test_a_delegated_coworker_is_a_child_of_the_manager(ai, server, llm):
    """Hierarchical process: the manager agent delegates through CrewAI's delegation tool;
    the coworker's events carry the manager as parent agent."""
    from amplitude_ai.integrations.crewai import AmplitudeCrewAIHooks

    def answer(call):
        messages = call.body["messages"]
        if "Researcher" in messages[0]["content"]:  # the coworker's own system prompt
            return FakeReply("Sunny in Paris.")
        if any(m["role"] == "tool" for m in messages):  # the coworker has answered
            return FakeReply("The manager's answer: sunny.")
        tool = next(t["function"]["name"] for t in call.body["tools"] if "elegate" in str(t))
        ask = {"task": "Weather in Paris", "context": "Today", "coworker": "Researcher"}
        return FakeReply("", tool_calls=(FakeToolCall(tool, ask),))

    llm.answer_with(answer)
    crew_llm = _llm(server)
    researcher = crewai.Agent(
        role="Researcher", goal="Answer", backstory="Careful.", llm=crew_llm, max_retry_limit=0
    )
    crew = crewai.Crew(
        agents=[researcher],
        tasks=[crewai.Task(description="Weather in Paris?", expected_output="one line")],
        process=crewai.Process.hierarchical,
        manager_llm=crew_llm,
    )
    with AmplitudeCrewAIHooks(ai, user_id="u"):
        assert crew.kickoff().raw == "The manager's answer: sunny."
    replies = tracked(ai, "ai_response")
    (coworker,) = [r for r in replies if r["agent_id"] == "Researcher"]
    managers = {r["agent_id"] for r in replies} - {"Researcher"}
    assert len(managers) == 1 and coworker["parent_agent_id"] in managers
    (delegation,) = tracked(ai, "tool_call")
    assert delegation["agent_id"] in managers and "elegate" in delegation["tool_name"]


def test_a_streamed_model_call(ai, server, llm):
    from amplitude_ai.integrations.crewai import AmplitudeCrewAIHooks

    llm.reply("Streamed answer.")
    crew, _ = _crew(server, stream=True, tools=())
    with AmplitudeCrewAIHooks(ai, user_id="u"):
        crew.kickoff()
    (reply,) = tracked(ai, "ai_response")
    assert reply["is_streaming"] is True and reply["llm_message"]["text"] == "Streamed answer."


def test_a_failed_model_call_is_an_error_response_and_failed_spans(ai, server, llm):
    from amplitude_ai.integrations.crewai import AmplitudeCrewAIHooks

    llm.fail(500, "model down", times=5)
    crew, _ = _crew(server, tools=())
    with AmplitudeCrewAIHooks(ai, user_id="u"), pytest.raises(Exception, match="model down"):
        crew.kickoff()
    replies = tracked(ai, "ai_response")
    assert replies and all(r["is_error"] is True for r in replies)
    assert "model down" in replies[0]["error_message"]
    failed = [s["span_name"].split(" ")[0] for s in tracked(ai, "span") if s["is_error"]]
    assert "crew" in failed


def test_hooks_stop_listening_after_the_block(ai, server, llm):
    from amplitude_ai.integrations.crewai import AmplitudeCrewAIHooks

    llm.reply("ok")
    crew, _ = _crew(server, tools=())
    with AmplitudeCrewAIHooks(ai, user_id="u"):
        pass
    crew.kickoff()
    crewai.events.crewai_event_bus.flush()
    assert ai.events == []


# ----------------------------------------------------------------- no double counting
@pytest.mark.parametrize("provider_layer", ["patch", "drop-in"])
@pytest.mark.parametrize("mode", ["call", "stream", "error"])
def test_crewai_and_provider_layer_report_each_call_once(ai, server, llm, provider_layer, mode):
    from amplitude_ai.integrations.crewai import AmplitudeCrewAIHooks

    if provider_layer == "patch":
        amplitude_ai.patch_openai(ai)
    crew, crew_llm = _crew(server, stream=mode == "stream", tools=())
    if provider_layer == "drop-in":
        # An app that hands CrewAI's OpenAI provider a drop-in client of its own.
        crew_llm._client = amplitude_ai.OpenAI(
            amplitude=ai, api_key="sk-test", base_url=server.openai_url, max_retries=0
        )
    if mode == "error":
        llm.fail(500, "model down", times=5)
    else:
        llm.reply("Once only.")
    with ai.agent("bot").session(user_id="u-1"), AmplitudeCrewAIHooks(ai):
        if mode == "error":
            with pytest.raises(Exception, match="model down"):
                crew.kickoff()
        else:
            crew.kickoff()
    replies = tracked(ai, "ai_response")
    calls = len(server.requests)
    assert calls >= 1 and len(replies) == calls, [e["event_type"] for e in ai.events]
    assert len(tracked(ai, "user_message")) == 1
    # The provider layer's event wins (it has the fields only it can see); the crew's
    # structure still comes from the hooks.
    assert all(r["is_error"] is (mode == "error") for r in replies)
    assert {s["span_name"].split(" ")[0] for s in tracked(ai, "span")} == {"crew", "task", "agent"}
