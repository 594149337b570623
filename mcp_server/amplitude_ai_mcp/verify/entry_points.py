"""Which functions of a module reach an LLM call, and how a test can drive each of them.

Reach is computed from the detection engine's call sites (so exactly the calls scan and
validate_file report) plus a call graph of plain names, ``self.method`` calls and functions
imported from other project modules. Arguments come from annotations and defaults; whatever
cannot be built that way becomes a ``needs_input`` item instead of a guess.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
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
from amplitude_ai_mcp.inputs import Expr, check_expression

from .module_facts import Function, ModuleFacts, Route, collect, is_request_json

MAX_DEPTH = 4  # cross-module hops followed from an entry point
# Provider names of the detection table -> the values the SDK writes into [Agent] Provider.
SDK_PROVIDERS = {"openai": "openai", "azure-openai": "azure_openai", "anthropic": "anthropic"}
_FRAMEWORK_PARAMS = frozenset(
    {"Request", "Response", "BackgroundTasks", "WebSocket", "HTTPConnection", "Session"}
)
TEXT_VALUE = "Hello from the verify test"
_CANNOT = object()


@dataclass
class ModuleInfo:
    name: str  # import name
    rel: str  # path relative to the project root
    tree: cst.Module
    facts: ModuleFacts
    sites: list[CallSite]
    detected: bool = False


@dataclass(frozen=True)
class Gap:
    """Something the generator will not guess (becomes a needs_input item)."""

    file: str
    line: int
    question: str
    suggestion: str | None = None
    id: str = ""  # needs_input id; empty: derived from file and line
    answer: str | None = None  # what inputs[id] takes (None: not answerable by a value)


@dataclass
class Plan:
    """How the generated test drives one entry point."""

    qualname: str
    line: int
    kind: str  # function, method, route
    is_async: bool
    args: list[tuple[str, Any]] = field(default_factory=list)
    init_args: list[tuple[str, Any]] = field(default_factory=list)
    route: Route | None = None
    url: str = ""
    json: dict[str, Any] | None = None
    query: dict[str, Any] = field(default_factory=dict)
    opens_session: bool = False
    expected_user: str | None = None
    providers: set[str] = field(default_factory=set)
    models: set[str] | None = None

    @property
    def test_session(self) -> bool:
        """Run inside a session the test opens (the app opens none on this path)."""
        return not self.opens_session and self.kind != "route"


class Project:
    """Project modules by import name, read through the workspace and analysed once."""

    def __init__(self, root: Path, import_base: str) -> None:
        self.root = root
        self.import_base = import_base
        self._cache: dict[str, ModuleInfo | None] = {}

    def add(self, name: str, rel: str, text: str, sites: bool = True) -> ModuleInfo:
        is_package = rel.endswith("__init__.py")
        tree = parse_module(text)  # guarded: hostile input is rejected, never a crash
        package = name if is_package else name.rpartition(".")[0]
        info = ModuleInfo(name, rel, tree, collect(tree, package), [])
        if sites:
            self._detect(info, is_package)
        self._cache[name] = info
        return info

    def _detect(self, info: ModuleInfo, is_package: bool) -> None:
        # The detection engine on the tree parsed once (as validate_file would on the text).
        analysis = analyze_module(info.tree, info.name, is_package)
        analysis.file = info.rel
        info.sites = finalize(analysis, info.rel, LazyModules(self.root, analysis))
        info.detected = True

    def load(self, name: str, sites: bool = True) -> ModuleInfo | None:
        """The project module ``name`` (``sites``: also run call-site detection on it)."""
        if name in self._cache:
            info = self._cache[name]
            if info is not None and sites and not info.detected:
                self._detect(info, info.rel.endswith("__init__.py"))
            return info
        self._cache[name] = None
        base = self.root / self.import_base if self.import_base else self.root
        stem = base / Path(*name.split("."))
        for candidate in (stem.with_suffix(".py"), stem / "__init__.py"):
            try:
                path = workspace.Roots((self.root,)).file(str(candidate), self.root)
                text = workspace.read_python(path).text
                return self.add(name, workspace.relative(path, self.root), text, sites)
            except (workspace.WorkspaceError, OSError, cst.ParserSyntaxError, RecursionError):
                continue
        return None

    @property
    def loaded(self) -> list[ModuleInfo]:
        return [m for m in self._cache.values() if m is not None]


@dataclass
class Reach:
    sites: list[tuple[ModuleInfo, CallSite]] = field(default_factory=list)
    opens_session: bool = False


def _own_sites(module: ModuleInfo, qualname: str) -> list[CallSite]:
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
        func = module.facts.functions.get(qualname)
        if func is None:
            return result
        result.sites.extend((module, s) for s in _own_sites(module, qualname))
        result.opens_session = func.opens_session
        for callee in sorted(func.calls):
            target = self._callee(module, callee, depth)
            if target is None:
                continue
            other = self.reach(target[0], target[1], depth + (target[0] is not module))
            result.sites.extend(s for s in other.sites if s not in result.sites)
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


# --------------------------------------------------------------------------- arguments


def _annotation_name(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _annotation_name(node.value)
        return f"{base}.{node.attr.value}" if base else None
    if isinstance(node, cst.SimpleString):  # "OpenAI" forward reference
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def text_for(name: str) -> str:
    lowered = name.lower()
    if "user" in lowered and ("id" in lowered or lowered in ("user", "username")):
        return "verify-user"
    if lowered.endswith("_id"):
        return f"verify-{lowered[:-3].replace('_', '-')}"
    if "email" in lowered:
        return "verify@example.com"
    return TEXT_VALUE


class Arguments:
    """Values for parameters, from answers in ``inputs`` or their annotations (``_CANNOT``
    when not evident)."""

    def __init__(self, facts: ModuleFacts, inputs: Mapping[str, Any] | None = None) -> None:
        self.facts = facts
        self.inputs: Mapping[str, Any] = inputs or {}
        self.known: dict[str, bool] = {}  # every parameter id seen -> answerable

    def given(self, item_id: str) -> Any:
        """The checked answer for ``item_id`` (an :class:`Expr`) or ``_CANNOT``."""
        self.known[item_id] = True
        if item_id not in self.inputs:
            return _CANNOT
        return Expr(check_expression(item_id, self.inputs[item_id]))

    def qualified(self, name: str) -> str:
        head, _, rest = name.partition(".")
        if head in self.facts.imports:
            module, attr = self.facts.imports[head]
            full = ".".join(p for p in (module, attr) if p)
            return f"{full}.{rest}" if rest else full
        return name

    def is_client(self, node: cst.BaseExpression | None) -> bool:
        name = _annotation_name(node)
        if name is None:
            return False
        full = self.qualified(name)
        if full.startswith(f"{P.SDK_MODULE}."):
            return True
        return P.client_class(full) is not None

    def value(self, name: str, node: cst.BaseExpression | None, depth: int = 0) -> Any:
        if node is None or depth > 3:
            return _CANNOT
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
            for side in (node.left, node.right):
                if _annotation_name(side) != "None":
                    return self.value(name, side, depth + 1)
            return None
        if isinstance(node, cst.Subscript):
            base = (_annotation_name(node.value) or "").rsplit(".", 1)[-1]
            inner = node.slice[0].slice if node.slice else None
            inner_node = inner.value if isinstance(inner, cst.Index) else None
            if base == "Optional":
                return self.value(name, inner_node, depth + 1)
            if base in ("list", "List", "Sequence", "Iterable", "tuple", "Tuple", "set"):
                item = self.value(name.rstrip("s"), inner_node, depth + 1)
                items = [item] if isinstance(item, (str, int, float)) else []
                return tuple(items) if base in ("tuple", "Tuple") else items
            if base in ("dict", "Dict", "Mapping"):
                return {}
            return _CANNOT
        simple = (_annotation_name(node) or "").rsplit(".", 1)[-1]
        return {
            "str": text_for(name),
            "int": 1,
            "float": 0.5,
            "bool": False,
            "list": [],
            "dict": {},
            "None": None,
        }.get(simple, _CANNOT)

    def model_json(self, node: cst.BaseExpression | None) -> dict[str, Any] | None:
        """A JSON body for a pydantic model defined in this module (None when not one)."""
        name = _annotation_name(node)
        fields = self.facts.model_fields.get(name or "")
        if fields is None:
            return None
        body: dict[str, Any] = {}
        for f in fields:
            if f.has_default:
                continue
            value = self.value(f.name, f.annotation)
            if value is _CANNOT:
                return None
            body[f.name] = value
        return body


# --------------------------------------------------------------------------- planning


def _expected_user(
    expr: cst.BaseExpression | None, plan: Plan, func: Function, body_param: str | None
) -> str | None:
    """The user id the app's own session will carry, when it follows from our inputs."""
    if expr is None:
        return None
    args = dict(plan.args) | plan.query
    if isinstance(expr, cst.Name):
        value = args.get(expr.value)
        return value if isinstance(value, str) else None
    if (
        isinstance(expr, cst.Attribute)
        and isinstance(expr.value, cst.Name)
        and expr.value.value == body_param
        and plan.json is not None
    ):
        value = plan.json.get(expr.attr.value)
        return value if isinstance(value, str) else None
    key: str | None = None
    owner: cst.BaseExpression | None = None
    if isinstance(expr, cst.Subscript) and len(expr.slice) == 1:
        index = expr.slice[0].slice
        if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
            key, owner = str(index.value.evaluated_value), expr.value
    elif (
        isinstance(expr, cst.Call)
        and isinstance(expr.func, cst.Attribute)
        and expr.func.attr.value == "get"
        and expr.args
        and isinstance(expr.args[0].value, cst.SimpleString)
    ):
        key, owner = str(expr.args[0].value.evaluated_value), expr.func.value
    if key is None or plan.json is None:
        return None
    is_json = (isinstance(owner, cst.Name) and owner.value in func.json_names) or (
        owner is not None and is_request_json(owner)
    )
    value = plan.json.get(key) if is_json else None
    return value if isinstance(value, str) else None


