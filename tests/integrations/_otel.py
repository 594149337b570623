"""A small GenAI instrumentation for tests: OpenTelemetry spans following the GenAI
semantic conventions around real OpenAI HTTP calls (httpx event hooks), the way
HTTP-level instrumentations such as OpenLIT observe a provider client."""

from __future__ import annotations

import json
import threading
from typing import Any

import httpx
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
from opentelemetry.trace import Status, StatusCode

SCOPE = "tests.genai.openai"


# How the bridge's exporter is attached: inline (the seed's form), batched through the
# bridge's own processor (keeps each span's context), or a plain BatchSpanProcessor.
PROCESSORS = ("simple", "amplitude-batch", "plain-batch")


def tracer_provider(exporter: Any, processor: str = "simple") -> TracerProvider:
    """A tracer provider exporting to ``exporter``; call ``force_flush()`` before reading
    the events of a batched one. Batches wait for the flush (no timed export mid-test)."""
    from amplitude_ai.integrations.opentelemetry import AmplitudeSpanProcessor

    provider = TracerProvider()
    if processor == "simple":
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    elif processor == "amplitude-batch":
        provider.add_span_processor(AmplitudeSpanProcessor(exporter, schedule_delay_millis=60_000))
    elif processor == "plain-batch":
        provider.add_span_processor(BatchSpanProcessor(exporter, schedule_delay_millis=60_000))
    else:
        raise ValueError(f"unknown processor {processor!r}; one of {PROCESSORS}")
    return provider


def flush_like_the_batch_worker(provider: TracerProvider) -> None:
    """Export what is queued the way the batch worker does: on a thread of its own (the
    SDK's worker name), in a context that knows nothing of the app's calls; then shut the
    provider down. Inline processors exported already: flushing them is a no-op."""
    flushed: list[bool] = []

    def worker() -> None:
        flushed.append(provider.force_flush())
        provider.shutdown()

    thread = threading.Thread(target=worker, name="OtelBatchSpanRecordProcessor")
    thread.start()
    thread.join()
    assert flushed == [True]


def _messages(body: dict[str, Any]) -> str:
    return json.dumps(
        [
            {"role": m["role"], "parts": [{"type": "text", "content": m.get("content")}]}
            for m in body.get("messages", [])
        ]
    )


def instrumented_http_client(provider: TracerProvider, *, capture_content: bool) -> httpx.Client:
    """An ``httpx.Client`` whose chat-completion calls produce one GenAI span each."""
    tracer = provider.get_tracer(SCOPE)

    def on_request(request: httpx.Request) -> None:
        if not request.url.path.endswith("/chat/completions"):
            return
        body = json.loads(request.content or b"{}")
        attributes = {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": "openai",
            "gen_ai.request.model": body.get("model"),
        }
        if capture_content:
            attributes["gen_ai.input.messages"] = _messages(body)
        span = tracer.start_span(f"chat {body.get('model')}", attributes=attributes)
        request.extensions["genai_span"] = span

    def on_response(response: httpx.Response) -> None:
        span = response.request.extensions.get("genai_span")
        if span is None:
            return
        response.read()
        data = response.json()
        if response.status_code >= 400:
            span.set_attribute("error.type", str(response.status_code))
            span.set_status(Status(StatusCode.ERROR, data["error"]["message"]))
        else:
            usage = data.get("usage") or {}
            span.set_attributes(
                {
                    "gen_ai.response.id": data["id"],
                    "gen_ai.response.model": data["model"],
                    "gen_ai.usage.input_tokens": usage.get("prompt_tokens", 0),
                    "gen_ai.usage.output_tokens": usage.get("completion_tokens", 0),
                    "gen_ai.response.finish_reasons": [data["choices"][0]["finish_reason"]],
                }
            )
            if capture_content:
                message = data["choices"][0]["message"]
                span.set_attribute(
                    "gen_ai.output.messages",
                    json.dumps(
                        [
                            {
                                "role": "assistant",
                                "parts": [{"type": "text", "content": message["content"]}],
                            }
                        ]
                    ),
                )
        span.end()

    return httpx.Client(event_hooks={"request": [on_request], "response": [on_response]})
