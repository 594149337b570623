"""instrument_file: run the codemods on one file, describe the result, and (optionally) write it.

``plan_file`` reads the file once (its sha256 goes into the result), parses the statements
that matter (:mod:`.edit_tree`), analyses them with the detection engine, lets each codemod
record its changes on that tree, applies them in one pass, checks that the output parses,
reports what stays uninstrumented (from the edit set where it proves it, :mod:`.reuse`, else
by analysing the output), and renders one unified diff that also covers the bootstrap module.
``apply_changes`` writes atomically and refuses when a file changed since it was read.

Judgement calls become ``needs_input`` items with stable ids; ``Options.inputs`` answers them
(see :mod:`.inputs`) and the re-plan places the answers verbatim.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import stat
import tempfile
import tokenize
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

import libcst as cst

from amplitude_ai_mcp import workspace
from amplitude_ai_mcp.detect import providers as P
from amplitude_ai_mcp.detect.source import adopt
from amplitude_ai_mcp.detect.validate import context_for, infer_import_root
from amplitude_ai_mcp.models import InstrumentResult, Tier
from amplitude_ai_mcp.workspace import WorkspaceError

from . import add_bootstrap_module as boot
from . import apply_lock
from . import register_integrations as integ
from ._common import INSTRUMENTABLE, NOT_YET, SDK, Plan, Rewriter, import_index
from .add_flush_on_exit import plan_flush
from .add_session_context import plan_session
from .add_web_middleware import plan_middleware
from .detection import Overlay, may_patch, reaches_elsewhere, sites_of, uses_framework
from .edit_tree import (
    EditTree,
    check_python,
    edit_tree,
    parse,
    paths_to_edits,
    recall,
    remember,
    whole_tree,
)
from .facts import Facts, add_dropped, collect_facts
from .inputs import answered_agent_id, ask_about_versions, ask_agent_id, check_answers
from .migrate_legacy_api import plan_legacy
from .reuse import instrumented_after
from .swap_client_import import plan_swap
from .wrap_client_construction import plan_wrap

TIERS: tuple[str, ...] = get_args(Tier)


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
    context = context_for(root, infer_import_root(root, rel))
    key = (source.sha256, rel, context.key)
    tree = recall(key)  # this content was planned (so checked) moments ago
    if tree is None:
        parsed = check_python(source.text, rel)
        tree = edit_tree(source.text, rel, context, parsed)
    outcome = _plan(root, path, options, rel, source, tree)
    if outcome is not None and tree.cut is not None:
        remember(key, tree)
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
        agent_id = answered_agent_id(plan, agent_id)
    spec = boot.agent_spec(agent_id, options.agent_description) if agent_id is not None else None
    sources: list[Overlay] = []
    sites = sites_of(
        module,
        rel,
        root,
        wrapper=wrapper,
        sources=sources,
        text=source.text,
        analysis=tree.analysis(rel),
    )
    facts = collect_facts(module, rel, sites, wrapper, source.text)
    add_dropped(facts, tree.dropped_names, tree.lines)
    facts.dropped = tree.dropped
    if options.tier == "session" or any(f.is_serverless for f in facts.functions.values()):
        facts.reaches_elsewhere = reaches_elsewhere(facts, sources[0])
    ai_name = _ai_name(facts)
    location = boot.locate(path, root)
    boot_rel = workspace.relative(location.path, root)
    if path == location.path:
        raise WorkspaceError(f"{rel} is the amplitude-ai bootstrap module itself")

    agent_var: str | None = None
    if options.tier == "session":
        if spec is None:
            spec = ask_agent_id(plan, location)
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
    if uses_framework(sources[0]):  # a provider-only web app keeps its current plan
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
    enter = paths_to_edits(module, plan, tree.skip)
    new_module = module.visit(Rewriter(plan, import_index(module), enter))
    code = new_module.code
    _check_parses(code, rel)  # the slice's code: the rest goes back as it was
    new_text: str | None = code
    if tree.cut is not None:
        new_text = tree.cut.restore(code)
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
            boot_new is not None and may_patch(sources[0], location.import_name, boot_new),
        )
        if proven is not None:
            after = sum(not done and not s.in_test for s, done in zip(sites, proven, strict=True))
        else:  # the edits do not prove it: analyse the output
            reused = False
            if tree.cut is None:
                adopt(new_text, new_module)  # re-validation and a later validate_file reuse it
            after_sites = sites_of(new_module, rel, root, planned_modules, text=new_text)
            after = sum(not s.instrumented and not s.in_test for s in after_sites)
    diff = _diff(root, changes, source)
    ask_about_versions(root, (s.provider for s in sites), plan)
    check_answers(plan)
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
