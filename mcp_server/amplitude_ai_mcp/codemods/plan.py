"""instrument_file: run the codemods on one file, describe the result, and (optionally) write it.

``plan_file`` reads the file once (its sha256 goes into the result), analyses it with the
detection engine, lets each codemod record its changes on the original tree, applies them in
one pass, checks that the output parses, re-validates it, and renders one unified diff that
also covers the bootstrap module. ``apply_changes`` writes atomically and refuses when a file
changed since it was read.

Judgement calls become ``needs_input`` items with stable ids; ``Options.inputs`` answers them
(checked by :mod:`amplitude_ai_mcp.inputs`) and the re-plan places the answers verbatim.
"""

from __future__ import annotations

import ast
import difflib
import hashlib
import os
import re
import stat
import tempfile
import tokenize
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

import libcst as cst
from libcst.metadata import MetadataWrapper

from amplitude_ai_mcp import workspace
from amplitude_ai_mcp.detect import providers as P
from amplitude_ai_mcp.detect.analyze import FileAnalysis, analyze_module, module_name_for
from amplitude_ai_mcp.detect.project import is_test_path
from amplitude_ai_mcp.detect.relevance import EditSlice
from amplitude_ai_mcp.detect.resolve import finalize
from amplitude_ai_mcp.detect.sites import CallSite
from amplitude_ai_mcp.detect.source import adopt, cached_analysis, digest
from amplitude_ai_mcp.detect.validate import LazyModules, context_for, infer_import_root
from amplitude_ai_mcp.inputs import check_ids, literal_string
from amplitude_ai_mcp.models import InstrumentResult, Tier
from amplitude_ai_mcp.workspace import WorkspaceError

from . import add_bootstrap_module as boot
from . import apply_lock
from . import register_integrations as integ
from ._common import (
    INSTRUMENTABLE,
    NOT_YET,
    SDK,
    Facts,
    Plan,
    Rewriter,
    add_dropped,
    collect_facts,
    import_index,
)
from .add_flush_on_exit import plan_flush
from .add_session_context import plan_session
from .add_web_middleware import plan_middleware
from .edit_tree import EditTree, check_python, edit_tree, parse, untouched, whole_tree
from .migrate_legacy_api import plan_legacy
from .reuse import instrumented_after
from .swap_client_import import plan_swap
from .wrap_client_construction import plan_wrap

TIERS: tuple[str, ...] = get_args(Tier)
AGENT_ID_KEY = "agent_id"


@dataclass(frozen=True)
class Options:
    tier: str = "swap"
    agent_id: str | None = None
    agent_description: str | None = None
    content_mode: str = "full"
    # Answers to needs_input items by id (see amplitude_ai_mcp.inputs).
    inputs: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BootstrapMerge:
    """How to redo the bootstrap's part of a plan on whatever the bootstrap holds at apply
    time (another apply may have added agents meanwhile): append the same agents, and
    insist they get the variable names the planned file imports."""

    agents: tuple[boot.AgentSpec, ...]
    patch: bool
    variables: dict[str, str]  # agent id -> variable name
    shown: str
    integrations: tuple[str, ...] = ()  # framework integration blocks (register_integrations)


@dataclass
class FileChange:
    path: Path
    old: bytes | None  # None: a new file
    new: bytes
    merge: BootstrapMerge | None = None  # set on the bootstrap's change


@dataclass
class Outcome:
    result: InstrumentResult
    changes: list[FileChange] = field(default_factory=list)
    # uninstrumented_after comes from the first detection pass and the edit set (True) or
    # from a detection pass over the output (False): see :func:`.reuse.instrumented_after`.
    after_reused: bool = True


@dataclass(frozen=True)
class Source:
    data: bytes
    text: str
    encoding: str
    sha256: str


def read_source(path: Path, shown: str) -> Source:
    """Read a Python file as bytes (kept for the hash and the encoding) and decode it."""
    if path.suffix != ".py":
        raise WorkspaceError(f"{shown!r} is not a .py file; only Python source is instrumented")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise WorkspaceError(f"{shown!r} is not a regular file; it was not read")
        if st.st_size > workspace.MAX_FILE_BYTES:
            raise WorkspaceError(
                f"{shown!r} is {st.st_size:,} bytes, over the {workspace.MAX_FILE_BYTES:,}-byte "
                "limit; instrument it by hand or split it"
            )
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(workspace.MAX_FILE_BYTES + 1)
    finally:
        os.close(fd)
    text = workspace.decode_source(data, shown)
    encoding = _encoding(data)
    return Source(data, text, encoding, hashlib.sha256(data).hexdigest())


