"""AmplitudeCallbackHandler with real langchain-core / langchain-openai / langgraph: ChatOpenAI
talks to the local fake server over HTTP, the handler's events are checked field by field."""

from __future__ import annotations

import asyncio

import httpx
import pytest

pytest.importorskip("langchain_openai")

from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI

import amplitude_ai
from amplitude_ai.integrations.langchain import (
    AmplitudeCallbackHandler,
    create_amplitude_callback,
)
from amplitude_ai.testing import FakeReply, FakeToolCall

from ._events import kinds, tracked


def _chat(server, **kwargs) -> ChatOpenAI:
    return ChatOpenAI(
        model="gpt-4o-mini",
        api_key="sk-test",
        base_url=server.openai_url,
        max_retries=0,
        # A fresh async HTTP client per model: LangChain's shared one would outlive the
        # event loop of one asyncio.run().
        http_async_client=httpx.AsyncClient(),
        **kwargs,
    )


def test_chat_model_run_becomes_user_message_and_ai_response(ai, server, llm):
    llm.reply("Paris.", input_tokens=30, output_tokens=5)
    handler = create_amplitude_callback(ai, user_id="u-1", agent_id="geo-bot", env="test")
    answer = _chat(server, temperature=0.2).invoke(
        [SystemMessage("Answer briefly."), HumanMessage("Capital of France?")],
        config={"callbacks": [handler]},
    )
    assert answer.content == "Paris."
    assert kinds(ai) == ["user_message", "ai_response"]
    (user,) = tracked(ai, "user_message")
    (reply,) = tracked(ai, "ai_response")
    assert (reply["model_name"], reply["provider"]) == ("gpt-4o-mini", "openai")
    assert (reply["input_tokens"], reply["output_tokens"], reply["total_tokens"]) == (30, 5, 35)
    assert reply["is_streaming"] is False and reply["is_error"] is False
    assert reply["finish_reason"] == "stop"
    assert reply["temperature"] == 0.2
    assert reply["system_prompt"] == "Answer briefly."
    assert reply["latency_ms"] > 0 and reply["cost_usd"] > 0
    assert (reply["user_id"], reply["agent_id"], reply["env"]) == ("u-1", "geo-bot", "test")
    # No session anywhere: the invocation's run id groups its events.
    assert user["session_id"] == reply["session_id"] == reply["trace_id"]


def test_stream_and_async_runs_inside_an_agent_session(ai, server, llm):
    llm.reply("one two three")
    handler = AmplitudeCallbackHandler(ai)
    model = _chat(server, stream_usage=True)
    with ai.agent("support-bot").session(user_id="u-2", session_id="s-2") as session:
        session.new_trace()
        chunks = [c.content for c in model.stream("count", config={"callbacks": [handler]})]
        asyncio.run(model.ainvoke("count again", config={"callbacks": [handler]}))
    assert "".join(chunks) == "one two three"
    streamed, awaited = tracked(ai, "ai_response")
    assert streamed["is_streaming"] is True and streamed["ttfb_ms"] > 0
    assert streamed["output_tokens"] == 12
    assert awaited["is_streaming"] is False
    for event in (streamed, awaited):
        assert (event["session_id"], event["user_id"], event["agent_id"]) == (
            "s-2",
            "u-2",
            "support-bot",
        )
        assert event["trace_id"] == session.trace_id
    assert [u["session_id"] for u in tracked(ai, "user_message")] == ["s-2", "s-2"]


def test_model_error_is_an_error_response(ai, server, llm):
    llm.fail(500, "upstream exploded")
    handler = AmplitudeCallbackHandler(ai, user_id="u-3")
    with pytest.raises(Exception, match="upstream exploded"):
        _chat(server).invoke("hi", config={"callbacks": [handler]})
    (reply,) = tracked(ai, "ai_response")
    assert reply["is_error"] is True
    assert "upstream exploded" in reply["error_message"]
    assert reply["model_name"] == "gpt-4o-mini"


@tool
def get_weather(city: str) -> str:
    """Weather for a city."""
    return f"Sunny in {city}"


def _agent_replies(llm) -> None:
    llm.queue(
        FakeReply("", tool_calls=(FakeToolCall("get_weather", {"city": "Oslo"}),)),
        FakeReply("It is sunny in Oslo."),
    )


