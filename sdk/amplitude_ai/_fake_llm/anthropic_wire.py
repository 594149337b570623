"""Anthropic wire format: Messages API (JSON and SSE, thinking, tool_use, cache usage)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .reply import FakeReply
from .wire import WireResponse, json_response, new_id, pieces, sse_response

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    404: "not_found_error",
    429: "rate_limit_error",
    529: "overloaded_error",
}


def error(reply: FakeReply) -> WireResponse:
    kind = _ERROR_TYPES.get(reply.status, "api_error")
    body = {"type": "error", "error": {"type": kind, "message": reply.error_message}}
    return json_response(body, reply.status, {"x-should-retry": str(reply.retryable).lower()})


def _usage(reply: FakeReply, output_tokens: int) -> dict[str, Any]:
    cached = reply.cached_tokens + reply.cache_creation_tokens
    return {
        "input_tokens": max(reply.input_tokens - cached, 0),
        "output_tokens": output_tokens,
        "cache_read_input_tokens": reply.cached_tokens,
        "cache_creation_input_tokens": reply.cache_creation_tokens,
    }


def _asks_for_thinking(body: Mapping[str, Any]) -> bool:
    thinking = body.get("thinking")
    return isinstance(thinking, Mapping) and thinking.get("type") not in (None, "disabled")


def _blocks(reply: FakeReply, body: Mapping[str, Any]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    # Like the API, thinking blocks only for requests that enable thinking: SDK releases
    # from before extended thinking cannot parse them (their stream helpers fail).
    if reply.reasoning and _asks_for_thinking(body):
        blocks.append({"type": "thinking", "thinking": reply.reasoning, "signature": "fake-sig"})
    if reply.text:
        blocks.append({"type": "text", "text": reply.text})
    blocks += [
        {"type": "tool_use", "id": c.id or new_id("toolu_"), "name": c.name, "input": c.arguments}
        for c in reply.tool_calls
    ]
    return blocks


def messages(body: Mapping[str, Any], reply: FakeReply) -> WireResponse:
    message: dict[str, Any] = {
        "id": new_id("msg_"),
        "type": "message",
        "role": "assistant",
        "model": reply.model or str(body.get("model") or "claude-sonnet-4-6"),
        "content": _blocks(reply, body),
        "stop_reason": reply.finish_reason or ("tool_use" if reply.tool_calls else "end_turn"),
        "stop_sequence": None,
        "usage": _usage(reply, reply.output_tokens),
    }
    if not body.get("stream"):
        return json_response(message)
    start = {**message, "content": [], "stop_reason": None, "usage": _usage(reply, 1)}
    events: list[tuple[str | None, Any]] = [
        ("message_start", {"type": "message_start", "message": start}),
        ("ping", {"type": "ping"}),
    ]
    for index, block in enumerate(message["content"]):
        events += _block_events(index, block)
    events += [
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": message["stop_reason"], "stop_sequence": None},
                "usage": {"output_tokens": reply.output_tokens},
            },
        ),
        ("message_stop", {"type": "message_stop"}),
    ]
    return sse_response(events)


def _block_events(index: int, block: dict[str, Any]) -> list[tuple[str | None, Any]]:
    kind = block["type"]
    if kind == "thinking":
        opened: dict[str, Any] = {"type": "thinking", "thinking": "", "signature": ""}
        deltas = [{"type": "thinking_delta", "thinking": p} for p in pieces(block["thinking"])]
        deltas.append({"type": "signature_delta", "signature": block["signature"]})
    elif kind == "text":
        opened = {"type": "text", "text": ""}
        deltas = [{"type": "text_delta", "text": p} for p in pieces(block["text"])]
    else:
        import json

        opened = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
        deltas = [
            {"type": "input_json_delta", "partial_json": p}
            for p in pieces(json.dumps(block["input"]))
        ]
    return [
        (
            "content_block_start",
            {"type": "content_block_start", "index": index, "content_block": opened},
        ),
        *[
            ("content_block_delta", {"type": "content_block_delta", "index": index, "delta": d})
            for d in deltas
        ],
        ("content_block_stop", {"type": "content_block_stop", "index": index}),
    ]
