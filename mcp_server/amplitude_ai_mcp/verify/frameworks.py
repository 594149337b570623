"""Framework call sites in the generated verify test.

A framework site (LangChain, LangGraph, LlamaIndex, OpenAI Agents, pydantic-ai) is checked
like a provider call: the fake LLM answers the provider request the framework's own client
makes, and the integration registered in the bootstrap must report it as exactly one
``[Agent] AI Response``. The provider the event names is the framework client's provider,
known from the client's constructor where the scan saw it; otherwise it is not checked.
"""

from __future__ import annotations

from typing import Protocol

import libcst as cst

from amplitude_ai_mcp.detect import providers as P
from amplitude_ai_mcp.detect.sites import CallSite

# Constructor (qualified name prefix) -> the [Agent] Provider value its integration reports.
_PROVIDER_OF_ORIGIN: tuple[tuple[str, str], ...] = (
    ("langchain_openai.AzureChatOpenAI", "azure_openai"),
    ("langchain_openai.", "openai"),
    ("langchain_anthropic.", "anthropic"),
)
# Frameworks whose runs call one provider by default (the Agents SDK's OpenAI client).
_DEFAULT_PROVIDER = {"openai-agents": "openai"}


def checked(site: CallSite) -> bool:
    """A framework site the generated test drives and checks (it has an integration)."""
    return site.kind == "framework" and site.integration is not None


def provider_value(site: CallSite) -> str | None:
    """What the integration writes as [Agent] Provider for this site (None: unknown)."""
    origin = site.client_origin or ""
    for prefix, value in _PROVIDER_OF_ORIGIN:
        if origin.startswith(prefix):
            return value
    return _DEFAULT_PROVIDER.get(site.provider)


class _Module(Protocol):
    tree: cst.Module


MIDDLEWARE_NAMES = tuple({m.rsplit(".", 1)[-1] for _, m in P.WEB_APPS.values()})


def has_middleware(module: _Module) -> bool:
    """The module registers the SDK's web middleware: its routes run in per-request
    sessions, whose user the test names where the resolver reads it (``request_identity``)."""
    code = module.tree.code
    return any(name in code for name in MIDDLEWARE_NAMES)
