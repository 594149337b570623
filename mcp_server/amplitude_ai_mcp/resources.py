"""The MCP resources: the event catalog, the integration patterns and the guide. User errors
(unknown names) become ``ResourceError`` with their message; anything else stays masked."""

import json
from urllib.parse import unquote

from fastmcp import FastMCP
from fastmcp.exceptions import ResourceError

from .errors import UserError


def event_schema_resource() -> str:
    from amplitude_ai.catalog import catalog_path

    return catalog_path().read_text(encoding="utf-8")


def patterns_resource() -> str:
    from . import patterns

    return json.dumps([p.model_dump() for p in patterns.summaries()], indent=2)


def guide_resource() -> str:
    from ._data import data_dir

    return (data_dir("prompts") / "instrument_guide.md").read_text(encoding="utf-8")


def event_resource(event_type: str) -> str:
    from .schema import event_schema

    try:
        found = event_schema(unquote(event_type), None, include_server_side=True)
    except UserError as exc:
        raise ResourceError(str(exc)) from None
    return found.model_dump_json(indent=2)


def pattern_resource(pattern_id: str) -> str:
    from . import patterns

    try:
        return patterns.get(pattern_id).code
    except UserError as exc:
        raise ResourceError(str(exc)) from None


def register(mcp: FastMCP) -> None:
    mcp.resource(
        "amplitude-ai://event-schema",
        mime_type="application/json",
        title="Event schema",
        description="The full [Agent] event catalog (JSON).",
    )(event_schema_resource)
    mcp.resource(
        "amplitude-ai://integration-patterns",
        mime_type="application/json",
        title="Integration patterns",
        description="Ids, titles and summaries of the tested integration patterns.",
    )(patterns_resource)
    mcp.resource(
        "amplitude-ai://instrument-guide",
        mime_type="text/markdown",
        title="Instrumentation guide",
        description="Detect, plan, apply, verify: "
        "how to instrument an app with this server's tools.",
    )(guide_resource)
    mcp.resource(
        "amplitude-ai://event-schema/{event_type}",
        mime_type="application/json",
        title="One event type",
        description="Properties of one event type (wire name or snake_case key, e.g. ai_response).",
    )(event_resource)
    mcp.resource(
        "amplitude-ai://patterns/{pattern_id}",
        mime_type="text/x-python",
        title="Integration pattern",
        description="The code of one integration pattern.",
    )(pattern_resource)
