"""AWS Bedrock runtime shapes (boto3 ``bedrock-runtime``) -> tracking fields.

The hook sees the API parameters the app passed (``modelId``, ``messages``, ``system``,
``inferenceConfig`` ... or InvokeModel's native ``body``) and botocore's parsed result.

- Converse / ConverseStream: one format for every model. Text blocks are the answer,
  ``toolUse`` blocks the tool calls, ``reasoningContent`` blocks the reasoning (Claude's
  extended thinking and other reasoning models).
- InvokeModel / InvokeModelWithResponseStream: the body is the model family's own JSON.
  Read here: Anthropic Claude (Messages API), Amazon Nova (messages-v1), Amazon Titan Text
  and Titan Embeddings, Meta Llama. Any other family still gets its usage, from the
  ``x-amzn-bedrock-*-token-count`` headers (or, in a stream, from the
  ``amazon-bedrock-invocationMetrics`` Bedrock adds to the last chunk).

Bedrock counts prompt-cache reads and writes outside ``inputTokens``; the events carry the
whole prompt size in Input Tokens (the convention the cost calculation expects) plus the
cache counts. The model name is the model id as called, without an ARN's resource path
(cross-region inference profiles keep their ``us.``/``eu.`` prefix: genai-prices knows them).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from typing import Any

from ._anthropic_fields import MessagesStream, messages_request, messages_response
from ._emit import RequestInfo
from ._hook import Surface
from ._read import count, get, number

_ARN = re.compile(r"^arn:aws[\w-]*:bedrock:[^:]*:[^:]*:[\w-]+/(?P<id>.+)$")
_GEO = re.compile(r"^(?:us|eu|apac|ap|us-gov|global|ca|jp|au)\.")


def model_name(model_id: Any) -> str | None:
    """``"anthropic.claude-3-haiku-20240307-v1:0"`` from a model id or a model ARN."""
    if not isinstance(model_id, str) or not model_id:
        return None
    found = _ARN.match(model_id)
    return found.group("id") if found else model_id


def model_family(model_id: Any) -> str:
    """Which native body format a model id speaks: ``anthropic``, ``nova``, ``titan``,
    ``titan-embed``, ``llama``, or the vendor prefix (``mistral``, ``cohere`` ...)."""
    name = _GEO.sub("", model_name(model_id) or "")
    vendor, _, rest = name.partition(".")
    if vendor == "amazon":
        if rest.startswith("titan-embed"):
            return "titan-embed"
        if rest.startswith("nova"):
            return "nova"
        if rest.startswith("titan"):
            return "titan"
    if vendor == "meta":
        return "llama"
    return vendor


# ------------------------------------------------------------------ Converse


def _blocks_text(blocks: Any) -> str | None:
    texts = [get(b, "text") for b in blocks or () if isinstance(get(b, "text"), str)]
    return "\n".join(texts) if texts else None


def converse_request(params: Mapping[str, Any]) -> RequestInfo:
    """Converse's parameters, also Nova's native InvokeModel body (same names)."""
    config = get(params, "inferenceConfig") or {}
    messages = list(get(params, "messages") or ())
    last = messages[-1] if messages else None
    user = None
    if get(last, "role") == "user":
        user = _blocks_text(get(last, "content"))  # None for a turn of tool results only
    fields: dict[str, Any] = {
        "model": model_name(get(params, "modelId")),
        "system_prompt": _blocks_text(get(params, "system")),
        "temperature": number(get(config, "temperature")),
        "top_p": number(get(config, "topP")),
        "max_output_tokens": count(get(config, "maxTokens")),
        "is_streaming": False,
    }
    return RequestInfo("ai_response", fields, user)


def converse_usage(usage: Any) -> dict[str, Any]:
    """Converse ``usage`` (also Nova's, which spells the cache counts ``...TokenCount``)."""
    if not usage:
        return {}
    uncached = count(get(usage, "inputTokens"))
    read = count(get(usage, "cacheReadInputTokens") or get(usage, "cacheReadInputTokenCount"))
    write = count(get(usage, "cacheWriteInputTokens") or get(usage, "cacheWriteInputTokenCount"))
    output = count(get(usage, "outputTokens"))
    prompt = None if uncached is None else uncached + (read or 0) + (write or 0)
    return {
        "input_tokens": prompt,
        "output_tokens": output,
        "total_tokens": None if prompt is None else prompt + (output or 0),
        "cache_read_tokens": read or None,
        "cache_creation_tokens": write or None,
    }


def _tool_call(tool: Any) -> dict[str, Any]:
    return {
        "id": get(tool, "toolUseId"),
        "type": "function",
        "function": {"name": get(tool, "name"), "arguments": get(tool, "input", {})},
    }


def converse_content(blocks: Any) -> dict[str, Any]:
    texts: list[str] = []
    reasoning: list[str] = []
    calls: list[dict[str, Any]] = []
    for block in blocks or ():
        if isinstance(get(block, "text"), str):
            texts.append(get(block, "text"))
        elif get(block, "toolUse") is not None:
            calls.append(_tool_call(get(block, "toolUse")))
        elif get(block, "reasoningContent") is not None:
            text = get(get(get(block, "reasoningContent"), "reasoningText"), "text")
            if isinstance(text, str):
                reasoning.append(text)
    return {
        "content": "".join(texts) or None,
        "reasoning_content": "\n".join(reasoning) or None,
        "tool_calls": calls or None,
    }


def converse_response(parsed: Any) -> dict[str, Any]:
    message = get(get(parsed, "output"), "message")
    fields = {"finish_reason": get(parsed, "stopReason")}
    fields.update(converse_content(get(message, "content")))
    fields.update(converse_usage(get(parsed, "usage")))
    return fields


class ConverseStream:
    """Accumulates ConverseStream events (also Nova's native InvokeModel stream chunks,
    which have the same members): ``contentBlockStart``/``Delta``, ``messageStop``,
    ``metadata`` with the usage."""

    def __init__(self) -> None:
        self.blocks: dict[int, dict[str, Any]] = {}
        self.stop_reason: str | None = None
        self.usage: dict[str, Any] = {}

    def is_usage_only(self, item: Any) -> bool:
        return False

    def _block(self, index: Any) -> dict[str, Any]:
        key = index if isinstance(index, int) else len(self.blocks)
        return self.blocks.setdefault(key, {"text": [], "reasoning": [], "input": []})

    def add(self, item: Any) -> None:
        start = get(item, "contentBlockStart")
        if start is not None:
            tool = get(get(start, "start"), "toolUse")
            if tool is not None:
                block = self._block(get(start, "contentBlockIndex"))
                block["tool"] = {"toolUseId": get(tool, "toolUseId"), "name": get(tool, "name")}
            return
        delta_event = get(item, "contentBlockDelta")
        if delta_event is not None:
            block = self._block(get(delta_event, "contentBlockIndex"))
            delta = get(delta_event, "delta") or {}
            if isinstance(get(delta, "text"), str):
                block["text"].append(get(delta, "text"))
            tool = get(delta, "toolUse")
            if tool is not None and isinstance(get(tool, "input"), str):
                block["input"].append(get(tool, "input"))
            text = get(get(delta, "reasoningContent"), "text")
            if isinstance(text, str):
                block["reasoning"].append(text)
            return
        stop = get(item, "messageStop")
        if stop is not None:
            self.stop_reason = get(stop, "stopReason", self.stop_reason)
            return
        metadata = get(item, "metadata")
        if metadata is not None and get(metadata, "usage"):
            self.usage = converse_usage(get(metadata, "usage"))

    def fields(self) -> dict[str, Any]:
        blocks: list[dict[str, Any]] = []
        for index in sorted(self.blocks):
            block = self.blocks[index]
            if block.get("tool") is not None:
                raw = "".join(block["input"])
                try:
                    arguments = json.loads(raw) if raw else {}
                except ValueError:  # cut off early: keep what arrived
                    arguments = raw
                blocks.append({"toolUse": {**block["tool"], "input": arguments}})
            if block["reasoning"]:
                text = "".join(block["reasoning"])
                blocks.append({"reasoningContent": {"reasoningText": {"text": text}}})
            if block["text"]:
                blocks.append({"text": "".join(block["text"])})
        fields: dict[str, Any] = {"finish_reason": self.stop_reason}
        fields.update(converse_content(blocks))
        fields.update(self.usage)
        return fields


# ------------------------------------------------------------------ InvokeModel bodies


def load_body(body: Any) -> dict[str, Any]:
    """InvokeModel's ``body`` parameter as JSON (bytes, str, or a dict some wrappers pass);
    a file-like body is not read (it would be consumed): ``{}``."""
    if isinstance(body, Mapping):
        return dict(body)
    if isinstance(body, (bytes, bytearray, str)):
        try:
            data = json.loads(body)
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
    return {}


def _titan_request(body: Mapping[str, Any]) -> RequestInfo:
    config = get(body, "textGenerationConfig") or {}
    fields = {
        "temperature": number(get(config, "temperature")),
        "top_p": number(get(config, "topP")),
        "max_output_tokens": count(get(config, "maxTokenCount")),
    }
    text = get(body, "inputText")
    return RequestInfo("ai_response", fields, text if isinstance(text, str) else None)


def _llama_request(body: Mapping[str, Any]) -> RequestInfo:
    fields = {
        "temperature": number(get(body, "temperature")),
        "top_p": number(get(body, "top_p")),
        "max_output_tokens": count(get(body, "max_gen_len")),
    }
    prompt = get(body, "prompt")
    return RequestInfo("ai_response", fields, prompt if isinstance(prompt, str) else None)


def _generic_request(body: Mapping[str, Any]) -> RequestInfo:
    fields = {
        "temperature": number(get(body, "temperature")),
        "top_p": number(get(body, "top_p") or get(body, "p")),
        "max_output_tokens": count(get(body, "max_tokens")),
    }
    prompt = get(body, "prompt") or get(body, "message")
    return RequestInfo("ai_response", fields, prompt if isinstance(prompt, str) else None)


def _embed_request(body: Mapping[str, Any]) -> RequestInfo:
    return RequestInfo("embedding", {"dimensions": count(get(body, "dimensions"))})


def invoke_request(family: str, body: Mapping[str, Any]) -> RequestInfo:
    if family == "titan-embed" or "texts" in body:  # Titan / Cohere embeddings
        return _embed_request(body)
    if family == "anthropic" or "anthropic_version" in body:
        info = messages_request(body)
        info.fields.pop("model", None)
        return info
    if family == "nova" or "schemaVersion" in body:
        info = converse_request(body)
        info.fields.pop("model", None)
        return info
    if family == "titan":
        return _titan_request(body)
    if family == "llama":
        return _llama_request(body)
    return _generic_request(body)


def header_usage(headers: Mapping[str, Any]) -> dict[str, Any]:
    """Usage from the ``x-amzn-bedrock-*-token-count`` response headers (every family)."""
    lowered = {str(k).lower(): v for k, v in headers.items()}

    def number_of(name: str) -> int | None:
        value = lowered.get(f"x-amzn-bedrock-{name}-token-count")
        try:
            return int(value) if value is not None else None
        except (TypeError, ValueError):
            return None

    return _counts(
        number_of("input"), number_of("output"),
        number_of("cache-read-input"), number_of("cache-write-input"),
    )  # fmt: skip


def _counts(
    uncached: int | None, output: int | None, read: int | None = None, write: int | None = None
) -> dict[str, Any]:
    prompt = None if uncached is None else uncached + (read or 0) + (write or 0)
    total = None if prompt is None and output is None else (prompt or 0) + (output or 0)
    return {
        "input_tokens": prompt,
        "output_tokens": output,
        "total_tokens": total,
        "cache_read_tokens": read or None,
        "cache_creation_tokens": write or None,
    }


def _generic_text(data: Mapping[str, Any]) -> str | None:
    """Answer text of a family not read field by field (Mistral, Cohere, AI21, OpenAI-style)."""
    for key in ("generation", "completion", "text", "outputText"):
        if isinstance(data.get(key), str):
            return str(data[key])
    outputs = get(data, "outputs") or get(data, "generations") or get(data, "choices")
    if isinstance(outputs, list) and outputs:
        first = outputs[0]
        text = get(first, "text") or get(get(first, "message"), "content")
        return text if isinstance(text, str) else None
    return None


def invoke_response(family: str, data: Mapping[str, Any], headers: Mapping[str, Any]) -> dict:
    """Fields of an InvokeModel response: the native body, usage from the headers where
    the body has none."""
    fields: dict[str, Any] = {}
    if family == "titan-embed" or "embedding" in data or "embeddings" in data:
        vector = data.get("embedding")
        if vector is None and isinstance(data.get("embeddings"), list) and data["embeddings"]:
            vector = data["embeddings"][0]
        usage = header_usage(headers)
        tokens = count(data.get("inputTextTokenCount")) or usage.get("input_tokens")
        return {
            "input_tokens": tokens,
            "dimensions": len(vector) if isinstance(vector, list) else None,
        }
    if family == "anthropic" or data.get("type") == "message":
        fields = messages_response(data)
        fields.pop("model", None)  # the model id called, not Anthropic's own model name
    elif family == "nova" or "output" in data:
        fields = converse_response(data)
    elif family == "titan":
        results = data.get("results") or [{}]
        first = results[0] if isinstance(results, list) and results else {}
        fields = {
            "content": get(first, "outputText"),
            "finish_reason": get(first, "completionReason"),
            **_counts(count(data.get("inputTextTokenCount")), count(get(first, "tokenCount"))),
        }
    elif family == "llama":
        fields = {
            "content": get(data, "generation"),
            "finish_reason": get(data, "stop_reason"),
            **_counts(
                count(data.get("prompt_token_count")), count(data.get("generation_token_count"))
            ),
        }
    else:
        fields = {"content": _generic_text(data)}
    for name, value in header_usage(headers).items():
        if fields.get(name) is None:
            fields[name] = value
    return fields


class InvokeStream:
    """Accumulates InvokeModelWithResponseStream events: each ``chunk.bytes`` is one native
    chunk of the model family; the last carries ``amazon-bedrock-invocationMetrics``."""

    def __init__(self, family: str) -> None:
        self.family = family
        self.anthropic = MessagesStream()
        self.nova = ConverseStream()
        self.text: list[str] = []
        self.finish_reason: str | None = None
        self.metrics: dict[str, Any] = {}
        self.native: dict[str, Any] = {}

    def is_usage_only(self, item: Any) -> bool:
        return False

    def add(self, item: Any) -> None:
        raw = get(get(item, "chunk"), "bytes")
        if raw is None:
            return
        if isinstance(raw, str):  # some callers see base64 text
            raw = base64.b64decode(raw)
        data = json.loads(raw)
        if not isinstance(data, dict):
            return
        metrics = data.get("amazon-bedrock-invocationMetrics")
        if isinstance(metrics, Mapping):
            self.metrics = _counts(
                count(metrics.get("inputTokenCount")),
                count(metrics.get("outputTokenCount")),
                count(metrics.get("cacheReadInputTokenCount")),
                count(metrics.get("cacheWriteInputTokenCount")),
            )
        if self.family == "anthropic" or "type" in data:
            self.anthropic.add(data)
        elif self.family == "nova":
            self.nova.add(data)
        elif self.family == "titan":
            self._piece(data.get("outputText"), data.get("completionReason"))
            self._native(data, "inputTextTokenCount", "totalOutputTextTokenCount")
        elif self.family == "llama":
            self._piece(data.get("generation"), data.get("stop_reason"))
            self._native(data, "prompt_token_count", "generation_token_count")
        else:
            outputs = data.get("outputs") or data.get("choices")
            first = outputs[0] if isinstance(outputs, list) and outputs else data
            text = get(first, "text") or get(get(first, "delta"), "content")
            self._piece(text, get(first, "stop_reason") or get(first, "finish_reason"))

    def _piece(self, text: Any, finish: Any) -> None:
        if isinstance(text, str):
            self.text.append(text)
        if isinstance(finish, str):
            self.finish_reason = finish

    def _native(self, data: Mapping[str, Any], prompt_key: str, output_key: str) -> None:
        for key, field in ((prompt_key, "input_tokens"), (output_key, "output_tokens")):
            value = count(data.get(key))
            if value is not None:
                self.native[field] = value

    def fields(self) -> dict[str, Any]:
        if self.family == "anthropic" or self.anthropic.model or self.anthropic.blocks:
            fields = self.anthropic.fields()
            fields.pop("model", None)
        elif self.family == "nova":
            fields = self.nova.fields()
        else:
            fields = {"content": "".join(self.text) or None, "finish_reason": self.finish_reason}
            if self.native:
                fields.update(
                    _counts(self.native.get("input_tokens"), self.native.get("output_tokens"))
                )
        for name, value in self.metrics.items():
            if fields.get(name) is None:
                fields[name] = value
        return fields


# ------------------------------------------------------------------ surfaces

OPERATIONS = ("Converse", "ConverseStream", "InvokeModel", "InvokeModelWithResponseStream")
STREAMING = frozenset({"ConverseStream", "InvokeModelWithResponseStream"})


def resolve(operation: str, params: Mapping[str, Any]) -> Surface | None:
    """How to read one Bedrock runtime operation (``None``: not tracked). InvokeModel's
    response reader takes ``(native body, response headers)``."""
    streaming = operation in STREAMING
    if operation in ("Converse", "ConverseStream"):

        def request(p: Mapping[str, Any]) -> RequestInfo:
            info = converse_request(p)
            info.fields["is_streaming"] = streaming
            return info

        return Surface(request, converse_response, ConverseStream if streaming else None)
    if operation not in ("InvokeModel", "InvokeModelWithResponseStream"):
        return None
    family = model_family(get(params, "modelId"))
    body = load_body(get(params, "body"))

    def invoke(p: Mapping[str, Any]) -> RequestInfo:
        info = invoke_request(family, body)
        info.fields["model"] = model_name(get(p, "modelId"))
        if info.kind == "ai_response":
            info.fields["is_streaming"] = streaming
        return info

    def response(result: Any) -> dict[str, Any]:
        data, headers = result
        return invoke_response(family, data, headers)

    return Surface(invoke, response, (lambda: InvokeStream(family)) if streaming else None)
