"""The event catalog: the only list of ``[Agent]`` event and property names.

``resources/event_catalog.json`` is loaded once, at first use. The SDK refers to
properties by their snake-case ``key`` (``PROP["latency_ms"]``), never by a second
hand-typed copy of the wire names, and :func:`validate_event` checks any emitted event
against the catalog (types, required properties, no unknown ``[Agent]`` properties).
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Literal

PropertyType = Literal["string", "number", "boolean", "string_array", "object"]
ContentClass = Literal["none", "full", "partial"]

_CATALOG_FILE = "event_catalog.json"
# Prefixes that mark a property as ours (anything else is a custom user property).
RESERVED_PREFIXES = ("[Agent] ", "[Amplitude] ", "$llm_")


@dataclass(frozen=True)
class PropertySpec:
    """One property as the catalog defines it."""

    name: str
    key: str
    type: PropertyType
    content: ContentClass
    description: str
    format: str | None = None


@dataclass(frozen=True)
class EventSpec:
    """One event type: its own properties plus (for SDK events) the common ones."""

    name: str
    key: str
    emitted_by: Literal["sdk", "server"]
    method: str | None
    description: str
    required: frozenset[str]
    allowed: frozenset[str]
    server_only: frozenset[str]
    own_properties: tuple[str, ...]


@dataclass(frozen=True)
class Catalog:
    """The parsed catalog with lookups by wire name and by snake-case key."""

    version: str
    properties: Mapping[str, PropertySpec]
    events: Mapping[str, EventSpec]
    common: Mapping[str, bool]
    path: Path

    @cached_property
    def property_names(self) -> dict[str, str]:
        """Map of snake-case key to wire name, e.g. ``latency_ms`` -> ``[Agent] Latency Ms``."""
        return {spec.key: spec.name for spec in self.properties.values()}

    @cached_property
    def event_names(self) -> dict[str, str]:
        """Map of snake-case key to event type, e.g. ``ai_response`` -> ``[Agent] AI Response``."""
        return {spec.key: spec.name for spec in self.events.values()}

    def event(self, name: str) -> EventSpec:
        """The spec of ``name``; unknown names raise ``KeyError`` naming the closest matches."""
        try:
            return self.events[name]
        except KeyError:
            raise KeyError(unknown_name_message("event type", name, self.events)) from None

    def content_properties(self, content: ContentClass) -> frozenset[str]:
        """Wire names of the properties with the given content class."""
        return frozenset(n for n, p in self.properties.items() if p.content == content)


def unknown_name_message(kind: str, name: str, known: Collection[str]) -> str:
    """An actionable message for an unknown name, listing the closest known ones."""
    import difflib  # deferred: only error paths need it

    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return f"unknown {kind} {name!r}{hint}"


def catalog_path() -> Path:
    """Where the catalog is read from: the copy inside a wheel, else the source tree's."""
    here = Path(__file__).resolve().parent
    packaged = here / "_resources" / _CATALOG_FILE
    if packaged.is_file():
        return packaged
    source_tree = here.parents[1] / "resources" / _CATALOG_FILE
    if source_tree.is_file():
        return source_tree
    raise FileNotFoundError(
        f"event catalog not found at {packaged} or {source_tree}; the installation is incomplete"
    )


def _parse(raw: dict[str, Any], path: Path) -> Catalog:
    properties = {
        name: PropertySpec(
            name=name,
            key=spec["key"],
            type=spec["type"],
            content=spec["content"],
            description=spec["description"],
            format=spec.get("format"),
        )
        for name, spec in raw["properties"].items()
    }
    common = {name: bool(spec["required"]) for name, spec in raw["common_properties"].items()}
    events: dict[str, EventSpec] = {}
    for name, spec in raw["events"].items():
        own = spec["properties"]
        required = {n for n, p in own.items() if p["required"] and not p.get("server_only")}
        allowed = set(own)
        if spec["common"]:
            allowed |= set(common)
            required |= {n for n, req in common.items() if req}
        events[name] = EventSpec(
            name=name,
            key=spec["key"],
            emitted_by=spec["emitted_by"],
            method=spec.get("method"),
            description=spec["description"],
            required=frozenset(required),
            allowed=frozenset(allowed),
            server_only=frozenset(n for n, p in own.items() if p.get("server_only")),
            own_properties=tuple(own),
        )
    return Catalog(
        version=raw["catalog_version"],
        properties=properties,
        events=events,
        common=common,
        path=path,
    )


@cache
def load_catalog() -> Catalog:
    """Parse the catalog once per process."""
    path = catalog_path()
    with path.open(encoding="utf-8") as fh:
        return _parse(json.load(fh), path)


