"""generate_verify_test: find the bootstrap and the entry points, render, write atomically."""

from __future__ import annotations

import os
import re
import stat
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amplitude_ai.catalog import load_catalog
from amplitude_ai.providers.registry import PROVIDERS
from amplitude_ai_mcp import workspace
from amplitude_ai_mcp.detect.project import (
    Limits,
    imported_modules,
    is_test_path,
    walk_python_files,
)
from amplitude_ai_mcp.detect.source import parse_module
from amplitude_ai_mcp.inputs import InputError, check_expression
from amplitude_ai_mcp.models import EntryPoint, NeedsInput, VerifyTestResult
from amplitude_ai_mcp.workspace import Roots, WorkspaceError

from .entry_points import Project, ReachFinder, plan_module
from .facts_model import BOOTSTRAP_STEM
from .plans import Gap, ModuleInfo, Plan, gap_id
from .render import MARKER, Target, TestSpec, check_dotted, render

BOOTSTRAP_MARK = "# amplitude-ai: bootstrap"
TESTS_DIR = "tests"
MAX_MODULES = 400  # project mode: Python files considered
MAX_DEPTH_FILES = 5  # import hops followed out from the files that name an LLM SDK


def check_inputs(inputs: Mapping[str, str] | None) -> dict[str, str]:
    """Answers to needs_input items: each a single Python expression, placed verbatim into the
    generated test (so constructors may be called: see :mod:`amplitude_ai_mcp.inputs`)."""
    try:
        return {
            str(key): check_expression(str(key), value, "constructors")
            for key, value in (inputs or {}).items()
        }
    except InputError as exc:
        raise WorkspaceError(str(exc)) from None


def import_location(rel: str) -> tuple[str, str]:
    """(import root, module name) for a root-relative file: the shallowest directory under
    which the path is a dotted name (``src`` layouts and ``examples/chat-basic/app.py``
    alike); files are then imported by location from there."""
    parts = rel.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    start = 1 if parts and parts[0] == "src" and len(parts) > 1 else 0
    for i in range(start, len(parts)):
        name = ".".join(parts[i:])
        try:
            check_dotted(name)
        except ValueError:
            continue
        return "/".join(parts[:i]), name
    raise WorkspaceError(
        f"{rel} has a file name that is not a Python identifier, so no code can import it"
    )


def _location(base: Path, rel: str) -> tuple[str, str]:
    """Like :func:`import_location`, but a module run as a script from its folder (it imports
    siblings by their bare names, e.g. ``from amplitude_bootstrap import ai``) is imported
    from that folder."""
    root, name = import_location(rel)
    folder = rel.rpartition("/")[0]
    if "." not in name or not folder:
        return root, name
    try:
        text = workspace.read_python(base / rel).text
    except (WorkspaceError, OSError):
        return root, name
    for imported in imported_modules(text):
        head = imported.split(".")[0]
        if not head or head.startswith("."):
            continue
        beside = base / folder / head
        at_root = base / root / head if root else base / head
        if (beside.with_suffix(".py").is_file() or (beside / "__init__.py").is_file()) and not (
            at_root.with_suffix(".py").is_file() or (at_root / "__init__.py").is_file()
        ):
            try:
                return folder, check_dotted(rel.rpartition("/")[2].removesuffix(".py"))
            except ValueError:
                break
    return root, name


def _resolve_target(roots: Roots, base: Path, path: str | None) -> tuple[Path, bool]:
    """(resolved path, is a directory) for ``path`` (default: the root)."""
    if path is None or not path.strip() or path.strip() in (".", "./"):
        return base, True
    candidate = Path(path.removeprefix("file://")).expanduser()
    candidate = candidate if candidate.is_absolute() else base / candidate
    if candidate.is_dir():
        resolved = Path(os.path.realpath(candidate))
        if not workspace.is_within(resolved, base):
            raise WorkspaceError(f"{path!r} is outside the project root {base}")
        return resolved, True
    return roots.file(path, base), False


def _python_files(base: Path, directory: Path) -> list[str]:
    found, _ = walk_python_files(directory, Limits(max_files=MAX_MODULES), [], [])
    rels = [workspace.relative(p, base) for _, p in found]
    return [
        r
        for r in rels
        if not is_test_path(r)
        and r.rsplit("/", 1)[-1] not in (f"{BOOTSTRAP_STEM}.py", "setup.py", "conftest.py")
    ]


