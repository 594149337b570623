"""No double counting between the provider layer (``patch()`` or a drop-in client) and the
OTEL GenAI bridge: exactly one ``[Agent] AI Response`` per provider call, whichever layer
observes it, with real opentelemetry-sdk spans around and below real OpenAI calls against
the local fake server.

Every pair runs with the exporter inline (``SimpleSpanProcessor``), batched through the
bridge's ``AmplitudeSpanProcessor`` and, where it holds, under a plain
``BatchSpanProcessor`` (export on the processor's thread, after the call: only what was
recorded when the call started is known there)."""

from __future__ import annotations

import openai
import pytest

pytest.importorskip("opentelemetry.sdk")

import amplitude_ai
from amplitude_ai.testing import FakeReply

from ._events import tracked


def _count(ai) -> tuple[int, int]:
    return len(tracked(ai, "user_message")), len(tracked(ai, "ai_response"))


def _openai_client(server, provider_layer: str, ai, **kwargs):
    options = {"api_key": "sk-test", "base_url": server.openai_url, "max_retries": 0, **kwargs}
    if provider_layer == "patch":
        amplitude_ai.patch_openai(ai)
        return openai.OpenAI(**options)
    return amplitude_ai.OpenAI(amplitude=ai, **options)


def _bridge(ai, processor: str):
    """A tracer provider whose spans the bridge exports through ``processor``."""
    from amplitude_ai.integrations.opentelemetry import AmplitudeAgentExporter

    from ._otel import tracer_provider

    return tracer_provider(AmplitudeAgentExporter(ai), processor)


def _flushed(provider) -> None:
    from ._otel import flush_like_the_batch_worker

    flush_like_the_batch_worker(provider)


ALL_PROCESSORS = ["simple", "amplitude-batch", "plain-batch"]
# A failed HTTP-level request below a drop-in call carries no response id, and its span
# starts after the call did: only the span's own context tells (inline, or kept by
# AmplitudeSpanProcessor). A plain BatchSpanProcessor is warned about instead.
CONTEXT_PROCESSORS = ["simple", "amplitude-batch"]


@pytest.mark.parametrize("processor", ALL_PROCESSORS)
@pytest.mark.parametrize("provider_layer", ["patch", "drop-in"])
def test_bridge_span_around_a_provider_call_reports_once(
    ai, server, llm, provider_layer, processor
):
    """An instrumentation wrapping the SDK method (OpenLLMetry, OpenLIT style): the span
    ends after the provider layer has reported."""
    client = _openai_client(server, provider_layer, ai)
    provider = _bridge(ai, processor)
    tracer = provider.get_tracer("openllmetry")
    with ai.agent("bot").session(user_id="u-1"):
        attributes = {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": "openai",
            "gen_ai.request.model": "gpt-4o-mini",
            "gen_ai.input.messages": '[{"role":"user","parts":[{"type":"text","content":"hi"}]}]',
        }
        with tracer.start_as_current_span("chat gpt-4o-mini", attributes=attributes) as span:
            reply = client.chat.completions.create(
                model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}]
            )
            span.set_attribute("gen_ai.response.id", reply.id)
            span.set_attribute("gen_ai.usage.input_tokens", reply.usage.prompt_tokens)
    _flushed(provider)
    assert _count(ai) == (1, 1)
    assert "span_kind" not in tracked(ai, "ai_response")[0]  # the provider layer's event


@pytest.mark.parametrize("processor", ALL_PROCESSORS)
def test_bridge_span_around_an_inner_span_around_a_call_reports_once(ai, server, llm, processor):
    """A framework's chat span around another (non-GenAI) span around the SDK call: the
    cover passes up from the span the call started under."""
    client = _openai_client(server, "drop-in", ai)
    provider = _bridge(ai, processor)
    tracer = provider.get_tracer("framework")
    llm.fail(500, "down")  # no response id to match either
    with (
        ai.agent("bot").session(user_id="u-1"),
        _outer_chat_span(tracer),
        tracer.start_as_current_span("retry-loop"),
        pytest.raises(openai.InternalServerError),
    ):
        client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}]
        )
    _flushed(provider)
    (reply,) = tracked(ai, "ai_response")
    assert reply["is_error"] is True and "span_kind" not in reply


@pytest.mark.parametrize("processor", ALL_PROCESSORS)
@pytest.mark.parametrize("provider_layer", ["patch", "drop-in"])
def test_bridge_span_inside_a_provider_call_reports_once(
    ai, server, llm, provider_layer, processor
):
    """An instrumentation below the SDK (HTTP level): the provider layer reports; the
    bridge defers (inline: the provider layer's call is still open in the context the span
    ends in; batched: that context is kept, or the response id is already claimed)."""
    from ._otel import instrumented_http_client

    provider = _bridge(ai, processor)
    http_client = instrumented_http_client(provider, capture_content=True)
    client = _openai_client(server, provider_layer, ai, http_client=http_client)
    with ai.agent("bot").session(user_id="u-1"):
        client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}]
        )
    _flushed(provider)
    assert _count(ai) == (1, 1)
    assert "span_kind" not in tracked(ai, "ai_response")[0]


