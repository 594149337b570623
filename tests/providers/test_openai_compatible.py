"""OpenAI clients aimed at OpenAI-compatible hosts report the host's provider and cost.

The real openai client sends to the real host names (``api.groq.com``, ``localhost:11434``
...) under each service's own base-URL path; a transport at the network edge delivers
the requests to the local fake server on 127.0.0.1, which answers in OpenAI's format.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import openai
import pytest

import amplitude_ai
from amplitude_ai.providers._openai_fields import _chunks_declare_usage
from amplitude_ai.providers.registry import (
    COMPATIBLE_HOSTS,
    UNKNOWN_HOST_PROVIDER,
    provider_for_host,
)
from providers._helpers import tracked

QUESTION = [{"role": "user", "content": "What is retention?"}]

# base_url (as each service documents it), provider, a model it serves, priced?
HOSTS = [
    ("https://api.groq.com/openai/v1", "groq", "llama-3.3-70b-versatile", True),
    ("https://api.together.xyz/v1", "together", "meta-llama/Llama-3.3-70B-Instruct-Turbo", True),
    ("https://api.deepseek.com", "deepseek", "deepseek-chat", True),
    ("https://openrouter.ai/api/v1", "openrouter", "openai/gpt-4o", True),
    (
        "https://api.fireworks.ai/inference/v1",
        "fireworks",
        "accounts/fireworks/models/llama-v3p1-8b-instruct",
        True,
    ),
    ("https://api.mistral.ai/v1", "mistral", "mistral-small-latest", True),
    ("https://api.x.ai/v1", "xai", "grok-3", True),
    ("https://api.perplexity.ai", "perplexity", "sonar", True),
    ("https://api.cerebras.ai/v1", "cerebras", "llama3.1-8b", True),
    (
        "https://generativelanguage.googleapis.com/v1beta/openai/",
        "gemini",
        "gemini-2.0-flash",
        True,
    ),
    ("http://localhost:11434/v1", "ollama", "llama3.2", False),
    ("http://localhost:1234/v1", "lm_studio", "qwen2.5-7b-instruct", False),
    ("http://127.0.0.1:8000/v1", "vllm", "meta-llama/Llama-3.1-8B-Instruct", False),
    # Unknown host: provider unknown, the model name alone prices it (an OpenAI model here).
    ("https://llm-gateway.example.com/v1", UNKNOWN_HOST_PROVIDER, "gpt-4o-mini", True),
    ("https://api.openai.com/v1", "openai", "gpt-4o-mini", True),
]


def _httpx_module():
    """The HTTP library this openai release sends through (httpx, or httpx2 later)."""
    import openai._base_client as base

    return getattr(base, "httpx2", None) or base.httpx


def _http_client(server, *, is_async: bool):
    """An HTTP client whose transport delivers every request to ``server`` (the request
    keeps its URL and Host header up to the transport: only the socket goes elsewhere)."""
    httpx = _httpx_module()
    port = urlsplit(server.url).port

    def local(request):
        request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=port)
        return request

    if is_async:

        class AsyncRedirect(httpx.AsyncHTTPTransport):
            async def handle_async_request(self, request):
                return await super().handle_async_request(local(request))

        return httpx.AsyncClient(transport=AsyncRedirect())

    class Redirect(httpx.HTTPTransport):
        def handle_request(self, request):
            return super().handle_request(local(request))

    return httpx.Client(transport=Redirect())


def _client(cls, server, ai, base_url, *, is_async=False):
    kwargs = {"api_key": "k", "base_url": base_url, "max_retries": 0}
    kwargs["http_client"] = _http_client(server, is_async=is_async)
    return cls(amplitude=ai, **kwargs) if ai is not None else cls(**kwargs)


@pytest.mark.parametrize(("base_url", "provider", "model", "priced"), HOSTS)
def test_provider_and_cost_come_from_the_host(
    server, llm, ai, session, base_url, provider, model, priced
):
    client = _client(amplitude_ai.OpenAI, server, ai, base_url)
    client.chat.completions.create(model=model, messages=QUESTION)
    path = urlsplit(base_url).path.rstrip("/")
    assert llm.calls[0].path == f"{path}/chat/completions"  # the service's own path
    [event] = tracked(ai, "ai_response")
    assert event["provider"] == provider
    assert event["model_name"] == model
    assert event["input_tokens"] == 24
    assert ("cost_usd" in event) is priced
    if priced:
        assert event["cost_usd"] > 0


def test_async_stream_wrap_and_patch_report_the_host(server, llm, ai, session):
    groq = "https://api.groq.com/openai/v1"

    async def stream():
        client = _client(amplitude_ai.AsyncOpenAI, server, ai, groq, is_async=True)
        response = await client.chat.completions.create(
            model="llama-3.3-70b-versatile", messages=QUESTION, stream=True
        )
        async for _ in response:
            pass

    asyncio.run(stream())
    raw = _client(openai.OpenAI, server, None, "http://localhost:11434/v1")
    amplitude_ai.wrap(raw, ai).chat.completions.create(model="llama3.2", messages=QUESTION)
    raw.chat.completions.create(model="llama3.2", messages=QUESTION)  # untouched: untracked
    amplitude_ai.patch_openai(ai)
    raw.embeddings.create(model="nomic-embed-text", input="retention")
    events = tracked(ai, "ai_response")
    assert [(e["provider"], e["is_streaming"]) for e in events] == [
        ("groq", True),
        ("ollama", False),
    ]
    assert events[0]["ttfb_ms"] > 0
    if _chunks_declare_usage():  # releases with stream_options: the usage chunk is asked for
        assert events[0]["output_tokens"] == 12
    [embedding] = tracked(ai, "embedding")
    assert embedding["provider"] == "ollama" and "cost_usd" not in embedding


def test_a_copy_with_another_base_url_reports_the_new_host(server, llm, ai, session):
    client = _client(amplitude_ai.OpenAI, server, ai, "https://api.openai.com/v1")
    moved = client.with_options(base_url="https://api.deepseek.com")
    moved.chat.completions.create(model="deepseek-chat", messages=QUESTION)
    client.chat.completions.create(model="gpt-4o-mini", messages=QUESTION)
    assert [e["provider"] for e in tracked(ai, "ai_response")] == ["deepseek", "openai"]


def test_azure_clients_and_local_test_servers_keep_their_provider(server, llm, ai, session):
    """An Azure client is Azure wherever it points; a loopback address on no known model
    server's port is a local proxy or test double of the client's own provider."""
    azure = amplitude_ai.AzureOpenAI(
        amplitude=ai,
        api_key="a",
        azure_endpoint=server.url,
        api_version="2024-10-21",
        max_retries=0,
    )
    azure.chat.completions.create(model="gpt-4o", messages=QUESTION)
    local = amplitude_ai.OpenAI(
        amplitude=ai, api_key="k", base_url=server.openai_url, max_retries=0
    )
    local.chat.completions.create(model="gpt-4o", messages=QUESTION)
    assert [e["provider"] for e in tracked(ai, "ai_response")] == ["azure_openai", "openai"]


@pytest.mark.parametrize(
    ("host", "port", "expected"),
    [
        ("API.GROQ.COM", None, "groq"),
        ("myresource.openai.azure.com", 443, "azure_openai"),
        ("europe-west4-aiplatform.googleapis.com", None, "vertex_ai"),
        ("gpu-box.lan", 11434, "ollama"),  # Ollama's port is recognised off this machine too
        ("gpu-box.lan", 8000, UNKNOWN_HOST_PROVIDER),  # 8000 only means vLLM locally
        ("localhost", 8080, "openai"),
        ("evilgroq.com", None, UNKNOWN_HOST_PROVIDER),  # a suffix is not a subdomain
    ],
)
def test_host_rules(host, port, expected):
    assert provider_for_host(host, port, "openai") == expected


def test_every_host_entry_is_priced_by_an_id_genai_prices_knows():
    from genai_prices import data_snapshot

    known = {p.id for p in data_snapshot.get_snapshot().providers}
    for entry in COMPATIBLE_HOSTS:
        assert not entry.pricing_id or entry.pricing_id in known, entry
        assert not (entry.self_hosted and entry.pricing_id), entry
