"""Mistral (mistralai) request arguments and response objects -> tracking fields.

The request side reads the keyword arguments of ``chat.complete``/``chat.stream`` and
``embeddings.create`` (the same names as the JSON body, which is OpenAI-shaped, so the
OpenAI chat reader serves). Responses are the SDK's pydantic objects (or plain dicts):
message content is a string or a list of chunks, where ``thinking`` chunks (Magistral
reasoning models) become reasoning content; ``tool_calls`` become tool calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._emit import RequestInfo
from ._hook import Surface
from ._openai_fields import chat_request
from ._read import count, get


def _chunks_text(content: Any, *, thinking: bool) -> str | None:
    if isinstance(content, str):
        return None if thinking else content
    texts: list[str] = []
    for chunk in content or ():
        kind = get(chunk, "type")
        if kind == "thinking" and thinking:
            inner = get(chunk, "thinking")
            texts.append(
                inner if isinstance(inner, str) else _chunks_text(inner, thinking=False) or ""
            )
        elif kind == "text" and not thinking and isinstance(get(chunk, "text"), str):
            texts.append(get(chunk, "text"))
    return "".join(texts) or None


def _tool_call(call: Any) -> dict[str, Any]:
    function = get(call, "function")
    return {
        "id": get(call, "id"),
        "type": "function",
        "function": {"name": get(function, "name"), "arguments": get(function, "arguments")},
    }


def usage_fields(usage: Any) -> dict[str, Any]:
    if usage is None:
        return {}
    details = get(usage, "prompt_tokens_details")
    cached = count(get(details, "cached_tokens")) or count(get(usage, "num_cached_tokens"))
    return {
        "input_tokens": count(get(usage, "prompt_tokens")),
        "output_tokens": count(get(usage, "completion_tokens")),
        "total_tokens": count(get(usage, "total_tokens")),
        "cache_read_tokens": cached or None,
    }


def chat_response(resp: Any) -> dict[str, Any]:
    choices = get(resp, "choices") or []
    choice = choices[0] if choices else None
    message = get(choice, "message")
    content = get(message, "content")
    fields: dict[str, Any] = {
        "model": get(resp, "model"),
        "content": _chunks_text(content, thinking=False),
        "reasoning_content": _chunks_text(content, thinking=True),
        "tool_calls": [_tool_call(c) for c in get(message, "tool_calls") or ()] or None,
        "finish_reason": _plain(get(choice, "finish_reason")),
    }
    fields.update(usage_fields(get(resp, "usage")))
    return fields


def _plain(value: Any) -> Any:
    """Enum members (older releases type finish_reason as an enum) -> their value."""
    return getattr(value, "value", value)


class ChatStream:
    """Accumulates stream events (``CompletionEvent``, whose ``data`` is the chunk)."""

    def __init__(self) -> None:
        self.model: str | None = None
        self.text: list[str] = []
        self.thinking: list[str] = []
        self.tools: dict[int, dict[str, Any]] = {}
        self.finish_reason: Any = None
        self.usage: Any = None

    def is_usage_only(self, item: Any) -> bool:
        return False

    def add(self, event: Any) -> None:
        chunk = get(event, "data", event)
        self.model = get(chunk, "model", self.model)
        usage = get(chunk, "usage")
        if usage is not None:
            self.usage = usage
        for choice in get(chunk, "choices") or ():
            if get(choice, "index", 0) != 0:
                continue
            delta = get(choice, "delta")
            content = get(delta, "content")
            text = _chunks_text(content, thinking=False)
            if text:
                self.text.append(text)
            thought = _chunks_text(content, thinking=True)
            if thought:
                self.thinking.append(thought)
            for position, call in enumerate(get(delta, "tool_calls") or ()):
                self._tool_delta(get(call, "index", position), call)
            self.finish_reason = get(choice, "finish_reason", self.finish_reason)

    def _tool_delta(self, index: int, call: Any) -> None:
        slot = self.tools.setdefault(
            index, {"id": None, "type": "function", "function": {"name": "", "arguments": ""}}
        )
        slot["id"] = get(call, "id", slot["id"])
        function = get(call, "function")
        slot["function"]["name"] += get(function, "name", "")
        arguments = get(function, "arguments", "")
        if isinstance(arguments, str):
            slot["function"]["arguments"] += arguments
        else:  # a whole arguments object in one chunk
            slot["function"]["arguments"] = arguments

    def fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "model": self.model,
            "content": "".join(self.text) or None,
            "reasoning_content": "".join(self.thinking) or None,
            "tool_calls": [self.tools[i] for i in sorted(self.tools)] or None,
            "finish_reason": _plain(self.finish_reason),
        }
        fields.update(usage_fields(self.usage))
        return fields


def embeddings_request(body: Mapping[str, Any]) -> RequestInfo:
    dims = count(body.get("output_dimension"))
    return RequestInfo("embedding", {"model": body.get("model"), "dimensions": dims})


def embeddings_response(resp: Any) -> dict[str, Any]:
    data = get(resp, "data") or []
    vector = get(data[0], "embedding") if data else None
    return {
        "model": get(resp, "model"),
        "input_tokens": count(get(get(resp, "usage"), "prompt_tokens")),
        "dimensions": len(vector) if isinstance(vector, list) else None,
    }


CHAT = Surface(chat_request, chat_response)
CHAT_STREAM = Surface(chat_request, chat_response, ChatStream)
EMBEDDINGS = Surface(embeddings_request, embeddings_response)
