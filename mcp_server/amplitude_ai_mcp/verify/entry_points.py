"""Which functions of a module reach an LLM call, and how a test can drive each of them.

Reach is computed from the detection engine's call sites (so exactly the calls scan and
validate_file report) plus a call graph of plain names, ``self.method`` calls and functions
imported from other project modules. The values each entry point is driven with come from
``arguments``; the plan and gap types live in ``plans``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import libcst as cst

from amplitude_ai_mcp import workspace
from amplitude_ai_mcp.detect import providers as P
from amplitude_ai_mcp.detect.analyze import analyze_module
from amplitude_ai_mcp.detect.resolve import finalize
from amplitude_ai_mcp.detect.sites import CallSite
from amplitude_ai_mcp.detect.source import parse_module
from amplitude_ai_mcp.detect.validate import LazyModules

from . import frameworks
from .arguments import (
    STDIN_ANSWERS,
    Arguments,
    as_source,
    call_args,
    expected_user,
    route_plan,
    script_argv,
)
from .facts_model import MODULE_CODE, Function, ModuleFacts
from .module_facts import collect
from .plans import Code, Gap, ModuleInfo, Plan, Reach, gap_id
from .request_identity import RequestUser, Unknown, request_user
from .serving_app import ServingApp, including_modules, serving_app

MAX_DEPTH = 4  # cross-module hops followed from an entry point
# Provider names of the detection table -> the values the SDK writes into [Agent] Provider.
# Provider ids the SDK instruments (from the provider registry): the generated test checks
# their calls; events carry the same id.
SDK_PROVIDERS = {provider: provider for provider in sorted(P.INSTRUMENTED)}
# Providers whose events name the provider and model a call was routed to (registry facts).
ROUTED = frozenset(spec.id for spec in P.R.PROVIDERS if spec.routed)
# Providers instrumented by a callback the bootstrap registers (not by a client the app builds).
BY_CALLBACK = frozenset(spec.id for spec in P.R.PROVIDERS if spec.callback)


class Project:
    """Project modules by import name, read through the workspace and analysed once.

    ``import_bases`` are the directories (root-relative, "" for the root) that a module's
    import name is relative to: the root, ``src``, and the folder of any script (so
    ``examples/chat-basic/app.py`` is module ``app`` under ``examples/chat-basic``).
    """

    def __init__(self, root: Path, import_bases: list[str]) -> None:
        self.root = root
        self.import_bases = list(dict.fromkeys(import_bases))
        self._cache: dict[str, ModuleInfo | None] = {}
        self._by_rel: dict[str, ModuleInfo] = {}
        self.unreadable: list[str] = []  # files that could not be parsed or read
        self.literals: dict[str, list[tuple[list[Any], dict[str, Any]]]] = {}

    def add(self, name: str, rel: str, text: str, sites: bool = True) -> ModuleInfo:
        is_package = rel.endswith("__init__.py")
        tree = parse_module(text)  # guarded: hostile input is rejected, never a crash
        package = name if is_package else name.rpartition(".")[0]
        info = ModuleInfo(name, rel, tree, collect(tree, package), [])
        factories = self._imported_factories(info)
        if factories:  # ``app = create_app()`` with the factory in another module: again
            info.facts = collect(tree, package, factories)
        if sites:
            self._detect(info, is_package)
        if self._cache.get(name) is None:
            self._cache[name] = info
        self._by_rel[rel] = info
        for key, calls in info.facts.call_literals.items():
            self.literals.setdefault(key, []).extend(calls)
        return info

    def _imported_factories(self, info: ModuleInfo) -> dict[str, str]:
        """App factories of project modules that ``info`` calls at import (qualified name ->
        framework): the apps they return carry the module's routes."""
        found: dict[str, str] = {}
        code = info.tree.code
        for name, ctor in info.facts.built_at_import.items():
            if f"@{name}." not in code or name in info.facts.web_apps:
                continue  # no route is declared on it (or it is known to be an app)
            module, _, func = ctor.rpartition(".")
            if not module or module == info.name or func[:1].isupper():
                continue
            other = self.load(module, sites=False)
            framework = other.facts.app_factories.get(func) if other is not None else None
            if framework is not None:
                found[ctor] = framework
        return found

    def _detect(self, info: ModuleInfo, is_package: bool) -> None:
        # The detection engine on the tree parsed once (as validate_file would on the text).
        analysis = analyze_module(info.tree, info.name, is_package)
        analysis.file = info.rel
        # Imports resolve under the module's own import root first (a script folder such as
        # ``apps/research-graph`` holds its bootstrap and sibling modules).
        parts = info.rel.removesuffix(".py").split("/")
        if parts[-1] == "__init__":
            parts = parts[:-1]
        depth = len(info.name.split("."))
        base = "/".join(parts[:-depth]) if len(parts) > depth else ""
        import_root = self.root / base if base else None
        info.sites = finalize(analysis, info.rel, LazyModules(self.root, analysis, import_root))
        info.detected = True

    def load(self, name: str, sites: bool = True) -> ModuleInfo | None:
        """The project module ``name`` (``sites``: also run call-site detection on it)."""
        if name in self._cache:
            info = self._cache[name]
            if info is not None and sites and not info.detected:
                self._detect(info, info.rel.endswith("__init__.py"))
            return info
        self._cache[name] = None
        for base_rel in self.import_bases:
            base = self.root / base_rel if base_rel else self.root
            stem = base / Path(*name.split("."))
            for candidate in (stem.with_suffix(".py"), stem / "__init__.py"):
                if not candidate.is_file():
                    continue
                try:
                    path = workspace.Roots((self.root,)).file(str(candidate), self.root)
                    text = workspace.read_python(path).text
                    return self.add(name, workspace.relative(path, self.root), text, sites)
                except (workspace.WorkspaceError, OSError, cst.ParserSyntaxError, RecursionError):
                    continue
        return None

    def load_file(self, rel: str, name: str, sites: bool = True) -> ModuleInfo | None:
        """The module at ``rel`` (two folders may both hold an ``app.py``)."""
        info = self._by_rel.get(rel)
        if info is None:
            try:
                path = workspace.Roots((self.root,)).file(rel, self.root)
                info = self.add(name, rel, workspace.read_python(path).text, sites)
            except (workspace.WorkspaceError, OSError, cst.ParserSyntaxError, RecursionError):
                return None
        if sites and not info.detected:
            self._detect(info, rel.endswith("__init__.py"))
        return info

    @property
    def loaded(self) -> list[ModuleInfo]:
        return list(
            {id(m): m for m in [*self._cache.values(), *self._by_rel.values()] if m}.values()
        )


