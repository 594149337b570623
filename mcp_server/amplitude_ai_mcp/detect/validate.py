"""validate_file: one file's call sites (same engine as the scan) plus concrete suggestions."""

from __future__ import annotations

from pathlib import Path

import libcst as cst

from amplitude_ai_mcp import workspace
from amplitude_ai_mcp.models import FileValidation
from amplitude_ai_mcp.syntax_check import libcst_limit, python_accepts

from .analyze import FileAnalysis, analyze_module, module_name_for
from .project import is_test_path
from .resolve import finalize
from .sites import CallSite

_SOURCE_DIRS = ("", "src")
MAX_SITES = 100  # keeps one answer far below the clients' token limits


class LazyModules:
    """Other modules of the project, located under the root and analysed on first use."""

    def __init__(self, root: Path | None, own: FileAnalysis) -> None:
        self._root = root
        self._cache: dict[str, FileAnalysis | None] = {own.module: own}

    def module(self, name: str) -> FileAnalysis | None:
        if name in self._cache:
            return self._cache[name]
        self._cache[name] = None  # cycles and misses
        if self._root is None or len(self._cache) > 200:
            return None
        for base in _SOURCE_DIRS:
            stem = self._root / base / Path(*name.split("."))
            for candidate in (stem.with_suffix(".py"), stem / "__init__.py"):
                try:
                    path = workspace.Roots((self._root,)).file(str(candidate), self._root)
                    text = workspace.read_python(path).text
                    analysis = analyze_module(text, name, candidate.name == "__init__.py")
                except (workspace.WorkspaceError, OSError, cst.ParserSyntaxError):
                    continue
                analysis.file = workspace.relative(path, self._root)
                self._cache[name] = analysis
                return analysis
        return None


def validate_source(
    text: str, display: str, root: Path | None = None, rel: str | None = None
) -> FileValidation:
    """Analyse ``text`` (raises ``libcst.ParserSyntaxError`` when it is not valid Python)."""
    module = module_name_for(rel) if rel else "__source__"
    is_package = bool(rel and rel.endswith("__init__.py"))
    try:
        analysis = analyze_module(text, module, is_package)
    except cst.ParserSyntaxError as exc:
        if not python_accepts(text):
            raise
        raise workspace.WorkspaceError(f"{display} is {libcst_limit(exc.raw_line)}") from None
    analysis.file = display
    in_test = bool(rel and is_test_path(rel))
    sites = finalize(analysis, display, LazyModules(root, analysis), in_test=in_test)
    return FileValidation(
        file=display,
        call_sites=sites[:MAX_SITES],
        truncated=len(sites) > MAX_SITES,
        total=len(sites),
        uninstrumented=sum(not s.instrumented for s in sites),
        suggestions=suggestions(sites),
        is_test_file=in_test,
    )


def suggestions(sites: list[CallSite]) -> list[str]:
    """One concrete next step per uninstrumented site (deduplicated by client)."""
    out: list[str] = []
    seen: set[tuple[str | None, str]] = set()
    for site in sites:
        if site.instrumented or site.in_test:
            continue
        key = (site.client_origin or site.receiver, site.provider)
        if key in seen:
            continue
        seen.add(key)
        where = f"line {site.line} ({site.api})"
        if site.kind == "framework":
            out.append(
                f"{where}: {site.provider} call; instrument the underlying provider client (or "
                "call amplitude_ai.patch() at start-up) and open an agent session around it"
            )
        elif site.call_style == "module_function":
            out.append(
                f"{where}: module-level {site.provider} call; call amplitude_ai.patch() once at "
                "start-up, before the first call, and run it inside agent.session()"
            )
        elif site.resolved_by in ("usage", "annotation"):
            out.append(
                f"{where}: the client `{site.receiver}` is passed in; instrument it where it is "
                "built (amplitude_ai.wrap(client) or the SDK's drop-in client class)"
            )
        else:
            origin = site.client_origin or "the client"
            cls = origin.rsplit(".", 1)[-1]
            built = (
                f" (built at {site.client_file}:{site.client_line})"
                if site.client_file and site.client_line
                else ""
            )
            out.append(
                f"{where}: build `{site.receiver or 'the client'}`{built} with the SDK's drop-in "
                f"`from amplitude_ai import {cls}` (same API), or wrap it: "
                "`amplitude_ai.wrap(client)`; track turns inside `agent.session()`"
            )
    if not sites:
        out.append("no LLM call sites found in this file")
    elif not out:
        out.append("every call site here is already instrumented")
    return out
