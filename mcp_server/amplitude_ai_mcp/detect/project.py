"""Project scan: walk (sorted, confined), prefilter, analyse, resolve across files, report.

Speed comes from a cheap text prefilter: only files that import a provider/framework/our SDK,
use a distinctive API path, or import a project module that exports a client are parsed.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from amplitude_ai_mcp import workspace
from amplitude_ai_mcp.models import AgentRef, Detected, ScanCounts, ScanResult, SkippedFile
from amplitude_ai_mcp.syntax_check import libcst_limit, python_accepts

from . import providers as P
from .analyze import ClientType, ExternalRef, FileAnalysis, analyze_module, module_name_for
from .deps import read_declarations
from .resolve import finalize
from .sites import CallSite

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        "__pycache__",
        ".venv",
        "venv",
        "env",
        ".env",
        "site-packages",
        "dist-packages",
        "build",
        "dist",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".eggs",
        ".idea",
        ".vscode",
        "htmlcov",
        ".cache",
    }
)
PACKAGE_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg")
_IMPORT_RE = re.compile(
    r"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import|import[ \t]+([\w., \t]+))", re.M
)
_STRONG_MODULES = tuple(
    sorted(
        {m.split(".")[0] for m in (*P.PROVIDER_MODULES, *P.FRAMEWORK_MODULES)}
        | {"boto3", P.SDK_MODULE, "google"}
    )
)
_DISTINCTIVE = re.compile(
    r"\.(?:chat\.completions|responses|messages|embeddings)\.(?:with_\w+\.)?\w+\b"
)


@dataclass(frozen=True)
class Limits:
    max_files: int = 50_000
    max_file_bytes: int = workspace.MAX_FILE_BYTES
    max_total_bytes: int = 500_000_000


ProgressFn = Callable[[int, int | None, str], None]


class ScanCancelled(Exception):
    """The client cancelled the scan."""


def is_test_path(rel: str) -> bool:
    parts = rel.split("/")
    name = parts[-1]
    return (
        any(p in ("tests", "test", "testing") for p in parts[:-1])
        or name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
    )


def imported_modules(text: str) -> set[str]:
    """Modules named by import statements (text level; used only to choose files to parse)."""
    found: set[str] = set()
    for match in _IMPORT_RE.finditer(text):
        if match.group(1) is not None:
            found.add(match.group(1))
        else:
            for part in match.group(2).split(","):
                name = part.strip().split(" ")[0]
                if name:
                    found.add(name)
    return found


def strong_candidate(text: str, imports: set[str]) -> bool:
    tops = {m.split(".")[0] for m in imports}
    return bool(tops.intersection(_STRONG_MODULES)) or _DISTINCTIVE.search(text) is not None


@dataclass
class _Project:
    root: Path
    analyses: dict[str, FileAnalysis] = field(default_factory=dict)  # module -> analysis
    files: dict[str, str] = field(default_factory=dict)  # module -> relpath
    by_suffix: dict[str, list[str]] = field(default_factory=dict)
    all_modules: set[str] = field(default_factory=set)

    def register(self, rel: str) -> str:
        module = module_name_for(rel)
        self.all_modules.add(module)
        parts = module.split(".")
        for i in range(1, len(parts)):
            self.by_suffix.setdefault(".".join(parts[i:]), []).append(module)
        return module

    def module(self, name: str) -> FileAnalysis | None:
        found = self.analyses.get(name)
        if found is not None:
            return found
        for candidate in self.by_suffix.get(name, ()):
            if candidate in self.analyses:
                return self.analyses[candidate]
        return None

    def is_project_module(self, name: str) -> bool:
        return name in self.all_modules or name in self.by_suffix


def walk_python_files(
    root: Path, limits: Limits, skipped: list[SkippedFile], caps: list[str]
) -> tuple[list[tuple[str, Path]], list[str]]:
    """Sorted (relpath, path) of .py files under root, plus package dirs (workspaces)."""
    found: list[tuple[str, Path]] = []
    packages: list[str] = []
    stack = [root]
    while stack:
        directory = stack.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            skipped.append(
                SkippedFile(
                    path=workspace.relative(Path(directory), root) or ".",
                    reason=f"directory unreadable: {exc.strerror}",
                )
            )
            continue
        names = {e.name for e in entries}
        if directory != root and any(m in names for m in PACKAGE_MARKERS):
            packages.append(workspace.relative(Path(directory), root))
        if "pyvenv.cfg" in names:
            continue  # a virtualenv
        subdirs = []
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name not in SKIP_DIRS and not entry.name.endswith(".egg-info"):
                    subdirs.append(Path(entry.path))
                continue
            if not entry.name.endswith(".py"):
                continue
            rel = workspace.relative(Path(entry.path), root)
            path = Path(entry.path)
            if entry.is_symlink():
                try:
                    target = Path(os.path.realpath(path, strict=True))
                except OSError:
                    skipped.append(SkippedFile(path=rel, reason="broken or looping symlink"))
                    continue
                if not workspace.is_within(target, root):
                    skipped.append(SkippedFile(path=rel, reason="symlink to outside the root"))
                    continue
                path = target
            if len(found) >= limits.max_files:
                if not caps or not caps[-1].startswith("max_files"):
                    caps.append(f"max_files={limits.max_files}: further files not scanned")
                skipped.append(SkippedFile(path=rel, reason="file cap reached"))
                continue
            found.append((rel, path))
        stack.extend(reversed(subdirs))
    return found, sorted(packages)


def scan(
    root: Path,
    *,
    offset: int = 0,
    limit: int = 50,
    include_tests: bool = True,
    limits: Limits | None = None,
    progress: ProgressFn | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ScanResult:
    """Scan ``root``; see :class:`ScanResult`. Never imports or runs project code."""
    limits = limits or Limits()
    skipped: list[SkippedFile] = []
    caps: list[str] = []
    files, packages = walk_python_files(root, limits, skipped, caps)
    total = len(files)
    project = _Project(root)
    modules = {rel: project.register(rel) for rel, _ in files}
    imports_by_module: dict[str, set[str]] = {}
    weak: list[tuple[str, Path]] = []
    total_bytes = 0
    analysed = 0

    def check(i: int) -> None:
        if cancelled is not None and cancelled():
            raise ScanCancelled
        if progress is not None and i % 250 == 0:
            progress(i, total, f"{i}/{total} files")

    def analyse(rel: str, path: Path, text: str) -> None:
        nonlocal analysed
        module = modules[rel]
        try:
            analysis = analyze_module(text, module, is_package=rel.endswith("__init__.py"))
        except cst.ParserSyntaxError as exc:
            reason = (
                libcst_limit(exc.raw_line)
                if python_accepts(text)
                else f"syntax error at line {exc.raw_line}, column {exc.raw_column}"
            )
            skipped.append(SkippedFile(path=rel, reason=reason))
            return
        except RecursionError:
            skipped.append(SkippedFile(path=rel, reason="too deeply nested to parse"))
            return
        analysed += 1
        analysis.file = rel
        project.analyses[module] = analysis
        project.files[module] = rel
        imports_by_module[module] = analysis.imported_modules

    for i, (rel, path) in enumerate(files):
        check(i)
        if total_bytes > limits.max_total_bytes:
            skipped.append(SkippedFile(path=rel, reason="total byte cap reached"))
            if f"max_total_bytes={limits.max_total_bytes}" not in caps:
                caps.append(f"max_total_bytes={limits.max_total_bytes}")
            continue
        try:
            text_file = workspace.read_python(path, limits.max_file_bytes)
        except workspace.WorkspaceError as exc:
            skipped.append(SkippedFile(path=rel, reason=str(exc)))
            continue
        except OSError as exc:
            skipped.append(SkippedFile(path=rel, reason=f"unreadable: {exc.strerror}"))
            continue
        total_bytes += text_file.size
        text = text_file.text
        imports = imported_modules(text)
        imports_by_module[modules[rel]] = imports
        if strong_candidate(text, imports):
            analyse(rel, path, text)
        elif any(project.is_project_module(_absolute(m, modules[rel])) for m in imports):
            weak.append((rel, path))
    # Second pass: files that import a project module which exports a client or patches.
    interesting = {
        m
        for m, a in project.analyses.items()
        if a.patches or any(isinstance(v, (ClientType, ExternalRef)) for v in a.exports.values())
    }
    for rel, path in weak:
        imports = {_absolute(m, modules[rel]) for m in imports_by_module.get(modules[rel], ())}
        if any(_imports_any(m, interesting, project) for m in imports):
            try:
                analyse(rel, path, workspace.read_python(path, limits.max_file_bytes).text)
            except (workspace.WorkspaceError, OSError) as exc:
                skipped.append(SkippedFile(path=rel, reason=str(exc)))
    if progress is not None:
        progress(total, total, "resolving call sites")
    sites: list[CallSite] = []
    agents: list[AgentRef] = []
    handoffs = False
    for module in sorted(project.analyses, key=lambda m: project.files[m]):
        if cancelled is not None and cancelled():
            raise ScanCancelled
        analysis = project.analyses[module]
        rel = project.files[module]
        sites.extend(finalize(analysis, rel, project, in_test=is_test_path(rel)))
        agents.extend(
            AgentRef(file=rel, line=line, framework=fw, name=name)
            for line, fw, name in analysis.agents
        )
        handoffs = handoffs or analysis.handoffs
    return _report(
        root,
        project,
        files,
        packages,
        sites,
        agents,
        handoffs,
        skipped,
        caps,
        analysed,
        imports_by_module,
        offset,
        limit,
        include_tests,
    )


def _absolute(name: str, importer: str) -> str:
    if not name.startswith("."):
        return name
    dots = len(name) - len(name.lstrip("."))
    base = importer.split(".")[:-dots] if dots else importer.split(".")
    rest = name[dots:]
    return ".".join([*base, rest] if rest else base)


def _imports_any(name: str, interesting: set[str], project: _Project) -> bool:
    candidates = {name, *project.by_suffix.get(name, ())}
    parent = name.rpartition(".")[0]
    if parent:
        candidates |= {parent, *project.by_suffix.get(parent, ())}
    return bool(candidates & interesting)


def _report(
    root: Path,
    project: _Project,
    files: list[tuple[str, Path]],
    packages: list[str],
    sites: list[CallSite],
    agents: list[AgentRef],
    handoffs: bool,
    skipped: list[SkippedFile],
    caps: list[str],
    analysed: int,
    imports_by_module: dict[str, set[str]],
    offset: int,
    limit: int,
    include_tests: bool,
) -> ScanResult:
    declared_files: list[str] = []
    locks: list[str] = []
    problems: list[str] = []
    declared: dict[str, list[str]] = {}
    for directory in [root, *(root / p for p in packages)]:
        decl = read_declarations(directory, root)
        declared_files.extend(decl.files)
        locks.extend(decl.locks)
        problems.extend(decl.problems)
        for name, sources in decl.names.items():
            declared.setdefault(name, []).extend(sources)

    groups: dict[str, dict[str, Detected]] = {
        "provider": {},
        "framework": {},
        "web": {},
        "observability": {},
    }

    def entry(group: str, name: str) -> Detected:
        return groups[group].setdefault(name, Detected(name=name))

    for dist, sources in declared.items():
        if dist in P.DISTRIBUTIONS:
            group, name = P.DISTRIBUTIONS[dist]
            entry(group, name).declared_in = sorted(set(sources))
    tables = (
        ("provider", P.PROVIDER_MODULES),
        ("framework", P.FRAMEWORK_MODULES),
        ("web", P.WEB_MODULES),
        ("observability", P.OBSERVABILITY_MODULES),
    )
    for imports in imports_by_module.values():
        hit: set[tuple[str, str]] = set()
        for module in imports:
            for group, table in tables:
                for prefix, name in table.items():
                    if module == prefix or module.startswith(prefix + "."):
                        hit.add((group, name))
            if module.startswith("boto3"):
                hit.add(("provider", "bedrock"))
        for group, name in hit:
            entry(group, name).imported_in += 1
    test_sites = [s for s in sites if s.in_test]
    app_sites = [s for s in sites if not s.in_test]
    for site in app_sites:
        group = "provider" if site.kind == "provider" else "framework"
        entry(group, site.provider).call_sites += 1
    # boto3 alone is not Bedrock: keep it only with evidence of bedrock-runtime.
    bedrock = groups["provider"].get("bedrock")
    if (
        bedrock is not None
        and bedrock.call_sites == 0
        and not any(s.provider == "bedrock" for s in sites)
    ):
        del groups["provider"]["bedrock"]
    ordered = app_sites + (test_sites if include_tests else [])
    page = ordered[offset : offset + limit]
    next_offset = offset + limit if offset + limit < len(ordered) else None
    multi_agent = handoffs or len(agents) >= 2
    counts = ScanCounts(
        python_files=len(files),
        analysed_files=analysed,
        call_sites=len(app_sites),
        uninstrumented=sum(not s.instrumented for s in app_sites),
        instrumented=sum(s.instrumented for s in app_sites),
        test_call_sites=len(test_sites),
        skipped_files=len(skipped),
        by_provider=dict(sorted(Counter(s.provider for s in app_sites).items())),
    )
    max_skipped = 50
    if len(skipped) > max_skipped:
        caps.append(f"skipped list shows {max_skipped} of {len(skipped)} files")
    return ScanResult(
        root=str(root),
        counts=counts,
        providers=sorted(groups["provider"].values(), key=lambda d: d.name),
        frameworks=sorted(groups["framework"].values(), key=lambda d: d.name),
        web_frameworks=sorted(groups["web"].values(), key=lambda d: d.name),
        observability=sorted(groups["observability"].values(), key=lambda d: d.name),
        dependency_files=declared_files,
        lock_files=locks,
        workspaces=packages,
        agents=agents[:100],
        multi_agent=multi_agent,
        call_sites=page,
        offset=offset,
        limit=limit,
        next_offset=next_offset,
        skipped=skipped[:max_skipped],
        problems=problems,
        caps_hit=caps,
    )