def _own_sites(module: ModuleInfo, qualname: str) -> list[CallSite]:
    if qualname == MODULE_CODE:
        return [s for s in module.sites if s.enclosing is None]
    return [
        s
        for s in module.sites
        if s.enclosing == qualname or (s.enclosing or "").startswith(qualname + ".")
    ]


class ReachFinder:
    def __init__(self, project: Project) -> None:
        self.project = project
        self._memo: dict[tuple[str, str], Reach] = {}

    def reach(self, module: ModuleInfo, qualname: str, depth: int = 0) -> Reach:
        key = (module.name, qualname)
        if key in self._memo:
            return self._memo[key]
        result = Reach()
        self._memo[key] = result  # cycles see the partial result
        func = (
            module.facts.module_code
            if qualname == MODULE_CODE
            else module.facts.functions.get(qualname)
        )
        if func is None:
            return result
        result.functions.append(func)
        result.sites.extend((module, s) for s in _own_sites(module, qualname))
        result.opens_session = func.opens_session
        for callee in sorted(func.calls):
            target = self._callee(module, callee, depth)
            if target is None:
                continue
            other = self.reach(target[0], target[1], depth + (target[0] is not module))
            result.sites.extend(s for s in other.sites if s not in result.sites)
            result.functions.extend(f for f in other.functions if f not in result.functions)
            result.opens_session = result.opens_session or other.opens_session
        return result

    def _callee(self, module: ModuleInfo, callee: str, depth: int) -> tuple[ModuleInfo, str] | None:
        facts = module.facts
        if callee.startswith("@"):  # "@instance.method"
            var, _, method = callee[1:].partition(".")
            cls = facts.instances.get(var, "")
            if cls in facts.classes:
                return module, f"{cls}.{method}"
            if cls in facts.imports and depth < MAX_DEPTH:
                source, name = facts.imports[cls]
                other = self.project.load(source) if source else None
                if other is not None and f"{name}.{method}" in other.facts.functions:
                    return other, f"{name}.{method}"
            return None
        if callee in facts.functions:
            return module, callee
        if callee in facts.classes and f"{callee}.__init__" in facts.functions:
            return module, f"{callee}.__init__"
        if callee in facts.imports and depth < MAX_DEPTH:
            source, name = facts.imports[callee]
            other = self.project.load(source) if source else None
            if other is not None and name in other.facts.functions:
                return other, name
        return None


