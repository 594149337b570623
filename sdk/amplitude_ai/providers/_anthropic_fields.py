"""Anthropic Messages request and response shapes -> tracking fields.

Used for ``messages.create`` (objects and raw stream events, which the ``.stream()``
helper also reads) and ``beta.messages.create``. Anthropic counts cached prompt tokens
outside ``input_tokens``; the events carry the whole prompt size in Input Tokens (the
OpenAI convention the cost calculation expects) plus the cache read/creation counts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ._emit import RequestInfo
from ._hook import Surface
from ._read import count, get, number, text_of

_TEXT = frozenset({"text"})


def messages_request(body: Mapping[str, Any]) -> RequestInfo:
    messages = list(body.get("messages") or [])
    system = body.get("system")
    fields: dict[str, Any] = {
        "model": body.get("model"),
        "system_prompt": text_of(system, _TEXT),
        "temperature": number(body.get("temperature")),
        "top_p": number(body.get("top_p")),
        "max_output_tokens": count(body.get("max_tokens")),
        "is_streaming": bool(body.get("stream")),
    }
    last = messages[-1] if messages else None
    # A user turn made only of tool_result blocks continues an agent loop: no new message.
    user = text_of(get(last, "content"), _TEXT) if get(last, "role") == "user" else None
    return RequestInfo("ai_response", fields, user)


def _usage_fields(usage: Any, output_tokens: int | None = None) -> dict[str, Any]:
    if usage is None:
        return {"output_tokens": output_tokens}
    uncached = count(get(usage, "input_tokens"))
    read = count(get(usage, "cache_read_input_tokens")) or 0
    write = count(get(usage, "cache_creation_input_tokens")) or 0
    output = count(get(usage, "output_tokens"))
    prompt = None if uncached is None else uncached + read + write
    out = output if output is not None else output_tokens
    total = None if prompt is None and out is None else (prompt or 0) + (out or 0)
    return {
        "input_tokens": prompt,
        "output_tokens": out,
        "total_tokens": total,
        "cache_read_tokens": read or None,
        "cache_creation_tokens": write or None,
    }


def _blocks_fields(blocks: Any) -> dict[str, Any]:
    texts: list[str] = []
    thinking: list[str] = []
    tools: list[dict[str, Any]] = []
    for block in blocks or []:
        kind = get(block, "type")
        if kind == "text":
            texts.append(get(block, "text", ""))
        elif kind == "thinking":
            thinking.append(get(block, "thinking", ""))
        elif kind in ("tool_use", "server_tool_use"):
            tools.append(
                {
                    "id": get(block, "id"),
                    "type": kind,
                    "name": get(block, "name"),
                    "input": get(block, "input"),
                }
            )
    return {
        "content": "".join(texts) or None,
        "reasoning_content": "\n".join(t for t in thinking if t) or None,
        "tool_calls": tools or None,
    }


def messages_response(resp: Any) -> dict[str, Any]:
    fields = {"model": get(resp, "model"), "finish_reason": get(resp, "stop_reason")}
    fields.update(_blocks_fields(get(resp, "content")))
    fields.update(_usage_fields(get(resp, "usage")))
    return fields


class MessagesStream:
    """Accumulates raw Messages stream events (``message_start`` ... ``message_stop``)."""

    def __init__(self) -> None:
        self.model: str | None = None
        self.usage: dict[str, Any] = {}
        self.blocks: dict[int, dict[str, Any]] = {}
        self.json_parts: dict[int, list[str]] = {}
        self.stop_reason: str | None = None

    def is_usage_only(self, event: Any) -> bool:
        return False

    def _merge_usage(self, usage: Any) -> None:
        for name in (
            "input_tokens",
            "output_tokens",
            "cache_read_input_tokens",
            "cache_creation_input_tokens",
        ):
            value = count(get(usage, name))
            if value is not None:
                self.usage[name] = value  # message_delta counts are cumulative

    def add(self, event: Any) -> None:
        kind = get(event, "type")
        if kind == "message_start":
            message = get(event, "message")
            self.model = get(message, "model", self.model)
            self._merge_usage(get(message, "usage"))
        elif kind == "content_block_start":
            block = get(event, "content_block")
            self.blocks[get(event, "index", len(self.blocks))] = {
                "type": get(block, "type"),
                "id": get(block, "id"),
                "name": get(block, "name"),
                "text": get(block, "text", ""),
                "thinking": get(block, "thinking", ""),
                "input": get(block, "input"),
            }
        elif kind == "content_block_delta":
            self._delta(get(event, "index", 0), get(event, "delta"))
        elif kind == "message_delta":
            self.stop_reason = get(get(event, "delta"), "stop_reason", self.stop_reason)
            self._merge_usage(get(event, "usage"))

    def _delta(self, index: int, delta: Any) -> None:
        block = self.blocks.setdefault(index, {"type": "text", "text": "", "thinking": ""})
        kind = get(delta, "type")
        if kind == "text_delta":
            block["text"] += get(delta, "text", "")
        elif kind == "thinking_delta":
            block["thinking"] += get(delta, "thinking", "")
        elif kind == "input_json_delta":
            self.json_parts.setdefault(index, []).append(get(delta, "partial_json", ""))

    def fields(self) -> dict[str, Any]:
        for index, parts in self.json_parts.items():
            try:
                self.blocks[index]["input"] = json.loads("".join(parts) or "{}")
            except ValueError:  # cut off early: keep what arrived
                self.blocks[index]["input"] = "".join(parts)
        fields = {"model": self.model, "finish_reason": self.stop_reason}
        fields.update(_blocks_fields([self.blocks[i] for i in sorted(self.blocks)]))
        fields.update(_usage_fields(self.usage or None))
        return fields


MESSAGES = Surface(messages_request, messages_response, MessagesStream)


def resolve(url: str) -> Surface | None:
    """``/v1/messages`` (also the beta variant, which differs only in its query)."""
    path = url.split("?", 1)[0].rstrip("/")
    return MESSAGES if path.endswith("/v1/messages") else None