def _react_graph(model):
    """The classic model <-> tools loop as a LangGraph graph."""
    from langgraph.graph import START, MessagesState, StateGraph
    from langgraph.prebuilt import ToolNode, tools_condition

    bound = model.bind_tools([get_weather])

    def agent(state: MessagesState) -> dict:
        return {"messages": [bound.invoke(state["messages"])]}

    builder = StateGraph(MessagesState)
    builder.add_node("agent", agent)
    builder.add_node("tools", ToolNode([get_weather]))
    builder.add_edge(START, "agent")
    builder.add_conditional_edges("agent", tools_condition)
    builder.add_edge("tools", "agent")
    return builder.compile()


def test_langgraph_agent_tools_nodes_and_child_agents(ai, server, llm):
    _agent_replies(llm)
    graph = _react_graph(_chat(server))
    handler = AmplitudeCallbackHandler(ai, user_id="u-4", agent_id="planner", agent_nodes=True)
    result = graph.invoke(
        {"messages": [HumanMessage("Weather in Oslo?")]}, config={"callbacks": [handler]}
    )
    assert result["messages"][-1].content == "It is sunny in Oslo."
    responses = tracked(ai, "ai_response")
    assert len(responses) == 2
    assert len(tracked(ai, "user_message")) == 1  # the loop re-sends the same question
    assert "get_weather" in responses[0]["tool_calls"]
    (call,) = tracked(ai, "tool_call")
    assert (call["tool_name"], call["tool_success"]) == ("get_weather", True)
    assert "Oslo" in call["tool_input"] and "Sunny in Oslo" in call["tool_output"]
    assert call["parent_message_id"] == responses[0]["message_id"]  # the turn that asked
    spans = {s["span_name"]: s for s in tracked(ai, "span")}
    root = spans["LangGraph"]
    assert root.get("parent_span_id") is None
    assert {"agent", "tools"} <= set(spans)
    assert spans["agent"]["parent_span_id"] == root["span_id"]
    # Graph nodes as child agents of the handler's agent.
    assert {(r["agent_id"], r["parent_agent_id"]) for r in responses} == {("agent", "planner")}
    assert (call["agent_id"], call["parent_agent_id"]) == ("tools", "planner")
    session_ids = {e["event_properties"]["[Agent] Session ID"] for e in ai.events}
    assert len(session_ids) == 1


def test_tool_error_is_a_failed_tool_call(ai):
    @tool
    def broken(x: int) -> int:
        """Always fails."""
        raise RuntimeError("boom")

    handler = AmplitudeCallbackHandler(ai, user_id="u-5")
    with pytest.raises(RuntimeError):
        broken.invoke({"x": 1}, config={"callbacks": [handler]})
    (call,) = tracked(ai, "tool_call")
    assert call["tool_success"] is False and call["is_error"] is True
    assert "boom" in call["error_message"]


def test_top_level_lazy_names():
    assert amplitude_ai.create_amplitude_callback is create_amplitude_callback
    assert amplitude_ai.AmplitudeCallbackHandler is AmplitudeCallbackHandler


def test_async_graph_and_a_failing_node(ai, server, llm):
    _agent_replies(llm)
    graph = _react_graph(_chat(server))
    handler = AmplitudeCallbackHandler(ai, user_id="u-6", agent_nodes={"tools"})
    with ai.agent("planner").session(user_id="u-6", session_id="s-6"):
        result = asyncio.run(
            graph.ainvoke(
                {"messages": [HumanMessage("Weather in Oslo?")]}, config={"callbacks": [handler]}
            )
        )
    assert result["messages"][-1].content == "It is sunny in Oslo."
    assert len(tracked(ai, "ai_response")) == 2
    (call,) = tracked(ai, "tool_call")
    # Only the listed node is a child agent; model calls stay with the session's agent.
    assert (call["agent_id"], call["parent_agent_id"]) == ("tools", "planner")
    assert {r["agent_id"] for r in tracked(ai, "ai_response")} == {"planner"}
    assert {e["event_properties"]["[Agent] Session ID"] for e in ai.events} == {"s-6"}

    ai.reset()
    llm.fail(500, "model down")
    with pytest.raises(Exception, match="model down"):
        graph.invoke({"messages": [HumanMessage("again")]}, config={"callbacks": [handler]})
    spans = {s["span_name"]: s for s in tracked(ai, "span")}
    assert spans["LangGraph"]["is_error"] is True
    assert spans["agent"]["is_error"] is True and "model down" in spans["agent"]["error_message"]