def plan_module(
    module: ModuleInfo, finder: ReachFinder, inputs: dict[str, str] | None = None
) -> tuple[list[Plan], list[Gap], list[tuple[ModuleInfo, CallSite]]]:
    """Entry points of ``module`` to drive, the gaps, and every LLM call site reached."""
    inputs = inputs or {}
    facts = module.facts
    arguments = Arguments(facts, finder.project.literals)
    reaches = {q: finder.reach(module, q) for q in facts.functions}
    script_reach = finder.reach(module, MODULE_CODE)
    main = facts.main_lines
    at_import = [
        s
        for _, s in script_reach.sites
        if s.enclosing is None
        and s.file == module.rel
        and not (main and main[0] <= s.line <= main[1])
    ]
    candidates = [
        f
        for q, f in facts.functions.items()
        if reaches[q].sites
        and not q.rsplit(".", 1)[-1].startswith("test_")
        and not q.endswith(".__init__")
    ]
    undriven: list[tuple[str, Gap]] = []
    plans: dict[str, Plan] = {}
    script: Plan | None = None
    if script_reach.sites:
        script = _plan_script(module, script_reach)
    if not at_import:  # importing the module runs no LLM call: its functions can be driven
        for func in candidates:
            local_gaps: list[Gap] = []
            plan = _plan_one(module, func, arguments, reaches, local_gaps, inputs)
            if plan is None:
                undriven.extend((func.qualname, g) for g in local_gaps)
                continue
            plans[func.qualname] = plan
    _order_routes(plans, facts, module, arguments)
    # Drive only the outermost: a function that another driven entry point calls is covered.
    reached_by_others = {
        callee for q in plans for callee in _local_callees(facts, q) if callee != q
    }
    chosen = [p for q, p in plans.items() if q not in reached_by_others]
    covered = set(plans) | reached_by_others
    if script is not None:
        chosen.append(script)
        covered |= {f.qualname for f in script_reach.functions}
    gaps = [g for q, g in undriven if q not in covered]
    all_sites: list[tuple[ModuleInfo, CallSite]] = []
    for reach in [*(reaches[f.qualname] for f in candidates), script_reach]:
        for item in reach.sites:
            if item not in all_sites:
                all_sites.append(item)
    for owner, site in all_sites:
        if (site.kind == "framework" and not frameworks.checked(site)) or (
            site.kind == "provider" and site.provider not in SDK_PROVIDERS
        ):
            gaps.append(
                Gap(
                    owner.rel,
                    site.line,
                    f"{site.provider} {site.api} is not checked by the generated test (the SDK "
                    "has no drop-in client for it yet)",
                    id=gap_id(owner.rel, f"line {site.line}", "unchecked"),
                )
            )
        elif not site.instrumented:
            gaps.append(
                Gap(
                    owner.rel,
                    site.line,
                    f"{site.api} at line {site.line} is not instrumented "
                    f"({site.instrumentation}); the generated test fails until it is",
                    "run instrument_file on this file",
                    gap_id(owner.rel, f"line {site.line}", "uninstrumented"),
                )
            )
    for plan in chosen:
        opener = facts.functions.get(plan.qualname)
        if plan.kind == "script":  # the session a function of the script opens
            opener = next(
                (f for f in script_reach.functions if f.opens_session and f.session_user is None),
                None,
            )
        if opener is not None and opener.opens_session and opener.session_user is None:
            gaps.append(
                Gap(
                    module.rel,
                    plan.line,
                    f"the agent session {plan.qualname} opens has no user_id: its events carry "
                    "no user (the SDK drops them or files them under an anonymous device), so "
                    "the generated test fails on it",
                    "pass session(user_id=...) with the id of the user this call serves",
                    gap_id(module.rel, plan.qualname, "session-user"),
                )
            )
        serving = _serving(plan, module, finder.project)
        if serving is not None:  # a router's route, in the app (and middleware) serving it
            plan.serving_app = (serving.module.name, serving.app)
            plan.url = serving.prefix + plan.url
            for earlier in plan.before:
                earlier.url = serving.prefix + earlier.url
            plan.middleware = True
            _request_user(plan, serving.module, gaps, inputs)
        elif plan.kind == "route" and frameworks.has_middleware(module):
            plan.middleware = True  # a session per request; the user depends on the request
            _request_user(plan, module, gaps, inputs)
        elif plan.kind == "route" and not plan.opens_session:
            gaps.append(
                Gap(
                    module.rel,
                    plan.line,
                    f"{plan.qualname} handles {plan.route.method} {plan.route.path} "  # type: ignore[union-attr]
                    "without an agent session: its calls carry no user or session id (the SDK "
                    "tracks them without a user, or drops them), so the generated test checks "
                    "only that they are tracked",
                    "apply the session tier (instrument_file tier='session') with the user id "
                    "of the request",
                    gap_id(module.rel, plan.qualname, "no-session"),
                )
            )
    return chosen, gaps, all_sites