def _test_files(base: Path) -> list[str]:
    found, _ = walk_python_files(base, Limits(max_files=MAX_MODULES), [], [])
    rels = [workspace.relative(p, base) for _, p in found]
    return [r for r in rels if is_test_path(r) and MARKER not in _head(base / r)][:50]


# Words a file reaching an LLM call names: the instrumented providers' modules (their last
# part too: ``from google import genai``) and drop-ins (provider registry), our SDK, and
# the frameworks whose own clients make the calls.
_LLM_WORDS = tuple(
    sorted(
        {
            "amplitude_ai",
            "langchain",
            "langgraph",
            "llama_index",
            "pydantic_ai",
            "from agents import",
        }
        | {m for s in PROVIDERS for path in s.import_paths for m in (path, path.rsplit(".")[-1])}
        | {d for s in PROVIDERS for d in s.drop_ins}
    )
)


def _reaching_files(base: Path, rels: list[str]) -> set[str]:
    """Files that may reach an LLM call: those naming a provider SDK (or ours) and, a few
    hops out, the files importing them (text level; the analysis decides)."""
    texts: dict[str, str] = {}
    for rel in rels:
        try:
            texts[rel] = (base / rel).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
    found = {rel for rel, text in texts.items() if any(w in text for w in _LLM_WORDS)}
    imports = {rel: imported_modules(text) for rel, text in texts.items()}
    for _ in range(MAX_DEPTH_FILES):
        names = {
            rel.removesuffix(".py").removesuffix("/__init__").rsplit("/", 1)[-1] for rel in found
        }
        more = {
            rel
            for rel, mods in imports.items()
            if rel not in found and any(set(m.lstrip(".").split(".")) & names for m in mods)
        }
        if not more:
            break
        found |= more
    # and what they import from the project (settings and helpers run at import)
    by_name = {
        rel.removesuffix(".py").removesuffix("/__init__").rsplit("/", 1)[-1]: rel for rel in texts
    }
    for _ in range(MAX_DEPTH_FILES):
        wanted = {
            by_name[part]
            for rel in found
            for m in imports.get(rel, ())
            for part in m.lstrip(".").split(".")
            if part in by_name
        }
        if wanted <= found:
            break
        found |= wanted
    return found


def _imported_env(project: Project, module: ModuleInfo, depth: int = 0) -> set[str]:
    """Settings the project modules ``module`` imports read when imported."""
    found: set[str] = set()
    if depth > 3:
        return found
    for source, name in set(module.facts.imports.values()):
        for candidate in (f"{source}.{name}" if name else source, source):
            other = project.load(candidate, sites=False) if candidate else None
            if other is not None and other is not module:
                found |= {*other.facts.env_reads, *other.facts.settings_env}
                found |= _imported_env(project, other, depth + 1)
                break
    return found


def _mentions(path: Path, words: set[str]) -> bool:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return any(w in text for w in words)


