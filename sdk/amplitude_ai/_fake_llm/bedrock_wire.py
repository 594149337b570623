"""AWS Bedrock runtime wire format (boto3 ``bedrock-runtime``).

Paths are ``/model/{modelId}/converse``, ``/converse-stream``, ``/invoke`` and
``/invoke-with-response-stream``. Converse answers in Converse's own JSON; InvokeModel
answers in the model family's native body (Anthropic Messages, Amazon Nova, Amazon Titan
text and embeddings, Meta Llama) with the ``x-amzn-bedrock-*`` usage headers. The two
streaming operations use the binary event-stream framing (``eventstream``); each
InvokeModel stream chunk carries the native chunk JSON base64-encoded in ``bytes``, and
the last one Bedrock's ``amazon-bedrock-invocationMetrics``. Errors carry the AWS error
code in ``x-amzn-ErrorType`` (429 is ``ThrottlingException``, 400 ``ValidationException``).
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from amplitude_ai.providers._bedrock_fields import model_family

from . import eventstream
from .reply import FakeReply
from .wire import WireResponse, new_id, pieces

_PATH = re.compile(
    r"/model/(?P<model>[^/]+)/(?P<op>converse-stream|converse|invoke-with-response-stream|invoke)$"
)
SURFACES = {
    "converse": "converse",
    "converse-stream": "converse_stream",
    "invoke": "invoke_model",
    "invoke-with-response-stream": "invoke_model_with_response_stream",
}
_STREAMING = frozenset({"converse-stream", "invoke-with-response-stream"})
_ERRORS = {
    400: "ValidationException",
    403: "AccessDeniedException",
    404: "ResourceNotFoundException",
    408: "ModelTimeoutException",
    424: "ModelErrorException",
    429: "ThrottlingException",
    500: "InternalServerException",
    503: "ServiceUnavailableException",
}
_EVENTSTREAM = "application/vnd.amazon.eventstream"


def parse(path: str) -> tuple[str | None, str | None]:
    """(model id, operation path segment) of a Bedrock runtime path, or ``(None, None)``."""
    found = _PATH.search(path.split("?", 1)[0].rstrip("/"))
    if found is None:
        return None, None
    return unquote(found.group("model")), found.group("op")


def is_streaming(op: str | None) -> bool:
    return op in _STREAMING


def _headers(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    return {"x-amzn-requestid": str(uuid.uuid4()), **(extra or {})}


def error(reply: FakeReply) -> WireResponse:
    code = _ERRORS.get(reply.status, "InternalServerException")
    body = json.dumps({"message": reply.error_message}).encode()
    headers = _headers({"content-type": "application/json", "x-amzn-ErrorType": f"{code}:"})
    return WireResponse(reply.status, headers, [body])


def _json(payload: Any, extra: Mapping[str, str] | None = None) -> WireResponse:
    headers = _headers({"content-type": "application/json", **(extra or {})})
    return WireResponse(200, headers, [json.dumps(payload).encode()])


def _stream(messages: list[bytes]) -> WireResponse:
    return WireResponse(200, _headers({"content-type": _EVENTSTREAM}), messages)


def _uncached(reply: FakeReply) -> int:
    return max(0, reply.input_tokens - reply.cached_tokens - reply.cache_creation_tokens)


def _converse_usage(reply: FakeReply) -> dict[str, int]:
    # Bedrock counts cache reads/writes outside inputTokens; totalTokens covers all of them.
    usage = {
        "inputTokens": _uncached(reply),
        "outputTokens": reply.output_tokens,
        "totalTokens": reply.total_tokens,
    }
    if reply.cached_tokens:
        usage["cacheReadInputTokens"] = reply.cached_tokens
    if reply.cache_creation_tokens:
        usage["cacheWriteInputTokens"] = reply.cache_creation_tokens
    return usage


def _asks_for_reasoning(body: Mapping[str, Any]) -> bool:
    extra = body.get("additionalModelRequestFields")
    if not isinstance(extra, Mapping):
        return False
    return any(k in extra for k in ("thinking", "reasoning_config", "reasoningConfig"))


def _stop(reply: FakeReply) -> str:
    if reply.finish_reason:
        return reply.finish_reason
    return "tool_use" if reply.tool_calls else "end_turn"


def _tool_id(index: int, given: str | None) -> str:
    return given or f"tooluse_{index}{uuid.uuid4().hex[:18]}"


def converse(model: str, body: Mapping[str, Any], reply: FakeReply) -> WireResponse:
    content: list[dict[str, Any]] = []
    if reply.reasoning and _asks_for_reasoning(body):
        text = {"text": reply.reasoning, "signature": "fake-signature"}
        content.append({"reasoningContent": {"reasoningText": text}})
    if reply.text:
        content.append({"text": reply.text})
    for i, call in enumerate(reply.tool_calls):
        tool = {"toolUseId": _tool_id(i, call.id), "name": call.name, "input": call.arguments}
        content.append({"toolUse": tool})
    return _json(
        {
            "output": {"message": {"role": "assistant", "content": content}},
            "stopReason": _stop(reply),
            "usage": _converse_usage(reply),
            "metrics": {"latencyMs": 321},
        }
    )


def _event(kind: str, payload: Mapping[str, Any]) -> bytes:
    return eventstream.event(kind, json.dumps(payload).encode())


def converse_stream(model: str, body: Mapping[str, Any], reply: FakeReply) -> WireResponse:
    events = [_event("messageStart", {"role": "assistant"})]
    index = 0
    if reply.reasoning and _asks_for_reasoning(body):
        for piece in pieces(reply.reasoning):
            delta = {"reasoningContent": {"text": piece}}
            events.append(_event("contentBlockDelta", {"contentBlockIndex": index, "delta": delta}))
        signature = {"reasoningContent": {"signature": "fake-signature"}}
        events.append(_event("contentBlockDelta", {"contentBlockIndex": index, "delta": signature}))
        events.append(_event("contentBlockStop", {"contentBlockIndex": index}))
        index += 1
    if reply.text:
        for piece in pieces(reply.text):
            text = {"contentBlockIndex": index, "delta": {"text": piece}}
            events.append(_event("contentBlockDelta", text))
        events.append(_event("contentBlockStop", {"contentBlockIndex": index}))
        index += 1
    for i, call in enumerate(reply.tool_calls):
        start = {"toolUse": {"toolUseId": _tool_id(i, call.id), "name": call.name}}
        events.append(_event("contentBlockStart", {"contentBlockIndex": index, "start": start}))
        for piece in pieces(call.arguments_json, 2):
            delta = {"toolUse": {"input": piece}}
            events.append(_event("contentBlockDelta", {"contentBlockIndex": index, "delta": delta}))
        events.append(_event("contentBlockStop", {"contentBlockIndex": index}))
        index += 1
    events.append(_event("messageStop", {"stopReason": _stop(reply)}))
    metadata = {"usage": _converse_usage(reply), "metrics": {"latencyMs": 321}}
    events.append(_event("metadata", metadata))
    return _stream(events)


# ------------------------------------------------------------------ InvokeModel bodies


def _usage_headers(reply: FakeReply) -> dict[str, str]:
    headers = {
        "x-amzn-bedrock-input-token-count": str(_uncached(reply)),
        "x-amzn-bedrock-output-token-count": str(reply.output_tokens),
        "x-amzn-bedrock-invocation-latency": "321",
    }
    if reply.cached_tokens:
        headers["x-amzn-bedrock-cache-read-input-token-count"] = str(reply.cached_tokens)
    if reply.cache_creation_tokens:
        headers["x-amzn-bedrock-cache-write-input-token-count"] = str(reply.cache_creation_tokens)
    return headers


def _anthropic_message(model: str, body: Mapping[str, Any], reply: FakeReply) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    if reply.reasoning and isinstance(body.get("thinking"), Mapping):
        content.append({"type": "thinking", "thinking": reply.reasoning, "signature": "sig"})
    if reply.text:
        content.append({"type": "text", "text": reply.text})
    for i, call in enumerate(reply.tool_calls):
        content.append(
            {"type": "tool_use", "id": _tool_id(i, call.id), "name": call.name,
             "input": call.arguments}
        )  # fmt: skip
    return {
        "id": new_id("msg_bdrk_"),
        "type": "message",
        "role": "assistant",
        "model": reply.model or model,
        "content": content,
        "stop_reason": _stop(reply),
        "stop_sequence": None,
        "usage": _anthropic_usage(reply),
    }


def _anthropic_usage(reply: FakeReply) -> dict[str, int]:
    return {
        "input_tokens": _uncached(reply),
        "output_tokens": reply.output_tokens,
        "cache_read_input_tokens": reply.cached_tokens,
        "cache_creation_input_tokens": reply.cache_creation_tokens,
    }


def _nova(reply: FakeReply) -> dict[str, Any]:
    content: list[dict[str, Any]] = [{"text": reply.text}] if reply.text else []
    for i, call in enumerate(reply.tool_calls):
        tool = {"toolUseId": _tool_id(i, call.id), "name": call.name, "input": call.arguments}
        content.append({"toolUse": tool})
    usage = {
        "inputTokens": _uncached(reply),
        "outputTokens": reply.output_tokens,
        "totalTokens": reply.total_tokens,
        "cacheReadInputTokenCount": reply.cached_tokens,
        "cacheWriteInputTokenCount": reply.cache_creation_tokens,
    }
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": _stop(reply),
        "usage": usage,
    }


def _finish_titan(reply: FakeReply) -> str:
    return reply.finish_reason or "FINISH"


def _finish_llama(reply: FakeReply) -> str:
    return reply.finish_reason or "stop"


def invoke(model: str, body: Mapping[str, Any], reply: FakeReply) -> WireResponse:
    family = model_family(model)
    headers = _usage_headers(reply)
    if family == "titan-embed":
        return _json(
            {"embedding": list(reply.embedding), "inputTextTokenCount": reply.input_tokens},
            {**headers, "x-amzn-bedrock-output-token-count": "0"},
        )
    if family == "anthropic":
        return _json(_anthropic_message(model, body, reply), headers)
    if family == "nova":
        return _json(_nova(reply), headers)
    if family == "titan":
        result = {
            "tokenCount": reply.output_tokens,
            "outputText": reply.text,
            "completionReason": _finish_titan(reply),
        }
        return _json({"inputTextTokenCount": reply.input_tokens, "results": [result]}, headers)
    if family == "llama":
        return _json(
            {
                "generation": reply.text,
                "prompt_token_count": reply.input_tokens,
                "generation_token_count": reply.output_tokens,
                "stop_reason": _finish_llama(reply),
            },
            headers,
        )
    # Other families (Mistral, Cohere, AI21 ...): a generic body; usage in the headers.
    return _json({"outputs": [{"text": reply.text, "stop_reason": "stop"}]}, headers)


def _metrics(reply: FakeReply) -> dict[str, int]:
    return {
        "inputTokenCount": _uncached(reply),
        "outputTokenCount": reply.output_tokens,
        "invocationLatency": 321,
        "firstByteLatency": 120,
    }


def _chunk(payload: Mapping[str, Any]) -> bytes:
    data = base64.b64encode(json.dumps(payload).encode()).decode()
    return eventstream.event("chunk", json.dumps({"bytes": data}).encode())


def _anthropic_chunks(model: str, body: Mapping[str, Any], reply: FakeReply) -> list[dict]:
    message = _anthropic_message(model, body, reply)
    start = {**message, "content": [], "stop_reason": None,
             "usage": {**message["usage"], "output_tokens": 1}}  # fmt: skip
    chunks: list[dict[str, Any]] = [{"type": "message_start", "message": start}]
    for index, block in enumerate(message["content"]):
        kind = block["type"]
        if kind == "text":
            chunks.append({"type": "content_block_start", "index": index,
                           "content_block": {"type": "text", "text": ""}})  # fmt: skip
            for piece in pieces(block["text"]):
                delta = {"type": "text_delta", "text": piece}
                chunks.append({"type": "content_block_delta", "index": index, "delta": delta})
        elif kind == "thinking":
            chunks.append({"type": "content_block_start", "index": index,
                           "content_block": {"type": "thinking", "thinking": ""}})  # fmt: skip
            for piece in pieces(block["thinking"]):
                delta = {"type": "thinking_delta", "thinking": piece}
                chunks.append({"type": "content_block_delta", "index": index, "delta": delta})
        else:
            opened = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
            chunks.append({"type": "content_block_start", "index": index,
                           "content_block": opened})  # fmt: skip
            delta = {"type": "input_json_delta", "partial_json": json.dumps(block["input"])}
            chunks.append({"type": "content_block_delta", "index": index, "delta": delta})
        chunks.append({"type": "content_block_stop", "index": index})
    chunks.append({"type": "message_delta", "delta": {"stop_reason": message["stop_reason"]},
                   "usage": {"output_tokens": reply.output_tokens}})  # fmt: skip
    chunks.append({"type": "message_stop"})
    return chunks


def _nova_chunks(reply: FakeReply) -> list[dict[str, Any]]:
    chunks: list[dict[str, Any]] = [{"messageStart": {"role": "assistant"}}]
    for piece in pieces(reply.text):
        chunks.append({"contentBlockDelta": {"delta": {"text": piece}, "contentBlockIndex": 0}})
    chunks.append({"contentBlockStop": {"contentBlockIndex": 0}})
    for i, call in enumerate(reply.tool_calls, start=1):
        start = {"toolUse": {"toolUseId": _tool_id(i, call.id), "name": call.name}}
        delta = {"toolUse": {"input": call.arguments_json}}
        chunks.append({"contentBlockStart": {"start": start, "contentBlockIndex": i}})
        chunks.append({"contentBlockDelta": {"delta": delta, "contentBlockIndex": i}})
        chunks.append({"contentBlockStop": {"contentBlockIndex": i}})
    chunks.append({"messageStop": {"stopReason": _stop(reply)}})
    usage = _nova(reply)["usage"]
    chunks.append({"metadata": {"usage": usage}})
    return chunks


def _titan_chunks(reply: FakeReply) -> list[dict[str, Any]]:
    parts = pieces(reply.text) or [""]
    chunks: list[dict[str, Any]] = [
        {"outputText": p, "index": 0, "totalOutputTextTokenCount": None,
         "completionReason": None, "inputTextTokenCount": reply.input_tokens if i == 0 else None}
        for i, p in enumerate(parts)
    ]  # fmt: skip
    chunks[-1]["totalOutputTextTokenCount"] = reply.output_tokens
    chunks[-1]["completionReason"] = _finish_titan(reply)
    return chunks


def _llama_chunks(reply: FakeReply) -> list[dict[str, Any]]:
    parts = pieces(reply.text) or [""]
    chunks: list[dict[str, Any]] = [
        {"generation": p, "prompt_token_count": reply.input_tokens if i == 0 else None,
         "generation_token_count": i + 1, "stop_reason": None}
        for i, p in enumerate(parts)
    ]  # fmt: skip
    chunks[-1]["generation_token_count"] = reply.output_tokens
    chunks[-1]["stop_reason"] = _finish_llama(reply)
    return chunks


def invoke_stream(model: str, body: Mapping[str, Any], reply: FakeReply) -> WireResponse:
    family = model_family(model)
    if family == "anthropic":
        chunks = _anthropic_chunks(model, body, reply)
    elif family == "nova":
        chunks = _nova_chunks(reply)
    elif family == "titan":
        chunks = _titan_chunks(reply)
    elif family == "llama":
        chunks = _llama_chunks(reply)
    else:
        chunks = [{"outputs": [{"text": p, "stop_reason": None}]} for p in pieces(reply.text)]
        chunks.append({"outputs": [{"text": "", "stop_reason": "stop"}]})
    # Bedrock adds its own metrics to the last chunk of every family.
    chunks[-1] = {**chunks[-1], "amazon-bedrock-invocationMetrics": _metrics(reply)}
    return _stream([_chunk(c) for c in chunks])


def render(path: str, body: Mapping[str, Any], reply: FakeReply) -> WireResponse:
    model, op = parse(path)
    model = model or "unknown"
    if op == "converse":
        return converse(model, body, reply)
    if op == "converse-stream":
        return converse_stream(model, body, reply)
    if op == "invoke":
        return invoke(model, body, reply)
    return invoke_stream(model, body, reply)
