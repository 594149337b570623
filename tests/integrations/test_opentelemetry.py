"""AmplitudeAgentExporter with the real opentelemetry-sdk: GenAI spans (hand-written per
the semantic conventions, and from an HTTP-level instrumentation around real OpenAI
calls) become catalog-valid ``[Agent]`` events; scope filters; the two privacy gates."""

from __future__ import annotations

import json
import threading
import uuid

import openai
import pytest

pytest.importorskip("opentelemetry.sdk")

from opentelemetry.trace import Status, StatusCode

from amplitude_ai.integrations.opentelemetry import AmplitudeAgentExporter
from amplitude_ai.testing import MockAmplitudeAI

from ._events import kinds, tracked
from ._otel import instrumented_http_client, tracer_provider


def _chat_attributes(**extra):
    return {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o",
        "gen_ai.response.model": "gpt-4o-2024-11-20",
        "gen_ai.response.id": f"chatcmpl-{uuid.uuid4().hex}",
        "gen_ai.usage.input_tokens": 100,
        "gen_ai.usage.output_tokens": 20,
        "gen_ai.response.finish_reasons": ["stop"],
        "gen_ai.request.temperature": 0.5,
        "gen_ai.request.max_tokens": 256,
        "gen_ai.request.top_p": 0.9,
        **extra,
    }


_CONTENT = {
    "gen_ai.input.messages": json.dumps(
        [
            {"role": "user", "parts": [{"type": "text", "content": "first question"}]},
            {"role": "assistant", "parts": [{"type": "text", "content": "an answer"}]},
            {"role": "user", "parts": [{"type": "text", "content": "What is retention?"}]},
        ]
    ),
    "gen_ai.output.messages": json.dumps(
        [{"role": "assistant", "parts": [{"type": "text", "content": "Users who return."}]}]
    ),
    "gen_ai.system_instructions": json.dumps([{"type": "text", "content": "Be precise."}]),
}


def _emit_span(exporter, name, attributes, *, scope="openlit", error=None):
    tracer = tracer_provider(exporter).get_tracer(scope)
    with tracer.start_as_current_span(name, attributes=attributes) as span:
        if error:
            span.set_status(Status(StatusCode.ERROR, error))
    return span


def test_chat_span_maps_to_user_message_and_ai_response(ai):
    exporter = AmplitudeAgentExporter(ai, user_id="u-1")
    with ai.agent("support-bot", env="prod").session(user_id="u-1", session_id="s-1") as s:
        s.new_trace()
        _emit_span(exporter, "chat gpt-4o", _chat_attributes(**_CONTENT))
    assert kinds(ai) == ["user_message", "ai_response", "session_end"]
    (user,) = tracked(ai, "user_message")
    (reply,) = tracked(ai, "ai_response")
    assert user["llm_message"]["text"] == "What is retention?"
    assert reply["llm_message"]["text"] == "Users who return."
    assert reply["model_name"] == "gpt-4o-2024-11-20"  # the response model wins
    assert (reply["provider"], reply["input_tokens"], reply["output_tokens"]) == ("openai", 100, 20)
    assert reply["total_tokens"] == 120 and reply["cost_usd"] > 0
    assert (reply["finish_reason"], reply["temperature"], reply["top_p"]) == ("stop", 0.5, 0.9)
    assert reply["max_output_tokens"] == 256
    assert reply["system_prompt"] == "Be precise."
    assert reply["is_error"] is False and reply["latency_ms"] >= 0
    # The active session supplies session, trace and agent.
    assert (reply["session_id"], reply["trace_id"], reply["agent_id"]) == (
        "s-1",
        s.trace_id,
        "support-bot",
    )
    assert reply["env"] == "prod"


def test_without_a_session_span_attributes_identify_the_conversation(ai):
    exporter = AmplitudeAgentExporter(ai)
    span = _emit_span(
        exporter,
        "chat gpt-4o",
        _chat_attributes(**{"gen_ai.conversation.id": "conv-9", "enduser.id": "end-user-7"}),
    )
    (reply,) = tracked(ai, "ai_response")
    assert reply["session_id"] == "conv-9"
    assert reply["user_id"] == "end-user-7"
    assert reply["trace_id"] == format(span.get_span_context().trace_id, "032x")
    assert "llm_message" not in reply  # gate 1: the span carried no content


