"""OpenAI (and Azure OpenAI) request and response shapes -> tracking fields.

Covers chat completions (objects and streamed chunks), the Responses API (objects and
stream events), embeddings, and the other model endpoints (``_openai_media``: images,
audio, moderations, legacy completions). Every reader tolerates missing fields: the SDK
version or an OpenAI-compatible server may leave any of them out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._emit import RequestInfo
from ._hook import Surface
from ._openai_common import common_request, usage_fields
from ._openai_media import SURFACES as MEDIA_SURFACES
from ._read import count, get, text_of

_TEXT_PARTS = frozenset({"text", "input_text", "output_text"})
_SYSTEM_ROLES = frozenset({"system", "developer"})


# ------------------------------------------------------------------- chat completions


def chat_request(body: Mapping[str, Any]) -> RequestInfo:
    messages = list(body.get("messages") or [])
    system = [
        text_of(get(m, "content"), _TEXT_PARTS) for m in messages if get(m, "role") in _SYSTEM_ROLES
    ]
    fields = common_request(body)
    fields["system_prompt"] = "\n".join(s for s in system if s) or None
    fields["max_output_tokens"] = count(body.get("max_completion_tokens") or body.get("max_tokens"))
    last = messages[-1] if messages else None
    user = text_of(get(last, "content"), _TEXT_PARTS) if get(last, "role") == "user" else None
    return RequestInfo("ai_response", fields, user)


def chat_response(resp: Any) -> dict[str, Any]:
    choices = get(resp, "choices") or []
    choice = choices[0] if choices else None
    message = get(choice, "message")
    fields: dict[str, Any] = {
        "model": get(resp, "model"),
        "content": get(message, "content") or get(message, "refusal"),
        "finish_reason": get(choice, "finish_reason"),
        "tool_calls": list(get(message, "tool_calls") or []) or None,
        "reasoning_content": get(message, "reasoning_content") or get(message, "reasoning"),
    }
    fields.update(
        usage_fields(get(resp, "usage"), prompt="prompt_tokens", completion="completion_tokens")
    )
    return fields


class ChatStream:
    """Accumulates ``ChatCompletionChunk`` objects (first choice only)."""

    def __init__(self) -> None:
        self.model: str | None = None
        self.text: list[str] = []
        self.reasoning: list[str] = []
        self.tools: dict[int, dict[str, Any]] = {}
        self.finish_reason: str | None = None
        self.usage: Any = None

    def is_usage_only(self, chunk: Any) -> bool:
        return not get(chunk, "choices") and get(chunk, "usage") is not None

    def add(self, chunk: Any) -> None:
        # Called for every chunk: declared fields are read directly (fast on the SDK's
        # pydantic objects); anything else goes through the tolerant reader.
        try:
            model, usage, choices = chunk.model, chunk.usage, chunk.choices
        except AttributeError:
            model, usage, choices = get(chunk, "model"), get(chunk, "usage"), get(chunk, "choices")
        self.model = model or self.model
        if usage is not None:
            self.usage = usage
        for choice in choices or ():
            if get(choice, "index", 0) != 0:
                continue
            delta = get(choice, "delta")
            content = get(delta, "content")
            if content:
                self.text.append(content)
            reasoning = get(delta, "reasoning_content") or get(delta, "reasoning")
            if isinstance(reasoning, str):
                self.reasoning.append(reasoning)
            calls = get(delta, "tool_calls")
            if calls:
                for call in calls:
                    self._tool_delta(call)
            self.finish_reason = get(choice, "finish_reason", self.finish_reason)

    def _tool_delta(self, call: Any) -> None:
        slot = self.tools.setdefault(
            get(call, "index", len(self.tools)),
            {"id": None, "type": "function", "function": {"name": "", "arguments": ""}},
        )
        slot["id"] = get(call, "id", slot["id"])
        function = get(call, "function")
        slot["function"]["name"] += get(function, "name", "")
        slot["function"]["arguments"] += get(function, "arguments", "")

    def fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "model": self.model,
            "content": "".join(self.text) if self.text else None,
            "reasoning_content": "".join(self.reasoning) if self.reasoning else None,
            "finish_reason": self.finish_reason,
            "tool_calls": [self.tools[i] for i in sorted(self.tools)] or None,
        }
        fields.update(
            usage_fields(self.usage, prompt="prompt_tokens", completion="completion_tokens")
        )
        return fields


# ----------------------------------------------------------------------- Responses API


def responses_request(body: Mapping[str, Any]) -> RequestInfo:
    fields = common_request(body)
    instructions = body.get("instructions")
    fields["system_prompt"] = instructions if isinstance(instructions, str) else None
    fields["max_output_tokens"] = count(body.get("max_output_tokens"))
    items = body.get("input")
    user: str | None = None
    if isinstance(items, str):
        user = items
    elif isinstance(items, (list, tuple)) and items:
        last = items[-1]
        if get(last, "role") == "user":
            user = text_of(get(last, "content"), _TEXT_PARTS)
    return RequestInfo("ai_response", fields, user)


def responses_response(resp: Any) -> dict[str, Any]:
    texts: list[str] = []
    reasoning: list[str] = []
    tools: list[dict[str, Any]] = []
    for item in get(resp, "output") or []:
        kind = get(item, "type")
        if kind == "message":
            texts.extend(
                get(part, "text") or get(part, "refusal") or ""
                for part in get(item, "content") or []
            )
        elif kind == "function_call":
            tools.append(
                {
                    "id": get(item, "call_id") or get(item, "id"),
                    "type": "function",
                    "name": get(item, "name"),
                    "arguments": get(item, "arguments"),
                }
            )
        elif kind == "reasoning":
            parts = list(get(item, "summary") or []) + list(get(item, "content") or [])
            reasoning.extend(get(p, "text") or "" for p in parts)
    status = get(resp, "status")
    incomplete = get(get(resp, "incomplete_details"), "reason")
    fields: dict[str, Any] = {
        "model": get(resp, "model"),
        "content": "".join(texts) or None,
        "reasoning_content": "\n".join(r for r in reasoning if r) or None,
        "tool_calls": tools or None,
        "finish_reason": incomplete or status,
    }
    fields.update(
        usage_fields(get(resp, "usage"), prompt="input_tokens", completion="output_tokens")
    )
    return fields


_FINAL_EVENTS = frozenset({"response.completed", "response.incomplete", "response.failed"})


class ResponsesStream:
    """Accumulates Responses API stream events; the final event carries the whole response."""

    def __init__(self) -> None:
        self.model: str | None = None
        self.text: list[str] = []
        self.reasoning: list[str] = []
        self.final: dict[str, Any] | None = None

    def is_usage_only(self, event: Any) -> bool:
        return False

    def add(self, event: Any) -> None:
        kind = get(event, "type")
        if kind == "response.output_text.delta":
            self.text.append(get(event, "delta", ""))
        elif kind in ("response.reasoning_summary_text.delta", "response.reasoning_text.delta"):
            self.reasoning.append(get(event, "delta", ""))
        elif kind == "response.created":
            self.model = get(get(event, "response"), "model", self.model)
        elif kind in _FINAL_EVENTS:
            self.final = responses_response(get(event, "response"))

    def fields(self) -> dict[str, Any]:
        if self.final is not None:
            return self.final
        return {
            "model": self.model,
            "content": "".join(self.text) or None,
            "reasoning_content": "".join(self.reasoning) or None,
        }


# -------------------------------------------------------------------------- embeddings


def embeddings_request(body: Mapping[str, Any]) -> RequestInfo:
    return RequestInfo(
        "embedding", {"model": body.get("model"), "dimensions": count(body.get("dimensions"))}
    )


def embeddings_response(resp: Any) -> dict[str, Any]:
    data = get(resp, "data") or []
    vector = get(data[0], "embedding") if data else None
    return {
        "model": get(resp, "model"),
        "input_tokens": count(get(get(resp, "usage"), "prompt_tokens")),
        "dimensions": len(vector) if isinstance(vector, list) else None,
    }


def _chunks_declare_usage() -> bool:
    """Whether this openai release knows ``stream_options`` (its chunk model declares
    ``usage``, openai>=1.26). Older releases would hand the caller the extra usage chunk
    and a ``usage`` attribute they never had, so their streams are not asked for usage."""
    try:
        from openai.types.chat import ChatCompletionChunk
    except ImportError:
        return False
    fields = getattr(ChatCompletionChunk, "model_fields", None)
    if fields is None:  # pydantic v1
        fields = getattr(ChatCompletionChunk, "__fields__", {})
    return "usage" in fields


CHAT = Surface(chat_request, chat_response, ChatStream, asks_for_usage=_chunks_declare_usage())
RESPONSES = Surface(responses_request, responses_response, ResponsesStream)
EMBEDDINGS = Surface(embeddings_request, embeddings_response)


def resolve(url: str) -> Surface | None:
    """The surface an OpenAI request path belongs to (``None``: not tracked)."""
    path = url.split("?", 1)[0].rstrip("/")
    if path.endswith("/chat/completions"):
        return CHAT
    if path.endswith("/responses"):
        return RESPONSES
    if path.endswith("/embeddings"):
        return EMBEDDINGS
    for suffix, surface in MEDIA_SURFACES:  # after chat: its path also ends in /completions
        if path.endswith(suffix):
            return surface
    return None