def _serving(plan: Plan, module: ModuleInfo, project: Project) -> ServingApp | None:
    route = plan.route
    if plan.kind != "route" or route is None or frameworks.has_middleware(module):
        return None
    if not route.framework.endswith(("-router", "-blueprint")):
        return None
    for rel, name in including_modules(project.root, module):
        project.load_file(rel, name, sites=False)
    return serving_app(module, route.app, project.loaded)


def _request_user(plan: Plan, module: ModuleInfo, gaps: list[Gap], inputs: dict[str, str]) -> None:
    """Send the test user where the middleware's resolver reads it, or ask how to."""
    ident = gap_id(module.rel, "middleware", "request-user")
    if ident in inputs:
        plan.headers, plan.middleware_user = Code(inputs[ident]), "answered"
        plan.request_user_id = ident
        return
    found = request_user(module.tree)
    if isinstance(found, RequestUser) and found.place is not None:
        user = Code("VERIFY_USER")
        if found.place == "header":
            plan.headers = {found.key: user}
        elif found.place == "cookie":
            plan.headers = {"cookie": Code(f"{as_source(found.key + '=')} + VERIFY_USER")}
        else:
            plan.query[found.key] = user
        plan.middleware_user = "test"
        return
    if found is None or any(g.id == ident for g in gaps):
        return
    if isinstance(found, Unknown):
        gaps.append(
            Gap(
                module.rel,
                found.line,
                f"the web middleware finds the request's user with `{found.shown}`, which the "
                "generated test cannot read; which request headers name a user? Answer with a "
                f"dict of headers in inputs[{ident!r}] (the test then checks that the events "
                "carry one user); until then the user is not checked",
                'e.g. {"authorization": "Bearer verify-token"}',
                ident,
                "a Python dict of request headers that make the resolver return a user id",
            )
        )
        return
    gaps.append(
        Gap(
            module.rel,
            found.line,
            "the web middleware has no user_id_resolver: every request is tracked without a "
            "user, so the generated test cannot check one",
            "pass user_id_resolver=lambda request: ... (the request's user id) to the middleware",
            gap_id(module.rel, "middleware", "no-resolver"),
        )
    )


def _order_routes(
    plans: dict[str, Plan], facts: ModuleFacts, module: ModuleInfo, arguments: Arguments
) -> None:
    """A route that reads state another route writes (a Flask session key, a module-level
    store) is driven after that route, with the same client."""
    for plan in [p for p in plans.values() if p.kind == "route"]:
        reads = facts.functions[plan.qualname].state_reads
        if not reads:
            continue
        for func in facts.functions.values():
            if func.route is None or func.qualname == plan.qualname:
                continue
            if reads & func.state_writes and func.route.app == plan.route.app:  # type: ignore[union-attr]
                writer = Plan(func.qualname, func.line, "route", func.is_async, route=func.route)
                if route_plan(writer, func, arguments, module.rel, [], {}) != "__cannot__":
                    plan.before.append(writer)


def _plan_script(module: ModuleInfo, reach: Reach) -> Plan | None:
    """Run the module as ``__main__`` (runpy), with argv and input() answers."""
    plan = Plan("__main__", 1, "script", False)
    if not _fill_calls(plan, reach):
        return None
    plan.opens_session = reach.opens_session
    plan.argv = script_argv(module, reach)
    if any(f.reads_stdin for f in reach.functions):
        plan.stdin = list(STDIN_ANSWERS)
    return plan