def _head(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[:4000]
    except OSError:
        return ""


@dataclass
class _Candidate:
    module: ModuleInfo
    import_root: str
    plans: list[Plan]
    gaps: list[Gap]
    sites: list[tuple[ModuleInfo, Any]]


def generate(
    roots: Roots,
    path: str | None = None,
    root: str | None = None,
    apply: bool = False,
    inputs: Mapping[str, str] | None = None,
) -> VerifyTestResult:
    """The verify test for a module, a package or the whole project (``path`` omitted):
    every instrumented module that reaches an LLM call gets tests, in one file written under
    ``<root>/tests`` when ``apply``. ``inputs`` answers needs_input items by id."""
    base = Path(roots.project_root(root))
    answers = check_inputs(inputs)
    target, is_dir = _resolve_target(roots, base, path)
    shown = workspace.relative(target, base) or "."
    if not is_dir:
        if target.suffix != ".py":
            raise WorkspaceError(
                f"{path!r} is not a .py file; pass the instrumented Python module, a package "
                "directory, or nothing (the whole project)"
            )
        if is_test_path(shown):
            raise WorkspaceError(
                f"{shown} is a test file; pass the application module it should test"
            )
        if shown.rsplit("/", 1)[-1] == f"{BOOTSTRAP_STEM}.py":
            raise WorkspaceError(
                f"{shown} is the bootstrap module; pass a module that uses it (the one with "
                "the LLM calls), or nothing for the whole project"
            )
    if not is_dir:  # a syntax error in the module asked for is reported, not skipped
        # Guarded: a file libcst cannot parse safely is refused with the reason, never a crash.
        parse_module(workspace.read_python(target).text)
    everything = _python_files(base, base)
    relevant = _reaching_files(base, everything) if is_dir else None
    files = [f for f in _python_files(base, target) if f in relevant] if relevant else [shown]
    if is_dir and not files:
        raise WorkspaceError(
            f"no module under {shown} uses an LLM client (none imports "
            f"{', '.join(s.module for s in PROVIDERS)} or amplitude_ai, directly or through "
            "project modules); scan_project lists the call sites"
        )
    locations = {
        rel: _location(base, rel) for rel in everything if relevant is None or rel in relevant
    }
    for rel in files:
        locations.setdefault(rel, _location(base, rel))
    bases = ["", "src", *(r for r, _ in locations.values())]
    project = Project(base, bases)
    # Facts of the modules that may call the ones under test (their literal arguments are
    # values a test can reuse); for one module, only the files that name it are parsed.
    stems = None if is_dir else {locations[shown][1].rsplit(".", 1)[-1]}
    for rel, (_, name) in locations.items():
        if stems is None or rel == shown or _mentions(base / rel, stems):
            project.load_file(rel, name, sites=False)
    for rel in _test_files(base):  # existing tests call the functions with real values too
        if stems is None or _mentions(base / rel, stems):
            project.load_file(
                rel, "tests." + rel.rsplit("/", 1)[-1].removesuffix(".py"), sites=False
            )
    candidates = _plan_files(project, files, locations, answers)
    if not is_dir and not any(c.sites for c in candidates):
        # The module only builds the client: follow the project to the modules that use it.
        users = _importers(project, locations, locations[shown][1])
        candidates = _plan_files(project, users, locations, answers)
        if not any(c.sites for c in candidates):
            raise WorkspaceError(
                f"no LLM call is reachable from {shown} or from the modules that import it; "
                "pass the module whose code calls the LLM (scan_project lists the call sites)"
            )
    chosen = [c for c in candidates if c.sites]
    if not chosen:
        raise WorkspaceError(
            f"no module under {shown} reaches an LLM call; scan_project lists the call sites"
        )
    targets: list[Target] = []
    used_ids: set[str] = set()
    gaps: list[Gap] = [
        Gap(
            rel,
            1,
            f"{rel} was not analysed: it is not valid Python or could not be read",
            "fix it (validate_file names the syntax error), then generate again",
            gap_id(rel, "module", "unreadable"),
        )
        for rel in dict.fromkeys(project.unreadable)
    ]
    problems: list[str] = []
    for cand in chosen:
        gaps.extend(cand.gaps)
        try:
            bootstrap = _find_bootstrap(cand.module, project, _builders(project, cand))
        except WorkspaceError as exc:
            if not is_dir:
                raise
            problems.append(str(exc))
            rel = cand.module.rel
            gaps.append(Gap(rel, 1, f"not tested: {exc}", None, gap_id(rel, "module", "bootstrap")))
            continue
        if not cand.plans:
            continue
        local = {cand.module.name.split(".")[0], bootstrap.split(".")[0]}
        local |= {m.name.split(".")[0] for m in project.loaded if m.detected}
        env = {name for m in project.loaded for name in m.facts.env_reads}
        env |= {name for m in project.loaded for name in m.facts.settings_env}
        env |= _imported_env(project, cand.module)
        stubs = {}
        for name, ctor, line in cand.module.facts.service_clients:
            ident = gap_id(cand.module.rel, name, "stub")
            if ident in answers:
                stubs[ctor] = answers[ident]
                used_ids.add(ident)
            else:
                gaps.append(
                    Gap(
                        cand.module.rel,
                        line,
                        f"{cand.module.rel} builds a {ctor} client at import ({name}); the "
                        "test does not guess a stand-in. Answer with a replacement for the "
                        f"constructor in inputs[{ident!r}] if the code path uses it",
                        "mock.MagicMock()",
                        ident,
                        f"a replacement for {ctor} (e.g. mock.MagicMock())",
                    )
                )
        targets.append(
            Target(
                file=cand.module.rel,
                module=cand.module.name,
                import_root=cand.import_root,
                bootstrap=bootstrap,
                plans=cand.plans,
                local_packages=sorted(local),
                app_env=sorted(env),
                stubs=stubs,
                integrations=any(p.frameworks for p in cand.plans),
            )
        )
    if not targets:
        reasons = "; ".join(problems) or "; ".join(f"{g.file}:{g.line}: {g.question}" for g in gaps)
        raise WorkspaceError(f"no entry point under {shown} can be driven by a test ({reasons})")
    known = {g.id for g in gaps} | {
        gap_id(t.file, p.qualname, name) for t in targets for p in t.plans for name, _ in p.args
    }
    known |= used_ids
    # headers naming the request's user to the web middleware
    known |= {p.request_user_id for t in targets for p in t.plans if p.request_user_id}
    unknown = sorted(set(answers) - known - _answered_ids(chosen, answers))
    if unknown:
        raise WorkspaceError(
            f"inputs name no needs_input item of this test: {', '.join(unknown)}; use the ids "
            "generate_verify_test returned"
        )
    spec = TestSpec(
        title=shown if is_dir else targets[0].file,
        targets=targets,
        catalog_version=str(load_catalog().version),
    )
    source = render(spec)
    if is_dir:
        stem = "" if shown == "." else "_" + re.sub(r"\W", "_", shown).strip("_")
    else:
        stem = "_" + targets[0].module.replace(".", "_")
    test_rel = f"{TESTS_DIR}/test_amplitude_verify{stem}.py"
    applied = False
    if apply:
        _write(base, test_rel, source)
        applied = True
    many = len(targets) > 1
    return VerifyTestResult(
        module=", ".join(t.module for t in targets),
        bootstrap=targets[0].bootstrap,
        test_path=test_rel,
        test_source=source,
        entry_points=[_entry(p, t, many) for t in targets for p in t.plans],
        needs_input=[
            NeedsInput(
                id=g.id,
                file=g.file,
                line=g.line,
                question=g.question,
                suggestion=g.suggestion,
                answer=g.answer,
            )
            for g in gaps
        ],
        requires=_requires([p for t in targets for p in t.plans]),
        applied=applied,
        run=f"python -m pytest -q {test_rel}",
    )


def _answered_ids(chosen: list[_Candidate], answers: dict[str, str]) -> set[str]:
    """Ids answered by inputs that the plans consumed (their gaps no longer appear)."""
    used: set[str] = set()
    for cand in chosen:
        for func in cand.module.facts.functions.values():
            for p in func.params:
                ident = gap_id(cand.module.rel, func.qualname, p.name)
                if ident in answers:
                    used.add(ident)
    return used


def _plan_files(
    project: Project,
    files: list[str],
    locations: dict[str, tuple[str, str]],
    answers: dict[str, str],
) -> list[_Candidate]:
    found = []
    finder = ReachFinder(project)
    for rel in files:
        import_root, name = locations[rel]
        module = project.load_file(rel, name)
        if module is None:  # not valid Python, or unreadable: reported, never silent
            project.unreadable.append(rel)
            continue
        plans, gaps, sites = plan_module(module, finder, answers)
        found.append(_Candidate(module, import_root, plans, gaps, sites))
    return found


def _importers(project: Project, locations: dict[str, tuple[str, str]], name: str) -> list[str]:
    """Project files that import module ``name`` (or a name from it)."""
    users = []
    for rel, (_, other) in locations.items():
        info = project.load_file(rel, other, sites=False)
        if info is None or other == name:
            continue
        modules = {m for m, _ in info.facts.imports.values()}
        if name in modules or any(m.endswith("." + name) for m in modules):
            users.append(rel)
    return users


def _builders(project: Project, cand: _Candidate) -> list[ModuleInfo]:
    builders = [m for m, _ in cand.sites]
    for _, site in cand.sites:  # modules that build the clients (e.g. a shared client module)
        if site.client_file and site.client_file.endswith(".py"):
            _, name = _location(project.root, site.client_file)
            built = project.load_file(site.client_file, name, sites=False)
            if built is not None:
                builders.append(built)
    return builders


def _find_bootstrap(module: ModuleInfo, project: Project, site_modules: list[ModuleInfo]) -> str:
    """The bootstrap the module (or the module that builds its clients) imports."""
    for candidate in [module, *site_modules]:
        for name, _line in candidate.facts.bootstrap_imports:
            info = project.load(name, sites=False)
            if info is None:
                raise WorkspaceError(
                    f"{candidate.rel} imports {name}, which does not exist under the root; run "
                    "instrument_file again to recreate the bootstrap module"
                )
            if BOOTSTRAP_MARK not in info.tree.code:
                raise WorkspaceError(
                    f"{info.rel} is not the amplitude-ai bootstrap (no `{BOOTSTRAP_MARK}` line); "
                    "rename it or let instrument_file manage it"
                )
            return name
    raise WorkspaceError(
        f"{module.rel} is not instrumented: neither it nor the modules that build its LLM "
        f"clients import the amplitude bootstrap ({BOOTSTRAP_STEM}.py); run instrument_file "
        "on it (with apply=true) first"
    )


def _entry(plan: Plan, target: Target, many: bool) -> EntryPoint:
    if plan.kind == "script":
        how = f"python {target.file} (runpy as __main__)"
        if plan.argv:
            how += " " + " ".join(plan.argv)
        if plan.stdin:
            how += " answering input()"
    elif plan.route is not None:
        how = f"{plan.route.method} {plan.url} via the framework's test client"
        if plan.before:
            how += " after " + ", ".join(
                f"{b.route.method} {b.url}" for b in plan.before if b.route
            )
    elif plan.kind == "method":
        how = f"{plan.qualname.rpartition('.')[0]}(...).{plan.qualname.rpartition('.')[2]}(...)"
    else:
        how = f"{plan.qualname}(...)" + (" via asyncio.run" if plan.is_async else "")
    if plan.embedding:
        how += "; checks [Agent] Embedding events"
    name = f"{target.file}:{plan.qualname}" if many else plan.qualname
    return EntryPoint(
        name=name,
        kind=plan.kind,  # type: ignore[arg-type]
        line=plan.line,
        how=how,
        session="test" if plan.test_session else "app",
    )


def _requires(plans: list[Plan]) -> list[str]:
    needed = ["pytest", "amplitude-ai (its fake LLM and MockAmplitudeAI)"]
    frameworks = {p.route.framework for p in plans if p.route is not None}
    if any(f.startswith("fastapi") or f == "starlette" for f in frameworks):
        needed.append("httpx (for fastapi.testclient.TestClient)")
    if any(f.startswith("flask") for f in frameworks):
        needed.append("flask (its test_client)")
    return needed


def _write(base: Path, test_rel: str, source: str) -> None:
    """Atomically write the test; never replace a file this tool did not generate."""
    tests = base / TESTS_DIR
    if tests.is_symlink() or (tests.exists() and not tests.is_dir()):
        raise WorkspaceError(
            f"{TESTS_DIR} under {base} is not a plain directory; not writing there"
        )
    tests.mkdir(exist_ok=True)
    target = base / test_rel
    if not workspace.is_within(Path(os.path.realpath(target.parent)), base):
        raise WorkspaceError(f"{test_rel} would be written outside the project root")
    mode = 0o644
    if target.is_symlink():
        raise WorkspaceError(f"{test_rel} is a symlink; not overwriting it")
    if target.exists():
        head = target.read_text(encoding="utf-8", errors="replace")[:4000]
        if MARKER not in head:
            raise WorkspaceError(
                f"{test_rel} exists and was not generated by this tool (no `{MARKER}` line); "
                "move or rename it, then generate again"
            )
        mode = stat.S_IMODE(target.stat().st_mode)
    fd, tmp = tempfile.mkstemp(prefix=".amplitude-verify-", suffix=".tmp", dir=tests)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(source)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
