"""Gemini API / Vertex AI wire shapes (google-genai) -> tracking fields.

The hook sees the request body the SDK is about to send (camelCase JSON: ``contents``,
``systemInstruction``, ``generationConfig``) and the JSON it got back, so one reader serves
every google-genai release and both backends. ``generateContent`` and
``streamGenerateContent`` give AI responses; ``embedContent``/``batchEmbedContents`` and
Vertex's ``:predict`` with text instances give embeddings. Other paths are not tracked.

Usage: ``promptTokenCount`` includes cached tokens (Input Tokens, with the cached part as
Cache Read); thinking tokens (``thoughtsTokenCount``) are billed as output, so Output
Tokens counts them and Reasoning Tokens repeats them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from ._emit import RequestInfo
from ._hook import Surface
from ._read import count, get, number

_PATH = re.compile(r"(?:^|/)models/(?P<model>[^/:?]+):(?P<method>[A-Za-z]+)")


def parse_path(path: str) -> tuple[str | None, str | None]:
    """``("gemini-2.0-flash", "generateContent")`` from a request path (any backend)."""
    found = _PATH.search(path)
    if found is None:
        return None, None
    return found.group("model"), found.group("method")


def payload(result: Any) -> Any:
    """The JSON a call returned: old releases hand back the dict, newer ones an
    ``SdkHttpResponse`` whose ``body`` is the JSON text."""
    if isinstance(result, Mapping):
        return result
    body = getattr(result, "body", None)
    if isinstance(body, (str, bytes)):
        return json.loads(body) if body else {}
    data = getattr(result, "json", None)
    return data if isinstance(data, Mapping) else {}


def _parts_text(parts: Any, *, thought: bool) -> str | None:
    texts = [
        get(p, "text")
        for p in parts or ()
        if isinstance(get(p, "text"), str) and bool(get(p, "thought")) == thought
    ]
    return "".join(texts) if texts else None


def _content_text(content: Any) -> str | None:
    if isinstance(content, str):
        return content
    return _parts_text(get(content, "parts"), thought=False)


def content_request(model: str | None, body: Mapping[str, Any]) -> RequestInfo:
    config = get(body, "generationConfig") or {}
    contents = body.get("contents")
    if isinstance(contents, Mapping):
        contents = [contents]
    contents = list(contents or ())
    last = contents[-1] if contents else None
    user = None
    if last is not None and get(last, "role", "user") == "user":
        user = _content_text(last)  # None for a turn of function responses (agent loop)
    fields: dict[str, Any] = {
        "model": model,
        "system_prompt": _content_text(get(body, "systemInstruction")),
        "temperature": number(get(config, "temperature")),
        "top_p": number(get(config, "topP")),
        "max_output_tokens": count(get(config, "maxOutputTokens")),
        "is_streaming": False,
    }
    return RequestInfo("ai_response", fields, user)


def usage_fields(usage: Any) -> dict[str, Any]:
    if not usage:
        return {}
    prompt = count(get(usage, "promptTokenCount"))
    tool_prompt = count(get(usage, "toolUsePromptTokenCount")) or 0
    candidates = count(get(usage, "candidatesTokenCount"))
    thoughts = count(get(usage, "thoughtsTokenCount")) or 0
    inp = None if prompt is None else prompt + tool_prompt
    out = None if candidates is None and not thoughts else (candidates or 0) + thoughts
    return {
        "input_tokens": inp,
        "output_tokens": out,
        "total_tokens": count(get(usage, "totalTokenCount")),
        "cache_read_tokens": count(get(usage, "cachedContentTokenCount")) or None,
        "reasoning_tokens": thoughts or None,
    }


def _calls(parts: Any) -> list[dict[str, Any]]:
    calls = []
    for part in parts or ():
        call = get(part, "functionCall")
        if call is not None:
            calls.append(
                {
                    "id": get(call, "id"),
                    "type": "function",
                    "function": {"name": get(call, "name"), "arguments": get(call, "args", {})},
                }
            )
    return calls


def content_response(result: Any) -> dict[str, Any]:
    data = payload(result)
    candidates = get(data, "candidates") or []
    first = candidates[0] if candidates else None
    parts = get(get(first, "content"), "parts") or []
    fields: dict[str, Any] = {
        "model": get(data, "modelVersion"),
        "content": _parts_text(parts, thought=False),
        "reasoning_content": _parts_text(parts, thought=True),
        "tool_calls": _calls(parts) or None,
        "finish_reason": get(first, "finishReason"),
    }
    fields.update(usage_fields(get(data, "usageMetadata")))
    return fields


class ContentStream:
    """Accumulates ``streamGenerateContent`` chunks (each a partial response)."""

    def __init__(self) -> None:
        self.model: str | None = None
        self.text: list[str] = []
        self.thoughts: list[str] = []
        self.calls: list[dict[str, Any]] = []
        self.finish_reason: str | None = None
        self.usage: dict[str, Any] = {}

    def is_usage_only(self, item: Any) -> bool:
        return False

    def add(self, item: Any) -> None:
        data = payload(item)
        self.model = get(data, "modelVersion", self.model)
        usage = get(data, "usageMetadata")
        if usage:
            # Cumulative, so the last one counts; read now (older SDKs reuse the chunk dict).
            self.usage = usage_fields(usage)
        candidates = get(data, "candidates") or []
        if not candidates:
            return
        first = candidates[0]
        parts = get(get(first, "content"), "parts") or []
        text = _parts_text(parts, thought=False)
        if text:
            self.text.append(text)
        thought = _parts_text(parts, thought=True)
        if thought:
            self.thoughts.append(thought)
        self.calls += _calls(parts)
        self.finish_reason = get(first, "finishReason", self.finish_reason)

    def fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "model": self.model,
            "content": "".join(self.text) or None,
            "reasoning_content": "".join(self.thoughts) or None,
            "tool_calls": self.calls or None,
            "finish_reason": self.finish_reason,
        }
        fields.update(self.usage)
        return fields


def embed_request(model: str | None, body: Mapping[str, Any]) -> RequestInfo:
    config = get(body, "parameters") or {}
    requests = body.get("requests")
    first = requests[0] if isinstance(requests, list) and requests else body
    dims = get(first, "outputDimensionality") or get(config, "outputDimensionality")
    return RequestInfo("embedding", {"model": model, "dimensions": count(dims)})


def embed_response(result: Any) -> dict[str, Any]:
    data = payload(result)
    vectors = get(data, "embeddings")
    values = None
    tokens = None
    if vectors is None and isinstance(get(data, "embedding"), Mapping):
        vectors = [get(data, "embedding")]
    if isinstance(vectors, list) and vectors:
        values = get(vectors[0], "values")
    predictions = get(data, "predictions")
    if isinstance(predictions, list) and predictions:  # Vertex :predict
        first = get(predictions[0], "embeddings")
        values = get(first, "values")
        counted = [
            count(get(get(get(p, "embeddings"), "statistics"), "token_count")) for p in predictions
        ]
        tokens = sum(c for c in counted if c) or None
    usage = get(data, "usageMetadata")
    if usage is not None:
        tokens = count(get(usage, "promptTokenCount")) or tokens
    return {
        "input_tokens": tokens,
        "dimensions": len(values) if isinstance(values, list) else None,
    }


def _with_model(reader: Any, model: str | None) -> Any:
    return lambda body: reader(model, body)


_EMBED_METHODS = frozenset({"embedContent", "batchEmbedContents"})


def resolve(path: str, body: Any) -> Surface | None:
    """The surface one google-genai request belongs to (``None``: not tracked)."""
    model, method = parse_path(path)
    if method == "generateContent" or method == "streamGenerateContent":
        streaming = method == "streamGenerateContent"

        def request(body: Mapping[str, Any]) -> RequestInfo:
            info = content_request(model, body)
            info.fields["is_streaming"] = streaming
            return info

        return Surface(request, content_response, ContentStream if streaming else None)
    if method in _EMBED_METHODS or (method == "predict" and _is_text_embedding(body)):
        return Surface(_with_model(embed_request, model), embed_response)
    return None


def _is_text_embedding(body: Any) -> bool:
    instances = get(body, "instances")
    return bool(
        isinstance(instances, list) and instances and get(instances[0], "content") is not None
    )