def _encoding(data: bytes) -> str:
    try:
        encoding, _ = tokenize.detect_encoding(iter(data.splitlines(keepends=True)).__next__)
    except SyntaxError:
        return "utf-8"
    return encoding


class _Overlay(LazyModules):
    """Project modules from disk, except the ones the plan is about to write."""

    def __init__(self, root: Path | None, own: FileAnalysis, planned: dict[str, str]) -> None:
        super().__init__(root, own)
        self.own_module = own.module
        for name, text in planned.items():
            try:
                self._cache[name] = analyze_module(text, name)
            except cst.ParserSyntaxError:  # pragma: no cover - we generated it
                continue


def _sites(
    module: cst.Module,
    rel: str,
    root: Path,
    planned: dict[str, str] | None = None,
    wrapper: MetadataWrapper | None = None,
    sources: list[_Overlay] | None = None,
    text: str | None = None,
    cut: EditSlice | None = None,
) -> list[CallSite]:
    # With the text, the analysis comes from (and goes to) the shared per-content cache.
    # With an edit slice, detection runs on the codemods' own tree and wrapper: one parse and
    # one resolution of scope and position metadata serve both (the slice keeps everything
    # detection needs, see detect/relevance.py, and adds imports and the docstring).
    name, is_package = module_name_for(rel), rel.endswith("__init__.py")
    analysis = None
    if cut is not None and text is not None:
        analysis = cached_analysis(digest(text), name, is_package)
        if analysis is None:
            analysis = analyze_module(module, name, is_package, wrapper=wrapper)
            if cut.dropped_imports:
                analysis.imports = sorted(
                    [*analysis.imports, *cut.dropped_imports], key=lambda item: item[1]
                )
            analysis.imported_modules |= cut.dropped_modules
    if analysis is None:
        analysis = analyze_module(
            text if text is not None else module,
            name,
            is_package,
            wrapper=None if text is not None else wrapper,
        )
    analysis.file = rel
    source = _Overlay(root, analysis, planned or {})
    if sources is not None:
        sources.append(source)
    return finalize(analysis, rel, source, in_test=is_test_path(rel))


def _may_patch(source: _Overlay, import_name: str, text: str) -> bool:
    """Whether importing the planned bootstrap (``text``) may patch clients or register
    integrations: it calls ``patch()``, or imports a module of the project (which might).
    The bootstraps this server writes import only ``os`` and ``amplitude_ai``'s core names
    unless they patch or register integrations: those are told apart without libcst."""
    if _plain_bootstrap(text):
        return False
    analysis = analyze_module(text, import_name)
    return (
        bool(analysis.patches)
        or analysis.patch_in_function
        or any(source.module(name) is not None for name, _ in analysis.imports)
    )


