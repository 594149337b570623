"""Field-level checks of every tracking call, before its event is built.

One policy for every public tracking method, every tier (direct calls, agents, sessions,
decorators, provider wrappers):

* **Optional value invalid** (wrong type, NaN/infinite/negative number, unknown choice):
  the value is left out, the rest of the event is sent, and a rate-limited warning names
  the field (see :func:`amplitude_ai._logging.warn_rate_limited`).
* **Required value** (model, provider, latency, tool/span name, score name/value/target,
  enrichments): coerced when the meaning is kept (``model=123`` -> ``"123"``,
  ``latency_ms="12.5"`` -> ``12.5``, ``source="User"`` -> ``"user"``); a value that is
  missing or cannot be coerced makes the event *rejected*: it is not sent, a warning says
  why, ``on_event_callback`` receives it with code :data:`REJECTED_CODE`, and
  ``AmplitudeAI.status()`` counts it.
* With ``AIConfig(validate=True)`` any of the above raises :class:`ValidationError`
  instead (coercions excepted).

Coercions apply to optional values too: numbers given as numeric strings, ids given as
integers, mapping keys that are not strings.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, SupportsFloat, cast

# The code ``on_event_callback`` receives for an event rejected before sending (the same
# meaning as Amplitude's HTTP 400 "invalid request", which it would otherwise answer).
REJECTED_CODE = 400

# Longest string kept for identifiers and names (Amplitude truncates string properties at
# 1,024 characters anyway; a longer model name is no model name).
MAX_NAME_CHARS = 1024

_REJECT = object()  # checker result: the value cannot be used

# Fast-path classes of the checkers: values of the expected plain type that need no
# conversion are accepted without calling the checker (most arguments of most calls).
_PROSE, _NAME, _NON_NEGATIVE, _FINITE, _FLAG, _ANY = range(1, 7)
_FAST: dict[str, int] = {}


@dataclass(slots=True)
class CheckResult:
    """The outcome of checking one call's arguments."""

    args: dict[str, Any]
    dropped: dict[str, str]  # optional arg -> why it was left out (or partly)
    rejected: dict[str, str]  # required arg -> why it is unusable
    coerced: dict[str, str]  # arg -> what was changed


Checker = Callable[[Any], Any]  # returns the (possibly coerced) value or _REJECT


def _finite_number(value: Any) -> float | int | None:
    """``value`` as a finite int/float (numeric strings and Decimal-like numbers converted)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, numbers.Number):  # Decimal, Fraction, numpy scalars
        try:
            number = float(cast(SupportsFloat, value))
        except (TypeError, ValueError, OverflowError):
            return None
        return number if math.isfinite(number) else None
    if isinstance(value, str) and 0 < len(value) <= 64:
        try:
            number = float(value.strip())
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def non_negative(value: Any) -> Any:
    number = _finite_number(value)
    return _REJECT if number is None or number < 0 else number


def finite(value: Any) -> Any:
    number = _finite_number(value)
    return _REJECT if number is None else number


def text(value: Any) -> Any:
    """A string (str subclasses such as enums become plain ``str``); numbers become their
    decimal text; anything else is unusable. Over-long strings are cut."""
    if isinstance(value, str):
        plain = str.__str__(value)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):
            return _REJECT
        plain = str(value)
    else:
        return _REJECT
    return plain[:MAX_NAME_CHARS]


def prose(value: Any) -> Any:
    """Free text: a string, kept at full length (its length is measured, e.g. the system
    prompt's); numbers become their decimal text."""
    if isinstance(value, str):
        return str.__str__(value)
    return text(value)


def identifier(value: Any) -> Any:
    """Like :func:`text`, and an empty or blank id is no id."""
    result = text(value)
    if result is _REJECT or not result.strip():
        return _REJECT
    return result


def flag(value: Any) -> Any:
    return value if isinstance(value, bool) else _REJECT


def _choice(*allowed: str) -> Checker:
    def check(value: Any) -> Any:
        if isinstance(value, str) and value.strip().lower() in allowed:
            return value.strip().lower()
        return _REJECT

    return check


def string_keyed(value: Any) -> Any:
    """A mapping with string keys (other keys converted with ``str``)."""
    if not isinstance(value, Mapping):
        return _REJECT
    return {k if isinstance(k, str) else str(k): v for k, v in value.items()}


def groups_map(value: Any) -> Any:
    """Amplitude groups: ``{group type: name or list of names}``, names as strings."""
    mapping = string_keyed(value)
    if mapping is _REJECT:
        return _REJECT
    clean: dict[str, Any] = {}
    for key, names in mapping.items():
        if isinstance(names, (list, tuple)):
            items = [identifier(n) for n in names]
            kept = [n for n in items if n is not _REJECT]
            if kept:
                clean[key] = kept
        else:
            name = identifier(names)
            if name is not _REJECT:
                clean[key] = name
    return clean or _REJECT


def _sequence(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes, bytearray))


