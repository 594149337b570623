"""generate_verify_test: find the bootstrap and the entry points, render, write atomically."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from amplitude_ai.catalog import load_catalog
from amplitude_ai_mcp import workspace
from amplitude_ai_mcp.detect.analyze import module_name_for
from amplitude_ai_mcp.detect.project import is_test_path
from amplitude_ai_mcp.inputs import check_ids
from amplitude_ai_mcp.models import EntryPoint, NeedsInput, VerifyTestResult
from amplitude_ai_mcp.workspace import Roots, WorkspaceError

from .entry_points import Arguments, Gap, ModuleInfo, Plan, Project, ReachFinder, plan_module
from .module_facts import BOOTSTRAP_STEM
from .render import MARKER, TestSpec, check_dotted, render

BOOTSTRAP_MARK = "# amplitude-ai: bootstrap"
TESTS_DIR = "tests"


def generate(
    roots: Roots,
    path: str,
    root: str | None = None,
    apply: bool = False,
    inputs: Mapping[str, Any] | None = None,
) -> VerifyTestResult:
    """The verify test for ``path`` (written under ``<root>/tests`` when ``apply``).

    ``inputs`` answers needs_input items by id: ``arg:<file>:<function>:<param>`` -> a Python
    expression the test passes for that parameter (any parameter of a driven entry point)."""
    base = roots.project_root(root)
    file = roots.file(path, base)
    if file.suffix != ".py":
        raise WorkspaceError(f"{path!r} is not a .py file; pass the instrumented Python module")
    rel = workspace.relative(file, base)
    if is_test_path(rel):
        raise WorkspaceError(f"{rel} is a test file; pass the application module it should test")
    import_base = "src" if rel.startswith("src/") else ""
    module_name = module_name_for(rel.removeprefix("src/"))
    if module_name.rsplit(".", 1)[-1] == BOOTSTRAP_STEM:
        raise WorkspaceError(
            f"{rel} is the bootstrap module; pass a module that uses it (the one with the "
            "LLM calls)"
        )
    try:
        check_dotted(module_name)
    except ValueError:
        raise WorkspaceError(
            f"{rel} cannot be imported as a module ({module_name!r} is not a dotted name of "
            "identifiers); rename it or its directories"
        ) from None
    project = Project(base, import_base)
    module = project.add(module_name, rel, workspace.read_python(file).text)
    arguments = Arguments(module.facts, inputs)
    plans, gaps, sites = plan_module(module, ReachFinder(project), arguments)
    needs = [_needs(g) for g in gaps]
    check_ids(inputs or {}, {**{n.id: False for n in needs}, **arguments.known})
    if not sites:
        raise WorkspaceError(
            f"no LLM call is reachable from the functions of {rel}; pass the module whose "
            "functions call the LLM (scan_project lists the call sites)"
        )
    builders = [m for m, _ in sites]
    for _, site in sites:  # modules that build the clients (e.g. a shared client module)
        if site.client_file and site.client_file.endswith(".py"):
            built = project.load(
                module_name_for(site.client_file.removeprefix("src/")), sites=False
            )
            if built is not None:
                builders.append(built)
    bootstrap = _find_bootstrap(module, project, builders)
    if not plans:
        reasons = "; ".join(_gap_text(g) for g in gaps) or "none found"
        hint = "; answer with inputs={id: expression}" if any(g.answer for g in gaps) else ""
        raise WorkspaceError(
            f"no entry point of {rel} can be driven by a generated test ({reasons}){hint}"
        )
    local = {module_name.split(".")[0], bootstrap.split(".")[0]}
    local |= {m.name.split(".")[0] for m in project.loaded}
    env = sorted({name for m in project.loaded for name in m.facts.env_reads})
    spec = TestSpec(
        module=module_name,
        module_file=rel,
        bootstrap=bootstrap,
        import_base=import_base,
        plans=plans,
        app_env=env,
        local_packages=sorted(local),
        catalog_version=str(load_catalog().version),
    )
    source = render(spec)
    test_rel = f"{TESTS_DIR}/test_amplitude_verify_{module_name.replace('.', '_')}.py"
    applied = False
    if apply:
        _write(base, test_rel, source)
        applied = True
    return VerifyTestResult(
        module=module_name,
        bootstrap=bootstrap,
        test_path=test_rel,
        test_source=source,
        entry_points=[_entry(p) for p in plans],
        needs_input=needs,
        requires=_requires(plans),
        applied=applied,
        run=f"python -m pytest -q {test_rel}",
    )


def _gap_text(gap: Gap) -> str:
    return f"line {gap.line}" + (f" [{gap.id}]" if gap.answer else "") + f": {gap.question}"


def _needs(gap: Gap) -> NeedsInput:
    return NeedsInput(
        id=gap.id or f"{gap.file}:line {gap.line}:note",
        file=gap.file,
        line=gap.line,
        question=gap.question,
        suggestion=gap.suggestion,
        answer=gap.answer,
    )


def _find_bootstrap(module: ModuleInfo, project: Project, site_modules: list[ModuleInfo]) -> str:
    """The bootstrap the module (or the module that builds its clients) imports."""
    for candidate in [module, *site_modules, *project.loaded]:
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


def _entry(plan: Plan) -> EntryPoint:
    if plan.route is not None:
        how = f"{plan.route.method} {plan.url} via the framework's test client"
    elif plan.kind == "method":
        how = f"{plan.qualname.rpartition('.')[0]}(...).{plan.qualname.rpartition('.')[2]}(...)"
    else:
        how = f"{plan.qualname}(...)" + (" via asyncio.run" if plan.is_async else "")
    return EntryPoint(
        name=plan.qualname,
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