def test_content_mode_is_the_second_gate():
    ai = MockAmplitudeAI(content_mode="metadata_only")
    exporter = AmplitudeAgentExporter(ai, user_id="u-2", session_id="s-2")
    _emit_span(exporter, "chat gpt-4o", _chat_attributes(**_CONTENT))
    (reply,) = tracked(ai, "ai_response")
    assert "llm_message" not in reply and "system_prompt" not in reply
    assert reply["input_tokens"] == 100  # metadata still flows
    assert all("llm_message" not in e for e in tracked(ai, "user_message"))


def test_embedding_tool_and_error_spans(ai):
    exporter = AmplitudeAgentExporter(ai, user_id="u-3", session_id="s-3")
    _emit_span(
        exporter,
        "embeddings text-embedding-3-small",
        {
            "gen_ai.operation.name": "embeddings",
            "gen_ai.provider.name": "openai",
            "gen_ai.request.model": "text-embedding-3-small",
            "gen_ai.usage.input_tokens": 8,
            "gen_ai.embeddings.dimension.count": 1536,
        },
    )
    _emit_span(
        exporter,
        "execute_tool get_weather",
        {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.call.arguments": '{"city":"Oslo"}'},
    )
    _emit_span(
        exporter,
        "chat gpt-4o",
        _chat_attributes(**{"error.type": "RateLimitError"}),
        error="rate limited",
    )
    (embedding,) = tracked(ai, "embedding")
    assert (embedding["model_name"], embedding["embedding_dimensions"]) == (
        "text-embedding-3-small",
        1536,
    )
    (call,) = tracked(ai, "tool_call")
    assert (call["tool_name"], call["tool_success"]) == ("get_weather", True)
    assert "Oslo" in call["tool_input"]
    (failed,) = tracked(ai, "ai_response")
    assert failed["is_error"] is True and failed["error_message"] == "rate limited"


def test_agent_span_is_a_response_alone_and_a_span_around_model_calls(ai):
    exporter = AmplitudeAgentExporter(ai, user_id="u-4", session_id="s-4")
    agent_attrs = {
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.agent.id": "researcher",
        "gen_ai.agent.name": "Researcher",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o",
    }
    _emit_span(exporter, "invoke_agent Researcher", agent_attrs)
    (alone,) = tracked(ai, "ai_response")
    assert alone["agent_id"] == "researcher" and alone["span_kind"] == "agent"
    ai.reset()
    tracer = tracer_provider(exporter).get_tracer("openlit")
    with (
        tracer.start_as_current_span("invoke_agent Researcher", attributes=agent_attrs),
        tracer.start_as_current_span("chat gpt-4o", attributes=_chat_attributes()),
    ):
        pass
    assert len(tracked(ai, "ai_response")) == 1  # the model call, not the agent again
    (span,) = tracked(ai, "span")
    assert (span["span_name"], span["agent_id"]) == ("invoke_agent Researcher", "researcher")


def test_scope_filters_and_non_genai_spans(ai):
    allowed = AmplitudeAgentExporter(ai, user_id="u", session_id="s", allowed_scopes={"openai"})
    _emit_span(
        allowed, "chat gpt-4o", _chat_attributes(), scope="opentelemetry.instrumentation.openai_v2"
    )
    _emit_span(allowed, "chat gpt-4o", _chat_attributes(), scope="langfuse-sdk")
    assert len(tracked(ai, "ai_response")) == 1
    blocked = AmplitudeAgentExporter(
        ai, user_id="u", session_id="s", blocked_scopes={"langfuse-sdk"}
    )
    _emit_span(blocked, "chat gpt-4o", _chat_attributes(), scope="langfuse-sdk")
    _emit_span(blocked, "GET /health", {"http.method": "GET"}, scope="fastapi")
    assert len(tracked(ai, "ai_response")) == 1


def test_spans_from_an_instrumentation_around_real_openai_calls(ai, server, llm):
    llm.reply("Real answer", input_tokens=11, output_tokens=4)
    exporter = AmplitudeAgentExporter(ai, user_id="u-5", session_id="s-5")
    provider = tracer_provider(exporter)
    client = openai.OpenAI(
        api_key="sk-test",
        base_url=server.openai_url,
        max_retries=0,
        http_client=instrumented_http_client(provider, capture_content=True),
    )
    answer = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "Say something"}]
    )
    (reply,) = tracked(ai, "ai_response")
    assert reply["llm_message"]["text"] == answer.choices[0].message.content == "Real answer"
    assert (reply["input_tokens"], reply["output_tokens"], reply["model_name"]) == (
        11,
        4,
        "gpt-4o-mini",
    )
    assert tracked(ai, "user_message")[0]["llm_message"]["text"] == "Say something"