def mappings(value: Any) -> Any:
    """A list of mappings (attachments): other items are left out."""
    if not _sequence(value):
        return _REJECT
    kept = [dict(string_keyed(item)) for item in value if isinstance(item, Mapping)]
    return kept or _REJECT


def labels_list(value: Any) -> Any:
    """Message labels: ``MessageLabel`` objects or mappings with string ``key``/``value``."""
    if not _sequence(value):
        return _REJECT
    kept: list[dict[str, Any]] = []
    for item in value:
        data = item.to_dict() if hasattr(item, "to_dict") else item
        if not isinstance(data, Mapping):
            continue
        key, val = identifier(data.get("key")), text(data.get("value"))
        if key is _REJECT or val is _REJECT:
            continue
        label: dict[str, Any] = {"key": key, "value": val}
        confidence = _finite_number(data.get("confidence"))
        if confidence is not None:
            label["confidence"] = confidence
        kept.append(label)
    return kept or _REJECT


def any_sequence(value: Any) -> Any:
    return list(value) if _sequence(value) else _REJECT


def enrichments_value(value: Any) -> Any:
    if hasattr(value, "to_dict") and callable(value.to_dict):
        return value
    return string_keyed(value)


def anything(value: Any) -> Any:
    return value


# Argument name -> checker, for every argument of the public tracking methods.
CHECKS: dict[str, Checker] = {
    **dict.fromkeys(
        (
            "user_id",
            "session_id",
            "trace_id",
            "agent_id",
            "parent_agent_id",
            "customer_org_id",
            "agent_version",
            "device_id",
            "browser_session_id",
            "message_id",
            "invocation_id",
            "span_id",
            "parent_span_id",
            "parent_message_id",
            "edited_message_id",
            "target_id",
            "prompt_id",
        ),
        identifier,
    ),
    **dict.fromkeys(
        (
            "agent_description",
            "env",
            "model",
            "provider",
            "tool_name",
            "span_name",
            "name",
            "locale",
            "finish_reason",
            "model_tier",
            "span_kind",
        ),
        text,
    ),
    **dict.fromkeys(("error_message", "system_prompt", "reasoning_content", "comment"), prose),
    **dict.fromkeys(
        (
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
        ),
        non_negative,
    ),
    **dict.fromkeys(
        (
            "is_error",
            "success",
            "is_regeneration",
            "is_edit",
            "was_copied",
            "was_cached",
            "is_streaming",
        ),
        flag,
    ),
    "value": finite,
    "target_type": _choice("message", "session"),
    "source": _choice("user", "ai", "reviewer"),
    "context": string_keyed,
    "groups": groups_map,
    "event_properties": string_keyed,
    "attachments": mappings,
    "labels": labels_list,
    "tool_calls": any_sequence,
    "enrichments": enrichments_value,
    **dict.fromkeys(("content", "input", "output", "input_state", "output_state"), anything),
}