def _call_args(
    func: Function, arguments: Arguments, rel: str, gaps: list[Gap], skip_first: bool
) -> list[tuple[str, Any]] | None:
    params = func.params[1:] if skip_first else func.params
    out: list[tuple[str, Any]] = []
    for p in params:
        if p.has_default:
            continue
        if arguments.is_client(p.annotation):
            gaps.append(
                Gap(
                    rel,
                    func.line,
                    f"{func.qualname}() takes an LLM client (`{p.name}`); the test drives it "
                    "only through a caller that builds the instrumented client",
                    "call it from a function that constructs the client, or give the "
                    "parameter a default",
                )
            )
            return None
        item_id = f"{rel}:{func.qualname}:{p.name}"
        value = arguments.given(item_id)
        if value is _CANNOT:
            value = arguments.value(p.name, p.annotation)
        if value is _CANNOT:
            shown = cst.Module([]).code_for_node(p.annotation) if p.annotation else "no annotation"
            gaps.append(
                Gap(
                    rel,
                    func.line,
                    f"what value should the test pass for `{p.name}` of {func.qualname}() "
                    f"({shown})?",
                    "annotate it (str, int, list[str], a pydantic model) or give it a default",
                    id=item_id,
                    answer=f"a Python expression for `{p.name}`, evaluated in the test",
                )
            )
            return None
        out.append((p.name, value))
    return out


