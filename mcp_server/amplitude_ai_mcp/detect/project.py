"""Project scan: walk (sorted, confined), prefilter, analyse, resolve across files, report.

Speed comes from a cheap text prefilter (:mod:`.prefilter`): only files that import a
provider/framework/our SDK, use a distinctive API path, or import a project module that
exports a client are parsed. Within a server process, an unchanged file is not read again
(stat signature), an unchanged content is not analysed again (content hash, :mod:`.source`),
and a re-scan of a tree in which nothing changed reuses the last outcome whole; the report
(:mod:`.scan_report`) is built fresh every time.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import libcst as cst

from amplitude_ai_mcp import workspace
from amplitude_ai_mcp.models import AgentRef, ScanResult, SkippedFile
from amplitude_ai_mcp.syntax_check import libcst_limit, python_accepts

from .analyze import FileAnalysis, analyze_module, module_name_for
from .guard import describe_failure
from .prefilter import imported_modules, strong_candidate
from .relevance import Context, live_export
from .resolve import Caller, callee_matches, finalize, finalize_uncertain
from .scan_report import build_report
from .sites import CallSite, UncertainSite
from .source import cached_analysis, digest

__all__ = ["imported_modules", "scan", "strong_candidate", "walk_python_files"]

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


@dataclass(frozen=True)
class _Seen:
    """What the prefilter learnt from one file's bytes, keyed by its stat signature."""

    signature: tuple[int, int, int, int]  # size, mtime_ns, inode, device
    recorded_ns: int
    size: int
    digest: str | None  # of the text, for candidates (others are hashed if ever analysed)
    imports: frozenset[str]
    strong: bool


# Per server process: path -> _Seen. An unchanged file (same size, mtime, inode) is neither
# read nor analysed again; its analysis comes from the content-keyed cache in .source.
_SEEN: dict[str, _Seen] = {}
_SEEN_MAX = 200_000
# A file modified within this window of being recorded could change again without its mtime
# moving (coarse timestamps): such entries are re-read instead of trusted ("racy" entries).
_RACY_NS = 2_000_000_000


def _signature(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)


def _remembered(path: str) -> _Seen | None:
    seen = _SEEN.get(path)
    if seen is None:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    if _signature(st) != seen.signature or st.st_mtime_ns >= seen.recorded_ns - _RACY_NS:
        return None
    return seen


def _remember(path: str, text: str, size: int, imports: set[str], strong: bool) -> _Seen | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    if len(_SEEN) >= _SEEN_MAX:
        _SEEN.clear()
    key = digest(text) if strong else None  # hashing 125 MB of non-candidates costs ~0.2 s
    seen = _Seen(_signature(st), time.time_ns(), size, key, frozenset(imports), strong)
    _SEEN[path] = seen
    return seen


def _note_digest(path: str, seen: _Seen | None, text: str) -> None:
    """Record the digest of a non-candidate file read again for analysis (a later scan then
    finds its analysis by content without reading it)."""
    if seen is not None and seen.digest is None and _SEEN.get(path) is seen:
        _SEEN[path] = replace(seen, digest=digest(text))


def forget_scans() -> None:
    """Drop the per-process scan caches (tests and benchmarks)."""
    _SEEN.clear()
    _MEMOS.clear()


@dataclass
class _Project:
    root: Path
    analyses: dict[str, FileAnalysis] = field(default_factory=dict)  # module -> analysis
    files: dict[str, str] = field(default_factory=dict)  # module -> relpath
    by_suffix: dict[str, list[str]] = field(default_factory=dict)
    all_modules: set[str] = field(default_factory=set)
    _callers: dict[str, list[Caller]] | None = None

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

    def callers(self, target: str) -> list[Caller]:
        """Clients passed to ``target`` (a function or class of the project) by any module."""
        if self._callers is None:
            self._callers = {}
            for module, analysis in self.analyses.items():
                for callee, index, keyword, client in analysis.client_args:
                    last = callee.rsplit(".", 1)[-1]
                    self._callers.setdefault(last, []).append(
                        (module, callee, index, keyword, client)
                    )
        last = target.rsplit(".", 1)[-1]
        return [c for c in self._callers.get(last, ()) if callee_matches(c[1], target)]

    def is_project_module(self, name: str) -> bool:
        return name in self.all_modules or name in self.by_suffix


