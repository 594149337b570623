"""Mistral wire format: chat completions (JSON and SSE ending in ``[DONE]``, usage in the
last chunk, tool calls whole), embeddings and the error body. Reasoning is sent as a
``thinking`` content chunk only to requests in reasoning mode (``prompt_mode="reasoning"``):
releases from before reasoning models type message content as a string only."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from .reply import FakeReply
from .wire import WireResponse, json_response, new_id, pieces, sse_response


def error(reply: FakeReply) -> WireResponse:
    body = {
        "object": "error",
        "message": reply.error_message,
        "type": "invalid_request_error" if reply.status < 500 else "internal_error",
        "param": None,
        "code": str(reply.status),
    }
    return json_response(body, reply.status)


def _usage(reply: FakeReply) -> dict[str, Any]:
    return {
        "prompt_tokens": reply.input_tokens,
        "completion_tokens": reply.output_tokens,
        "total_tokens": reply.total_tokens,
    }


def _tool_calls(reply: FakeReply) -> list[dict[str, Any]]:
    return [
        {
            "id": c.id or new_id("")[:9],
            "type": "function",
            "function": {"name": c.name, "arguments": c.arguments_json},
            "index": index,
        }
        for index, c in enumerate(reply.tool_calls)
    ]


def _finish(reply: FakeReply) -> str:
    return reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop")


def chat(body: Mapping[str, Any], reply: FakeReply) -> WireResponse:
    model = reply.model or str(body.get("model") or "mistral-small-latest")
    base = {"id": new_id(""), "created": int(time.time()), "model": model}
    reasoning = reply.reasoning if body.get("prompt_mode") == "reasoning" else None
    if not body.get("stream"):
        content: Any = reply.text
        if reasoning:
            content = [
                {"type": "thinking", "thinking": [{"type": "text", "text": reasoning}]},
                {"type": "text", "text": reply.text},
            ]
        message: dict[str, Any] = {"role": "assistant", "content": content, "prefix": False}
        if reply.tool_calls:
            message["tool_calls"] = _tool_calls(reply)
        choice = {"index": 0, "message": message, "finish_reason": _finish(reply)}
        return json_response(
            {**base, "object": "chat.completion", "choices": [choice], "usage": _usage(reply)}
        )

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> tuple[None, Any]:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        return None, {**base, "object": "chat.completion.chunk", "choices": [choice], **extra}

    events = [chunk({"role": "assistant", "content": ""})]
    events += [
        chunk({"content": [{"type": "thinking", "thinking": [{"type": "text", "text": p}]}]})
        for p in pieces(reasoning or "")
    ]
    events += [chunk({"content": p}) for p in pieces(reply.text)]
    if reply.tool_calls:
        events.append(chunk({"tool_calls": _tool_calls(reply)}))
    events.append(chunk({"content": ""}, _finish(reply), usage=_usage(reply)))
    events.append((None, "[DONE]"))
    return sse_response(events)


def embeddings(body: Mapping[str, Any], reply: FakeReply) -> WireResponse:
    inputs = body.get("inputs", body.get("input"))
    count = len(inputs) if isinstance(inputs, list) else 1
    return json_response(
        {
            "id": new_id(""),
            "object": "list",
            "model": str(body.get("model") or "mistral-embed"),
            "data": [
                {"object": "embedding", "embedding": list(reply.embedding), "index": i}
                for i in range(count)
            ],
            "usage": {
                "prompt_tokens": reply.input_tokens,
                "completion_tokens": 0,
                "total_tokens": reply.input_tokens,
            },
        }
    )
