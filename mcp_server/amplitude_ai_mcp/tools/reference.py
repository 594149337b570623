"""Reference look-ups: the event schema, the integration patterns, this server's docs."""

from typing import Annotated

from fastmcp.tools import ToolResult
from pydantic import Field

from amplitude_ai_mcp.models import AnyPattern, EventSchemaResult, PatternList

from ._base import result


def get_event_schema(
    event_type: Annotated[
        str | None,
        Field(
            description="'[Agent] AI Response', 'ai_response' or 'AI Response'; omit for the list."
        ),
    ] = None,
    property: Annotated[
        str | None, Field(description="One property (wire name or snake_case key).")
    ] = None,
    include_server_side: Annotated[
        bool, Field(description="Also events Amplitude computes server-side.")
    ] = False,
) -> ToolResult:
    """The [Agent] event schema (the SDK's catalog): event types; with event_type, its
    properties (type, required, content or not); with property, that one."""
    from amplitude_ai_mcp.schema import event_schema

    found = event_schema(event_type, property, include_server_side)
    if found.event_type:
        summary = f"{found.event_type}: {len(found.properties)} properties"
    elif found.properties:
        summary = f"{len(found.properties)} properties"
    else:
        summary = f"{len(found.events)} event types (catalog {found.catalog_version})"
    return result(found, summary, schema_text(found))


def schema_text(found: EventSchemaResult) -> str:
    if found.properties:
        return "\n".join(
            f"- {p.name} ({p.key}): {p.type}"
            + (", required" if p.required else "")
            + (f", content: {p.content}" if p.content != "none" else "")
            + (", server-side" if p.server_only else "")
            + f" — {p.description}"
            for p in found.properties
        )
    return "\n".join(
        f"- {e.event_type} ({e.emitted_by}"
        + (f", {e.method}()" if e.method else "")
        + f"): {e.property_count} properties, {e.required_count} required — {e.description}"
        for e in found.events
    )


def get_integration_pattern(
    pattern_id: Annotated[
        str | None, Field(description="Pattern id; omit to list the patterns.")
    ] = None,
) -> ToolResult:
    """Tested integration patterns (files the test suite runs): the list, or one's code."""
    from amplitude_ai_mcp import patterns

    if pattern_id is None:
        listing = PatternList(patterns=patterns.summaries())
        body = "\n".join(f"- {p.id}: {p.title} — {p.summary}" for p in listing.patterns)
        summary = f"{len(listing.patterns)} patterns: " + ", ".join(p.id for p in listing.patterns)
        return result(AnyPattern(patterns=listing), summary, body)
    found = patterns.get(pattern_id)
    body = f"{found.summary}\n\n```python\n{found.code.rstrip()}\n```"
    return result(AnyPattern(pattern=found), f"pattern {found.id}: {found.title}", body)


def search_docs(
    query: Annotated[str, Field(min_length=1, max_length=200, description="Words to look for.")],
    max_results: Annotated[int, Field(ge=1, le=20, description="At most this many.")] = 5,
) -> ToolResult:
    """Search this server's docs (guide, AGENTS.md, reference, patterns): best sections."""
    from amplitude_ai_mcp.docs import search

    found = search(query, max_results)
    body = "\n\n".join(f"## {h.heading} ({h.source})\n{h.snippet}" for h in found.results)
    summary = f"{len(found.results)} results for {query!r}"
    return result(found, summary, body)
