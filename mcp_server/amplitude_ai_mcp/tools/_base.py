"""What every tool shares: the server's roots, tool annotations, the one place user errors
become ``ToolError``, compact output schemas, and results that carry their content as text.

No ``from __future__ import annotations`` in the tool modules: fastmcp reads the signatures
at runtime.
"""

import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import mcp_types
from fastmcp import Context, FastMCP
from fastmcp.exceptions import ToolError
from fastmcp.tools import ToolResult
from pydantic import BaseModel, Field

from amplitude_ai_mcp.errors import UserError
from amplitude_ai_mcp.workspace import Roots

F = TypeVar("F", bound=Callable[..., Any])

# The ``root`` argument of the tools; scan_project's (the first one an agent calls) also names
# the file:// URI form that every tool accepts.
Root = Annotated[str | None, Field(description="Project root; default: first root.")]

# destructive/idempotent hints are meaningful only when a tool is not read-only (MCP spec).
READ_ONLY = mcp_types.ToolAnnotations(read_only_hint=True, open_world_hint=False)
# Writes only with apply=true, only adds code (or its own generated file), same bytes each time.
EDITS = mcp_types.ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)


class AmplitudeMCP(FastMCP):
    """The FastMCP server, holding the project roots its tools are confined to."""

    def __init__(self, project_roots: Roots, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.project_roots = project_roots


def roots(ctx: Context) -> Roots:
    server = ctx.fastmcp
    assert isinstance(server, AmplitudeMCP), "tools are registered on AmplitudeMCP only"
    return server.project_roots


def _as_tool_error(exc: BaseException) -> ToolError | None:
    if isinstance(exc, UserError):
        return ToolError(str(exc))
    if isinstance(exc, RecursionError):
        return ToolError("the code is too deeply nested to analyse")
    if type(exc).__name__ == "ParserSyntaxError":  # libcst, raised while analysing a file
        return ToolError(
            f"not valid Python: syntax error at line {exc.raw_line}, column "  # type: ignore[attr-defined]
            f"{exc.raw_column}; fix it (or pass a different file)"  # type: ignore[attr-defined]
        )
    return None


def user_errors(fn: F) -> F:
    """Turn user-fixable problems into ToolError (shown to the client); anything else stays
    masked by the server. Applied to every tool at registration."""
    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def run_async(*args: Any, **kwargs: Any) -> Any:
            try:
                return await fn(*args, **kwargs)
            except Exception as exc:
                error = _as_tool_error(exc)
                if error is None:
                    raise
                raise error from None

        return run_async  # type: ignore[return-value]

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            error = _as_tool_error(exc)
            if error is None:
                raise
            raise error from None

    return run  # type: ignore[return-value]


def result(model: BaseModel, summary: str, body: str = "") -> ToolResult:
    """Structured content plus the same result as text: a one-line summary, then what an
    agent acts on (for clients that read only ``content``)."""
    text = summary if not body.strip() else f"{summary}\n\n{body.rstrip()}\n"
    return ToolResult(content=text, structured_content=model)


def output_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema, compact: ``$ref``s inlined (some clients cannot follow them),
    no titles or defaults, ``anyOf`` of plain types written as a type list, and descriptions
    only on the result's own fields. Nested objects (call sites, edits, needs_input items) keep
    their structure; their field reference is in llms-full.txt (search_docs finds it)."""
    from fastmcp.utilities.json_schema import dereference_refs

    schema = compact_schema(dereference_refs(model.model_json_schema()), drop=("default",))
    properties = {
        name: _strip_descriptions(spec, keep_own=True)
        for name, spec in schema["properties"].items()
    }
    schema.pop("description", None)  # the model's docstring; the tool's description says it
    return {**schema, "properties": properties}


def input_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A tool's input schema, compact the same way; defaults stay (they tell the agent what
    an omitted argument means), except ``null`` ones."""
    return compact_schema(schema, drop=())


def compact_schema(node: Any, drop: tuple[str, ...]) -> Any:
    if isinstance(node, list):
        return [compact_schema(item, drop) for item in node]
    if not isinstance(node, dict):
        return node
    out = {
        k: compact_schema(v, drop)
        for k, v in node.items()
        if k != "title" and k not in drop and not (k == "default" and v is None)
    }
    options = out.get("anyOf")
    if isinstance(options, list) and options and all(_plain_type(o) for o in options):
        del out["anyOf"]
        out["type"] = [o["type"] for o in options]
    elif isinstance(options, list) and len(options) == 2 and {"type": "null"} in options:
        other = next(o for o in options if o != {"type": "null"})
        if isinstance(other.get("type"), str):
            del out["anyOf"]
            out.update(other)
            out["type"] = [other["type"], "null"]
            if "enum" in other:
                out["enum"] = [*other["enum"], None]
    return out


def _strip_descriptions(node: Any, keep_own: bool = False) -> Any:
    if isinstance(node, list):
        return [_strip_descriptions(item) for item in node]
    if not isinstance(node, dict):
        return node
    return {
        k: _strip_descriptions(v)
        for k, v in node.items()
        if keep_own or not (k == "description" and isinstance(v, str))  # not a field named so
    }


def _plain_type(option: Any) -> bool:
    return isinstance(option, dict) and set(option) == {"type"} and isinstance(option["type"], str)


def site_line(file: str, line: int, *parts: str | None) -> str:
    """``file:line  part; part`` (the parts that are set)."""
    shown = "; ".join(p for p in parts if p)
    return f"{file}:{line}" + (f"  {shown}" if shown else "")


def needs_input_lines(items: list[Any]) -> list[str]:
    """needs_input items with their ids, as a list an agent can answer with ``inputs``."""
    out: list[str] = []
    for item in items:
        out.append(f"- [{item.id}] {item.file}:{item.line}: {item.question}")
        if item.suggestion:
            out.append(f"  suggestion: {item.suggestion}")
        out.append(
            f"  answer with inputs={{{item.id!r}: ...}}: {item.answer}"
            if item.answer
            else "  (not answerable with a value: do what it says)"
        )
    return out
