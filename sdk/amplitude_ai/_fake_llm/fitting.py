"""Replies that fit how the calling code reads them (for generated verify tests).

:func:`fitting_replies` builds a responder for :meth:`FakeLLM.answer_with` that looks at each
request: a requested JSON schema (``response_format`` / Responses ``text.format`` — what
``parse()`` sends) gets an instance of that schema; code that parses the reply as JSON gets a
JSON object with the keys it reads; code that loops on tool calls gets one round of tool
calls for the tools the request offers (arguments built from their parameter schemas), then a
final answer once the request carries the tool results.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .core import FakeCall
from .reply import FakeReply, FakeToolCall

TEXT = "Hello from the verify test"
_MAX_DEPTH = 6


def sample_from_schema(
    schema: Any, defs: Mapping[str, Any] | None = None, depth: int = 0, name: str = ""
) -> Any:
    """A small value valid for a JSON schema (the subset pydantic and tool specs use)."""
    if not isinstance(schema, Mapping) or depth > _MAX_DEPTH:
        return TEXT
    defs = {**(defs or {}), **schema.get("$defs", {}), **schema.get("definitions", {})}
    if "$ref" in schema:
        target = defs.get(str(schema["$ref"]).rsplit("/", 1)[-1], {})
        return sample_from_schema(target, defs, depth + 1, name)
    for key in ("const", "default"):
        if key in schema:
            return schema[key]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        options = [o for o in schema.get(key, []) if o.get("type") != "null"]
        if options:
            return sample_from_schema(options[0], defs, depth + 1, name)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {k: sample_from_schema(v, defs, depth + 1, k) for k, v in props.items()}
    if kind == "array":
        count = max(1, int(schema.get("minItems", 1)))
        return [sample_from_schema(schema.get("items", {}), defs, depth + 1, name)] * count
    if kind == "integer":
        return int(schema.get("minimum", 1))
    if kind == "number":
        return float(schema.get("minimum", 0.5))
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    if schema.get("format") == "date-time":
        return "2025-01-01T00:00:00Z"
    if schema.get("format") == "date":
        return "2025-01-01"
    if "email" in name.lower() or schema.get("format") == "email":
        return "verify@example.com"
    return TEXT


def _requested_schema(body: Mapping[str, Any]) -> tuple[bool, Any]:
    """(JSON requested, its schema or None) from chat ``response_format`` or Responses
    ``text.format``."""
    fmt = body.get("response_format")
    if not isinstance(fmt, Mapping):
        text = body.get("text")
        fmt = text.get("format") if isinstance(text, Mapping) else None
    if not isinstance(fmt, Mapping):
        return False, None
    if fmt.get("type") == "json_schema":
        inner = fmt.get("json_schema", fmt)
        return True, inner.get("schema") if isinstance(inner, Mapping) else None
    return fmt.get("type") == "json_object", None


def _has_tool_results(body: Mapping[str, Any]) -> bool:
    for item in [*(body.get("messages") or []), *_as_list(body.get("input"))]:
        if not isinstance(item, Mapping):
            continue
        if item.get("role") == "tool" or item.get("type") == "function_call_output":
            return True
        content = item.get("content")
        if isinstance(content, list) and any(
            isinstance(c, Mapping) and c.get("type") == "tool_result" for c in content
        ):
            return True
    return False


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _offered_tools(body: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """(name, parameter schema) of the function tools a request offers (both APIs)."""
    found: list[tuple[str, Any]] = []
    for tool in _as_list(body.get("tools")):
        if not isinstance(tool, Mapping):
            continue
        function = tool.get("function")
        spec = function if isinstance(function, Mapping) else tool
        name = spec.get("name")
        if isinstance(name, str):
            params = spec.get("parameters", spec.get("input_schema", {}))
            found.append((name, params))
    return found


def fitting_replies(
    json_keys: Sequence[str] = (), *, json_reply: bool = False, tool_calls: bool = False
) -> Callable[[FakeCall], FakeReply | None]:
    """A responder for :meth:`FakeLLM.answer_with`.

    ``json_reply``: the code parses the reply text as JSON (answer a JSON object with
    ``json_keys``); ``tool_calls``: the code runs the tool calls a reply asks for (ask for
    each offered tool once, then answer).
    """

    def respond(call: FakeCall) -> FakeReply | None:
        body = call.body
        if call.is_embedding:
            return None
        tools = _offered_tools(body)
        if tool_calls and tools and not _has_tool_results(body):
            return FakeReply(
                text="",
                tool_calls=tuple(
                    FakeToolCall(name, _arguments(params)) for name, params in tools[:1]
                ),
            )
        wants_json, schema = _requested_schema(body)
        if schema is not None:
            return FakeReply(text=json.dumps(sample_from_schema(schema)))
        if wants_json or json_reply:
            return FakeReply(text=json.dumps({k: TEXT for k in json_keys}))
        return None

    return respond


def _arguments(params: Any) -> dict[str, Any]:
    value = sample_from_schema(params) if isinstance(params, Mapping) else {}
    return value if isinstance(value, dict) else {}
