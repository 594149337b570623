"""``FakeLLM``: canned provider answers, chosen per call or per model, and a log of calls."""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import anthropic_wire, bedrock_wire, gemini_wire, mistral_wire, openai_wire
from .reply import FakeReply, as_reply
from .wire import WireResponse, json_response

# path suffix -> (provider family, surface, renderer)
_ROUTES = (
    ("/chat/completions", "openai", "chat", openai_wire.chat),
    ("/responses", "openai", "responses", openai_wire.responses),
    ("/embeddings", "openai", "embeddings", openai_wire.embeddings),
    ("/v1/messages", "anthropic", "messages", anthropic_wire.messages),
    ("/images/generations", "openai", "images", openai_wire.images),
    ("/images/edits", "openai", "images", openai_wire.image_edits),
    ("/images/variations", "openai", "images", openai_wire.images),
    ("/audio/speech", "openai", "speech", openai_wire.speech),
    ("/audio/transcriptions", "openai", "transcriptions", openai_wire.transcription),
    ("/audio/translations", "openai", "translations", openai_wire.transcription),
    ("/moderations", "openai", "moderations", openai_wire.moderation),
    ("/completions", "openai", "completions", openai_wire.completion),  # after chat's
)
# Mistral's paths are OpenAI's: its requests are told apart by their user agent.
_MISTRAL_ROUTES = (
    ("/chat/completions", "mistral", "chat", mistral_wire.chat),
    ("/embeddings", "mistral", "embeddings", mistral_wire.embeddings),
)
_GEMINI_METHODS = {
    "generateContent": ("generate_content", gemini_wire.generate),
    "streamGenerateContent": ("generate_content", gemini_wire.generate),
    "embedContent": ("embed_content", gemini_wire.embed),
    "batchEmbedContents": ("embed_content", gemini_wire.embed),
    "predict": ("embed_content", gemini_wire.embed),
}
_ERRORS = {
    "openai": openai_wire.error,
    "anthropic": anthropic_wire.error,
    "gemini": gemini_wire.error,
    "mistral": mistral_wire.error,
    "bedrock": bedrock_wire.error,
}


def client_family(headers: Mapping[str, str]) -> str | None:
    """``"gemini"``/``"mistral"`` for requests from those SDKs (by their client headers);
    ``"litellm"`` for requests LiteLLM sends itself (its Anthropic, Gemini, ... routes speak
    those providers' wire formats over its own HTTP client)."""
    lowered = {k.lower(): v.lower() for k, v in headers.items()}
    agent = lowered.get("user-agent", "")
    if "google-genai" in lowered.get("x-goog-api-client", "") or "google-genai" in agent:
        return "gemini"
    if "mistral" in agent:
        return "mistral"
    if agent.startswith("litellm/"):
        return "litellm"
    return None


@dataclass(frozen=True)
class FakeCall:
    """One request the fake answered."""

    provider: str  # "openai" (also Azure), "anthropic", "gemini", "mistral" or "bedrock"
    # "chat", "responses", "embeddings", "messages", "generate_content", "embed_content";
    # OpenAI's "images", "speech", "transcriptions", "translations", "moderations",
    # "completions"; Bedrock's "converse", "converse_stream", "invoke_model",
    # "invoke_model_with_response_stream"
    surface: str
    path: str
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def model(self) -> str | None:
        return self.body.get("model")

    @property
    def stream(self) -> bool:
        return bool(self.body.get("stream"))

    @property
    def is_embedding(self) -> bool:
        """An embeddings request, whatever the provider calls the surface."""
        return self.surface in ("embeddings", "embed_content")


