"""Cheap input checks run on every tracking call.

With ``AIConfig(validate=True)`` a problem raises :class:`ValidationError`; otherwise it is
logged once per kind of problem and the offending argument is left out of the event.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

_NON_NEGATIVE_NUMBERS = frozenset(
    {
        "latency_ms",
        "ttfb_ms",
        "input_tokens",
        "output_tokens",
        "total_tokens",
        "reasoning_tokens",
        "cache_read_tokens",
        "cache_creation_tokens",
        "total_cost_usd",
        "temperature",
        "top_p",
        "max_output_tokens",
        "dimensions",
        "turn_id",
        "abandonment_turn",
        "idle_timeout_minutes",
    }
)
_BOOLEANS = frozenset(
    {
        "is_error",
        "success",
        "is_regeneration",
        "is_edit",
        "was_copied",
        "was_cached",
        "is_streaming",
    }
)
_CHOICES: dict[str, tuple[str, ...]] = {
    "target_type": ("message", "session"),
    "source": ("user", "ai", "reviewer"),
}
# Arguments each event cannot do without (their catalog properties are required).
REQUIRED_ARGS: dict[str, tuple[str, ...]] = {
    "ai_response": ("model", "provider", "latency_ms"),
    "tool_call": ("tool_name", "latency_ms"),
    "embedding": ("model", "provider", "latency_ms"),
    "span": ("span_name", "latency_ms"),
    "score": ("name", "value", "target_id"),
    "session_enrichment": ("enrichments",),
}


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and not (isinstance(value, float) and not math.isfinite(value))
    )


def input_problems(kind: str, args: Mapping[str, Any]) -> dict[str, str]:
    """Argument name -> what is wrong with it, for the arguments of one tracking call.

    Only the arguments present in ``args`` (with a value other than ``None``) are checked.
    """
    problems: dict[str, str] = {}
    for name in REQUIRED_ARGS.get(kind, ()):
        value = args.get(name)
        if value is None or value == "":
            problems[name] = f"{name} is required for this event"
    for name, value in args.items():
        if value is None:
            continue
        if name in _NON_NEGATIVE_NUMBERS:
            if not _is_number(value):
                problems[name] = f"{name} must be a finite number, got {value!r}"
            elif value < 0:
                problems[name] = f"{name} must not be negative, got {value!r}"
        elif name == "value":
            if not _is_number(value):
                problems[name] = f"score value must be a finite number, got {value!r}"
        elif name in _BOOLEANS:
            if not isinstance(value, bool):
                problems[name] = f"{name} must be True or False, got {value!r}"
        elif name in _CHOICES and value not in _CHOICES[name]:
            allowed = ", ".join(_CHOICES[name])
            problems[name] = f"{name} must be one of {allowed}; got {value!r}"
    return problems