def _fill_calls(plan: Plan, reach: Reach) -> bool:
    """Providers, models and reply shape of what ``reach`` calls; False when nothing to check."""
    chat = [
        (o, s)
        for o, s in reach.sites
        if (s.kind == "provider" and s.provider in SDK_PROVIDERS and s.operation != "embedding")
        or frameworks.checked(s)
    ]
    embeds = [
        (o, s)
        for o, s in reach.sites
        if s.kind == "provider" and s.provider in SDK_PROVIDERS and s.operation == "embedding"
    ]
    used = chat or embeds
    if not used:
        return False
    plan.embedding = not chat
    found = {
        frameworks.provider_value(s) if s.kind == "framework" else SDK_PROVIDERS[s.provider]
        for _, s in used
    }
    # A router (LiteLLM) reports the provider and model it routed to (not known here); a
    # provider instrumented through its own callback list is, like a framework, instrumented
    # by a registration in the bootstrap that the app itself must import.
    found = {None if v in ROUTED else v for v in found}
    plan.frameworks = any(s.kind == "framework" or s.provider in BY_CALLBACK for _, s in used)
    plan.providers = {v for v in found if v is not None}
    plan.providers_known = None not in found
    models: set[str] | None = set()
    for owner, site in used:
        model = owner.facts.call_models.get((site.line, site.column))
        if site.provider in ROUTED:
            model = None
        if model is None or models is None:
            models = None
        else:
            models.add(model)
    plan.models = models
    for func in reach.functions:
        plan.json_reply = plan.json_reply or func.parses_json
        plan.tool_calls = plan.tool_calls or func.tool_loop
        plan.reply_keys += [k for k in func.reply_keys if k not in plan.reply_keys]
    return True


def _local_callees(facts: ModuleFacts, qualname: str) -> set[str]:
    """Functions of this module that ``qualname`` calls, directly or not."""
    seen: set[str] = set()
    todo = [qualname]
    while todo:
        func = facts.functions.get(todo.pop())
        if func is None:
            continue
        for callee in func.calls:
            name = f"{callee}.__init__" if callee in facts.classes else callee
            if name in facts.functions and name not in seen:
                seen.add(name)
                todo.append(name)
    return seen


def _plan_one(
    module: ModuleInfo,
    func: Function,
    arguments: Arguments,
    reaches: dict[str, Reach],
    gaps: list[Gap],
    inputs: dict[str, str],
) -> Plan | None:
    rel = module.rel
    reach = reaches[func.qualname]
    if func.reads_argv or func.is_cli_command:
        gaps.append(
            Gap(
                rel,
                func.line,
                f"{func.qualname}() reads the command line; the test drives it by running "
                "the module as __main__ with arguments when it has such a block",
                id=gap_id(rel, func.qualname, "argv"),
            )
        )
        return None
    if func.reads_stdin:
        gaps.append(
            Gap(
                rel,
                func.line,
                f"{func.qualname}() reads the terminal (input()/stdin); the test drives it "
                "through the module's `if __name__ == '__main__':` block when it has one",
                id=gap_id(rel, func.qualname, "stdin"),
            )
        )
        return None
    kind = "route" if func.route else ("method" if func.class_name else "function")
    plan = Plan(func.qualname, func.line, kind, func.is_async, route=func.route)
    plan.opens_session = reach.opens_session
    if not _fill_calls(plan, reach):
        return None
    body_param: str | None = None
    if kind == "route":
        body_param = route_plan(plan, func, arguments, rel, gaps, inputs)
        if body_param == "__cannot__":
            return None
    else:
        is_method = kind == "method"
        args = call_args(func, arguments, rel, gaps, is_method, inputs)
        if args is None:
            return None
        plan.args = args
        if is_method:
            init = module.facts.functions.get(f"{func.class_name}.__init__")
            if init is not None:
                init_args = call_args(init, arguments, rel, gaps, True, inputs)
                if init_args is None:
                    return None
                plan.init_args = init_args
    if func.opens_session:
        plan.expected_user = expected_user(func.session_user, plan, func, body_param)
    return plan