@pytest.mark.parametrize("processor", CONTEXT_PROCESSORS)
@pytest.mark.parametrize("provider_layer", ["patch", "drop-in"])
def test_bridge_span_inside_a_failed_provider_call_reports_once(
    ai, server, llm, provider_layer, processor
):
    """The HTTP-level span ends with the error before the SDK raises; the failure has no
    response id, so only the provider layer's open call tells the bridge it is covered."""
    from ._otel import instrumented_http_client

    provider = _bridge(ai, processor)
    http_client = instrumented_http_client(provider, capture_content=True)
    client = _openai_client(server, provider_layer, ai, http_client=http_client)
    llm.fail(500, "down")
    with ai.agent("bot").session(user_id="u-1"), pytest.raises(openai.InternalServerError):
        client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}]
        )
    _flushed(provider)
    (reply,) = tracked(ai, "ai_response")
    assert reply["is_error"] is True and "span_kind" not in reply


@pytest.mark.parametrize("processor", CONTEXT_PROCESSORS)
def test_bridge_spans_of_retried_requests_report_the_call_once(ai, server, llm, processor):
    """Each retried HTTP request is its own span; the SDK call they belong to is one."""
    from ._otel import instrumented_http_client

    provider = _bridge(ai, processor)
    client = amplitude_ai.OpenAI(
        amplitude=ai,
        api_key="sk-test",
        base_url=server.openai_url,
        max_retries=1,
        http_client=instrumented_http_client(provider, capture_content=False),
    )
    llm.queue(FakeReply(status=500, error_message="blip", retryable=True), FakeReply("ok"))
    with ai.agent("bot").session(user_id="u-1"):
        client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}]
        )
    _flushed(provider)
    assert len(server.requests) >= 2
    (reply,) = tracked(ai, "ai_response")
    assert reply["is_error"] is False


def test_a_plain_batch_processor_is_warned_about_once(ai, server, llm, caplog):
    """Under a plain BatchSpanProcessor an HTTP-level span of a failed request cannot be
    matched to its call: the exporter says so, naming the processor to use instead."""
    from amplitude_ai import _logging

    from ._otel import instrumented_http_client

    _logging._seen.discard("otel-batch-detached")  # logged once per process
    provider = _bridge(ai, "plain-batch")
    client = _openai_client(
        server, "drop-in", ai, http_client=instrumented_http_client(provider, capture_content=False)
    )
    client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}])
    with caplog.at_level("WARNING", logger="amplitude_ai"):
        _flushed(provider)
    assert "AmplitudeSpanProcessor(exporter)" in caplog.text


def _outer_chat_span(tracer):
    attributes = {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.input.messages": '[{"role":"user","parts":[{"type":"text","content":"hi"}]}]',
    }
    return tracer.start_as_current_span("chat gpt-4o-mini", attributes=attributes)


@pytest.mark.parametrize("processor", ALL_PROCESSORS)
@pytest.mark.parametrize("read_inside", [True, False], ids=["read-inside", "read-after"])
def test_bridge_span_around_a_drop_in_stream_without_response_id_reports_once(
    ai, server, llm, read_inside, processor
):
    """An outer span that records no response id around a streamed call: the stream is
    read inside the span, or after the span has already ended."""
    client = _openai_client(server, "drop-in", ai)
    provider = _bridge(ai, processor)
    tracer = provider.get_tracer("openllmetry")
    llm.reply("Streamed once.")
    with ai.agent("bot").session(user_id="u-1"):
        with _outer_chat_span(tracer):
            stream = client.chat.completions.create(
                model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], stream=True
            )
            text = "".join(c.choices[0].delta.content or "" for c in stream) if read_inside else ""
        if not read_inside:
            text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    _flushed(provider)
    assert text == "Streamed once."
    assert _count(ai) == (1, 1)
    (reply,) = tracked(ai, "ai_response")
    assert reply["is_streaming"] is True and "span_kind" not in reply


@pytest.mark.parametrize("processor", ALL_PROCESSORS)
def test_bridge_span_around_a_failed_drop_in_call_reports_once(ai, server, llm, processor):
    client = _openai_client(server, "drop-in", ai)
    provider = _bridge(ai, processor)
    tracer = provider.get_tracer("openllmetry")
    llm.fail(500, "down")
    with (
        ai.agent("bot").session(user_id="u-1"),
        pytest.raises(openai.InternalServerError),
        _outer_chat_span(tracer),
    ):
        client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}]
        )
    _flushed(provider)
    (reply,) = tracked(ai, "ai_response")
    assert reply["is_error"] is True and "span_kind" not in reply


@pytest.mark.parametrize("processor", ALL_PROCESSORS)
@pytest.mark.parametrize("earlier", ["finished", "stream-left-unread"])
def test_bridge_still_reports_a_span_with_no_provider_layer_call_inside(
    ai, server, llm, earlier, processor
):
    """A drop-in call made before the span (finished, or a stream nobody reads) does not
    silence the span's own model call."""
    client = _openai_client(server, "drop-in", ai)
    provider = _bridge(ai, processor)
    tracer = provider.get_tracer("openllmetry")
    with ai.agent("bot").session(user_id="u-1"):
        unread = client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": "first"}],
            stream=earlier == "stream-left-unread",
        )
        with _outer_chat_span(tracer):
            pass  # e.g. a model call through a client the SDK does not instrument
    _flushed(provider)
    assert unread is not None  # still referenced: the stream has not been closed
    kinds = [r.get("span_kind") for r in tracked(ai, "ai_response")]
    assert kinds == ([None, "llm"] if earlier == "finished" else ["llm"])
