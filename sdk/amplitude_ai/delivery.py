"""Hand-off to the official ``amplitude-analytics`` client, and the debug/dry-run output.

The SDK never opens connections of its own: events become ``amplitude.BaseEvent`` objects
and go through ``Amplitude.track``, which buffers, batches and retries them.
"""

from __future__ import annotations

import copy
import functools
import json
import sys
from collections.abc import Callable, Mapping
from typing import Any, TextIO

from .catalog import load_catalog

# Immutable attribute values an event copy can share with the original.
_ATOMIC = (str, int, float, bool, type(None))


@functools.cache
def _llm_message() -> str:
    return load_catalog().property_names["llm_message"]


def make_event(record: Mapping[str, Any], callback: Callable[..., None] | None) -> Any:
    """An ``amplitude.BaseEvent`` for ``record`` whose ``$llm_message`` escapes truncation.

    amplitude-analytics cuts every string property to 1,024 characters when it serialises
    an event; message text is stored at full length, so the subclass puts it back.
    """
    from amplitude import BaseEvent

    class AgentEvent(BaseEvent):
        def get_event_body(self) -> dict[str, Any]:
            body = super().get_event_body()
            full = getattr(self, "_full_llm_message", None)
            props = body.get("event_properties", {})
            if full is not None and _llm_message() in props:
                props[_llm_message()] = dict(full)
            return body

        def __deepcopy__(self, memo: dict[int, Any]) -> AgentEvent:
            # The library deep-copies every event before its destination plugin. Most of a
            # BaseEvent's ~46 attributes are None or strings, so share the immutable ones
            # and copy only the containers (properties, groups, the full message).
            clone = object.__new__(type(self))
            memo[id(self)] = clone
            for name, value in self.__dict__.items():
                clone.__dict__[name] = (
                    value if isinstance(value, _ATOMIC) else copy.deepcopy(value, memo)
                )
            return clone

    global make_event_class
    make_event_class = AgentEvent
    return _build(AgentEvent, record, callback)


def _build(cls: Any, record: Mapping[str, Any], callback: Callable[..., None] | None) -> Any:
    props = record["event_properties"]
    event = cls(
        event_type=record["event_type"],
        user_id=record.get("user_id"),
        device_id=record.get("device_id"),
        time=record["time"],
        insert_id=record["insert_id"],
        event_properties=props,
        groups=record.get("groups"),
        callback=callback,
    )
    if _llm_message() in props:
        event._full_llm_message = dict(props[_llm_message()])
    return event


make_event_class: Any = None


def build_event(record: Mapping[str, Any], callback: Callable[..., None] | None) -> Any:
    """Create the delivery event, defining the ``BaseEvent`` subclass on first use."""
    if make_event_class is None:
        return make_event(record, callback)
    return _build(make_event_class, record, callback)


def summary_line(record: Mapping[str, Any]) -> str:
    """``[amplitude-ai] <event> | user=… | session=… | model=… | tokens=… | cost=… | latency=…``"""
    props = record["event_properties"]
    parts = [f"[amplitude-ai] {record['event_type']}"]
    if record.get("user_id"):
        parts.append(f"user={record['user_id']}")
    names = load_catalog().property_names
    for key, label, fmt in _SUMMARY_FIELDS:
        value = props.get(names[key])
        text = fmt(value) if value is not None else None
        if text is not None:
            parts.append(f"{label}={text}")
    return " | ".join(parts)


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 12 else text[:8] + "..."


# (catalog key, label, formatter); a formatter returning None hides the field.
_SUMMARY_FIELDS: tuple[tuple[str, str, Callable[[Any], str | None]], ...] = (
    ("session_id", "session", _short),
    ("agent_id", "agent", str),
    ("model_name", "model", str),
    ("tool_name", "tool", str),
    ("span_name", "span", str),
    ("score_name", "score", str),
    ("score_value", "value", lambda v: f"{v:g}"),
    ("total_tokens", "tokens", lambda v: f"{int(v):,}"),
    ("cost_usd", "cost", lambda v: f"${v:.4f}"),
    ("latency_ms", "latency", lambda v: f"{v:,.0f}ms" if v >= 10 else f"{v:.2f}ms"),
    ("is_error", "error", lambda v: "yes" if v else None),
)


def print_summary(record: Mapping[str, Any], stream: TextIO | None = None) -> None:
    """Write the one-line summary, coloured when the stream is a terminal."""
    out = stream or sys.stderr
    line = summary_line(record)
    if getattr(out, "isatty", lambda: False)():
        line = f"\033[36m{line}\033[0m"
    print(line, file=out, flush=True)


def print_dry_run(record: Mapping[str, Any], stream: TextIO | None = None) -> None:
    """Write the whole event as one JSON line (what would have been sent)."""
    out = stream or sys.stderr
    print("[amplitude-ai] dry-run " + json.dumps(record, ensure_ascii=False, default=str), file=out)
