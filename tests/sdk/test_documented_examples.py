"""The README's SDK examples, re-expressed as tests of the events they produce.

Each test follows one documented usage (integration patterns, bound agents and sessions,
context merging, multi-agent flows, event linking, scoring, labels, enrichments, the usage
examples, testing, serverless and context propagation) with its own names and values, and
checks the captured events by their catalog names.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from amplitude_ai import (
    AIConfig,
    ContentMode,
    EvidenceQuote,
    MessageLabel,
    MockAmplitudeAI,
    RubricScore,
    SessionEnrichments,
    TopicClassification,
    current_context,
)
from amplitude_ai.catalog import load_catalog

NAMES = load_catalog().property_names
USER_MESSAGE = "[Agent] User Message"
AI_RESPONSE = "[Agent] AI Response"
TOOL_CALL = "[Agent] Tool Call"
EMBEDDING = "[Agent] Embedding"
SPAN = "[Agent] Span"
SESSION_END = "[Agent] Session End"
SESSION_ENRICHMENT = "[Agent] Session Enrichment"
SCORE = "[Agent] Score"

SESSION_ID = "[Agent] Session ID"
TRACE_ID = "[Agent] Trace ID"
TURN_ID = "[Agent] Turn ID"
AGENT_ID = "[Agent] Agent ID"
PARENT_AGENT_ID = "[Agent] Parent Agent ID"
CONTEXT = "[Agent] Context"
COST = "[Agent] Cost USD"
LLM_MESSAGE = "$llm_message"


@pytest.fixture
def mock() -> MockAmplitudeAI:
    return MockAmplitudeAI()


def props(event: dict) -> dict:
    return event["event_properties"]


def types(events: list[dict]) -> list[str]:
    return [e["event_type"] for e in events]


def only(mock: MockAmplitudeAI, event_type: str) -> dict:
    found = mock.events_of_type(event_type)
    assert len(found) == 1, f"expected one {event_type}, got {len(found)}"
    return found[0]


def context_of(event: dict) -> dict:
    return json.loads(props(event)[CONTEXT])


def test_catalog_names_used_here_exist():
    for key, wire in {
        "session_id": SESSION_ID,
        "trace_id": TRACE_ID,
        "turn_id": TURN_ID,
        "agent_id": AGENT_ID,
        "parent_agent_id": PARENT_AGENT_ID,
        "context": CONTEXT,
        "cost_usd": COST,
        "llm_message": LLM_MESSAGE,
    }.items():
        assert NAMES[key] == wire
    events = load_catalog().event_names
    assert {USER_MESSAGE, AI_RESPONSE, TOOL_CALL, EMBEDDING, SPAN} <= set(events.values())
    assert {SESSION_END, SESSION_ENRICHMENT, SCORE} <= set(events.values())


# ------------------------------------------------------------------ integration patterns
def test_pattern_a_single_request_session_tracks_a_full_cycle(mock):
    agent = mock.agent("helpdesk", env="production")
    with agent.session(user_id="cust-7") as s:
        trace = s.new_trace()
        question = s.track_user_message(content="Why did my export fail?")
        answer = s.track_ai_message(
            content="The export hit the row limit.",
            model="gpt-4o",
            provider="openai",
            latency_ms=420.0,
            input_tokens=64,
            output_tokens=180,
        )
        s.score(name="thumbs", value=1.0, target_id=answer)

    assert types(mock.events) == [USER_MESSAGE, AI_RESPONSE, SCORE, SESSION_END]
    assert len({question, answer}) == 2
    for event in mock.events:
        assert event["user_id"] == "cust-7"
        assert props(event)[SESSION_ID] == s.session_id
        assert props(event)[TRACE_ID] == trace
        assert props(event)[AGENT_ID] == "helpdesk"
        assert props(event)["[Agent] Env"] == "production"
    mock.assert_event_tracked(USER_MESSAGE, user_id="cust-7", message_id=question, turn_id=1)
    mock.assert_event_tracked(
        AI_RESPONSE,
        **{
            "[Agent] Message ID": answer,
            "[Agent] Turn ID": 2,
            "[Agent] Total Tokens": 244,
            "[Agent] Model Tier": "standard",
        },
    )
    mock.assert_event_tracked(SCORE, target_id=answer, score_name="thumbs", score_value=1.0)
    assert COST in props(only(mock, AI_RESPONSE))
    mock.assert_session_closed(s.session_id)
    assert current_context() is None


def test_pattern_a_session_id_is_generated_uuid(mock):
    with mock.agent("helpdesk").session(user_id="cust-7") as s:
        pass
    assert str(uuid.UUID(s.session_id)) == s.session_id
    end = mock.assert_session_closed(s.session_id)
    assert TURN_ID not in props(end)


def test_session_end_is_tracked_when_the_block_raises(mock):
    agent = mock.agent("helpdesk")
    boom = RuntimeError("handler failed")
    opened = []

    def handler():
        with agent.session(user_id="cust-7") as session:
            opened.append(session)
            session.track_user_message(content="hello")
            raise boom

    with pytest.raises(RuntimeError) as raised:
        handler()
    assert raised.value is boom
    (s,) = opened
    assert types(mock.events) == [USER_MESSAGE, SESSION_END]
    mock.assert_session_closed(s.session_id)
    assert current_context() is None


def test_pattern_b_long_lived_bound_agent_with_explicit_traces_and_turns(mock):
    agent = mock.agent("chat-assistant", user_id="cust-8", env="production", session_id="conv-55")
    agent.track_user_message(content="How many seats do I have?", trace_id="req-a", turn_id=1)
    agent.track_ai_message(
        content="You have 12 seats.",
        model="gpt-4o",
        provider="openai",
        latency_ms=310.0,
        trace_id="req-a",
        turn_id=2,
    )
    agent.track_user_message(content="Add three more", trace_id="req-b", turn_id=1)
    agent.track_ai_message(
        content="Done, 15 seats now.",
        model="gpt-4o",
        provider="openai",
        latency_ms=190.0,
        trace_id="req-b",
        turn_id=2,
    )
    agent.track_session_end()

    events = mock.events_for_session("conv-55")
    assert types(events) == [USER_MESSAGE, AI_RESPONSE, USER_MESSAGE, AI_RESPONSE, SESSION_END]
    assert [props(e).get(TRACE_ID) for e in events[:4]] == ["req-a", "req-a", "req-b", "req-b"]
    assert [props(e)[TURN_ID] for e in events[:4]] == [1, 2, 1, 2]
    assert all(e["user_id"] == "cust-8" for e in events)
    assert all(props(e)[AGENT_ID] == "chat-assistant" for e in events)
    mock.assert_session_closed("conv-55")


def test_pattern_c_sub_agent_tool_call_inside_orchestrator_session(mock):
    lead = mock.agent("lead", env="production")
    with lead.session(user_id="cust-9") as s:
        s.new_trace()
        s.track_user_message(content="Benchmark our plans against rivals")
        scout = lead.child("scout")
        assert scout.parent_agent_id == "lead"
        scout.track_tool_call(
            tool_name="web_lookup",
            latency_ms=510,
            success=True,
            session_id=s.session_id,
            trace_id=s.trace_id,
        )
        s.track_ai_message(content="Summary...", model="gpt-4o", provider="openai", latency_ms=480)

    tool = mock.assert_event_tracked(
        TOOL_CALL,
        user_id="cust-9",
        agent_id="scout",
        parent_agent_id="lead",
        session_id=s.session_id,
        trace_id=s.trace_id,
        tool_name="web_lookup",
        tool_success=True,
        env="production",
    )
    assert props(tool)["[Agent] Is Error"] is False
    lead_events = mock.events_for_agent("lead")
    assert types(lead_events) == [USER_MESSAGE, AI_RESPONSE, SESSION_END]
    assert all(PARENT_AGENT_ID not in props(e) for e in lead_events)
    assert [props(e)[TURN_ID] for e in mock.events[:3]] == [1, 2, 3]


# ----------------------------------------------------------------- bound agents & sessions
def test_bound_agent_defaults_flow_into_every_call(mock):
    agent = mock.agent(
        "helpdesk",
        user_id="cust-10",
        agent_version="v7.1",
        env="staging",
        context={"experiment_variant": "concise-v3", "prompt_revision": "r42"},
    )
    question = agent.track_user_message(content="Where are invoices?", session_id="sess-k")
    answer = agent.track_ai_message(
        content="Under Billing.",
        session_id="sess-k",
        model="gpt-4o",
        provider="openai",
        latency_ms=275.0,
        input_tokens=30,
        output_tokens=12,
    )
    agent.score(name="helpfulness", value=1.0, target_id=answer, session_id="sess-k")

    assert types(mock.events) == [USER_MESSAGE, AI_RESPONSE, SCORE]
    for event in mock.events:
        mock_props = props(event)
        assert event["user_id"] == "cust-10"
        assert mock_props[AGENT_ID] == "helpdesk"
        assert mock_props["[Agent] Agent Version"] == "v7.1"
        assert mock_props["[Agent] Env"] == "staging"
        assert context_of(event) == {"experiment_variant": "concise-v3", "prompt_revision": "r42"}
    mock.assert_event_tracked(USER_MESSAGE, message_id=question)
    mock.assert_event_tracked(
        SCORE, target_id=answer, target_type="message", evaluation_source="user"
    )


def test_explicit_agent_id_overrides_the_bound_one_for_one_call(mock):
    agent = mock.agent("helpdesk", user_id="cust-11", session_id="sess-o")
    agent.track_ai_message(agent_id="stand-in", model="gpt-4o", provider="openai", latency_ms=10.0)
    agent.track_ai_message(model="gpt-4o", provider="openai", latency_ms=11.0)
    assert [props(e)[AGENT_ID] for e in mock.events] == ["stand-in", "helpdesk"]


def test_child_agents_chain_parent_ids_and_inherit_defaults(mock):
    planner = mock.agent("planner", env="production", agent_version="v2", user_id="cust-12")
    analyst = planner.child("analyst")
    runner = analyst.child("runner")
    assert (analyst.agent_id, analyst.parent_agent_id, analyst.env) == (
        "analyst",
        "planner",
        "production",
    )
    assert (runner.parent_agent_id, runner.agent_version, runner.user_id) == (
        "analyst",
        "v2",
        "cust-12",
    )
    runner.track_span(span_name="execute", latency_ms=5.0, session_id="sess-chain")
    mock.assert_event_tracked(
        SPAN,
        user_id="cust-12",
        agent_id="runner",
        parent_agent_id="analyst",
        env="production",
        agent_version="v2",
    )


def test_session_traces_and_enrichments_on_auto_end(mock):
    agent = mock.agent("helpdesk", user_id="cust-13")
    with agent.session() as s:
        first = s.new_trace()
        s.track_user_message(content="Question one")
        s.track_ai_message(content="Reply one", model="gpt-4o", provider="openai", latency_ms=90)
        second = s.new_trace()
        s.track_user_message(content="Question two")
        s.track_ai_message(content="Reply two", model="gpt-4o", provider="openai", latency_ms=80)
        s.set_enrichments(SessionEnrichments(overall_outcome="resolved"))

    assert first != second
    traces = [props(e)[TRACE_ID] for e in mock.events_for_session(s.session_id)]
    assert traces == [first, first, second, second, second]
    end = mock.assert_session_closed(s.session_id)
    enrichments = json.loads(props(end)["[Agent] Enrichments"])
    assert enrichments["overall_outcome"] == "resolved"
    assert enrichments["schema_version"] == "2.0"
    assert enrichments["has_task_failure"] is False


def test_explicit_new_trace_id_is_used(mock):
    with mock.agent("helpdesk", user_id="cust-13").session() as s:
        assert s.new_trace("trace-fixed") == "trace-fixed"
        s.track_user_message(content="hi")
    mock.assert_event_tracked(USER_MESSAGE, trace_id="trace-fixed")


@pytest.mark.asyncio
async def test_async_session_context_manager(mock):
    agent = mock.agent("helpdesk", user_id="cust-14")
    async with agent.session("sess-async") as s:
        s.new_trace()
        assert current_context().session_id == "sess-async"
        await asyncio.sleep(0)
        s.track_user_message(content="async hello")
    assert current_context() is None
    assert types(mock.events_for_session("sess-async")) == [USER_MESSAGE, SESSION_END]
    mock.assert_session_closed("sess-async")


@pytest.mark.asyncio
async def test_async_session_ends_when_the_block_raises(mock):
    agent = mock.agent("helpdesk", user_id="cust-14")
    with pytest.raises(ValueError, match="bad input"):
        async with agent.session("sess-async-err"):
            raise ValueError("bad input")
    mock.assert_session_closed("sess-async-err")
    assert current_context() is None


def test_idle_timeout_minutes_is_sent_with_session_end(mock):
    with mock.agent("coder", user_id="cust-15").session(idle_timeout_minutes=180) as s:
        s.track_user_message(content="refactor this")
    end = mock.assert_session_closed(s.session_id)
    assert props(end)["[Agent] Session Idle Timeout Minutes"] == 180
    assert "[Agent] Session Idle Timeout Minutes" not in props(only(mock, USER_MESSAGE))


def test_session_replay_link_from_device_and_browser_session(mock):
    agent = mock.agent("helpdesk")
    with agent.session(
        user_id="cust-16", device_id="dev-abc", browser_session_id="1712345678901"
    ) as s:
        s.new_trace()
        s.track_user_message(content="What does this chart mean?")
        s.track_tool_call(tool_name="fetch_chart", latency_ms=3.0)
    assert len(mock.events) == 3
    for event in mock.events:
        assert props(event)["[Amplitude] Session Replay ID"] == "dev-abc/1712345678901"
        assert event["device_id"] == "dev-abc"
    mock.assert_event_tracked(
        USER_MESSAGE,
        user_id="cust-16",
        device_id="dev-abc",
        session_replay_id="dev-abc/1712345678901",
    )


def test_device_id_alone_sets_no_replay_id(mock):
    with mock.agent("helpdesk").session(user_id="cust-16", device_id="dev-only") as s:
        s.track_user_message(content="hi")
    assert all("[Amplitude] Session Replay ID" not in props(e) for e in mock.events)


def test_explicit_session_end_inside_block_is_not_repeated(mock):
    with mock.agent("helpdesk", user_id="cust-17").session() as s:
        s.track_user_message(content="bye")
        s.track_session_end(abandonment_turn=1)
        assert s.ended
    assert len(mock.events_of_type(SESSION_END)) == 1
    mock.assert_event_tracked(SESSION_END, abandonment_turn=1, session_id=s.session_id)


def test_nested_sessions_restore_the_outer_context(mock):
    outer_agent = mock.agent("outer-bot", user_id="cust-18")
    inner_agent = mock.agent("inner-bot", user_id="cust-18")
    with outer_agent.session("sess-outer") as outer:
        with inner_agent.session("sess-inner"):
            assert current_context().session_id == "sess-inner"
            mock.track_user_message(content="inside")
        assert current_context().session_id == "sess-outer"
        assert current_context().agent_id == "outer-bot"
        mock.track_user_message(content="after")
        outer.track_ai_message(model="gpt-4o", provider="openai", latency_ms=1.0)
    assert current_context() is None

    assert types(mock.events_for_session("sess-inner")) == [USER_MESSAGE, SESSION_END]
    assert types(mock.events_for_session("sess-outer")) == [
        USER_MESSAGE,
        AI_RESPONSE,
        SESSION_END,
    ]
    assert [props(e)[AGENT_ID] for e in mock.events_for_session("sess-outer")] == ["outer-bot"] * 3


# ------------------------------------------------------------------ context conventions
def test_context_dict_is_json_on_every_event(mock):
    agent = mock.agent(
        "helpdesk",
        user_id="cust-19",
        agent_version="5.0.1",
        context={"agent_type": "executor", "surface": "sidebar", "feature_flag": "fast-rag"},
    )
    with agent.session() as s:
        s.track_user_message(content="hello")
    assert len(mock.events) == 2
    for event in mock.events:
        assert isinstance(props(event)[CONTEXT], str)
        assert context_of(event) == {
            "agent_type": "executor",
            "surface": "sidebar",
            "feature_flag": "fast-rag",
        }


def test_child_context_merges_with_parent_child_keys_win(mock):
    parent = mock.agent("planner", context={"experiment_variant": "B", "surface": "chat"})
    child = parent.child("fetcher", context={"agent_type": "retriever", "surface": "search"})
    assert child.context == {
        "experiment_variant": "B",
        "surface": "search",
        "agent_type": "retriever",
    }
    assert parent.context == {"experiment_variant": "B", "surface": "chat"}
    child.track_span(span_name="fetch", latency_ms=1.0, user_id="cust-20", session_id="sess-m")
    span = only(mock, SPAN)
    assert context_of(span) == child.context


def test_call_context_merges_over_agent_and_session_context(mock):
    agent = mock.agent("helpdesk", user_id="cust-20", context={"tier": "gold", "surface": "app"})
    with agent.session() as s:
        s.track_user_message(content="x", context={"surface": "email", "locale_hint": "de"})
        mock.track_user_message(content="y")
    first, second = mock.events_of_type(USER_MESSAGE)
    assert context_of(first) == {"tier": "gold", "surface": "email", "locale_hint": "de"}
    assert context_of(second) == {"tier": "gold", "surface": "app"}


# -------------------------------------------------------------------- multi-agent patterns
def test_linear_delegation_chain_with_joined_sub_agent_sessions(mock):
    lead = mock.agent("lead", env="production")
    with lead.session(user_id="cust-21") as s:
        trace = s.new_trace()
        scout = lead.child("scout")
        with scout.session(session_id=s.session_id) as scout_session:
            scout_session.track_user_message(content="Collect price pages")
            scout_session.track_ai_message(
                content="Collected four pages", model="gpt-4o", provider="openai", latency_ms=210
            )
        assert current_context().agent_id == "lead"
        author = lead.child("author")
        with author.session(session_id=s.session_id) as author_session:
            author_session.track_ai_message(
                content="Draft summary", model="gpt-4o", provider="openai", latency_ms=330
            )

    events = mock.events_for_session(s.session_id)
    assert types(events) == [USER_MESSAGE, AI_RESPONSE, AI_RESPONSE, SESSION_END]
    assert len(mock.events_of_type(SESSION_END)) == 1
    assert props(mock.assert_session_closed(s.session_id))[AGENT_ID] == "lead"
    assert all(e["user_id"] == "cust-21" for e in events)
    assert all(props(e)[TRACE_ID] == trace for e in events)
    assert [props(e).get(PARENT_AGENT_ID) for e in mock.events_for_agent("scout")] == [
        "lead",
        "lead",
    ]
    mock.assert_event_tracked(AI_RESPONSE, agent_id="author", parent_agent_id="lead")
    assert [props(e)[TURN_ID] for e in events[:3]] == [1, 2, 3]


def test_dynamic_routing_to_a_specialist(mock):
    router = mock.agent("router", context={"agent_type": "router"})
    with router.session(user_id="cust-22") as s:
        s.track_user_message(content="I want my money back")
        specialist = router.child("specialist-refunds", context={"agent_type": "executor"})
        with specialist.session(session_id=s.session_id) as ss:
            ss.track_ai_message(
                content="Starting your refund", model="gpt-4o", provider="openai", latency_ms=390
            )
    response = mock.assert_event_tracked(
        AI_RESPONSE,
        user_id="cust-22",
        agent_id="specialist-refunds",
        parent_agent_id="router",
        session_id=s.session_id,
    )
    assert context_of(response) == {"agent_type": "executor"}
    assert types(mock.events) == [USER_MESSAGE, AI_RESPONSE, SESSION_END]


@pytest.mark.asyncio
async def test_fan_out_with_asyncio_tasks_shares_the_session(mock):
    lead = mock.agent("lead", context={"agent_type": "router"})
    web = lead.child("search-web", context={"agent_type": "retriever"})
    docs = lead.child("search-docs", context={"agent_type": "retriever"})

    async def work(agent, latency):
        await asyncio.sleep(0)
        agent.track_tool_call(tool_name="search", latency_ms=latency)
        return current_context().session_id

    with lead.session(user_id="cust-23") as s:
        s.track_user_message(content="Compare vendors")
        seen = await asyncio.gather(
            asyncio.create_task(work(web, 12.0)), asyncio.create_task(work(docs, 14.0))
        )
        s.track_ai_message(content="Combined", model="gpt-4o", provider="openai", latency_ms=50)

    assert seen == [s.session_id, s.session_id]
    tools = mock.events_of_type(TOOL_CALL)
    assert sorted(props(e)[AGENT_ID] for e in tools) == ["search-docs", "search-web"]
    for event in tools:
        assert event["user_id"] == "cust-23"
        assert props(event)[SESSION_ID] == s.session_id
        assert props(event)[PARENT_AGENT_ID] == "lead"
        assert context_of(event) == {"agent_type": "retriever"}


def test_threads_need_copy_context_to_see_the_session(mock):
    agent = mock.agent("helpdesk", user_id="cust-24")

    def look():
        ctx = current_context()
        return ctx.session_id if ctx else None

    with agent.session() as s, ThreadPoolExecutor(max_workers=1) as pool:
        plain = pool.submit(look).result()
        copied = pool.submit(contextvars.copy_context().run, look).result()
        bare = threading.Thread(target=lambda: mock.track_span(span_name="x", latency_ms=1.0))
        bare.start()
        bare.join()
        pool.submit(
            contextvars.copy_context().run,
            mock.track_span,
            span_name="in-thread",
            latency_ms=2.0,
        ).result()

    assert plain is None
    assert copied == s.session_id
    # The thread without the context had no user or session, so nothing was tracked there.
    mock.assert_event_tracked(SPAN, span_name="in-thread", session_id=s.session_id)
    assert len(mock.events_of_type(SPAN)) == 1


# ------------------------------------------------------------------------- event linking
def test_event_linking_ids(mock):
    with mock.agent("helpdesk", env="prod").session(user_id="cust-25") as s:
        s.new_trace()
        question = s.track_user_message(content="Explain cohorts")
        invocation = s.track_tool_call(
            tool_name="docs_lookup", latency_ms=70.0, success=True, parent_message_id=question
        )
        answer = s.track_ai_message(
            content="A cohort is...", model="gpt-4o", provider="openai", latency_ms=400.0
        )
        s.score(name="rating", value=1.0, target_id=answer)
        outer_span = s.track_span(span_name="retrieval", latency_ms=150.0)
        inner_span = s.track_span(
            span_name="ann_search", latency_ms=40.0, parent_span_id=outer_span
        )

    ids = [question, invocation, answer, outer_span, inner_span]
    assert len(set(ids)) == len(ids)
    mock.assert_event_tracked(
        TOOL_CALL, invocation_id=invocation, parent_message_id=question, tool_name="docs_lookup"
    )
    mock.assert_event_tracked(SCORE, target_id=answer)
    mock.assert_event_tracked(SPAN, span_id=outer_span, span_name="retrieval")
    inner = mock.assert_event_tracked(SPAN, span_id=inner_span, parent_span_id=outer_span)
    assert props(inner)["[Agent] Span Name"] == "ann_search"
    assert "[Agent] Parent Span ID" not in props(
        mock.assert_event_tracked(SPAN, span_id=outer_span)
    )


# ------------------------------------------------------------------------------- scoring
def test_scores_by_target_type_and_source(mock):
    answer = "msg-ans-1"
    mock.score(
        user_id="cust-26",
        name="thumbs",
        value=1.0,
        target_id=answer,
        target_type="message",
        source="user",
        session_id="sess-s",
    )
    mock.score(
        user_id="cust-26",
        name="correctness",
        value=0.87,
        target_id=answer,
        source="ai",
        comment="agrees with reference",
        session_id="sess-s",
    )
    mock.score(
        user_id="qa-lead",
        name="grounding",
        value=0.6,
        target_id=answer,
        source="reviewer",
        comment="one unsupported claim",
        session_id="sess-s",
    )
    mock.score(
        user_id="cust-26",
        name="csat",
        value=5,
        target_id="sess-s",
        target_type="session",
        session_id="sess-s",
    )

    assert len(mock.events_of_type(SCORE)) == 4
    mock.assert_event_tracked(
        SCORE,
        user_id="cust-26",
        score_name="thumbs",
        score_value=1.0,
        target_type="message",
        evaluation_source="user",
    )
    judged = mock.assert_event_tracked(
        SCORE, score_name="correctness", target_type="message", evaluation_source="ai"
    )
    assert props(judged)["[Agent] Comment"] == "agrees with reference"
    mock.assert_event_tracked(
        SCORE, user_id="qa-lead", score_name="grounding", evaluation_source="reviewer"
    )
    mock.assert_event_tracked(
        SCORE,
        score_name="csat",
        score_value=5,
        target_id="sess-s",
        target_type="session",
        evaluation_source="user",
    )
    assert all(TURN_ID not in props(e) for e in mock.events)


# ------------------------------------------------------------------------------- labels
def test_inline_labels_on_user_and_ai_messages(mock):
    mock.track_user_message(
        user_id="cust-27",
        content="How do I invite a teammate?",
        session_id="sess-l",
        labels=[
            MessageLabel(key="flow", value="team-setup"),
            MessageLabel(key="surface", value="help_panel"),
        ],
    )
    mock.track_ai_message(
        user_id="cust-27",
        content="Open Settings, then Members.",
        session_id="sess-l",
        model="gpt-4o",
        provider="openai",
        latency_ms=260.0,
        labels=[
            MessageLabel(key="intent", value="how_to", confidence=0.91),
            {"key": "tone", "value": "neutral", "confidence": 0.8},
        ],
    )
    user = only(mock, USER_MESSAGE)
    assert json.loads(props(user)["[Agent] Message Labels"]) == [
        {"key": "flow", "value": "team-setup"},
        {"key": "surface", "value": "help_panel"},
    ]
    assert "[Agent] Message Label Map" not in props(user)  # AI Response only, per the catalog
    reply = only(mock, AI_RESPONSE)
    assert json.loads(props(reply)["[Agent] Message Labels"]) == [
        {"key": "intent", "value": "how_to", "confidence": 0.91},
        {"key": "tone", "value": "neutral", "confidence": 0.8},
    ]
    assert json.loads(props(reply)["[Agent] Message Label Map"]) == {
        "intent": "how_to",
        "tone": "neutral",
    }


def test_retrospective_labels_through_enrichments(mock):
    question = mock.track_user_message(user_id="cust-28", content="q", session_id="sess-r")
    answer = mock.track_ai_message(
        user_id="cust-28",
        content="a",
        session_id="sess-r",
        model="gpt-4o",
        provider="openai",
        latency_ms=5.0,
    )
    mock.track_session_enrichment(
        user_id="cust-28",
        session_id="sess-r",
        enrichments=SessionEnrichments(
            message_labels={
                question: [MessageLabel(key="intent", value="billing", confidence=0.7)],
                answer: [MessageLabel(key="quality", value="fine")],
            }
        ),
    )
    event = only(mock, SESSION_ENRICHMENT)
    labels = json.loads(props(event)["[Agent] Enrichments"])["message_labels"]
    assert labels == {
        question: [{"key": "intent", "value": "billing", "confidence": 0.7}],
        answer: [{"key": "quality", "value": "fine"}],
    }


# --------------------------------------------------------------------------- enrichments
def _taxonomy_enrichments() -> SessionEnrichments:
    return SessionEnrichments(
        topic_classifications={
            "goal": TopicClassification(l1="troubleshooting"),
            "areas": TopicClassification(
                values=["dashboards", "alerts"],
                primary="alerts",
                topics_covered=["dashboards", "alerts", "exports"],
                outcomes_by_topic={"alerts": "resolved", "exports": "abandoned"},
            ),
            "failure_kind": TopicClassification(l1="DATA", subcategories=["STALE_SOURCE"]),
        },
        rubrics=[
            RubricScore(name="resolution", score=0.7),
            RubricScore(
                name="clarity",
                score=0.95,
                rationale="Steps were easy to follow",
                evidence=[EvidenceQuote(quote="First open Alerts", turn_index=1, role="assistant")],
                improvement_opportunities="Link the alerts guide",
            ),
        ],
        overall_outcome="resolved",
        quality_score=0.8,
        sentiment_score=0.6,
        agent_chain=["router", "alerts-agent"],
        root_agent_name="router",
        request_complexity="moderate",
        error_categories=["timeout"],
        behavioral_patterns=["clarification_loop"],
        custom_metadata={"release": "canary-7"},
    )


def test_enrichments_on_session_end_and_as_separate_events(mock):
    enrichments = _taxonomy_enrichments()
    mock.track_session_end(user_id="cust-29", session_id="sess-e", enrichments=enrichments)
    mock.track_session_enrichment(user_id="cust-29", session_id="sess-e", enrichments=enrichments)
    mock.track_session_enrichment(
        user_id="cust-29",
        session_id="sess-e",
        enrichments=SessionEnrichments(quality_score=0.5),
    )

    assert types(mock.events) == [SESSION_END, SESSION_ENRICHMENT, SESSION_ENRICHMENT]
    end_payload = json.loads(props(mock.events[0])["[Agent] Enrichments"])
    first_payload = json.loads(props(mock.events[1])["[Agent] Enrichments"])
    assert end_payload == first_payload == enrichments.to_dict()
    assert first_payload["topic_classifications"]["goal"] == {"l1": "troubleshooting"}
    assert first_payload["topic_classifications"]["areas"]["primary"] == "alerts"
    assert first_payload["topic_classifications"]["failure_kind"]["subcategories"] == [
        "STALE_SOURCE"
    ]
    assert first_payload["rubrics"][1]["evidence"] == [
        {"quote": "First open Alerts", "turn_index": 1, "role": "assistant"}
    ]
    assert first_payload["custom_metadata"] == {"release": "canary-7"}
    assert "task_failure_type" not in first_payload  # unset optional fields are dropped
    second_payload = json.loads(props(mock.events[2])["[Agent] Enrichments"])
    assert second_payload["quality_score"] == 0.5
    assert "overall_outcome" not in second_payload


def test_complete_customer_enriched_flow():
    ai = MockAmplitudeAI(content_mode=ContentMode.CUSTOMER_ENRICHED)
    agent = ai.agent(agent_id="care-agent")
    with agent.session(user_id="cust-30") as s:
        question = s.track_user_message(content="Can I pause my plan?")
        answer = s.track_ai_message(
            content="Yes, from the Plan page.", model="gpt-4o", provider="openai", latency_ms=350.0
        )
    enrichments = SessionEnrichments(
        topic_classifications={"goal": TopicClassification(l1="account_change")},
        rubrics=[
            RubricScore(
                name="resolution",
                score=0.9,
                evidence=[
                    EvidenceQuote(quote="from the Plan page", turn_index=1, role="assistant")
                ],
            )
        ],
        overall_outcome="resolved",
        quality_score=0.9,
        request_complexity="simple",
        message_labels={
            question: [MessageLabel(key="intent", value="pause_plan", confidence=0.93)],
            answer: [MessageLabel(key="quality", value="good", confidence=0.9)],
        },
    )
    ai.track_session_enrichment(user_id="cust-30", session_id=s.session_id, enrichments=enrichments)

    assert types(ai.events) == [USER_MESSAGE, AI_RESPONSE, SESSION_END, SESSION_ENRICHMENT]
    assert all(LLM_MESSAGE not in props(e) for e in ai.events)  # no conversation content
    assert props(ai.events[1])["[Agent] Latency Ms"] == 350.0  # metrics still flow
    event = ai.assert_event_tracked(SESSION_ENRICHMENT, user_id="cust-30", session_id=s.session_id)
    assert AGENT_ID not in props(event)  # tracked on the client, outside the agent's session
    payload = json.loads(props(event)["[Agent] Enrichments"])
    assert payload == enrichments.to_dict()  # customer_enriched keeps enrichments intact
    assert payload["rubrics"][0]["evidence"][0]["quote"] == "from the Plan page"
    assert set(payload["message_labels"]) == {question, answer}


def test_metadata_only_strips_free_text_from_enrichments():
    ai = MockAmplitudeAI(content_mode="metadata_only")
    ai.track_session_end(
        user_id="cust-31", session_id="sess-x", enrichments=_taxonomy_enrichments()
    )
    payload = json.loads(props(only(ai, SESSION_END))["[Agent] Enrichments"])
    assert payload["rubrics"][1] == {"name": "clarity", "score": 0.95}
    assert payload["overall_outcome"] == "resolved"


# ------------------------------------------------------------------------ usage examples
def test_messages_with_explicit_everything(mock):
    question = mock.track_user_message(
        user_id="cust-32",
        content="How do I schedule a report?",
        session_id="sess-u",
        trace_id="tr-1",
        turn_id=1,
        agent_id="report-agent",
        env="production",
    )
    answer = mock.track_ai_message(
        user_id="cust-32",
        content="Use the Schedule button.",
        session_id="sess-u",
        trace_id="tr-1",
        model="gpt-4o",
        provider="openai",
        latency_ms=505.0,
        input_tokens=140,
        output_tokens=260,
        total_tokens=400,
        total_cost_usd=0.0031,
        turn_id=2,
        agent_id="report-agent",
        env="production",
        ttfb_ms=70.0,
    )
    user = mock.assert_event_tracked(
        USER_MESSAGE,
        user_id="cust-32",
        message_id=question,
        session_id="sess-u",
        trace_id="tr-1",
        turn_id=1,
        agent_id="report-agent",
        env="production",
        component_type="user_input",
    )
    assert props(user)[LLM_MESSAGE] == {"text": "How do I schedule a report?"}
    reply = mock.assert_event_tracked(
        AI_RESPONSE,
        message_id=answer,
        turn_id=2,
        model_name="gpt-4o",
        provider="openai",
        latency_ms=505.0,
        input_tokens=140,
        output_tokens=260,
        total_tokens=400,
        cost_usd=0.0031,
        ttfb_ms=70.0,
        component_type="llm",
        is_error=False,
    )
    assert props(reply)[LLM_MESSAGE] == {"text": "Use the Schedule button."}
    assert props(reply)["[Agent] SDK Version"]
    assert props(reply)["[Agent] Runtime"] == "python"


def _priced(mock, **tokens) -> float | None:
    mock.reset()
    mock.track_ai_message(
        user_id="cust-33",
        session_id="sess-c",
        model="claude-sonnet-4-20250514",
        provider="anthropic",
        latency_ms=700.0,
        **tokens,
    )
    return props(only(mock, AI_RESPONSE)).get(COST)


def test_cache_aware_cost_is_cheaper_with_cache_reads(mock):
    uncached = _priced(mock, input_tokens=6000, output_tokens=250)
    cached = _priced(mock, input_tokens=6000, output_tokens=250, cache_read_tokens=5400)
    with_writes = _priced(
        mock,
        input_tokens=6000,
        output_tokens=250,
        cache_read_tokens=5400,
        cache_creation_tokens=600,
    )
    assert uncached is not None and cached is not None and with_writes is not None
    assert 0 < cached < uncached
    assert cached < with_writes  # cache writes cost more than plain input
    event = only(mock, AI_RESPONSE)
    assert props(event)["[Agent] Cache Read Tokens"] == 5400
    assert props(event)["[Agent] Cache Creation Tokens"] == 600
    assert props(event)["[Agent] Total Tokens"] == 6250


def test_unknown_model_has_no_cost_and_does_not_crash(mock):
    mock.track_ai_message(
        user_id="cust-33",
        session_id="sess-c",
        model="in-house-llm-zq9",
        provider="self-hosted",
        latency_ms=50.0,
        input_tokens=100,
        output_tokens=20,
    )
    event = only(mock, AI_RESPONSE)
    assert COST not in props(event)
    assert props(event)["[Agent] Total Tokens"] == 120


def test_explicit_total_cost_wins_over_computed(mock):
    mock.track_ai_message(
        user_id="cust-33",
        session_id="sess-c",
        model="gpt-4o",
        provider="openai",
        latency_ms=50.0,
        input_tokens=100_000,
        output_tokens=20_000,
        total_cost_usd=0.5,
    )
    assert props(only(mock, AI_RESPONSE))[COST] == 0.5


@pytest.mark.parametrize(
    ("model", "tier"),
    [
        ("gpt-4o-mini", "fast"),
        ("claude-3-5-haiku-20241022", "fast"),
        ("gemini-2.0-flash", "fast"),
        ("gpt-4o", "standard"),
        ("claude-sonnet-4-20250514", "standard"),
        ("gemini-1.5-pro", "standard"),
        ("o1", "reasoning"),
        ("o3-mini", "reasoning"),
        ("deepseek-r1", "reasoning"),
    ],
)
def test_model_tier_is_inferred(mock, model, tier):
    mock.track_ai_message(
        user_id="cust-34", session_id="sess-t", model=model, provider="x", latency_ms=1.0
    )
    mock.assert_event_tracked(AI_RESPONSE, model_name=model, model_tier=tier)


def test_model_tier_override(mock):
    mock.track_ai_message(
        user_id="cust-34",
        session_id="sess-t",
        model="gpt-4o-mini",
        provider="openai",
        latency_ms=1.0,
        model_tier="reasoning",
    )
    mock.assert_event_tracked(AI_RESPONSE, model_tier="reasoning")


def test_semantic_cache_hit_flag(mock):
    mock.track_ai_message(
        user_id="cust-34",
        session_id="sess-t",
        model="gpt-4o",
        provider="openai",
        latency_ms=2.0,
        was_cached=True,
    )
    mock.assert_event_tracked(AI_RESPONSE, was_cached=True)


def test_implicit_feedback_signals(mock):
    first = mock.track_user_message(user_id="cust-35", content="Export to CSV?", session_id="s-f")
    mock.track_ai_message(
        user_id="cust-35",
        content="Click Export.",
        session_id="s-f",
        model="gpt-4o",
        provider="openai",
        latency_ms=300.0,
        was_copied=True,
    )
    mock.track_user_message(
        user_id="cust-35", content="Export to CSV?", session_id="s-f", is_regeneration=True
    )
    edited = mock.track_user_message(
        user_id="cust-35",
        content="Export the weekly table to CSV?",
        session_id="s-f",
        is_edit=True,
        edited_message_id=first,
    )
    mock.track_session_end(user_id="cust-35", session_id="s-f", abandonment_turn=1)

    mock.assert_event_tracked(AI_RESPONSE, was_copied=True)
    mock.assert_event_tracked(USER_MESSAGE, is_regeneration=True)
    mock.assert_event_tracked(
        USER_MESSAGE, message_id=edited, is_edit=True, edited_message_id=first
    )
    original = mock.assert_event_tracked(USER_MESSAGE, message_id=first)
    assert "[Agent] Is Regeneration" not in props(original)
    assert "[Agent] Is Edit" not in props(original)
    mock.assert_event_tracked(SESSION_END, session_id="s-f", abandonment_turn=1)
    assert types(mock.events_for_session("s-f")) == [
        USER_MESSAGE,
        AI_RESPONSE,
        USER_MESSAGE,
        USER_MESSAGE,
        SESSION_END,
    ]


def test_file_attachments(mock):
    with mock.agent("helpdesk").session(user_id="cust-36") as s:
        s.track_user_message(
            content="What is this error?",
            attachments=[
                {
                    "type": "image",
                    "name": "crash.png",
                    "url": "https://cdn.example.org/u/crash.png",
                    "mime_type": "image/png",
                    "size_bytes": 2048,
                }
            ],
        )
        s.track_user_message(
            content="Check the lease terms",
            attachments=[
                {
                    "type": "pdf",
                    "name": "lease.pdf",
                    "url": "https://files.example.org/lease.pdf",
                    "mime_type": "application/pdf",
                    "page_count": 12,
                    "team": "legal",
                    "size_bytes": 100_000,
                }
            ],
        )
        s.track_user_message(
            content="Compare these",
            attachments=[
                {"type": "csv", "name": "q1.csv", "url": "https://s3.example.org/q1.csv"},
                {"type": "csv", "name": "q2.csv", "url": "https://s3.example.org/q2.csv"},
                {"type": "image", "name": "plot.png", "size_bytes": 300, "data": "iVBORw0K"},
            ],
        )
        s.track_ai_message(
            content="Here is a chart",
            model="gpt-4o",
            provider="openai",
            latency_ms=2900,
            attachments=[{"type": "image", "name": "made.png", "mime_type": "image/png"}],
        )
        s.track_user_message(content="no files")

    image, pdf, mixed, plain = mock.events_of_type(USER_MESSAGE)
    assert props(image)["[Agent] Has Attachments"] is True
    assert props(image)["[Agent] Attachment Count"] == 1
    assert json.loads(props(image)["[Agent] Attachment Types"]) == ["image"]
    assert props(image)["[Agent] Total Attachment Size Bytes"] == 2048
    assert json.loads(props(image)["[Agent] Attachments"])[0]["url"] == (
        "https://cdn.example.org/u/crash.png"
    )
    pdf_meta = json.loads(props(pdf)["[Agent] Attachments"])[0]
    assert (pdf_meta["page_count"], pdf_meta["team"]) == (12, "legal")  # free-form keys kept
    assert props(mixed)["[Agent] Attachment Count"] == 3
    assert json.loads(props(mixed)["[Agent] Attachment Types"]) == ["csv", "image"]
    assert props(mixed)["[Agent] Total Attachment Size Bytes"] == 300
    assert all("data" not in a for a in json.loads(props(mixed)["[Agent] Attachments"]))
    assert not any(k.startswith("[Agent] Attachment") for k in props(plain))
    assert "[Agent] Has Attachments" not in props(plain)
    reply = only(mock, AI_RESPONSE)
    assert props(reply)["[Agent] Attachment Count"] == 1
    assert json.loads(props(reply)["[Agent] Attachment Types"]) == ["image"]
    assert "[Agent] Total Attachment Size Bytes" not in props(reply)


def test_multi_agent_bound_child_inherits_version_and_org(mock):
    lead = mock.agent("lead", agent_version="v9.3", env="prod", customer_org_id="globex-44")
    billing = lead.child("billing-agent")
    with billing.session(user_id="cust-37") as s:
        s.new_trace()
        s.track_user_message(content="What do I owe?")
        s.track_ai_message(
            content="Nothing due.", model="gpt-4o", provider="openai", latency_ms=220
        )
    assert len(mock.events_for_agent("billing-agent")) == 3
    for event in mock.events:
        assert props(event)[AGENT_ID] == "billing-agent"
        assert props(event)[PARENT_AGENT_ID] == "lead"
        assert props(event)["[Agent] Agent Version"] == "v9.3"
        assert props(event)["[Agent] Customer Org ID"] == "globex-44"
        assert props(event)["[Agent] Env"] == "prod"


def test_tenant_prefills_org_and_groups(mock):
    tenant = mock.tenant("initech", groups={"company": "initech"}, env="production")
    support = tenant.agent("support-bot", user_id="cust-38")
    billing = tenant.agent("billing-bot", user_id="cust-38")
    staging = tenant.agent("billing-bot", user_id="cust-38", env="staging")
    support.track_user_message(content="hi", session_id="sess-t1")
    billing.track_user_message(content="hi", session_id="sess-t2")
    staging.track_user_message(content="hi", session_id="sess-t3")

    for agent_id, session_id, env in (
        ("support-bot", "sess-t1", "production"),
        ("billing-bot", "sess-t2", "production"),
        ("billing-bot", "sess-t3", "staging"),
    ):
        mock.assert_event_tracked(
            USER_MESSAGE,
            user_id="cust-38",
            groups={"company": "initech"},
            agent_id=agent_id,
            session_id=session_id,
            customer_org_id="initech",
            env=env,
        )


def test_multi_tenant_without_bound_agent(mock):
    mock.track_user_message(
        user_id="cust-39",
        content="Is my invoice paid?",
        session_id="sess-mt",
        trace_id="tr-mt",
        agent_id="billing-agent",
        parent_agent_id="lead",
        customer_org_id="umbrella-9",
        env="production",
    )
    event = mock.assert_event_tracked(
        USER_MESSAGE,
        user_id="cust-39",
        agent_id="billing-agent",
        parent_agent_id="lead",
        customer_org_id="umbrella-9",
        trace_id="tr-mt",
    )
    assert "groups" not in event


def test_ab_testing_context_on_session_events(mock):
    agent = mock.agent(
        "helpdesk",
        user_id="cust-40",
        env="production",
        context={"experiment_variant": "treatment", "feature_flags": {"new_ranker": True}},
    )
    with agent.session() as s:
        s.track_user_message(content="Set up SSO?")
        s.track_ai_message(content="...", model="gpt-4o", provider="openai", latency_ms=300)
    assert len(mock.events_for_session(s.session_id)) == 3
    for event in mock.events:
        assert context_of(event) == {
            "experiment_variant": "treatment",
            "feature_flags": {"new_ranker": True},
        }
    child = mock.agent("lead", context={"experiment_variant": "treatment"}).child(
        "fetcher", context={"sub_experiment": "rerank-b"}
    )
    assert child.context == {"experiment_variant": "treatment", "sub_experiment": "rerank-b"}


def test_tool_call_with_input_output_and_parent(mock):
    invocation = mock.track_tool_call(
        user_id="cust-41",
        tool_name="kb_search",
        latency_ms=92.0,
        success=True,
        session_id="sess-tc",
        trace_id="tr-tc",
        turn_id=3,
        input={"query": "reset password", "limit": 5},
        output="2 articles found",
        parent_message_id="msg-parent",
        agent_id="helpdesk",
        env="production",
    )
    event = mock.assert_event_tracked(
        TOOL_CALL,
        user_id="cust-41",
        invocation_id=invocation,
        tool_name="kb_search",
        tool_success=True,
        is_error=False,
        latency_ms=92.0,
        turn_id=3,
        parent_message_id="msg-parent",
        component_type="tool",
    )
    assert json.loads(props(event)["[Agent] Tool Input"]) == {"query": "reset password", "limit": 5}
    assert json.loads(props(event)["[Agent] Tool Output"]) == "2 articles found"


def test_failed_tool_call_is_an_error(mock):
    mock.track_tool_call(
        user_id="cust-41",
        tool_name="kb_search",
        latency_ms=5.0,
        success=False,
        error_message="index offline",
        session_id="sess-tc",
    )
    mock.assert_event_tracked(
        TOOL_CALL, tool_success=False, is_error=True, error_message="index offline"
    )


def test_embedding(mock):
    span = mock.track_embedding(
        user_id="cust-42",
        model="text-embedding-3-small",
        provider="openai",
        latency_ms=22.0,
        input_tokens=38,
        dimensions=1536,
        total_cost_usd=0.00002,
        session_id="sess-emb",
    )
    mock.assert_event_tracked(
        EMBEDDING,
        user_id="cust-42",
        span_id=span,
        model_name="text-embedding-3-small",
        provider="openai",
        input_tokens=38,
        embedding_dimensions=1536,
        cost_usd=0.00002,
        component_type="embedding",
        turn_id=1,
    )


def test_embedding_cost_is_computed_when_omitted(mock):
    mock.track_embedding(
        user_id="cust-42",
        model="text-embedding-3-small",
        provider="openai",
        latency_ms=22.0,
        input_tokens=1_000_000,
        session_id="sess-emb",
    )
    cost = props(only(mock, EMBEDDING))[COST]
    assert 0 < cost < 1


def test_generic_span(mock):
    span = mock.track_span(
        user_id="cust-43",
        span_name="vector_lookup",
        trace_id="tr-span",
        latency_ms=118.0,
        input_state={"query": "sso setup", "top_k": 8},
        output_state={"hits": 3},
        session_id="sess-span",
    )
    event = mock.assert_event_tracked(
        SPAN,
        span_id=span,
        span_name="vector_lookup",
        trace_id="tr-span",
        latency_ms=118.0,
        is_error=False,
    )
    assert json.loads(props(event)["[Agent] Input State"]) == {"query": "sso setup", "top_k": 8}
    assert json.loads(props(event)["[Agent] Output State"]) == {"hits": 3}


def test_recipes_actions_guardrails_and_rag(mock):
    with mock.agent("ops-agent").session(user_id="cust-44") as s:
        s.track_span(
            span_name="issue_credit",
            latency_ms=330.0,
            input_state={"order": "o-1", "amount": 12.5},
            output_state={"txn": "t-1", "ok": True},
        )
        s.track_span(
            span_name="open_case",
            latency_ms=1900.0,
            is_error=True,
            error_message="helpdesk API throttled",
            input_state={"subject": "credit follow-up"},
        )
        s.track_span(
            span_name="injection_guard",
            latency_ms=12.0,
            output_state={"blocked": True},
            is_error=True,
            error_message="blocked by guard",
        )
        rag = s.track_span(span_name="rag", latency_ms=250.0)
        s.track_embedding(
            model="text-embedding-3-small", provider="openai", input_tokens=9, latency_ms=40.0
        )
        s.track_span(span_name="search", latency_ms=80.0, parent_span_id=rag)
        s.track_span(span_name="rerank", latency_ms=55.0, parent_span_id=rag)

    mock.assert_event_tracked(SPAN, span_name="issue_credit", is_error=False)
    mock.assert_event_tracked(
        SPAN, span_name="open_case", is_error=True, error_message="helpdesk API throttled"
    )
    guard = mock.assert_event_tracked(SPAN, span_name="injection_guard", is_error=True)
    assert "[Agent] Input State" not in props(guard)
    children = [e for e in mock.events_of_type(SPAN) if props(e).get("[Agent] Parent Span ID")]
    assert [props(e)["[Agent] Span Name"] for e in children] == ["search", "rerank"]
    assert {props(e)["[Agent] Parent Span ID"] for e in children} == {rag}
    assert [props(e)[TURN_ID] for e in mock.events[:-1]] == list(range(1, 8))
    mock.assert_session_closed(s.session_id)


# --------------------------------------------------------------------- testing & serverless
def test_mock_quick_example_and_queries(mock):
    agent = mock.agent("probe-bot", user_id="tester-1")
    with agent.session("sess-probe") as s:
        s.new_trace()
        s.track_user_message(content="Ping")
        s.track_ai_message(content="Pong", model="gpt-4o", provider="openai", latency_ms=90.0)
    assert len(mock.events) == 3
    mock.assert_event_tracked(USER_MESSAGE, user_id="tester-1")
    mock.assert_event_tracked(AI_RESPONSE, **{"[Agent] Model Name": "gpt-4o"})
    mock.assert_event_tracked(AI_RESPONSE, model_name="gpt-4o", session_id="sess-probe")
    assert len(mock.events_for_session("sess-probe")) == 3
    assert len(mock.events_for_agent("probe-bot")) == 3
    assert mock.events_for_session("other") == []
    mock.assert_session_closed("sess-probe")
    with pytest.raises(AssertionError, match="no '\\[Agent\\] AI Response' event matches"):
        mock.assert_event_tracked(AI_RESPONSE, model_name="gpt-3.5-turbo")
    with pytest.raises(AssertionError):
        mock.assert_session_closed("sess-never")
    with pytest.raises(AssertionError, match="neither an event field"):
        mock.assert_event_tracked(AI_RESPONSE, not_a_catalog_key=1)
    mock.reset()
    assert mock.events == []
    with pytest.raises(AssertionError, match="no '\\[Agent\\] User Message' event was tracked"):
        mock.assert_event_tracked(USER_MESSAGE)


def test_serverless_handler_flushes(mock):
    def handler(request):
        agent = mock.agent("lambda-helper")
        with agent.session(user_id=request["user"]) as s:
            s.new_trace()
            s.track_user_message(content=request["text"])
            s.track_ai_message(
                content=request["text"].upper(), model="gpt-4o", provider="openai", latency_ms=480.0
            )
        assert mock.flush() == []
        return {"statusCode": 200, "session": s.session_id}

    result = handler({"user": "cust-45", "text": "hello"})
    assert result["statusCode"] == 200
    assert types(mock.events_for_session(result["session"])) == [
        USER_MESSAGE,
        AI_RESPONSE,
        SESSION_END,
    ]


def test_dry_run_ci_configuration_validates_without_sending(capsys):
    ai = MockAmplitudeAI(config=AIConfig(debug=True, dry_run=True, validate=True))
    with ai.agent("ci-bot", user_id="ci").session() as s:
        s.track_user_message(content="check")
    assert len(ai.events) == 2
    err = capsys.readouterr().err
    assert f"[amplitude-ai] {USER_MESSAGE} | user=ci" in err
    assert f"[amplitude-ai] {SESSION_END}" in err
