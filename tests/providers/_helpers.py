"""Shared helpers for the provider wrapper tests: clients aimed at the local fake server,
and comparisons that ignore per-response random ids."""

from __future__ import annotations

from typing import Any

import anthropic
import openai

import amplitude_ai
from amplitude_ai.testing import MockAmplitudeAI
from support.llm_server import LLMServer

AZURE_API_VERSION = "2024-10-21"


def openai_kwargs(server: LLMServer) -> dict[str, Any]:
    return {"api_key": "sk-test", "base_url": server.openai_url, "max_retries": 0}


def azure_kwargs(server: LLMServer) -> dict[str, Any]:
    return {
        "api_key": "azure-test",
        "azure_endpoint": server.url,
        "api_version": AZURE_API_VERSION,
        "max_retries": 0,
    }


def anthropic_kwargs(server: LLMServer) -> dict[str, Any]:
    return {"api_key": "sk-ant-test", "base_url": server.url, "max_retries": 0}


# provider name -> (raw sync, raw async, ours sync, ours async, kwargs factory)
CLIENTS: dict[str, tuple[Any, Any, str, str, Any]] = {
    "openai": (openai.OpenAI, openai.AsyncOpenAI, "OpenAI", "AsyncOpenAI", openai_kwargs),
    "azure_openai": (
        openai.AzureOpenAI,
        openai.AsyncAzureOpenAI,
        "AzureOpenAI",
        "AsyncAzureOpenAI",
        azure_kwargs,
    ),
    "anthropic": (
        anthropic.Anthropic,
        anthropic.AsyncAnthropic,
        "Anthropic",
        "AsyncAnthropic",
        anthropic_kwargs,
    ),
}


def make_clients(provider: str, server: LLMServer, ai: Any, *, is_async: bool) -> tuple[Any, Any]:
    """(raw client, instrumented client) of ``provider`` aimed at ``server``."""
    raw_sync, raw_async, ours_sync, ours_async, kwargs = CLIENTS[provider]
    raw_cls = raw_async if is_async else raw_sync
    ours_cls = getattr(amplitude_ai, ours_async if is_async else ours_sync)
    return raw_cls(**kwargs(server)), ours_cls(amplitude=ai, **kwargs(server))


def without_ids(value: Any) -> Any:
    """``value`` (a model dump) without the per-response random ids and timestamps."""
    if isinstance(value, dict):
        return {
            k: without_ids(v)
            for k, v in value.items()
            if k not in ("id", "call_id", "item_id", "created", "created_at", "signature")
        }
    if isinstance(value, list):
        return [without_ids(v) for v in value]
    return value


def dump(obj: Any) -> Any:
    return without_ids(obj.model_dump())


def props(event: dict[str, Any]) -> dict[str, Any]:
    """Event properties keyed by catalog key (``model_name``) instead of wire name."""
    from amplitude_ai.catalog import load_catalog

    names = {v: k for k, v in load_catalog().property_names.items()}
    return {names.get(k, k): v for k, v in event["event_properties"].items()}


def tracked(ai: MockAmplitudeAI, kind: str) -> list[dict[str, Any]]:
    from amplitude_ai.catalog import load_catalog

    return [props(e) for e in ai.events_of_type(load_catalog().event_names[kind])]
