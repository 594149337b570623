"""scan_project and suggest_instrumentation: what the project uses, and what to do next."""

import threading
from typing import Annotated

import anyio
import anyio.from_thread
import anyio.to_thread
from fastmcp import Context
from fastmcp.exceptions import ToolError
from fastmcp.tools import ToolResult
from pydantic import Field

from amplitude_ai_mcp.models import ContentMode, Framework, Provider, ScanResult, SuggestionResult

from ._base import Root, result, roots, site_line

ScanRoot = Annotated[
    str | None,
    Field(description="Project root (path or file:// URI); default: first root."),
]


async def scan_project(
    ctx: Context,
    root: ScanRoot = None,
    offset: Annotated[int, Field(ge=0, description="First call site of the page.")] = 0,
    limit: Annotated[int, Field(ge=1, le=200, description="Call sites per page.")] = 50,
    include_tests: Annotated[
        bool, Field(description="Also list call sites in test files (counted apart).")
    ] = True,
) -> ToolResult:
    """Scan a project for LLM usage: providers, frameworks, web frameworks, observability
    SDKs, agents and every LLM call site, instrumented or not. Counts first, sites paged,
    skipped files with reasons."""
    path = roots(ctx).project_root(root)
    from amplitude_ai_mcp.detect.project import ScanCancelled, scan

    stop = threading.Event()

    def progress(done: int, total: int | None, message: str) -> None:
        anyio.from_thread.run(ctx.report_progress, done, total, message)

    def work() -> ScanResult:
        return scan(
            path,
            offset=offset,
            limit=limit,
            include_tests=include_tests,
            progress=progress,
            cancelled=stop.is_set,
        )

    try:
        found = await anyio.to_thread.run_sync(work, abandon_on_cancel=True)
    except ScanCancelled:  # pragma: no cover - only when cancelled mid-run
        raise ToolError("scan cancelled") from None
    finally:
        stop.set()
    c = found.counts
    summary = (
        f"{c.call_sites} LLM call sites ({c.uninstrumented} uninstrumented) in "
        f"{c.python_files} Python files; providers: "
        f"{', '.join(p.name for p in found.providers) or 'none'}; "
        f"{c.test_call_sites} in tests; {c.skipped_files} skipped"
    )
    return result(found, summary, scan_text(found))


def scan_text(found: ScanResult) -> str:
    def named(label: str, items: list) -> str | None:
        if not items:
            return None
        return f"{label}: " + ", ".join(
            f"{d.name} ({d.call_sites} sites, imported in {d.imported_in} files"
            + (f", declared in {', '.join(d.declared_in)}" if d.declared_in else "")
            + ")"
            for d in items
        )

    c = found.counts
    lines = [
        f"root: {found.root}",
        f"files: {c.python_files} Python, {c.analysed_files} analysed; by provider: "
        + (", ".join(f"{k} {v}" for k, v in c.by_provider.items()) or "none"),
    ]
    for label, items in (
        ("providers", found.providers),
        ("frameworks", found.frameworks),
        ("web frameworks", found.web_frameworks),
        ("observability", found.observability),
    ):
        text = named(label, items)
        if text:
            lines.append(text)
    if found.dependency_files or found.lock_files:
        lines.append(f"dependency files: {', '.join(found.dependency_files + found.lock_files)}")
    if found.workspaces:
        lines.append(f"workspaces (monorepo): {', '.join(found.workspaces)}")
    if found.agents:
        lines.append(
            ("agents (multi-agent): " if found.multi_agent else "agents: ")
            + ", ".join(f"{a.name or '?'} ({a.framework}) {a.file}:{a.line}" for a in found.agents)
        )
    shown = len(found.call_sites)
    lines += [
        "",
        f"call sites {found.offset + 1}-{found.offset + shown}:" if shown else "no call sites",
    ]
    for s in found.call_sites:
        lines.append(
            "- "
            + site_line(
                s.file,
                s.line,
                f"{s.provider} {s.api}",
                "async" if s.is_async else None,
                "stream" if s.stream else None,
                f"in {s.enclosing}" if s.enclosing else None,
                f"client {s.client_origin}" if s.client_origin else None,
                f"built at {s.client_file}:{s.client_line}" if s.client_file else None,
                "test" if s.in_test else None,
                ("instrumented: " if s.instrumented else "UNINSTRUMENTED: ") + s.instrumentation,
            )
        )
    if found.next_offset is not None:
        lines.append(f"more: call again with offset={found.next_offset}")
    if found.skipped:
        lines += ["", "skipped files:"] + [f"- {s.path}: {s.reason}" for s in found.skipped]
    for label, notes in (("problems", found.problems), ("limits reached", found.caps_hit)):
        if notes:
            lines.append(f"{label}: {'; '.join(notes)}")
    return "\n".join(lines)


async def suggest_instrumentation(
    ctx: Context,
    root: Root = None,
    framework: Annotated[Framework | None, Field(description="Web framework.")] = None,
    provider: Annotated[Provider | None, Field(description="LLM provider.")] = None,
    content_tier: Annotated[ContentMode, Field(description="Content mode.")] = "full",
) -> ToolResult:
    """Next steps to instrument the project: from a scan of root (files, clients, web
    framework, agents), or from framework/provider alone."""
    from amplitude_ai_mcp import suggest

    if root is None and (framework or provider):
        found = suggest.from_arguments(framework, provider, content_tier)
    else:
        path = roots(ctx).project_root(root)
        from amplitude_ai_mcp.detect.project import scan

        scanned = await anyio.to_thread.run_sync(lambda: scan(path, limit=200))
        found = suggest.from_scan(scanned, content_tier)
    return result(
        found, f"{len(found.steps)} steps (based on {found.based_on})", suggestions_text(found)
    )


def suggestions_text(found: SuggestionResult) -> str:
    lines = []
    for n, step in enumerate(found.steps, 1):
        tool = f" [{step.tool}]" if step.tool else ""
        lines.append(f"{n}. {step.step}{tool}: {step.detail}")
        if step.files:
            lines.append(f"   files: {', '.join(step.files)}")
    if found.patterns:
        lines.append(f"patterns to read (get_integration_pattern): {', '.join(found.patterns)}")
    return "\n".join(lines)
