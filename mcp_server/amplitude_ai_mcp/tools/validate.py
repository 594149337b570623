"""validate_file and validate_setup: is a file, and is the project, instrumented."""

from typing import Annotated

from fastmcp import Context
from fastmcp.tools import ToolResult
from pydantic import Field

from amplitude_ai_mcp.errors import UserError
from amplitude_ai_mcp.models import FileValidation, SetupResult

from ._base import Root, result, roots, site_line

MAX_SOURCE_CHARS = 1_000_000


def validate_file(
    ctx: Context,
    path: Annotated[
        str | None, Field(description="File in the project root (relative, absolute, file://).")
    ] = None,
    source: Annotated[
        str | None,
        Field(max_length=MAX_SOURCE_CHARS, description="Python source to analyse instead."),
    ] = None,
    root: Root = None,
) -> ToolResult:
    """The LLM call sites of one Python file (or source text), instrumented or not, with a
    suggestion per uninstrumented client."""
    if (path is None) == (source is None):
        raise UserError("pass exactly one of `path` or `source`")
    from amplitude_ai_mcp.detect.validate import validate_source
    from amplitude_ai_mcp.workspace import read_python, relative

    the_roots = roots(ctx)
    base = the_roots.project_root(root)
    if path is not None:
        file = the_roots.file(path, base)
        if file.suffix != ".py":
            raise UserError(f"{path!r} is not a .py file; only Python is analysed")
        rel = relative(file, base)
        found = validate_source(read_python(file).text, rel, base, rel)
    else:
        found = validate_source(source or "", "<source>", base, None)
    summary = f"{found.file}: {found.total} call sites, {found.uninstrumented} uninstrumented"
    return result(found, summary, validation_text(found))


def validation_text(found: FileValidation) -> str:
    lines = [
        "- "
        + site_line(
            s.file,
            s.line,
            f"{s.provider} {s.api}",
            f"in {s.enclosing}" if s.enclosing else None,
            ("instrumented: " if s.instrumented else "UNINSTRUMENTED: ") + s.instrumentation,
        )
        for s in found.call_sites
    ]
    if found.truncated:
        lines.append(f"(first {len(found.call_sites)} of {found.total} sites)")
    if found.is_test_file:
        lines.append("(a test file)")
    if found.suggestions:
        lines += ["", "suggestions:"] + [f"- {s}" for s in found.suggestions]
    return "\n".join(lines)


def validate_setup(ctx: Context, root: Root = None) -> ToolResult:
    """Project checks: SDK declared or installed, AMPLITUDE_AI_API_KEY set (never shown),
    content mode, provider SDK versions (installed, locked or declared) in supported ranges.
    Each failure has a fix."""
    from amplitude_ai_mcp.setup_check import validate_setup as check

    found = check(roots(ctx).project_root(root))
    failed = [c.name for c in found.checks if not c.ok]
    summary = "setup ok" if found.ok else f"{len(failed)} checks failed: {', '.join(failed)}"
    return result(found, summary, setup_text(found))


def setup_text(found: SetupResult) -> str:
    lines = []
    for check in found.checks:
        lines.append(f"- {'ok' if check.ok else 'FAILED'} {check.name}: {check.detail}")
        if check.fix:
            lines.append(f"  fix: {check.fix}")
    return "\n".join(lines)
