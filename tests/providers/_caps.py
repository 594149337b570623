"""What the installed provider SDK releases offer, for tests that run across the version
matrix (scripts/provider_matrix.py): a surface a release lacks is skipped, by capability."""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

import anthropic
import openai
import pytest


def _module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


chat_module = _module("openai.resources.chat.completions")
responses_module = _module("openai.resources.responses")
embeddings_module = _module("openai.resources.embeddings")
anthropic_messages = _module("anthropic.resources.messages")
beta_messages = _module("anthropic.resources.beta.messages")

HAS_RESPONSES = responses_module is not None
HAS_CHAT_PARSE = hasattr(getattr(chat_module, "Completions", None), "parse") or hasattr(
    _module("openai.resources.beta.chat.completions"), "Completions"
)
HAS_CHAT_STREAM_HELPER = hasattr(getattr(chat_module, "Completions", None), "stream")
HAS_ANTHROPIC_BETA_MESSAGES = beta_messages is not None and hasattr(beta_messages, "Messages")
HAS_ANTHROPIC_STREAM_HELPER = hasattr(getattr(anthropic_messages, "Messages", None), "stream")
HAS_ANTHROPIC_PARSE = hasattr(getattr(anthropic_messages, "Messages", None), "parse")
HAS_HTTPX2 = importlib.util.find_spec("httpx2") is not None

needs_responses = pytest.mark.skipif(not HAS_RESPONSES, reason="no Responses API in this openai")
needs_chat_stream_helper = pytest.mark.skipif(
    not HAS_CHAT_STREAM_HELPER, reason="no chat.completions.stream() in this openai"
)
needs_chat_parse = pytest.mark.skipif(
    not hasattr(getattr(chat_module, "Completions", None), "parse"),
    reason="no chat.completions.parse() in this openai",
)
needs_anthropic_beta_messages = pytest.mark.skipif(
    not HAS_ANTHROPIC_BETA_MESSAGES, reason="no beta.messages in this anthropic"
)
needs_anthropic_stream_helper = pytest.mark.skipif(
    not HAS_ANTHROPIC_STREAM_HELPER, reason="no messages.stream() in this anthropic"
)
needs_anthropic_parse = pytest.mark.skipif(
    not HAS_ANTHROPIC_PARSE, reason="no messages.parse() in this anthropic"
)
needs_httpx2 = pytest.mark.skipif(not HAS_HTTPX2, reason="this SDK release sends through httpx")

OPENAI_VERSION = openai.__version__
ANTHROPIC_VERSION = anthropic.__version__


def _accepts(cls: Any, method: str, param: str) -> bool:
    import inspect

    func = getattr(cls, method, None)
    return func is not None and param in inspect.signature(func).parameters


ANTHROPIC_HAS_THINKING = _accepts(
    getattr(anthropic_messages, "Messages", None), "create", "thinking"
)
# openai>=1.26 knows stream_options (its chunks declare usage): the wrapper asks for usage.
OPENAI_HAS_STREAM_OPTIONS = _accepts(
    getattr(chat_module, "Completions", None), "create", "stream_options"
)
HAS_STREAM_CLOSE = hasattr(openai.Stream, "close")
HAS_STREAMING_RESPONSE = hasattr(chat_module, "CompletionsWithStreamingResponse")
needs_streaming_response = pytest.mark.skipif(
    not HAS_STREAMING_RESPONSE, reason="no with_streaming_response in this openai"
)
needs_stream_options = pytest.mark.skipif(
    not OPENAI_HAS_STREAM_OPTIONS, reason="no stream_options in this openai"
)
needs_stream_close = pytest.mark.skipif(not HAS_STREAM_CLOSE, reason="streams have no close()")


def thinking_kwargs(thinking: dict[str, Any]) -> dict[str, Any]:
    """``thinking=`` where the SDK knows it, else sent through ``extra_body``."""
    return (
        {"thinking": thinking} if ANTHROPIC_HAS_THINKING else {"extra_body": {"thinking": thinking}}
    )


HAS_ANTHROPIC_TOOLS = hasattr(anthropic.types, "ToolUseBlock")


# Tool calling: openai>=1.1 (``tools=``), anthropic's Messages API from its tool-use release.
OPENAI_HAS_TOOLS = _accepts(getattr(chat_module, "Completions", None), "create", "tools")
ANTHROPIC_HAS_TOOLS_PARAM = _accepts(
    getattr(anthropic_messages, "Messages", None), "create", "tools"
)
needs_openai_tools = pytest.mark.skipif(not OPENAI_HAS_TOOLS, reason="no tools= in this openai")
needs_anthropic_tools = pytest.mark.skipif(
    not ANTHROPIC_HAS_TOOLS_PARAM, reason="no tools= in this anthropic"
)