_PATH_PARAM = re.compile(r"\{(\w+)(?::[^}]*)?\}|<(?:\w+:)?(\w+)>")


def _route_plan(
    plan: Plan, func: Function, arguments: Arguments, rel: str, gaps: list[Gap]
) -> str | None:
    """Fill url/json/query of a route plan; returns the body parameter name (FastAPI)."""
    route = plan.route
    assert route is not None
    path_values: dict[str, Any] = {}
    body_param: str | None = None
    path_names = {a or b for a, b in _PATH_PARAM.findall(route.path)}
    if route.framework.startswith("flask"):
        for name in path_names:
            path_values[name] = 1 if f"int:{name}" in route.path else text_for(name)
        if func.json_keys and route.method != "GET":
            plan.json = {k: text_for(k) for k in func.json_keys}
    else:
        for p in func.params:
            ann = (_annotation_name(p.annotation) or "").rsplit(".", 1)[-1]
            if p.default_is_depends or ann in _FRAMEWORK_PARAMS:
                continue
            body = arguments.model_json(p.annotation)
            if body is not None:
                plan.json, body_param = body, p.name
                continue
            if p.has_default and p.name not in path_names:
                continue
            value = arguments.value(p.name, p.annotation)
            if value is _CANNOT or isinstance(value, (list, dict, tuple)):
                gaps.append(
                    Gap(
                        rel,
                        func.line,
                        f"what should the test send for `{p.name}` of {route.method} {route.path}?",
                        "annotate it with a scalar type or a pydantic model defined in this module",
                    )
                )
                return "__cannot__"
            if p.name in path_names:
                path_values[p.name] = value
            else:
                plan.query[p.name] = value
    plan.url = _PATH_PARAM.sub(
        lambda m: str(path_values.get(m.group(1) or m.group(2), "1")), route.path
    )
    return body_param


