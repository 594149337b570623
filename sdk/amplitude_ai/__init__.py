"""amplitude_ai: agent analytics for Amplitude.

Track LLM conversations as ``[Agent]`` events (user messages, AI responses, tool calls,
embeddings, spans, sessions, enrichments and scores) through the official
``amplitude-analytics`` client. Importing this package has no side effects and imports no
provider SDK.
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
from .propagation import extract_context, inject_context
from .session import Session
from .testing import MockAmplitudeAI

__all__ = [
    "AIConfig",
    "AmplitudeAI",
    "AmplitudeAIError",
    "BoundAgent",
    "ConfigurationError",
    "ContentMode",
    "EvidenceQuote",
    "MessageLabel",
    "MockAmplitudeAI",
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
    "tool",
    "validate_event",
]
