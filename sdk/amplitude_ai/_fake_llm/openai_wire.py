"""OpenAI wire format: chat completions, Responses API and embeddings (JSON and SSE)."""

from __future__ import annotations

import base64
import struct
import time
from collections.abc import Mapping
from typing import Any

from .reply import FakeReply
from .wire import WireResponse, json_response, new_id, pieces, sse_response

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    404: "not_found_error",
    429: "rate_limit_error",
}


def error(reply: FakeReply) -> WireResponse:
    kind = _ERROR_TYPES.get(reply.status, "server_error")
    body = {"error": {"message": reply.error_message, "type": kind, "param": None, "code": None}}
    return json_response(body, reply.status, {"x-should-retry": str(reply.retryable).lower()})


def _chat_usage(reply: FakeReply) -> dict[str, Any]:
    return {
        "prompt_tokens": reply.input_tokens,
        "completion_tokens": reply.output_tokens,
        "total_tokens": reply.total_tokens,
        "prompt_tokens_details": {"cached_tokens": reply.cached_tokens, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": reply.reasoning_tokens,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def _finish(reply: FakeReply) -> str:
    return reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop")


def chat(body: Mapping[str, Any], reply: FakeReply) -> WireResponse:
    model = reply.model or str(body.get("model") or "gpt-4o-mini")
    ids = [c.id or new_id("call_") for c in reply.tool_calls]
    if body.get("stream"):
        return _chat_stream(body, reply, model, ids)
    message: dict[str, Any] = {"role": "assistant", "content": reply.text or None, "refusal": None}
    if reply.tool_calls:
        message["tool_calls"] = [
            {
                "id": i,
                "type": "function",
                "function": {"name": c.name, "arguments": c.arguments_json},
            }
            for i, c in zip(ids, reply.tool_calls, strict=True)
        ]
    if reply.reasoning:
        message["reasoning_content"] = reply.reasoning
    return json_response(
        {
            "id": new_id("chatcmpl-"),
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "system_fingerprint": "fp_fake",
            "service_tier": "default",
            "choices": [
                {"index": 0, "message": message, "finish_reason": _finish(reply), "logprobs": None}
            ],
            "usage": _chat_usage(reply),
        }
    )


def _chat_stream(
    body: Mapping[str, Any], reply: FakeReply, model: str, ids: list[str]
) -> WireResponse:
    options = body.get("stream_options") or {}
    with_usage = bool(options.get("include_usage"))
    base = {
        "id": new_id("chatcmpl-"),
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": "fp_fake",
    }

    def chunk(delta: dict[str, Any], finish: str | None = None) -> tuple[None, dict[str, Any]]:
        data = {
            **base,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
        }
        if with_usage:
            data["usage"] = None
        return None, data

    events = [chunk({"role": "assistant", "content": ""})]
    events += [chunk({"reasoning_content": p}) for p in pieces(reply.reasoning or "")]
    events += [chunk({"content": p}) for p in pieces(reply.text)]
    for index, (call_id, call) in enumerate(zip(ids, reply.tool_calls, strict=True)):
        events.append(
            chunk(
                {
                    "tool_calls": [
                        {
                            "index": index,
                            "id": call_id,
                            "type": "function",
                            "function": {"name": call.name, "arguments": ""},
                        }
                    ]
                }
            )
        )
        events += [
            chunk({"tool_calls": [{"index": index, "function": {"arguments": p}}]})
            for p in pieces(call.arguments_json)
        ]
    events.append(chunk({}, _finish(reply)))
    if with_usage:
        events.append((None, {**base, "choices": [], "usage": _chat_usage(reply)}))
    events.append((None, "[DONE]"))
    return sse_response(events)


# ----------------------------------------------------------------------- Responses API


def _response_object(body: Mapping[str, Any], reply: FakeReply, status: str) -> dict[str, Any]:
    model = reply.model or str(body.get("model") or "gpt-4o-mini")
    output: list[dict[str, Any]] = []
    done = status == "completed"
    if done and reply.reasoning:
        output.append(
            {
                "type": "reasoning",
                "id": new_id("rs_"),
                "summary": [{"type": "summary_text", "text": reply.reasoning}],
            }
        )
    if done and reply.text:
        output.append(
            {
                "type": "message",
                "id": new_id("msg_"),
                "status": "completed",
                "role": "assistant",
                "content": [{"type": "output_text", "text": reply.text, "annotations": []}],
            }
        )
    if done:
        output += [
            {
                "type": "function_call",
                "id": new_id("fc_"),
                "call_id": c.id or new_id("call_"),
                "name": c.name,
                "arguments": c.arguments_json,
                "status": "completed",
            }
            for c in reply.tool_calls
        ]
    return {
        "id": new_id("resp_"),
        "object": "response",
        "created_at": int(time.time()),
        "status": status,
        "model": model,
        "output": output,
        "instructions": body.get("instructions"),
        "error": None,
        "incomplete_details": None,
        "metadata": {},
        "parallel_tool_calls": True,
        "temperature": body.get("temperature", 1.0),
        "top_p": body.get("top_p", 1.0),
        "tool_choice": "auto",
        "tools": [],
        "text": {"format": {"type": "text"}},
        "usage": {
            "input_tokens": reply.input_tokens,
            "input_tokens_details": {"cached_tokens": reply.cached_tokens},
            "output_tokens": reply.output_tokens,
            "output_tokens_details": {"reasoning_tokens": reply.reasoning_tokens},
            "total_tokens": reply.total_tokens,
        }
        if done
        else None,
    }


def responses(body: Mapping[str, Any], reply: FakeReply) -> WireResponse:
    final = _response_object(body, reply, "completed")
    if not body.get("stream"):
        return json_response(final)
    seq = iter(range(1_000_000))

    def event(kind: str, **data: Any) -> tuple[str, dict[str, Any]]:
        return kind, {"type": kind, "sequence_number": next(seq), **data}

    started = {**_response_object(body, reply, "in_progress"), "id": final["id"]}
    events = [
        event("response.created", response=started),
        event("response.in_progress", response=started),
    ]
    for index, item in enumerate(final["output"]):
        if item["type"] == "message":
            opened = {**item, "status": "in_progress", "content": []}
            events.append(event("response.output_item.added", output_index=index, item=opened))
            events += [
                event(
                    "response.output_text.delta",
                    item_id=item["id"],
                    output_index=index,
                    content_index=0,
                    delta=p,
                    logprobs=[],
                )
                for p in pieces(reply.text)
            ]
            events.append(
                event(
                    "response.output_text.done",
                    item_id=item["id"],
                    output_index=index,
                    content_index=0,
                    text=reply.text,
                    logprobs=[],
                )
            )
        else:
            events.append(event("response.output_item.added", output_index=index, item=item))
        events.append(event("response.output_item.done", output_index=index, item=item))
    events.append(event("response.completed", response=final))
    return sse_response(events)


# -------------------------------------------------------------------------- embeddings


def embeddings(body: Mapping[str, Any], reply: FakeReply) -> WireResponse:
    inputs = body.get("input")
    count = len(inputs) if isinstance(inputs, list) and not isinstance(inputs[0], int) else 1
    vector: Any = list(reply.embedding)
    if body.get("encoding_format") == "base64":
        vector = base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
    return json_response(
        {
            "object": "list",
            "data": [
                {"object": "embedding", "index": i, "embedding": vector} for i in range(count)
            ],
            "model": reply.model or str(body.get("model") or "text-embedding-3-small"),
            "usage": {"prompt_tokens": reply.input_tokens, "total_tokens": reply.input_tokens},
        }
    )