def test_a_broken_span_does_not_stop_export(ai):
    exporter = AmplitudeAgentExporter(ai, user_id="u", session_id="s")
    _emit_span(exporter, "chat x", {"gen_ai.operation.name": "chat", "gen_ai.input.messages": "{"})
    (reply,) = tracked(ai, "ai_response")
    assert reply["model_name"] == "unknown" and reply["provider"] == "unknown"


def test_batch_processor_exports_from_its_worker_thread(ai):
    """Spans exported later on the processor's thread, outside any session context."""
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(AmplitudeAgentExporter(ai, user_id="u-b")))
    tracer = provider.get_tracer("openlit")
    attributes = _chat_attributes(**{"gen_ai.conversation.id": "conv-b"})
    with (
        ai.agent("bot").session(user_id="u-b", session_id="s-live"),
        tracer.start_as_current_span("chat gpt-4o", attributes=attributes),
    ):
        pass
    assert provider.force_flush()
    provider.shutdown()
    (reply,) = tracked(ai, "ai_response")
    # The worker thread sees no session (use SimpleSpanProcessor to inherit it): the
    # span's own conversation id groups it.
    assert (reply["session_id"], reply["user_id"]) == ("conv-b", "u-b")


def test_the_bridge_processor_batches_with_each_spans_session(ai):
    """AmplitudeSpanProcessor exports in batches on its worker thread, yet each span is
    mapped in the context it ended in: the live session, not the conversation id."""
    from opentelemetry.sdk.trace import TracerProvider

    from amplitude_ai.integrations.opentelemetry import AmplitudeSpanProcessor

    provider = TracerProvider()
    processor = AmplitudeSpanProcessor(AmplitudeAgentExporter(ai), schedule_delay_millis=60_000)
    provider.add_span_processor(processor)
    tracer = provider.get_tracer("openlit")
    attributes = _chat_attributes(**{"gen_ai.conversation.id": "conv-b"})
    with (
        ai.agent("bot").session(user_id="u-live", session_id="s-live"),
        tracer.start_as_current_span("chat gpt-4o", attributes=attributes),
    ):
        pass
    assert tracked(ai, "ai_response") == []  # queued, not exported yet
    worker = threading.Thread(target=provider.force_flush, name="OtelBatchSpanRecordProcessor")
    worker.start()
    worker.join()
    provider.shutdown()
    (reply,) = tracked(ai, "ai_response")
    assert (reply["session_id"], reply["user_id"], reply["agent_id"]) == ("s-live", "u-live", "bot")


def test_the_bridge_processor_exports_inline_without_batching(ai):
    from opentelemetry.sdk.trace import TracerProvider

    from amplitude_ai.integrations.opentelemetry import AmplitudeSpanProcessor

    provider = TracerProvider()
    provider.add_span_processor(AmplitudeSpanProcessor(AmplitudeAgentExporter(ai), batch=False))
    with ai.agent("bot").session(user_id="u-i", session_id="s-i"):
        with provider.get_tracer("openlit").start_as_current_span(
            "chat gpt-4o", attributes=_chat_attributes()
        ):
            pass
        (reply,) = tracked(ai, "ai_response")  # exported when the span ended
    assert reply["session_id"] == "s-i"


def test_the_bridge_processor_refuses_what_it_cannot_use():
    from opentelemetry.sdk.trace.export import ConsoleSpanExporter

    from amplitude_ai.integrations.opentelemetry import AmplitudeSpanProcessor

    with pytest.raises(TypeError, match="needs an AmplitudeAgentExporter, got ConsoleSpanExporter"):
        AmplitudeSpanProcessor(ConsoleSpanExporter())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="batch options were given with batch=False"):
        AmplitudeSpanProcessor(AmplitudeAgentExporter(), batch=False, max_queue_size=10)
