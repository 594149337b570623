"""Gemini API / Vertex AI wire format (google-genai): generateContent (JSON), its SSE
stream, embeddings (``batchEmbedContents``, ``embedContent``, Vertex ``:predict``) and the
Google error body. Thought parts are sent only when the request asks for them
(``thinkingConfig.includeThoughts``), as the service does."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .reply import FakeReply
from .wire import WireResponse, json_response, new_id, pieces, sse_response

_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}
_PATH = re.compile(r"models/(?P<model>[^/:?]+):(?P<method>[A-Za-z]+)")


def parse(path: str) -> tuple[str | None, str | None]:
    """(model, method) of a Gemini request path, or ``(None, None)``."""
    found = _PATH.search(path.split("?", 1)[0])
    return (found.group("model"), found.group("method")) if found else (None, None)


def error(reply: FakeReply) -> WireResponse:
    status = _STATUS.get(reply.status, "UNKNOWN")
    body = {"error": {"code": reply.status, "message": reply.error_message, "status": status}}
    return json_response(body, reply.status)


def _usage(reply: FakeReply) -> dict[str, Any]:
    usage: dict[str, Any] = {
        "promptTokenCount": reply.input_tokens,
        "candidatesTokenCount": reply.output_tokens,
        "totalTokenCount": reply.total_tokens + reply.reasoning_tokens,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": reply.input_tokens}],
    }
    if reply.cached_tokens:
        usage["cachedContentTokenCount"] = reply.cached_tokens
    if reply.reasoning_tokens:
        usage["thoughtsTokenCount"] = reply.reasoning_tokens
    return usage


def _asks_for_thoughts(body: Mapping[str, Any]) -> bool:
    config = body.get("generationConfig")
    thinking = config.get("thinkingConfig") if isinstance(config, Mapping) else None
    if not isinstance(thinking, Mapping):
        return False
    # Some google-genai releases send the snake_case name; the service accepts both.
    return bool(thinking.get("includeThoughts") or thinking.get("include_thoughts"))


def _finish(reply: FakeReply) -> str:
    return reply.finish_reason or "STOP"


def _call_parts(reply: FakeReply) -> list[dict[str, Any]]:
    return [
        {"functionCall": {"name": c.name, "args": c.arguments, **({"id": c.id} if c.id else {})}}
        for c in reply.tool_calls
    ]


def _response(model: str, parts: list[dict[str, Any]], finish: str | None, usage: Any) -> dict:
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}, "index": 0}
    if finish:
        candidate["finishReason"] = finish
    data: dict[str, Any] = {"candidates": [candidate], "modelVersion": model}
    if usage is not None:
        data["usageMetadata"] = usage
    data["responseId"] = new_id("")
    return data


def generate(path: str, body: Mapping[str, Any], reply: FakeReply) -> WireResponse:
    requested, method = parse(path)
    model = reply.model or requested or "gemini-2.5-flash"
    thoughts = bool(reply.reasoning) and _asks_for_thoughts(body)
    if method != "streamGenerateContent":
        parts: list[dict[str, Any]] = []
        if thoughts:
            parts.append({"text": reply.reasoning, "thought": True})
        if reply.text:
            parts.append({"text": reply.text})
        parts += _call_parts(reply)
        return json_response(_response(model, parts, _finish(reply), _usage(reply)))
    events: list[tuple[str | None, Any]] = []
    if thoughts:
        events += [
            (None, _response(model, [{"text": p, "thought": True}], None, None))
            for p in pieces(reply.reasoning or "")
        ]
    events += [(None, _response(model, [{"text": p}], None, None)) for p in pieces(reply.text)]
    events.append((None, _response(model, _call_parts(reply), _finish(reply), _usage(reply))))
    return sse_response(events)


def embed(path: str, body: Mapping[str, Any], reply: FakeReply) -> WireResponse:
    _, method = parse(path)
    values = list(reply.embedding)
    if method == "predict":  # Vertex AI text embeddings
        instances = body.get("instances") or [{}]
        stats = {"token_count": reply.input_tokens, "truncated": False}
        predictions = [{"embeddings": {"values": values, "statistics": stats}} for _ in instances]
        return json_response(
            {"predictions": predictions, "metadata": {"billableCharacterCount": 0}}
        )
    if method == "embedContent":
        return json_response({"embedding": {"values": values}})
    requests = body.get("requests") or [{}]
    return json_response({"embeddings": [{"values": values} for _ in requests]})