def validate_event(
    event_type: str,
    event_properties: Mapping[str, Any],
    *,
    user_id: str | None = None,
    device_id: str | None = None,
    allow_server_events: bool = False,
) -> list[str]:
    """Check one event against the catalog; returns the problems found (empty when valid).

    Checks: the event type exists (and is one the SDK may send), a ``user_id`` or
    ``device_id`` is present, required properties are present, every reserved
    (``[Agent]``/``[Amplitude]``/``$llm_``) property is defined for this event type, and each
    value has the catalog type (JSON-encoded strings must parse). Custom properties without
    a reserved prefix are allowed.
    """
    catalog = load_catalog()
    spec = catalog.events.get(event_type)
    if spec is None:
        return [unknown_name_message("event type", event_type, catalog.events)]
    problems: list[str] = []
    if spec.emitted_by == "server" and not allow_server_events:
        problems.append(f"{event_type!r} is emitted by Amplitude's server; do not send it")
    if not user_id and not device_id:
        problems.append("event has neither user_id nor device_id; Amplitude would reject it")
    if not isinstance(event_properties, Mapping):
        return [
            *problems,
            f"event_properties must be a mapping, got {type(event_properties).__name__}",
        ]
    for name in sorted(spec.required - event_properties.keys()):
        problems.append(f"missing required property {name!r}")
    for name, value in event_properties.items():
        if not isinstance(name, str):
            problems.append(f"property names must be strings, got {name!r}")
            continue
        if not name.startswith(RESERVED_PREFIXES):
            if _has_non_finite(value):
                problems.append(f"custom property {name!r} holds NaN or infinity")
            continue
        if name not in spec.allowed:
            problems.append(unknown_name_message(f"property on {event_type}", name, spec.allowed))
            continue
        problem = type_problem(catalog.properties[name], value)
        if problem:
            problems.append(problem)
    return problems


def structural_problems(event_type: str, event_properties: Mapping[str, Any]) -> list[str]:
    """The cheap part of :func:`validate_event`, for properties the SDK built itself.

    Checks required and allowed names and each value's type (numbers finite), but does not
    re-parse JSON-valued properties: the event builder serialises them with strict JSON.
    The SDK runs it on every event before delivery as a safety net; it is several times
    faster than the full check.
    """
    types, required = _structure(event_type)
    problems: list[str] = []
    if not event_properties.keys() >= required:
        missing = sorted(required - event_properties.keys())
        problems += [f"missing required property {name!r}" for name in missing]
    for name, value in event_properties.items():
        expected = types.get(name)
        if expected is None:
            if type(name) is not str:
                problems.append(f"property names must be strings, got {name!r}")
            elif name.startswith(RESERVED_PREFIXES):
                problems.append(f"{name!r} is not a property of {event_type}")
            continue
        t = type(value)
        if t not in expected:
            problems.append(f"{name!r} has the wrong type, got {t.__name__}")
        elif t is float and not math.isfinite(value):
            problems.append(f"{name!r} must be a finite number, got {value!r}")
        elif t is dict and type(value.get("text")) is not str:
            problems.append(f"{name!r} must hold a text string")
    return problems


_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "number": (int, float),
    "boolean": (bool,),
    "object": (dict,),
    "string": (str,),
    "string_array": (str,),
}


@cache
def _structure(event_type: str) -> tuple[dict[str, tuple[type, ...]], frozenset[str]]:
    """(allowed wire name -> accepted Python types, required names) of one event type."""
    catalog = load_catalog()
    spec = catalog.events[event_type]
    types = {name: _PYTHON_TYPES[catalog.properties[name].type] for name in spec.allowed}
    return types, spec.required


def type_problem(prop: PropertySpec, value: Any) -> str | None:
    """Why ``value`` does not fit ``prop``'s catalog type, or ``None`` when it does."""
    expected = prop.type
    if expected == "number":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if ok and not math.isfinite(value):
            return f"{prop.name!r} must be a finite number, got {value!r}"
    elif expected == "boolean":
        ok = isinstance(value, bool)
    elif expected == "object":
        ok = isinstance(value, dict) and isinstance(value.get("text"), str)
    else:
        ok = isinstance(value, str)
    if not ok:
        return f"{prop.name!r} must be {expected}, got {type(value).__name__}"
    if expected == "string_array" or prop.format == "json":
        try:
            decoded = json.loads(value, parse_constant=_reject_constant)
        except ValueError:
            return f"{prop.name!r} must hold serialized JSON, got {value[:40]!r}"
        if expected == "string_array" and not (
            isinstance(decoded, list) and all(isinstance(v, str) for v in decoded)
        ):
            return f"{prop.name!r} must hold a JSON array of strings"
    return None


def _reject_constant(name: str) -> Any:
    """Strict JSON: ``NaN``/``Infinity`` are not JSON, and Amplitude's parser rejects them."""
    raise ValueError(f"{name} is not valid JSON")


def _has_non_finite(value: Any, depth: int = 0) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if depth > 50:
        return False
    if isinstance(value, Mapping):
        return any(_has_non_finite(v, depth + 1) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_non_finite(v, depth + 1) for v in value)
    return False