def plan_module(
    module: ModuleInfo, finder: ReachFinder, arguments: Arguments | None = None
) -> tuple[list[Plan], list[Gap], list[tuple[ModuleInfo, CallSite]]]:
    """Entry points of ``module`` to drive, the gaps, and every LLM call site reached."""
    facts = module.facts
    arguments = arguments or Arguments(facts)
    reaches = {q: finder.reach(module, q) for q in facts.functions}
    candidates = [
        f
        for q, f in facts.functions.items()
        if reaches[q].sites
        and not q.rsplit(".", 1)[-1].startswith("test_")
        and not q.endswith(".__init__")
    ]
    undriven: list[tuple[str, Gap]] = []
    plans: dict[str, Plan] = {}
    for func in candidates:
        local_gaps: list[Gap] = []
        plan = _plan_one(module, func, arguments, reaches, local_gaps)
        if plan is None:
            undriven.extend((func.qualname, g) for g in local_gaps)
            continue
        plans[func.qualname] = plan
    # Drive only the outermost: a function that another driven entry point calls is covered.
    reached_by_others = {
        callee for q in plans for callee in _local_callees(facts, q) if callee != q
    }
    chosen = [p for q, p in plans.items() if q not in reached_by_others]
    covered = set(plans) | reached_by_others
    gaps = [g for q, g in undriven if q not in covered]
    all_sites: list[tuple[ModuleInfo, CallSite]] = []
    for func in candidates:
        for item in reaches[func.qualname].sites:
            if item not in all_sites:
                all_sites.append(item)
    for owner, site in all_sites:
        if site.kind == "framework" or site.provider not in SDK_PROVIDERS:
            gaps.append(
                Gap(
                    owner.rel,
                    site.line,
                    f"{site.provider} {site.api} is not checked by the generated test (the SDK "
                    "has no drop-in client for it yet)",
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
                )
            )
    for plan in chosen:
        func = facts.functions[plan.qualname]
        if func.opens_session and func.session_user is None:
            gaps.append(
                Gap(
                    module.rel,
                    plan.line,
                    f"the agent session {plan.qualname} opens has no user_id: its events carry "
                    "no user (the SDK drops them or files them under an anonymous device), so "
                    "the generated test fails on it",
                    "pass session(user_id=...) with the id of the user this call serves",
                )
            )
        if plan.kind == "route" and not plan.opens_session:
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
                )
            )
    return chosen, gaps, all_sites


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
) -> Plan | None:
    rel = module.rel
    reach = reaches[func.qualname]
    if func.reads_stdin:
        gaps.append(
            Gap(
                rel,
                func.line,
                f"{func.qualname}() reads the terminal (input()/stdin), so the test does not "
                "drive it; the functions it calls are driven instead",
            )
        )
        return None
    kind = "route" if func.route else ("method" if func.class_name else "function")
    plan = Plan(func.qualname, func.line, kind, func.is_async, route=func.route)
    plan.opens_session = reach.opens_session
    providers = {
        SDK_PROVIDERS[s.provider]
        for _, s in reach.sites
        if s.kind == "provider" and s.provider in SDK_PROVIDERS and s.operation != "embedding"
    }
    if not providers:
        if any(s.operation == "embedding" for _, s in reach.sites):
            gaps.append(
                Gap(
                    rel,
                    func.line,
                    f"{func.qualname}() only computes embeddings; the generated test checks "
                    "conversation turns (User Message / AI Response), so it is not driven",
                )
            )
        return None
    plan.providers = providers
    models: set[str] | None = set()
    for owner, site in reach.sites:
        if site.provider not in SDK_PROVIDERS or site.operation == "embedding":
            continue
        model = owner.facts.call_models.get((site.line, site.column))
        if model is None or models is None:
            models = None
        else:
            models.add(model)
    plan.models = models
    body_param: str | None = None
    if kind == "route":
        body_param = _route_plan(plan, func, arguments, rel, gaps)
        if body_param == "__cannot__":
            return None
    else:
        is_method = kind == "method"
        args = _call_args(func, arguments, rel, gaps, skip_first=is_method)
        if args is None:
            return None
        plan.args = args
        if is_method:
            init = module.facts.functions.get(f"{func.class_name}.__init__")
            if init is not None:
                init_args = _call_args(init, arguments, rel, gaps, skip_first=True)
                if init_args is None:
                    return None
                plan.init_args = init_args
    if func.opens_session:
        plan.expected_user = _expected_user(func.session_user, plan, func, body_param)
    return plan
