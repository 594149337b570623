"""JSON serialisation of property values: :func:`to_json` never fails and :func:`fit_json`
keeps a value within Amplitude's per-property size limit while staying valid JSON.

A leaf module (it imports nothing else from the SDK but logging) so that the event
builder, the privacy layer and the providers can all share it.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import asdict, is_dataclass
from typing import Any

from ._logging import log_once


def to_json(value: Any) -> str:
    """Compact, strict JSON that never fails: unknown objects fall back to a readable form
    and non-finite numbers (NaN, infinity), which strict JSON parsers reject, become null."""
    try:
        return _dumps(value)
    except ValueError:  # NaN/inf somewhere (or a circular structure): clean a copy
        return _dumps(_finite(value, 0))


def _dumps(value: Any) -> str:
    return json.dumps(
        value,
        default=_json_default,
        ensure_ascii=False,
        separators=(",", ":"),
        allow_nan=False,
    )


_MAX_DEPTH = 100  # deeper (or circular) structures are cut here


def _finite(value: Any, depth: int) -> Any:
    """``value`` with non-finite floats replaced by ``None`` (and cycles cut)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if depth >= _MAX_DEPTH:
        return "<nested too deeply>"
    if isinstance(value, dict):
        return {str(k): _finite(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v, depth + 1) for v in value]
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    converted = _json_default(value)
    if converted is value or isinstance(converted, str):
        return converted
    return _finite(converted, depth + 1)


def _json_default(value: Any) -> Any:
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if hasattr(value, "model_dump"):  # pydantic models
        return value.model_dump(mode="json")
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    if isinstance(value, (bytes, bytearray)):
        return f"<{len(value)} bytes>"
    return repr(value)


# amplitude-analytics (and Amplitude's ingestion) cut string properties to this many
# characters; a JSON value cut mid-way would no longer parse, so such values are fitted.
MAX_PROPERTY_CHARS = 1024


def fit_json(name: str, value: Any, *, string_array: bool = False) -> str:
    """Serialise ``value`` to JSON of at most ``MAX_PROPERTY_CHARS`` characters.

    An oversized array of strings keeps its leading items; any other oversized value is
    replaced by ``{"truncated": true, "original_length": N, "preview": "<start of JSON>"}``
    so the property stays valid JSON and says what happened.
    """
    text = to_json(value)
    if len(text) <= MAX_PROPERTY_CHARS:
        return text
    log_once(
        f"fit:{name}",
        logging.WARNING,
        "amplitude_ai: %s is longer than %d characters once serialised; it was shortened "
        "to stay valid JSON",
        name,
        MAX_PROPERTY_CHARS,
    )
    if string_array and isinstance(value, list):
        kept: list[Any] = []
        used = 2  # the brackets
        for item in value:
            item_text = to_json(item)
            if used + len(item_text) + (1 if kept else 0) > MAX_PROPERTY_CHARS:
                break
            used += len(item_text) + (1 if kept else 0)
            kept.append(item)
        return to_json(kept)
    budget = MAX_PROPERTY_CHARS - 80
    while True:
        wrapped = to_json(
            {"truncated": True, "original_length": len(text), "preview": text[:budget]}
        )
        if len(wrapped) <= MAX_PROPERTY_CHARS:
            return wrapped
        budget -= max(1, (len(wrapped) - MAX_PROPERTY_CHARS) // 2)
