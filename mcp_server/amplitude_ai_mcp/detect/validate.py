"""validate_file: one file's call sites (same engine as the scan) plus concrete suggestions."""

from __future__ import annotations

from pathlib import Path

import libcst as cst

from amplitude_ai_mcp import workspace
from amplitude_ai_mcp.models import FileValidation
from amplitude_ai_mcp.syntax_check import libcst_limit, python_accepts

from .analyze import FileAnalysis, analyze_module, module_name_for
from .guard import SourceRejected, describe_failure
from .project import Limits, is_test_path, walk_python_files
from .resolve import Caller, callee_matches, finalize, finalize_uncertain
from .sites import CallSite, UncertainSite

_SOURCE_DIRS = ("", "src")
MAX_SITES = 100  # keeps one answer far below the clients' token limits
MAX_CALLER_FILES = 2_000  # files searched for callers passing a client to a parameter


class LazyModules:
    """Other modules of the project, located under the root and analysed on first use."""

    def __init__(
        self, root: Path | None, own: FileAnalysis, import_root: Path | None = None
    ) -> None:
        self._root = root
        # Where imports of the file resolve first (its top package's parent), then the root.
        self._bases = [import_root] if import_root is not None and import_root != root else []
        self._cache: dict[str, FileAnalysis | None] = {own.module: own}
        self._own = own
        self._callers: dict[str, list[Caller]] = {}

    def module(self, name: str) -> FileAnalysis | None:
        if name in self._cache:
            return self._cache[name]
        self._cache[name] = None  # cycles and misses
        if self._root is None or len(self._cache) > 200:
            return None
        for base in [*self._bases, *(self._root / d for d in _SOURCE_DIRS)]:
            stem = base / Path(*name.split("."))
            for candidate in (stem.with_suffix(".py"), stem / "__init__.py"):
                try:
                    path = workspace.Roots((self._root,)).file(str(candidate), self._root)
                    text = workspace.read_python(path).text
                    analysis = analyze_module(text, name, candidate.name == "__init__.py")
                except (workspace.WorkspaceError, OSError, cst.ParserSyntaxError):
                    continue
                except Exception:
                    continue
                analysis.file = workspace.relative(path, self._root)
                self._cache[name] = analysis
                return analysis
        return None

    def callers(self, target: str) -> list[Caller]:
        """Clients other project files pass to ``target``: files that mention its name are
        analysed (bounded to the first files of the project; analyses are cached)."""
        if target in self._callers:
            return self._callers[target]
        found: list[Caller] = []
        self._callers[target] = found
        if self._root is None:
            return found
        name = target.rsplit(".", 1)[-1]
        files, _ = walk_python_files(self._root, Limits(max_files=MAX_CALLER_FILES), [], [])
        for rel, path in files:
            try:
                text = workspace.read_python(path).text
            except (workspace.WorkspaceError, OSError):
                continue
            if name not in text:
                continue
            module = module_name_for(rel)
            try:
                analysis = analyze_module(text, module, rel.endswith("__init__.py"))
            except Exception:
                continue
            found.extend(
                (module, callee, index, keyword, client)
                for callee, index, keyword, client in analysis.client_args
                if callee_matches(callee, target)
            )
        return found


def _factory_drop_ins() -> dict[str, str]:
    """``boto3.client`` -> ``Bedrock``: client factories and their drop-in (SDK registry)."""
    from amplitude_ai.providers.registry import PROVIDERS

    return {p.client_factory: p.drop_ins[0] for p in PROVIDERS if p.client_factory and p.drop_ins}


_FACTORY_DROP_INS = _factory_drop_ins()


def validate_source(
    text: str, display: str, root: Path | None = None, rel: str | None = None
) -> FileValidation:
    """Analyse ``text`` (raises ``libcst.ParserSyntaxError`` when it is not valid Python)."""
    import_root = infer_import_root(root, rel)
    module = "__source__"
    if rel:
        module = module_name_for(rel)
        if root is not None and import_root is not None and import_root != root:
            module = module_name_for(workspace.relative(root / rel, import_root))
    is_package = bool(rel and rel.endswith("__init__.py"))
    try:
        analysis = analyze_module(text, module, is_package)
    except SourceRejected:
        raise
    except cst.ParserSyntaxError as exc:
        if not python_accepts(text):
            raise
        raise workspace.WorkspaceError(f"{display} is {libcst_limit(exc.raw_line)}") from None
    except Exception as exc:  # libcst's internal failures on odd input
        raise SourceRejected(f"{display}: {describe_failure(exc)}") from None
    analysis.file = display
    in_test = bool(rel and is_test_path(rel))
    modules = LazyModules(root, analysis, import_root)
    sites = finalize(analysis, display, modules, in_test=in_test)
    uncertain = finalize_uncertain(analysis, display, modules, in_test=in_test)
    return FileValidation(
        file=display,
        call_sites=sites[:MAX_SITES],
        truncated=len(sites) > MAX_SITES,
        total=len(sites),
        uninstrumented=sum(not s.instrumented for s in sites),
        suggestions=suggestions(sites) + uncertain_suggestions(uncertain),
        is_test_file=in_test,
        uncertain_sites=uncertain[:MAX_SITES],
        probable=sum(s.confidence == "probable" for s in uncertain),
        untracked=sum(not s.tracked for s in uncertain),
    )


def infer_import_root(root: Path | None, rel: str | None) -> Path | None:
    """Where the file's own imports resolve from: the parent of its top-level package (the
    highest ancestor with ``__init__.py``, as instrument_file locates it), else its own
    directory (a script importing its siblings). ``root`` bounds the search."""
    if root is None or not rel:
        return root
    current = (root / rel).parent
    top: Path | None = None
    while (current / "__init__.py").is_file() and workspace.is_within(current, root):
        top = current
        if current == root:
            break
        current = current.parent
    found = top.parent if top is not None else (root / rel).parent
    return found if workspace.is_within(found, root) else root


def uncertain_suggestions(sites: list[UncertainSite]) -> list[str]:
    """What to do about probable sites and untracked APIs (one line each, deduplicated)."""
    out: list[str] = []
    seen: set[tuple[str, str | None]] = set()
    for site in sites:
        if site.in_test or (site.api, site.receiver) in seen:
            continue
        seen.add((site.api, site.receiver))
        where = f"line {site.line} ({site.api})"
        if site.tracked:
            out.append(
                f"{where}: probable {site.provider} call on `{site.receiver}`, whose client "
                "could not be traced; instrument that client where it is built (drop-in class "
                "or amplitude_ai.wrap) and check it with generate_verify_test"
            )
        else:
            out.append(f"{where}: recognised but not tracked: {site.evidence}")
    return out


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
            cls = _FACTORY_DROP_INS.get(origin) or origin.rsplit(".", 1)[-1]
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