def _plain_bootstrap(text: str) -> bool:
    """No call of anything named ``patch``/``register…``/``add…`` and no import but ``os``
    and names of the top-level ``amplitude_ai`` package (read with ``ast``)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            if any(alias.name != "os" for alias in node.names):
                return False
        elif isinstance(node, ast.ImportFrom):
            if node.module != SDK or node.level or any(a.name == "patch" for a in node.names):
                return False
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name == "patch" or name.startswith(("register", "add", "set")):
                return False
    return True


def _reaches_elsewhere(facts: Facts, source: _Overlay) -> set[str]:
    """Module-level functions of this file that call an LLM-calling function (or a method of
    a module-level instance) defined in another module of the project."""
    found: set[str] = set()
    for name, info in facts.functions.items():
        for target in info.external:
            if "\0" in target:
                instance, method = target.split("\0")
                cls = facts.instances.get(instance)
                if cls is None:
                    continue
                target = f"{cls}.{method}"
            if _calls_llm(_absolute(target, facts.file), source):
                found.add(name)
                break
    return found


def _uses_framework(source: _Overlay) -> bool:
    """The file, or a project module it imports, imports an LLM framework (LangChain,
    LlamaIndex, ...): its web app gets the SDK middleware for per-request sessions."""
    own = source.module(source.own_module)
    if own is None:  # pragma: no cover - the overlay always holds the planned file
        return False
    modules = [own, *(source.module(name) for name, _ in own.imports)]
    return any(
        name.split(".")[0] in P.FRAMEWORK_MODULES
        for analysis in modules
        if analysis is not None
        for name in analysis.imported_modules
    )


def _absolute(qualname: str, rel: str) -> str:
    """``.escalation.Escalation`` seen from ``bot/app.py`` -> ``bot.escalation.Escalation``."""
    if not qualname.startswith("."):
        return qualname
    module = module_name_for(rel)
    package = module if rel.endswith("__init__.py") else module.rpartition(".")[0]
    dots = len(qualname) - len(qualname.lstrip("."))
    parts = package.split(".") if package else []
    base = parts[: len(parts) - (dots - 1)] if dots - 1 <= len(parts) else []
    return ".".join([*base, qualname[dots:]])


def _calls_llm(qualname: str, source: _Overlay) -> bool:
    parts = qualname.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        analysis = source.module(".".join(parts[:cut]))
        if analysis is None:
            continue
        symbol = ".".join(parts[cut:])
        return any(
            raw.enclosing == symbol or (raw.enclosing or "").startswith(f"{symbol}.")
            for raw in analysis.sites
        )
    return False


def plan_file(root: Path, path: Path, options: Options) -> Outcome:
    """Plan (never write) the instrumentation of ``path`` (already confined to ``root``)."""
    if options.tier not in TIERS:
        raise WorkspaceError(f"unknown tier {options.tier!r}; use one of {', '.join(TIERS)}")
    if options.content_mode not in boot.CONTENT_MODES:
        raise WorkspaceError(
            f"unknown content_mode {options.content_mode!r}; use one of "
            f"{', '.join(boot.CONTENT_MODES)}"
        )
    rel = workspace.relative(path, root)
    source = read_source(path, rel)
    parsed = check_python(source.text, rel)
    context = context_for(root, infer_import_root(root, rel))
    outcome = _plan(root, path, options, rel, source, edit_tree(source.text, rel, context, parsed))
    if outcome is None:  # the slice's output could not be put back together: edit it whole
        outcome = _plan(root, path, options, rel, source, whole_tree(source.text, rel, context))
    assert outcome is not None  # the whole module needs no restoring
    return outcome


def _plan(
    root: Path, path: Path, options: Options, rel: str, source: Source, tree: EditTree
) -> Outcome | None:
    module, wrapper = tree.module, tree.wrapper
    plan = Plan(file=rel, inputs=options.inputs)
    agent_id = options.agent_id
    if options.tier == "session":
        given = plan.answer(AGENT_ID_KEY)  # the agent_id parameter wins over an answer
        if given is not None and agent_id is None:
            agent_id = literal_string(plan.input_id(AGENT_ID_KEY), given)
    spec = boot.agent_spec(agent_id, options.agent_description) if agent_id is not None else None
    sources: list[_Overlay] = []
    sites = _sites(
        module, rel, root, wrapper=wrapper, sources=sources, text=source.text, cut=tree.cut
    )
    facts = collect_facts(module, rel, sites, wrapper, source.text)
    add_dropped(facts, tree.dropped_names, tree.lines)
    facts.dropped = tree.dropped
    if options.tier == "session" or any(f.is_serverless for f in facts.functions.values()):
        facts.reaches_elsewhere = _reaches_elsewhere(facts, sources[0])
    ai_name = _ai_name(facts)
    location = boot.locate(path, root)
    boot_rel = workspace.relative(location.path, root)
    if path == location.path:
        raise WorkspaceError(f"{rel} is the amplitude-ai bootstrap module itself")

    agent_var: str | None = None
    if options.tier == "session":
        if spec is None:
            suggested = boot.suggest_agent_id(location)
            plan.ask(
                0,
                "which agent id should these sessions belong to? Answer here or pass agent_id "
                f"(the plan uses {suggested!r} until then)",
                suggested,
                key=AGENT_ID_KEY,
                answer="the agent id, a string (letters, digits, - _ . :)",
            )
            spec = boot.agent_spec(suggested, None)
        agent_var = spec.variable
    # Agents: read the existing bootstrap so its variable names win.
    boot_old = _read_bootstrap(location.path, boot_rel)
    agents = [spec] if spec is not None else []
    variables = {a.agent_id: a.variable for a in agents}
    integrations = tuple(integ.needed(sites))
    if options.tier == "patch":  # patch() registers the LiteLLM callback as well
        integrations = tuple(k for k in integrations if k != "litellm")
    if boot_old is not None:
        boot_new, variables = boot.extend(
            boot_old.text, agents, options.tier == "patch", boot_rel, integrations
        )
        if spec is not None:
            agent_var = variables[spec.agent_id] if options.tier == "session" else None
    else:
        boot_new = None

    if options.tier in ("swap", "session"):
        plan_swap(facts, plan, ai_name)
    elif options.tier == "wrap":
        plan_wrap(facts, plan, ai_name)
    elif options.tier == "patch" and (
        facts.constructions or any(not s.instrumented for s in sites)
    ):
        plan.need_bootstrap("ai")
        plan.edit(
            _import_line(facts),
            "patch",
            "import the bootstrap (which calls amplitude_ai.patch(amplitude=ai)) before "
            "any client is built",
        )
    if integrations:  # framework sites: the bootstrap registers their integrations
        plan.need_bootstrap("ai")
        plan.edit(
            _import_line(facts),
            integ.KIND,
            "import the bootstrap (which registers "
            f"{integ.describe(integrations)}) before any framework object is used",
        )
    if options.tier == "session" and agent_var is not None:
        plan_session(facts, plan, agent_var)
    if _uses_framework(sources[0]):  # a provider-only web app keeps its current plan
        plan_middleware(facts, plan, wrapper, ai_name, options.tier)
    plan_flush(facts, plan, ai_name)
    plan_legacy(facts, plan)
    _report_unhandled(facts, plan, rel)

    if boot_old is None and (plan.bootstrap_names or spec is not None):
        newline = module.default_newline
        boot_new = boot.render(
            agents, options.content_mode, options.tier == "patch", newline, integrations
        )
    _plan_imports(facts, plan, ai_name, location.import_name)
    skip = tree.skip | untouched(tree, plan)
    new_module = module.visit(Rewriter(plan, import_index(module), skip))
    new_text: str | None = new_module.code
    _check_parses(new_text, rel)  # the slice's code: the rest goes back as it was
    if tree.cut is not None:
        new_text = tree.cut.restore(new_text)
        if new_text is None:
            return None
    assert new_text is not None

    changes: list[FileChange] = []
    planned_modules: dict[str, str] = {}
    if boot_new is not None and (boot_old is None or boot_new != boot_old.text):
        encoding = boot_old.encoding if boot_old else "utf-8"
        merge = BootstrapMerge(
            tuple(agents),
            options.tier == "patch",
            {a.agent_id: variables[a.agent_id] for a in agents},
            boot_rel,
            integrations,
        )
        changes.append(
            FileChange(
                location.path,
                boot_old.data if boot_old else None,
                boot_new.encode(encoding),
                merge,
            )
        )
        if boot_old is None:
            plan.edit(0, boot.KIND, "new module: the AmplitudeAI instance and agents", boot_rel)
        else:
            plan.edit(0, boot.KIND, "existing bootstrap reused; agents appended", boot_rel)
    if boot_new is not None:
        planned_modules[location.import_name] = boot_new
    if new_text != source.text:
        changes.append(FileChange(path, source.data, new_text.encode(source.encoding)))
    before = sum(not s.instrumented and not s.in_test for s in sites)
    reused = True
    if new_text == source.text and boot_new == (boot_old.text if boot_old else None):
        after = before  # nothing changes: no second analysis
    else:
        proven = instrumented_after(
            facts,
            plan,
            options.tier,
            bool(integrations),
            boot_new is not None and _may_patch(sources[0], location.import_name, boot_new),
        )
        if proven is not None:
            after = sum(not done and not s.in_test for s, done in zip(sites, proven, strict=True))
        else:  # the edits do not prove it: analyse the output
            reused = False
            if tree.cut is None:
                adopt(new_text, new_module)  # re-validation and a later validate_file reuse it
            after_sites = _sites(new_module, rel, root, planned_modules, text=new_text)
            after = sum(not s.instrumented and not s.in_test for s in after_sites)
    diff = _diff(root, changes, source)
    _ask_about_versions(root, sites, plan)
    check_ids(options.inputs, plan.known_ids)  # every question is asked by now
    result = InstrumentResult(
        file=rel,
        tier=options.tier,
        diff=diff,
        edits=sorted(plan.edits, key=lambda e: (e.file != rel, e.line)),
        needs_input=plan.needs,
        skipped=plan.skipped,
        files=[workspace.relative(c.path, root) for c in changes],
        sha256=source.sha256,
        applied=False,
        bootstrap=boot_rel if (boot_new is not None) else None,
        bootstrap_import=location.import_name if boot_new is not None else None,
        uninstrumented_before=before,
        uninstrumented_after=after,
    )
    return Outcome(result, changes, reused)


def _ask_about_versions(root: Path, sites: list[CallSite], plan: Plan) -> None:
    """A provider release the SDK does not support (or cannot tell) is a question to the
    user: the instrumented calls would otherwise run untracked on it."""
    from amplitude_ai_mcp.project_versions import version_questions

    questions = version_questions(root, {s.provider for s in sites})
    for n, (question, requirement) in enumerate(questions, 1):
        # The id names the distribution (stable); the fix is a pin, not an expression.
        name = re.match(r"[A-Za-z0-9_.\-]+", requirement or "")
        plan.ask(0, question, requirement, key=f"{name.group(0) if name else n}:version")


def _ai_name(facts: Facts) -> str:
    existing = facts.bootstrap_names.get("ai")
    if existing:
        return existing
    for candidate in ("ai", "amplitude_ai_tracker", "_amplitude_ai"):
        if not facts.spells(candidate):
            return candidate
    return "_amplitude_ai_"  # pragma: no cover - every candidate spelled in the file


def _import_line(facts: Facts) -> int:
    index = import_index(facts.module)
    stmts = facts.module.body
    if index and index - 1 < len(stmts):
        return facts.positions.get(id(stmts[index - 1]), 1)
    return 1


def _plan_imports(facts: Facts, plan: Plan, ai_name: str, import_name: str) -> None:
    if plan.need_sdk_module and not facts.sdk_imported:
        plan.top_imports.append(
            cst.SimpleStatementLine([cst.Import([cst.ImportAlias(cst.Name(SDK))])])
        )
    if plan.sdk_names:
        plan.top_imports.append(
            cst.SimpleStatementLine(
                [
                    cst.ImportFrom(
                        module=cst.Name(SDK),
                        names=[cst.ImportAlias(cst.Name(n)) for n in sorted(plan.sdk_names)],
                    )
                ]
            )
        )
    wanted = []
    for name in plan.bootstrap_names:
        if name not in facts.bootstrap_names:
            wanted.append(
                cst.ImportAlias(
                    cst.Name(name),
                    asname=cst.AsName(cst.Name(ai_name))
                    if name == "ai" and ai_name != "ai"
                    else None,
                )
            )
    if not wanted:
        return
    if facts.bootstrap_import is not None:
        node = facts.bootstrap_import

        def extend(n: cst.CSTNode) -> cst.CSTNode:
            assert isinstance(n, cst.ImportFrom)
            assert not isinstance(n.names, cst.ImportStar)
            names = list(n.names)
            names[-1] = names[-1].with_changes(
                comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            )
            return n.with_changes(names=[*names, *wanted])

        plan.rewrite(node, extend)
        return
    module_expr = cst.parse_expression(import_name)
    assert isinstance(module_expr, (cst.Name, cst.Attribute))
    plan.top_imports.append(
        cst.SimpleStatementLine([cst.ImportFrom(module=module_expr, names=wanted)])
    )


def _report_unhandled(facts: Facts, plan: Plan, rel: str) -> None:
    built_here = {c.line for c in facts.constructions}
    for line, qualname, provider in facts.unsupported:
        known = P.R.KNOWN_BY_ID.get(provider)  # the registry says why (and what to do)
        why = f"{NOT_YET}; {known.reason}" if known is not None else NOT_YET
        plan.skip(line, "not_instrumentable", f"{qualname} ({provider}): {why}")
    reported: set[tuple[str | None, str | None]] = set()
    for site in facts.sites:
        if site.instrumented or site.call_style == "module_function":
            continue
        if site.kind == "framework" and integ.block_key(site.provider) is not None:
            continue  # registered in the bootstrap (register_integrations)
        if site.kind == "framework":
            plan.skip(
                site.line,
                "not_instrumentable",
                f"{site.provider} {site.api}: framework calls are {NOT_YET}; instrument the "
                "provider client underneath it, or open an agent session around the call",
            )
            continue
        if site.provider not in INSTRUMENTABLE:
            continue  # reported with its constructor (facts.unsupported)
        key = (site.client_file, site.receiver)
        if site.client_file and site.client_file != rel and key not in reported:
            reported.add(key)
            plan.ask(
                site.line,
                f"`{site.receiver}` is built in {site.client_file} (line {site.client_line}); "
                "run instrument_file on that file",
                site.client_file,
                key=f"{site.receiver}:built_elsewhere",
            )
        elif site.resolved_by in ("usage", "annotation") and not built_here and key not in reported:
            reported.add(key)
            plan.ask(
                site.line,
                f"`{site.receiver}` is passed in ({site.enclosing or 'module'}); run "
                "instrument_file on the file that builds it",
                key=f"{site.enclosing or '<module>'}:{site.receiver}:passed_in",
            )


def _read_bootstrap(path: Path, shown: str) -> Source | None:
    if not path.exists():
        return None
    if path.is_symlink() or not path.is_file():
        raise WorkspaceError(f"{shown} exists but is not a regular file; remove or rename it")
    existing = read_source(path, shown)
    parse(existing.text, shown)
    return existing


def _check_parses(text: str, shown: str) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, shown, "exec", dont_inherit=True)
    except SyntaxError as exc:  # pragma: no cover - a codemod bug; never hand it out
        raise RuntimeError(f"codemod produced invalid Python for {shown}: {exc}") from exc


def _diff(root: Path, changes: list[FileChange], source: Source) -> str:
    out: list[str] = []
    for change in changes:
        rel = workspace.relative(change.path, root)
        encoding = source.encoding if change.old is source.data else "utf-8"
        old = change.old.decode(encoding) if change.old is not None else ""
        new = change.new.decode(encoding)
        out.extend(
            difflib.unified_diff(
                old.splitlines(keepends=True),
                new.splitlines(keepends=True),
                fromfile=f"a/{rel}" if change.old is not None else "/dev/null",
                tofile=f"b/{rel}",
            )
        )
    text = "".join(line if line.endswith("\n") else line + "\n" for line in out)
    return text


# --------------------------------------------------------------------------- apply


def apply_changes(changes: list[FileChange]) -> None:
    """Write every change atomically (temp file + os.replace, mode bits kept).

    Under the project's apply lock (see :mod:`.apply_lock`): each file must still hold what
    the plan read, except the bootstrap, which is re-read and merged (agents other applies
    added meanwhile are kept). Nothing is written unless every check passes; the bootstrap
    is written before the file that imports from it.
    """
    with apply_lock.hold(change.path.parent for change in changes):
        writes: list[tuple[Path, bytes]] = []
        for change in changes:
            current = change.path.read_bytes() if change.path.exists() else None
            if current == change.old:
                writes.append((change.path, change.new))
            elif change.merge is not None:
                merged = _merge_bootstrap(change.merge, current)
                if merged != current:
                    writes.append((change.path, merged))
            else:
                shown = change.path.name
                raise WorkspaceError(
                    f"{shown} changed since it was read (sha256 differs); plan again and re-apply"
                    if change.old is not None
                    else f"{shown} appeared since the plan was made; plan again"
                )
        for path, data in writes:
            _atomic_write(path, data)


def _merge_bootstrap(merge: BootstrapMerge, current: bytes | None) -> bytes:
    if current is None:
        raise WorkspaceError(f"{merge.shown} was removed since the plan was made; plan again")
    text = workspace.decode_source(current, merge.shown)
    parse(text, merge.shown)
    merged, variables = boot.extend(
        text, list(merge.agents), merge.patch, merge.shown, merge.integrations
    )
    for agent_id, variable in merge.variables.items():
        if variables.get(agent_id) != variable:
            raise WorkspaceError(
                f"{merge.shown} changed since the plan: agent {agent_id!r} is now "
                f"`{variables.get(agent_id)}`, not `{variable}`; plan again"
            )
    return merged.encode(_encoding(current))


def _atomic_write(path: Path, data: bytes) -> None:
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else None
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is None:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
