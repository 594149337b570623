"""amplitude_ai: agent analytics for Amplitude.

Track LLM conversations as ``[Agent]`` events (user messages, AI responses, tool calls,
embeddings, spans, sessions, enrichments and scores) through the official
``amplitude-analytics`` client. Importing this package has no side effects and imports no
provider SDK: the instrumented clients (``OpenAI``, ``AsyncOpenAI``, ``AzureOpenAI``,
``AsyncAzureOpenAI``, ``Anthropic``, ``AsyncAnthropic``, ``Gemini``, ``Mistral``, and the
``Bedrock`` client factory) load their SDK on first access.
"""

from ._version import __version__
from .agent import BoundAgent, TenantHandle
from .catalog import validate_event
from .client import AmplitudeAI
from .config import AIConfig, ContentMode
from .context import SessionContext, current_context
from .costs import calculate_cost, infer_model_tier
from .decorators import observe, tool
from .enrichments import (
    EvidenceQuote,
    MessageLabel,
    RubricScore,
    SessionEnrichments,
    TopicClassification,
)
from .exceptions import AmplitudeAIError, ConfigurationError, ValidationError
from .patching import (
    patch,
    patch_anthropic,
    patch_azure_openai,
    patch_bedrock,
    patch_gemini,
    patch_litellm,
    patch_mistral,
    patch_openai,
    unpatch,
)
from .propagation import extract_context, inject_context
from .providers.registry import PROVIDERS as _PROVIDERS
from .session import Session
from .testing import MockAmplitudeAI
from .wrappers import wrap

# Instrumented provider clients, imported on first access (each pulls in its provider SDK).
# The names and modules come from the provider registry (pure data, no provider import).
_LAZY_CLIENTS = {name: p.drop_in_module for p in _PROVIDERS for name in p.drop_ins}
# Framework integrations, imported on first access (each pulls in its framework).
_LAZY_INTEGRATIONS = {
    "AmplitudeCallbackHandler": "langchain",
    "create_amplitude_callback": "langchain",
    "AmplitudeLlamaIndexHandler": "llamaindex",
}

__all__ = [
    "AIConfig",
    "AmplitudeAI",
    "AmplitudeAIError",
    "Anthropic",
    "AsyncAnthropic",
    "AsyncAzureOpenAI",
    "AsyncOpenAI",
    "AzureOpenAI",
    "Bedrock",
    "BoundAgent",
    "ConfigurationError",
    "ContentMode",
    "EvidenceQuote",
    "Gemini",
    "MessageLabel",
    "Mistral",
    "MockAmplitudeAI",
    "OpenAI",
    "RubricScore",
    "Session",
    "SessionContext",
    "SessionEnrichments",
    "TenantHandle",
    "TopicClassification",
    "ValidationError",
    "__version__",
    "calculate_cost",
    "current_context",
    "extract_context",
    "infer_model_tier",
    "inject_context",
    "observe",
    "patch",
    "patch_anthropic",
    "patch_azure_openai",
    "patch_bedrock",
    "patch_gemini",
    "patch_litellm",
    "patch_mistral",
    "patch_openai",
    "tool",
    "unpatch",
    "validate_event",
    "wrap",
]


def __getattr__(name: str) -> object:
    import importlib

    if name in _LAZY_INTEGRATIONS:
        path = f"amplitude_ai.integrations.{_LAZY_INTEGRATIONS[name]}"
    elif name in _LAZY_CLIENTS:
        path = f"amplitude_ai.providers.{_LAZY_CLIENTS[name]}"
    else:
        raise AttributeError(f"module 'amplitude_ai' has no attribute {name!r}")
    value = getattr(importlib.import_module(path), name)
    if name in _LAZY_CLIENTS:
        globals()[name] = value  # later lookups skip this function
    # Integration names stay out of the module namespace (and of __all__): they are
    # optional extras, and ``from amplitude_ai import *`` must not import frameworks.
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY_CLIENTS) | set(_LAZY_INTEGRATIONS))