def walk_python_files(
    root: Path, limits: Limits, skipped: list[SkippedFile], caps: list[str]
) -> tuple[list[tuple[str, Path]], list[str]]:
    """Sorted (relpath, path) of .py files under root, plus package dirs (workspaces)."""
    found, packages = _walk(root, limits, skipped, caps)
    return [(rel, Path(path)) for rel, path in found], packages


def _walk(
    root: Path, limits: Limits, skipped: list[SkippedFile], caps: list[str]
) -> tuple[list[tuple[str, str]], list[str]]:
    """:func:`walk_python_files` with paths as strings: a scan compares and stats them on
    every run, and building 10,000 ``Path`` objects was most of a re-scan's time."""
    found: list[tuple[str, str]] = []
    packages: list[str] = []
    stack = [root]
    base = str(root)
    prefix = len(base) + (0 if base.endswith(os.sep) else 1)
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
            # String slicing, not Path.relative_to: pathlib parsing was most of a re-scan.
            rel = entry.path[prefix:].replace(os.sep, "/")
            path = entry.path
            if entry.is_symlink():
                try:
                    target = Path(os.path.realpath(path, strict=True))
                except OSError:
                    skipped.append(SkippedFile(path=rel, reason="broken or looping symlink"))
                    continue
                if not workspace.is_within(target, root):
                    skipped.append(SkippedFile(path=rel, reason="symlink to outside the root"))
                    continue
                path = str(target)
            if len(found) >= limits.max_files:
                if not caps or not caps[-1].startswith("max_files"):
                    caps.append(f"max_files={limits.max_files}: further files not scanned")
                skipped.append(SkippedFile(path=rel, reason="file cap reached"))
                continue
            found.append((rel, path))
        stack.extend(reversed(subdirs))
    return found, sorted(packages)


@dataclass
class _Outcome:
    """What scanning the files of a tree found, before the report (which also reads the
    dependency files and pages the sites): reusable while no file changed."""

    skipped: list[SkippedFile]
    caps: list[str]
    analysed: int
    imports_by_module: dict[str, set[str]]
    sites: list[CallSite]
    uncertain: list[UncertainSite]
    agents: list[AgentRef]
    handoffs: bool


@dataclass(frozen=True)
class _Memo:
    files: list[tuple[str, str]]
    seen: list[_Seen]  # the per-file records the outcome was computed from (by identity)
    outcome: _Outcome


# Per server process: (root, limits) -> the last outcome. A re-scan in which every file is the
# same _Seen record (same path, stat signature unchanged and out of the racy window: see
# _remembered) reuses it whole instead of re-resolving 10,000 files' imports and sites.
_MEMOS: dict[tuple[str, Limits], _Memo] = {}
_MEMOS_MAX = 8


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
    files, packages = _walk(root, limits, skipped, caps)
    seen_now = [_remembered(path) for _, path in files]
    key = (str(root), limits)
    memo = _MEMOS.get(key)
    if (
        memo is not None
        and memo.files == files
        and len(memo.seen) == len(seen_now)
        and all(a is b for a, b in zip(memo.seen, seen_now, strict=True))
    ):
        outcome = memo.outcome
        if progress is not None:
            progress(len(files), len(files), "unchanged since the last scan")
    else:
        outcome = _scan_files(root, files, seen_now, limits, progress, cancelled)
        after = [_SEEN.get(path) for _, path in files]
        if all(s is not None for s in after):
            if len(_MEMOS) >= _MEMOS_MAX:
                _MEMOS.clear()
            _MEMOS[key] = _Memo(list(files), after, outcome)  # type: ignore[arg-type]
        else:
            _MEMOS.pop(key, None)  # unreadable files are retried every scan
    result = build_report(
        root,
        files,
        packages,
        list(outcome.sites),
        list(outcome.agents),
        outcome.handoffs,
        [*skipped, *outcome.skipped],
        [*caps, *outcome.caps],
        outcome.analysed,
        outcome.imports_by_module,
        offset,
        limit,
        include_tests,
    )
    uncertain = outcome.uncertain
    app_uncertain = [s for s in uncertain if not s.in_test]
    result.counts.probable = sum(s.confidence == "probable" for s in app_uncertain)
    result.counts.untracked = sum(not s.tracked for s in app_uncertain)
    result.uncertain_sites = (app_uncertain + [s for s in uncertain if s.in_test])[:100]
    # The outcome may serve the next re-scan: hand out copies of what it holds.
    result.call_sites = [s.model_copy(deep=True) for s in result.call_sites]
    result.uncertain_sites = [s.model_copy(deep=True) for s in result.uncertain_sites]
    result.agents = [a.model_copy(deep=True) for a in result.agents]
    return result


