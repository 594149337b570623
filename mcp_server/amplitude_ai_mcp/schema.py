"""get_event_schema: answers from the event catalog only (small default, filtered detail)."""

from __future__ import annotations

from amplitude_ai.catalog import load_catalog, unknown_name_message

from .errors import UserError
from .models import EventSchemaResult, EventSummary, PropertyDetail


class SchemaError(UserError):
    """Unknown event or property name; the message lists close matches."""


def event_schema(
    event_type: str | None = None, prop: str | None = None, include_server_side: bool = False
) -> EventSchemaResult:
    catalog = load_catalog()
    events = [e for e in catalog.events.values() if include_server_side or e.emitted_by == "sdk"]
    summaries = [
        EventSummary(
            event_type=e.name,
            emitted_by=e.emitted_by,
            method=e.method,
            property_count=len(e.allowed),
            required_count=len(e.required),
            description=e.description,
        )
        for e in events
    ]
    if event_type is None and prop is None:
        return EventSchemaResult(catalog_version=catalog.version, events=summaries)
    names = {e.name: e for e in events}
    if event_type is not None:
        event_type = _canonical(event_type, names, catalog.event_names)
        if event_type not in names:
            if event_type in catalog.events:
                raise SchemaError(
                    f"{event_type!r} is emitted server-side; pass "
                    "include_server_side=true to see it"
                )
            raise SchemaError(unknown_name_message("event type", event_type, names))
        spec = names[event_type]
        prop_names = list(spec.own_properties) + sorted(spec.allowed - set(spec.own_properties))
        selected = [spec]
    else:
        prop_names = list(catalog.properties)
        selected = events
    if prop is not None:
        prop = _canonical(prop, {n: None for n in prop_names}, catalog.property_names)
        if prop not in prop_names:
            raise SchemaError(unknown_name_message("property", prop, dict.fromkeys(prop_names)))
        prop_names = [prop]
    details = []
    for name in prop_names:
        spec_p = catalog.properties[name]
        required = None
        server_only = False
        if event_type is not None:
            required = name in selected[0].required
            server_only = name in selected[0].server_only
        details.append(
            PropertyDetail(
                name=name,
                key=spec_p.key,
                type=spec_p.type,
                required=required,
                content=spec_p.content,
                server_only=server_only,
                description=spec_p.description,
            )
        )
    return EventSchemaResult(
        catalog_version=catalog.version,
        events=[s for s in summaries if event_type is None or s.event_type == event_type],
        event_type=event_type,
        properties=details,
    )


def _canonical(name: str, known: dict, keys: dict[str, str]) -> str:
    """Accept the wire name, the snake-case key, or the name without ``[Agent] ``."""
    if name in known:
        return name
    if name in keys:
        return keys[name]
    prefixed = f"[Agent] {name}"
    return prefixed if prefixed in known else name