def _has_beta_chat_parse() -> bool:
    # Looked up on a client: the beta namespace moved between releases.
    try:
        return hasattr(openai.OpenAI(api_key="offline").beta.chat.completions, "parse")
    except Exception:
        return False


needs_beta_chat_parse = pytest.mark.skipif(
    not _has_beta_chat_parse(), reason="no beta.chat.completions.parse() in this openai"
)


# OpenAI's other endpoints (images, audio, moderations, legacy completions).
def _takes(module_name: str, class_name: str, method: str, param: str) -> bool:
    import inspect

    cls = getattr(_module(module_name), class_name, None)
    func = getattr(cls, method, None)
    if func is None:
        return False
    try:
        return param in inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False


HAS_IMAGE_STREAM = _takes("openai.resources.images", "Images", "generate", "stream")
HAS_TRANSCRIPTION_STREAM = _takes(
    "openai.resources.audio.transcriptions", "Transcriptions", "create", "stream"
)
HAS_STREAMING_RESPONSE = hasattr(
    getattr(_module("openai.resources.audio.speech"), "Speech", None), "with_streaming_response"
)
HAS_REALTIME = any(
    hasattr(getattr(_module(m), "Realtime", None), "connect")
    for m in ("openai.resources.realtime.realtime", "openai.resources.beta.realtime.realtime")
)
# Plain-text transcripts come back as ``str`` (older releases parse every format as JSON).
HAS_TEXT_TRANSCRIPTS = hasattr(
    _module("openai.resources.audio.transcriptions"), "_get_response_format_type"
) or hasattr(_module("openai.resources.audio.transcriptions"), "_create_response_format_type")
HAS_ASSISTANTS = _module("openai.resources.beta.threads") is not None

needs_image_stream = pytest.mark.skipif(not HAS_IMAGE_STREAM, reason="no image streams here")
needs_transcription_stream = pytest.mark.skipif(
    not HAS_TRANSCRIPTION_STREAM, reason="no streamed transcriptions in this openai"
)
needs_streaming_response = pytest.mark.skipif(
    not HAS_STREAMING_RESPONSE, reason="no with_streaming_response in this openai"
)
needs_realtime = pytest.mark.skipif(not HAS_REALTIME, reason="no Realtime API in this openai")
needs_text_transcripts = pytest.mark.skipif(
    not HAS_TEXT_TRANSCRIPTS, reason="this openai parses every transcript format as JSON"
)
needs_assistants = pytest.mark.skipif(not HAS_ASSISTANTS, reason="no Assistants API here")
HAS_IMAGE_MODEL = _takes("openai.resources.images", "Images", "generate", "model")
HAS_SPEECH = hasattr(_module("openai.resources.audio.speech"), "Speech")
needs_image_model = pytest.mark.skipif(
    not HAS_IMAGE_MODEL, reason="images take no model= in this openai"
)
needs_speech = pytest.mark.skipif(not HAS_SPEECH, reason="no audio.speech in this openai")
HAS_BATCHES = _module("openai.resources.batches") is not None
needs_batches = pytest.mark.skipif(not HAS_BATCHES, reason="no Batch API in this openai")


def _bedrock_model() -> Any:
    """botocore's bundled bedrock-runtime service model (no client, no credentials)."""
    try:
        import botocore.session
    except ImportError:
        return None
    try:
        return botocore.session.get_session().get_service_model("bedrock-runtime")
    except Exception:  # a botocore from before Bedrock
        return None


def _members(model: Any, shape: str) -> frozenset[str]:
    try:
        return frozenset(model.shape_for(shape).members)
    except Exception:
        return frozenset()


_BEDROCK = _bedrock_model()
BEDROCK_OPERATIONS = frozenset(_BEDROCK.operation_names) if _BEDROCK is not None else frozenset()
# botocore drops response members its model does not know: early Converse releases report
# no prompt-cache counts and no reasoning blocks.
BEDROCK_HAS_CACHE = "cacheReadInputTokens" in _members(_BEDROCK, "TokenUsage")
BEDROCK_HAS_REASONING = "reasoningContent" in _members(_BEDROCK, "ContentBlock")
# Converse / ConverseStream arrived in boto3 1.34.116; InvokeModel exists from the floor.
needs_converse = pytest.mark.skipif(
    "Converse" not in BEDROCK_OPERATIONS, reason="no Converse API in this boto3"
)