class FakeLLM:
    """Answers OpenAI, Azure OpenAI, Anthropic, Gemini, Mistral and AWS Bedrock runtime API
    calls with canned replies.

    Reply selection, first match wins: the next queued reply (:meth:`queue`, :meth:`fail`),
    then the reply set for the requested model, then the default reply. Every answered
    request is appended to :attr:`calls`.
    """

    def __init__(self, default: FakeReply | str | None = None) -> None:
        self.default = as_reply(default)
        self.calls: list[FakeCall] = []
        self._by_model: dict[str, FakeReply] = {}
        self._queue: deque[FakeReply] = deque()
        self._responder: Callable[[FakeCall], FakeReply | str | None] | None = None
        self._failed: dict[str, FakeReply] = {}  # boto3 invocation id -> its failure
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ configure
    def reply(
        self, text: FakeReply | str | None = None, *, model: str | None = None, **fields: Any
    ) -> FakeLLM:
        """Set the reply for ``model`` (or the default reply when ``model`` is ``None``)."""
        reply = as_reply(text, **fields)
        if model is None:
            self.default = reply
        else:
            self._by_model[model] = reply
        return self

    def queue(self, *replies: FakeReply | str) -> FakeLLM:
        """Answer the next calls, in order, with ``replies`` (then fall back as usual)."""
        with self._lock:
            self._queue.extend(as_reply(r) for r in replies)
        return self

    def answer_with(
        self, responder: Callable[[FakeCall], FakeReply | str | None] | None
    ) -> FakeLLM:
        """Choose replies from the request itself: ``responder(call)`` returns the reply for
        ``call`` (or ``None`` to fall back to the per-model and default replies). Queued
        replies still come first. ``None`` removes the responder."""
        self._responder = responder
        return self

    def fail(
        self, status: int, message: str = "fake error", *, times: int = 1, retryable: bool = False
    ) -> FakeLLM:
        """Make the next ``times`` calls fail with HTTP ``status`` and the provider's error
        body (the SDK raises its own exception type, e.g. ``RateLimitError`` for 429)."""
        error = FakeReply(status=status, error_message=message, retryable=retryable)
        return self.queue(*([error] * times))

    # --------------------------------------------------------------------- answer
    def _choose(self, model: str | None, call: FakeCall | None = None) -> FakeReply:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
        if self._responder is not None and call is not None:
            chosen = self._responder(call)
            if chosen is not None:
                return as_reply(chosen)
        if model is not None and model in self._by_model:
            return self._by_model[model]
        return self.default

    def handles(self, path: str, headers: Mapping[str, str] | None = None) -> bool:
        return _route(path, headers or {}) is not None

    def respond(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes
    ) -> WireResponse:
        """The HTTP response for one request (also used by local HTTP fake servers)."""
        route = _route(path, headers)
        if route is None or method.upper() != "POST":
            return json_response(
                {
                    "error": {
                        "message": f"fake_llm does not emulate {method} {path}",
                        "type": "not_found_error",
                    }
                },
                404,
                {"x-should-retry": "false"},
            )
        family, surface, render = route
        try:
            payload = json.loads(body or b"{}")
        except ValueError:  # audio and image uploads are multipart forms
            payload = openai_wire.form_fields(headers, body) or {}
        if family == "gemini":  # the model is in the path, the stream flag is the method
            model, gemini_method = gemini_wire.parse(path)
            payload = {
                **payload,
                "model": model,
                "stream": gemini_method == "streamGenerateContent",
            }
        if family == "bedrock":  # the model id is in the path, the stream flag is the operation
            model, operation = bedrock_wire.parse(path)
            payload = {**payload, "model": model, "stream": bedrock_wire.is_streaming(operation)}
        call = FakeCall(family, surface, path, payload, {k.lower(): v for k, v in headers.items()})
        with self._lock:
            self.calls.append(call)
        reply = self._retried_failure(call) or self._choose(call.model, call)
        self._remember_failure(call, reply)
        if reply.is_error:
            return _ERRORS[family](reply)
        if family in ("gemini", "bedrock"):
            return render(path, payload, reply)
        return render(payload, reply)

    # boto3 retries throttling and server errors whatever the response says; a failure that
    # is not retryable answers the retries of the same call (``amz-sdk-invocation-id``) too,
    # so the app sees the error after botocore's attempts, as with a persistent failure.
    def _retried_failure(self, call: FakeCall) -> FakeReply | None:
        invocation = call.headers.get("amz-sdk-invocation-id")
        attempt = re.search(r"attempt=(\d+)", call.headers.get("amz-sdk-request", ""))
        if not invocation or attempt is None or attempt.group(1) == "1":
            return None
        with self._lock:
            return self._failed.get(invocation)

    def _remember_failure(self, call: FakeCall, reply: FakeReply) -> None:
        invocation = call.headers.get("amz-sdk-invocation-id")
        if invocation and reply.is_error and not reply.retryable:
            with self._lock:
                self._failed[invocation] = reply
                while len(self._failed) > 256:
                    self._failed.pop(next(iter(self._failed)))

    # -------------------------------------------------------------------- queries
    def calls_for(self, surface: str) -> list[FakeCall]:
        return [c for c in self.calls if c.surface == surface]

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self._queue.clear()
            self._by_model.clear()
            self.default = FakeReply()
            self._responder = None
            self._failed.clear()


def _route(path: str, headers: Mapping[str, str]) -> tuple[str, str, Any] | None:
    path = path.split("?", 1)[0].rstrip("/")
    _, bedrock_op = bedrock_wire.parse(path)
    if bedrock_op is not None:
        return "bedrock", bedrock_wire.SURFACES[bedrock_op], bedrock_wire.render
    family = client_family(headers)
    if family == "gemini" or (family in (None, "litellm") and ":" in path.rsplit("/", 1)[-1]):
        _, method = gemini_wire.parse(path)
        found = _GEMINI_METHODS.get(method or "")
        return ("gemini", found[0], found[1]) if found else None
    for suffix, family_name, surface, render in _MISTRAL_ROUTES if family == "mistral" else ():
        if path.endswith(suffix):
            return family_name, surface, render
    for suffix, family, surface, render in _ROUTES:
        if path.endswith(suffix):
            return family, surface, render
    return None