def _scan_files(
    root: Path,
    files: list[tuple[str, str]],
    seen_now: list[_Seen | None],
    limits: Limits,
    progress: ProgressFn | None,
    cancelled: Callable[[], bool] | None,
) -> _Outcome:
    """Prefilter every file, analyse the candidates, resolve their sites across files."""
    skipped: list[SkippedFile] = []
    caps: list[str] = []
    total = len(files)
    project = _Project(root)
    modules = {rel: project.register(rel) for rel, _ in files}
    context = Context(project.all_modules | project.by_suffix.keys())
    imports_by_module: dict[str, set[str]] = {}
    weak: list[tuple[str, str]] = []
    total_bytes = 0
    analysed = 0

    def check(i: int) -> None:
        if cancelled is not None and cancelled():
            raise ScanCancelled
        if progress is not None and i % 250 == 0:
            progress(i, total, f"{i}/{total} files")

    def analyse(rel: str, path: str, text: str | None, seen: _Seen | None = None) -> None:
        nonlocal analysed
        module = modules[rel]
        is_package = rel.endswith("__init__.py")
        try:
            analysis = (
                cached_analysis(seen.digest, module, is_package, context)
                if seen is not None and seen.digest is not None
                else None
            )
            if analysis is None:
                if text is None:
                    text = workspace.read_python(path, limits.max_file_bytes).text
                    _note_digest(path, seen, text)
                analysis = analyze_module(text, module, is_package=is_package, context=context)
        except (workspace.WorkspaceError, OSError) as exc:
            skipped.append(SkippedFile(path=rel, reason=str(exc)))
            return
        except cst.ParserSyntaxError as exc:
            reason = (
                libcst_limit(exc.raw_line)
                if python_accepts(text or "")  # (set: a cached analysis never fails)
                else f"syntax error at line {exc.raw_line}, column {exc.raw_column}"
            )
            skipped.append(SkippedFile(path=rel, reason=reason))
            return
        except Exception as exc:
            skipped.append(SkippedFile(path=rel, reason=describe_failure(exc)))
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
        seen = seen_now[i]
        text: str | None = None
        if seen is None:
            try:
                text_file = workspace.read_python(path, limits.max_file_bytes)
            except workspace.WorkspaceError as exc:
                skipped.append(SkippedFile(path=rel, reason=str(exc)))
                continue
            except OSError as exc:
                skipped.append(SkippedFile(path=rel, reason=f"unreadable: {exc.strerror}"))
                continue
            text = text_file.text
            found = imported_modules(text)
            is_strong = strong_candidate(text, found)
            seen = _remember(path, text, text_file.size, found, is_strong)
            size = text_file.size
        else:
            found, is_strong, size = set(seen.imports), seen.strong, seen.size
        total_bytes += size
        imports_by_module[modules[rel]] = found
        if is_strong:
            analyse(rel, path, text, seen)
        elif any(project.is_project_module(_absolute(m, modules[rel])) for m in found):
            weak.append((rel, path))
    # Second pass: files that import a project module which exports a client (or something
    # that may resolve to one outside the standard library) or patches.
    interesting = {
        m
        for m, a in project.analyses.items()
        if a.patches or any(live_export(a.exports, m, key, context) for key in a.exports)
    }
    for rel, path in weak:
        imports = {_absolute(m, modules[rel]) for m in imports_by_module.get(modules[rel], ())}
        if any(_imports_any(m, interesting, project) for m in imports):
            analyse(rel, path, None, _remembered(path))
    if progress is not None:
        progress(total, total, "resolving call sites")
    sites: list[CallSite] = []
    uncertain: list[UncertainSite] = []
    agents: list[AgentRef] = []
    handoffs = False
    for module in sorted(project.analyses, key=lambda m: project.files[m]):
        if cancelled is not None and cancelled():
            raise ScanCancelled
        analysis = project.analyses[module]
        rel = project.files[module]
        sites.extend(finalize(analysis, rel, project, in_test=is_test_path(rel)))
        uncertain.extend(finalize_uncertain(analysis, rel, project, in_test=is_test_path(rel)))
        agents.extend(
            AgentRef(file=rel, line=line, framework=fw, name=name)
            for line, fw, name in analysis.agents
        )
        handoffs = handoffs or analysis.handoffs
    return _Outcome(skipped, caps, analysed, imports_by_module, sites, uncertain, agents, handoffs)


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