_FAST_CLASS: dict[Checker, int] = {
    prose: _PROSE,
    text: _NAME,
    identifier: _NAME,
    non_negative: _NON_NEGATIVE,
    finite: _FINITE,
    flag: _FLAG,
    anything: _ANY,
}
_FAST.update({name: _FAST_CLASS.get(checker, -1) for name, checker in CHECKS.items()})

# Arguments each event cannot do without (their catalog properties are required). Ids
# (message, invocation, span) are not listed: the SDK generates them when unusable.
REQUIRED_ARGS: dict[str, tuple[str, ...]] = {
    "ai_response": ("model", "provider", "latency_ms"),
    "tool_call": ("tool_name", "latency_ms", "success"),
    "embedding": ("model", "provider", "latency_ms"),
    "span": ("span_name", "latency_ms"),
    "score": ("name", "value", "target_id", "target_type", "source"),
    "session_enrichment": ("enrichments",),
}
# Names of required arguments whose empty string is as good as missing.
_EMPTY_IS_MISSING = frozenset({"model", "provider", "tool_name", "span_name", "name"})
# List arguments whose invalid items are left out one by one.
_ITEM_LISTS = frozenset({"attachments", "labels"})


def _describe(value: Any) -> str:
    text_form = repr(value)
    return text_form if len(text_form) <= 60 else text_form[:57] + "..."


def check_args(kind: str, args: dict[str, Any]) -> CheckResult:
    """Check and coerce the arguments of one call (``None`` values are omitted ones).

    When every argument is plainly valid (the common case) the result shares ``args``.
    """
    required = REQUIRED_ARGS.get(kind, ())
    fast = _FAST
    # Inlined fast scan (this runs for every event): plain values of the expected type.
    for name, value in args.items():
        f = fast.get(name)
        if f == _ANY:
            continue
        t = type(value)
        if t is str:
            if f == _PROSE or (
                f == _NAME and 0 < len(value) <= MAX_NAME_CHARS and not value.isspace()
            ):
                continue
        elif t is float:
            if (f == _NON_NEGATIVE and value >= 0 and value != math.inf) or (
                f == _FINITE and math.isfinite(value)
            ):
                continue
        elif t is int:
            if (f == _NON_NEGATIVE and value >= 0) or f == _FINITE:
                continue
        elif t is bool and f == _FLAG:
            continue
        break
    else:
        if all(name in args for name in required):
            return CheckResult(args, {}, {}, {})
    result = CheckResult({}, {}, {}, {})
    for name, value in args.items():
        if value is None:
            continue
        checker = CHECKS.get(name)
        if checker is None:  # an argument this module does not know: keep it as given
            result.args[name] = value
            continue
        checked = checker(value)
        if checked is not _REJECT and name in _EMPTY_IS_MISSING and not checked.strip():
            checked = _REJECT
        if checked is _REJECT:
            reason = f"{name}={_describe(value)} is not a valid {name}"
            if name in required:
                result.rejected[name] = reason
            else:
                result.dropped[name] = reason
            continue
        if name in _ITEM_LISTS and len(checked) < len(value):
            lost = len(value) - len(checked)
            result.dropped[name] = f"{lost} of {len(value)} {name} were not valid"
        elif type(checked) is not type(value) and not isinstance(value, (Mapping, Sequence)):
            result.coerced[name] = f"{name}={_describe(value)} sent as {_describe(checked)}"
        result.args[name] = checked
    for name in required:
        if name not in result.args and name not in result.rejected:
            result.rejected[name] = f"{name} is required for this event"
    return result


def check_scope_value(name: str, value: Any) -> Any:
    """A resolved identity/grouping value (from an agent, session or the context), checked
    as the same argument would be; ``None`` when unusable."""
    checker = CHECKS.get(name)
    if checker is None or value is None:
        return value
    checked = checker(value)
    return None if checked is _REJECT else checked
