"""Turning one tracking call into one catalog-shaped event.

:class:`EventBuilder` maps call arguments onto catalog properties by their snake-case
keys (plus a few documented argument aliases such as ``model`` -> ``model_name``), derives
the computed properties (totals, cost, model tier, attachment counts, label map), applies
the privacy policy, and serialises the JSON-valued properties. Wire names come only from
the catalog.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping, Sequence
from typing import Any

from ._json import MAX_PROPERTY_CHARS as MAX_PROPERTY_CHARS  # re-exported
from ._json import fit_json, to_json
from ._logging import log_once, warn_rate_limited
from ._version import __version__
from .catalog import RESERVED_PREFIXES, load_catalog
from .context import SCOPE_FIELDS, SessionContext
from .costs import CostCalculator, infer_model_tier
from .privacy import PrivacyPolicy

RUNTIME = "python"

# API argument name -> catalog key, where the documented parameter name differs.
ARG_ALIASES: dict[str, str] = {
    "model": "model_name",
    "total_cost_usd": "cost_usd",
    "input": "tool_input",
    "output": "tool_output",
    "success": "tool_success",
    "dimensions": "embedding_dimensions",
    "name": "score_name",
    "value": "score_value",
    "source": "evaluation_source",
    "idle_timeout_minutes": "session_idle_timeout_minutes",
}
# Arguments consumed by the derivations below rather than copied one to one.
_DERIVED_ARGS = frozenset(
    {
        "content",
        "attachments",
        "labels",
        "tool_calls",
        "enrichments",
        "context",
        "groups",
        "event_properties",
    }
)
_JSON_SCALARS = (str, int, float, bool, type(None))
_COMPONENT_TYPES = {
    "user_message": "user_input",
    "ai_response": "llm",
    "tool_call": "tool",
    "embedding": "embedding",
}
# Attachment keys that can carry file bytes: never sent (attachments are metadata only).
_ATTACHMENT_PAYLOAD_KEYS = frozenset({"content", "data", "bytes", "base64", "file", "body"})


def _attachment_metadata(value: Any) -> Any:
    """Attachment metadata without file content: payload keys are dropped at any depth and
    inline ``data:`` URLs are reduced to their media type and size."""
    if isinstance(value, Mapping):
        return {
            k: _attachment_metadata(v)
            for k, v in value.items()
            if k not in _ATTACHMENT_PAYLOAD_KEYS
        }
    if isinstance(value, (list, tuple)):
        return [_attachment_metadata(v) for v in value]
    if isinstance(value, str) and value[:5].lower() == "data:":
        media_type = value[5:].split(",", 1)[0].split(";", 1)[0] or "unknown"
        return f"data:{media_type} (inline, {len(value)} characters omitted)"
    return value


def normalize_tool_calls(tool_calls: Sequence[Any]) -> list[dict[str, Any]]:
    """Flatten OpenAI (``function.name/arguments``), Anthropic (``name/input``) or plain
    dict/object tool calls to ``{"id", "type", "name", "arguments"}``."""
    flat: list[dict[str, Any]] = []
    for call in tool_calls:
        data = call if isinstance(call, Mapping) else _object_fields(call)
        function = data.get("function")
        if function is not None and not isinstance(function, Mapping):
            function = _object_fields(function)
        function = function or {}
        item = {
            "id": data.get("id"),
            "type": data.get("type"),
            "name": function.get("name") or data.get("name"),
            "arguments": function.get("arguments", data.get("arguments", data.get("input"))),
        }
        flat.append({k: v for k, v in item.items() if v is not None})
    return flat


def _object_fields(obj: Any) -> dict[str, Any]:
    if hasattr(obj, "model_dump"):
        return obj.model_dump()
    return (
        {k: v for k, v in vars(obj).items() if not k.startswith("_")}
        if hasattr(obj, "__dict__")
        else {}
    )


def _label_dicts(labels: Sequence[Any]) -> list[dict[str, Any]]:
    return [label.to_dict() if hasattr(label, "to_dict") else dict(label) for label in labels]


class EventBuilder:
    """Builds wire-ready ``event_properties`` for one configured client."""

    def __init__(self, privacy: PrivacyPolicy, costs: CostCalculator) -> None:
        catalog = load_catalog()
        self.privacy = privacy
        self.costs = costs
        self.name = catalog.property_names  # key -> wire name
        self.event_type = catalog.event_names  # key -> event type
        self._allowed: dict[str, dict[str, str]] = {}  # event key -> {prop key -> wire name}
        for spec in catalog.events.values():
            self._allowed[spec.key] = {catalog.properties[n].key: n for n in spec.allowed}
        self._json_props = frozenset(
            p.name
            for p in catalog.properties.values()
            if p.type == "string_array" or p.format == "json"
        )
        self._string_arrays = frozenset(
            p.name for p in catalog.properties.values() if p.type == "string_array"
        )

    def build(
        self, kind: str, args: Mapping[str, Any], scope: SessionContext, *, turn_id: int | None
    ) -> dict[str, Any]:
        """``event_properties`` (wire name -> value) for event ``kind``."""
        allowed = self._allowed[kind]
        n = self.name
        props: dict[str, Any] = {
            n["sdk_version"]: __version__,
            n["runtime"]: RUNTIME,
        }
        self._common(props, scope, turn_id)
        component = _COMPONENT_TYPES.get(kind)
        if component is not None:
            props[n["component_type"]] = component
        for arg, value in args.items():
            if value is None or arg in _DERIVED_ARGS or arg in SCOPE_FIELDS:
                continue
            key = ARG_ALIASES.get(arg, arg)
            wire = allowed.get(key)
            if wire is not None:
                props[wire] = value
        self._derive(kind, props, args, allowed)
        extra = args.get("event_properties")
        if extra:
            self._custom(kind, props, extra)
        self.privacy.apply(props)
        for name in self._json_props & props.keys():
            props[name] = fit_json(name, props[name], string_array=name in self._string_arrays)
        return props

    def _custom(self, kind: str, props: dict[str, Any], extra: Mapping[str, Any]) -> None:
        """Add the caller's own properties; reserved-prefix names must come from the SDK.

        Values must survive Amplitude's strict JSON: NaN/infinite numbers are left out and
        other non-JSON values are sent as the SDK's JSON form of them.
        """
        for name, value in extra.items():
            if str(name).startswith(RESERVED_PREFIXES):
                log_once(
                    f"reserved:{name}",
                    logging.WARNING,
                    "amplitude_ai: custom property %r uses a reserved prefix and was "
                    "left out; pass it through the tracking method's arguments",
                    name,
                )
                continue
            if isinstance(value, float) and not math.isfinite(value):
                warn_rate_limited(
                    f"custom-nan:{kind}:{name}",
                    "amplitude_ai: %s: custom property %r is %r, which JSON cannot carry; "
                    "the event is sent without it",
                    kind,
                    name,
                    value,
                )
                continue
            if not isinstance(value, _JSON_SCALARS):
                value = json.loads(to_json(value))
            props.setdefault(str(name), value)

    def _common(self, props: dict[str, Any], scope: SessionContext, turn_id: int | None) -> None:
        n = self.name
        for key in (
            "session_id",
            "trace_id",
            "agent_id",
            "parent_agent_id",
            "customer_org_id",
            "agent_version",
            "agent_description",
            "env",
        ):
            value = getattr(scope, key)
            if value is not None:
                props[n[key]] = value
        if turn_id is not None:
            props[n["turn_id"]] = turn_id
        if scope.context:
            props[n["context"]] = dict(scope.context)
        replay = scope.session_replay_id
        if replay:
            props[n["session_replay_id"]] = replay

    def _derive(
        self, kind: str, props: dict[str, Any], args: Mapping[str, Any], allowed: Mapping[str, str]
    ) -> None:
        n = self.name
        content = args.get("content")
        if content is not None and "llm_message" in allowed:
            props[n["llm_message"]] = {
                "text": content if isinstance(content, str) else to_json(content)
            }
        attachments = args.get("attachments")
        if attachments and "attachments" in allowed:
            self._attachments(props, attachments)
        labels = args.get("labels")
        if labels and "message_labels" in allowed:
            dicts = _label_dicts(labels)
            props[n["message_labels"]] = dicts
            if "message_label_map" in allowed:
                props[n["message_label_map"]] = {d["key"]: d["value"] for d in dicts}
        enrichments = args.get("enrichments")
        if enrichments is not None and "enrichments" in allowed:
            props[n["enrichments"]] = (
                enrichments.to_dict() if hasattr(enrichments, "to_dict") else dict(enrichments)
            )
        if kind in ("ai_response", "span", "tool_call"):
            self._error_flag(kind, props, args)
        if kind == "ai_response":
            self._ai_response(props, args)
        elif kind == "embedding" and args.get("total_cost_usd") is None:
            cost = self.costs.cost_usd(
                args.get("model"), args.get("provider"), input_tokens=args.get("input_tokens")
            )
            if cost is not None:
                props[n["cost_usd"]] = cost

    def _error_flag(self, kind: str, props: dict[str, Any], args: Mapping[str, Any]) -> None:
        is_error = args.get("is_error")
        if is_error is None:
            is_error = (
                args.get("success") is False
                if kind == "tool_call"
                else bool(args.get("error_message"))
            )
        props[self.name["is_error"]] = bool(is_error)

    def _ai_response(self, props: dict[str, Any], args: Mapping[str, Any]) -> None:
        n = self.name
        inp, out = args.get("input_tokens"), args.get("output_tokens")
        if args.get("total_tokens") is None and (inp is not None or out is not None):
            props[n["total_tokens"]] = (inp or 0) + (out or 0)
        if args.get("total_cost_usd") is None:
            cost = self.costs.cost_usd(
                args.get("model"),
                args.get("provider"),
                input_tokens=inp,
                output_tokens=out,
                cache_read_tokens=args.get("cache_read_tokens"),
                cache_creation_tokens=args.get("cache_creation_tokens"),
            )
            if cost is not None:
                props[n["cost_usd"]] = cost
        if args.get("model_tier") is None:
            tier = infer_model_tier(args.get("model"))
            if tier is not None:
                props[n["model_tier"]] = tier
        system_prompt = args.get("system_prompt")
        if system_prompt is not None:
            props[n["system_prompt_length"]] = len(system_prompt)
        if args.get("reasoning_content") or args.get("reasoning_tokens"):
            props[n["has_reasoning"]] = True
        tool_calls = args.get("tool_calls")
        if tool_calls:
            props[n["tool_calls"]] = normalize_tool_calls(tool_calls)

    def _attachments(self, props: dict[str, Any], attachments: Sequence[Mapping[str, Any]]) -> None:
        n = self.name
        meta = [_attachment_metadata(att) for att in attachments]
        types = list(dict.fromkeys(str(a["type"]) for a in meta if a.get("type")))
        sizes = [a["size_bytes"] for a in meta if isinstance(a.get("size_bytes"), (int, float))]
        props[n["has_attachments"]] = True
        props[n["attachment_count"]] = len(meta)
        if types:
            props[n["attachment_types"]] = types
        if sizes:
            props[n["total_attachment_size_bytes"]] = sum(sizes)
        props[n["attachments"]] = meta
