"""generate_verify_test: the offline pytest file that proves the events arrive."""

from typing import Annotated

import anyio.to_thread
from fastmcp import Context
from fastmcp.tools import ToolResult
from pydantic import Field

from amplitude_ai_mcp.models import VerifyTestResult

from ._base import Root, needs_input_lines, result, roots
from .instrument import Inputs


async def generate_verify_test(
    ctx: Context,
    path: Annotated[
        str | None,
        Field(description="Module or package directory; default: whole project."),
    ] = None,
    inputs: Inputs = None,
    apply: Annotated[
        bool,
        Field(description="Write to <root>/tests (never over a file it did not make)."),
    ] = False,
    root: Root = None,
) -> ToolResult:
    """An offline pytest file proving the instrumentation of each instrumented module (of
    `path`) that reaches an LLM call: it drives the entry points (functions, routes, scripts,
    async) with the SDK's fake LLM and asserts catalog-exact [Agent] events; it fails on
    uninstrumented code. Questions come as needs_input. Run it yourself: the server runs no
    code."""
    from amplitude_ai_mcp.verify.generate import generate

    the_roots = roots(ctx)

    def work() -> VerifyTestResult:
        return generate(the_roots, path, root, apply, inputs=dict(inputs or {}))

    found = await anyio.to_thread.run_sync(work)
    summary = (
        f"{found.test_path}: {len(found.entry_points)} entry points "
        f"({', '.join(e.name for e in found.entry_points)}), "
        f"{len(found.needs_input)} need input; "
        + ("written" if found.applied else "not written (apply=false)")
        + f"; run: {found.run}"
    )
    return result(found, summary, verify_text(found))


def verify_text(found: VerifyTestResult) -> str:
    lines = [f"module: {found.module} (bootstrap {found.bootstrap})", "entry points:"]
    lines += [
        f"- {e.name} ({e.kind}, line {e.line}): {e.how}; session opened by the {e.session}"
        for e in found.entry_points
    ]
    if found.needs_input:
        lines += ["", "needs_input:", *needs_input_lines(found.needs_input)]
    lines += ["", f"requires: {', '.join(found.requires)}", f"run: {found.run}"]
    lines += [
        "",
        f"test source ({found.test_path}):",
        "```python",
        found.test_source.rstrip(),
        "```",
    ]
    return "\n".join(lines)
