"""The one analysis of the original module that every codemod reads (:class:`Facts`):
provider client constructions, module-level functions and what they call, bootstrap and SDK
imports, legacy API uses, positions; collected in one visit reusing detection's metadata."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import MetadataWrapper, QualifiedNameSource

from amplitude_ai_mcp.detect import providers as P
from amplitude_ai_mcp.detect.analysis.fast_metadata import FastWrapper
from amplitude_ai_mcp.detect.analyze import FastPositionProvider as PositionProvider
from amplitude_ai_mcp.detect.analyze import FastScopeProvider as ScopeProvider
from amplitude_ai_mcp.detect.sites import CallSite

from ._common import BOOTSTRAP_STEM, INSTRUMENTABLE, SDK, dotted

# Provider classes with an instrumented drop-in in amplitude_ai (same constructor + amplitude=),
# from the provider registry.

DROP_INS: dict[str, str] = P.DROP_INS


def _factory_drop_ins() -> dict[str, tuple[str, str, tuple[str, ...]]]:
    """Client factories with a drop-in (``boto3.client`` -> ``Bedrock`` for the service
    ``bedrock-runtime``, also as ``boto3.Session(...).client``), from the SDK's registry."""
    return {
        spec.client_factory: (spec.drop_ins[0], spec.service_name, spec.session_classes)
        for spec in P.R.PROVIDERS
        if spec.client_factory and spec.drop_ins
    }


# factory qualname -> (drop-in name, the service name that makes it an LLM client, the
# session classes whose ``.client(...)`` is the same factory)
FACTORY_DROP_INS: dict[str, tuple[str, str, tuple[str, ...]]] = _factory_drop_ins()


@dataclass
class Construction:
    """A call that builds a provider client with an SDK drop-in."""

    call: cst.Call | cst.Name | cst.Attribute  # Name/Attribute: a class passed as a factory
    qualname: str
    drop_in: str  # amplitude_ai class name
    line: int
    has_amplitude: bool
    # The provider imports that may bind the called name (all of them move to amplitude_ai).
    imports: list[tuple[cst.ImportFrom, cst.ImportAlias]]
    reference: bool = False  # ``field(default_factory=OpenAI)``: becomes a lambda
    # Built by a factory (``boto3.client("bedrock-runtime", ...)``): swapped by call path,
    # its import stays (the drop-in has another name).
    factory: bool = False
    session: bool = False  # ``session.client(...)``: the drop-in gets ``session=session``


@dataclass
class FunctionInfo:
    node: cst.FunctionDef
    name: str
    line: int
    calls: set[str] = field(default_factory=set)  # module-level function names it calls
    # What it calls in other modules: qualified names (``pkg.llm.ask``) and, for methods of
    # module-level instances, ``pkg.mod.Class.method``.
    external: set[str] = field(default_factory=set)
    is_route: bool = False
    is_serverless: bool = False
    is_generator: bool = False


@dataclass
class Facts:
    """One analysis of the original module that every codemod reads."""

    module: cst.Module
    file: str
    sites: list[CallSite]
    constructions: list[Construction] = field(default_factory=list)
    unsupported: list[tuple[int, str, str]] = field(default_factory=list)  # line, qualname, prov
    wrapped_args: set[int] = field(default_factory=set)  # id(call) already inside wrap(...)
    functions: dict[str, FunctionInfo] = field(default_factory=dict)  # module-level defs
    names: set[str] = field(default_factory=set)  # every Name spelled in the module
    bootstrap_import: cst.ImportFrom | None = None
    bootstrap_names: dict[str, str] = field(default_factory=dict)  # imported name -> local
    sdk_imported: bool = False  # a top-level ``import amplitude_ai``
    legacy: list[tuple[int, str, cst.CSTNode]] = field(default_factory=list)
    instances: dict[str, str] = field(default_factory=dict)  # global name -> imported class
    reaches_elsewhere: set[str] = field(default_factory=set)  # set by the orchestrator
    positions: dict[int, int] = field(default_factory=dict)  # id(node) -> line
    text: str | None = None  # the module's source (``module`` may be a slice of it)
    # Code that is not in ``module`` (an edit slice dropped it): its text, and a function
    # giving the identifiers it spells (only called when the text has the word asked for).
    dropped: tuple[str, Callable[[], set[str]]] | None = None
    _dropped_names: set[str] | None = None

    def code(self) -> str:
        """The whole module's source text."""
        return self.text if self.text is not None else self.module.code

    def spells(self, name: str) -> bool:
        """Whether the module spells the identifier ``name`` anywhere (a libcst ``Name``)."""
        if name in self.names:
            return True
        if self.dropped is None or not re.search(
            rf"(?<!\w){re.escape(name)}(?!\w)", self.dropped[0]
        ):
            return False
        return name in self._dropped()

    def all_names(self) -> set[str]:
        """Every identifier the module spells."""
        return self.names | self._dropped()

    def _dropped(self) -> set[str]:
        if self.dropped is None:
            return set()
        if self._dropped_names is None:
            self._dropped_names = self.dropped[1]()
        return self._dropped_names


_ROUTE_METHODS = frozenset(
    {"get", "post", "put", "patch", "delete", "route", "api_route", "websocket", "head"}
)
_SERVERLESS_NAMES = frozenset({"lambda_handler", "handler"})


def _is_bootstrap_import(node: cst.ImportFrom) -> bool:
    name = (dotted(node.module) or "") if node.module is not None else ""
    return bool(name) and name.rsplit(".", 1)[-1] == BOOTSTRAP_STEM


class _Collector(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (ScopeProvider, PositionProvider)

    def __init__(self, facts: Facts) -> None:
        super().__init__()
        self.facts = facts
        self._depth = 0  # function nesting
        self._current: list[FunctionInfo] = []
        self._sessions: set[str] = set()  # names (``session``, ``self.session``) of sessions

    def _line(self, node: cst.CSTNode) -> int:
        return self.get_metadata(PositionProvider, node).start.line

    def visit_Name(self, node: cst.Name) -> None:
        self.facts.names.add(node.value)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if _is_bootstrap_import(node) and not isinstance(node.names, cst.ImportStar):
            if self.facts.bootstrap_import is None:
                self.facts.bootstrap_import = node
            for alias in node.names:
                name = dotted(alias.name) or ""
                local = alias.asname.name.value if alias.asname else name  # type: ignore[union-attr]
                self.facts.bootstrap_names[name] = local
        module = dotted(node.module) if node.module is not None else None
        if module in ("amplitude.ai",) or (module or "").startswith("amplitude.ai."):
            self.facts.legacy.append((self._line(node), "import", node))

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            name = dotted(alias.name)
            if name == SDK and alias.asname is None and self._depth == 0:
                self.facts.sdk_imported = True
            if name == "amplitude.ai":
                self.facts.legacy.append((self._line(node), "import", node))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self._depth == 0 and not self._in_class:
            info = FunctionInfo(node, node.name.value, self._line(node))
            info.is_route = any(_is_route(d.decorator) for d in node.decorators)
            params = [p.name.value for p in node.params.params]
            info.is_serverless = node.name.value in _SERVERLESS_NAMES or params[:2] == [
                "event",
                "context",
            ]
            self.facts.functions[info.name] = info
            self._current.append(info)
        self._depth += 1

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._depth -= 1
        if self._current and self._current[-1].node is original_node:
            self._current.pop()

    _class_depth = 0

    @property
    def _in_class(self) -> bool:
        return self._class_depth > 0

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._class_depth += 1

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._class_depth -= 1

    def visit_Yield(self, node: cst.Yield) -> None:
        if self._current and self._depth == 1:
            self._current[-1].is_generator = True

    def visit_Assign(self, node: cst.Assign) -> None:
        if isinstance(node.value, cst.Call) and self._is_session(node.value):
            self._sessions.update(dotted(t.target) or "" for t in node.targets)
        # ``escalation = Escalation()`` at module level: remember the imported class.
        if self._depth or self._in_class or not isinstance(node.value, cst.Call):
            return
        scope = self.get_metadata(ScopeProvider, node.value, None)
        if scope is None or not isinstance(node.value.func, (cst.Name, cst.Attribute)):
            return
        for qn in scope.get_qualified_names_for(node.value.func):
            if qn.source is QualifiedNameSource.IMPORT:
                for target in node.targets:
                    if isinstance(target.target, cst.Name):
                        self.facts.instances[target.target.value] = qn.name

    def visit_Call(self, node: cst.Call) -> None:
        if self._current and isinstance(node.func, cst.Name):
            self._current[-1].calls.add(node.func.value)
        scope = self.get_metadata(ScopeProvider, node, None)
        if scope is None:
            return
        if self._current:
            self._external_call(node, scope)
        for arg in node.args:
            if (
                arg.keyword is not None
                and arg.keyword.value == "default_factory"
                and isinstance(arg.value, (cst.Name, cst.Attribute))
            ):
                for qn in scope.get_qualified_names_for(arg.value):
                    drop_in = DROP_INS.get(qn.name)
                    if drop_in is not None and qn.source is QualifiedNameSource.IMPORT:
                        self._construction(arg.value, qn.name, drop_in, scope, reference=True)
                        break
        if not isinstance(node.func, (cst.Name, cst.Attribute)):
            return
        if self._session_client(node, scope):
            return
        for qn in sorted(scope.get_qualified_names_for(node.func), key=lambda q: q.name):
            if qn.source is not QualifiedNameSource.IMPORT:
                continue
            if qn.name == f"{SDK}.{P.SDK_WRAP}":
                self.facts.wrapped_args.update(id(a.value) for a in node.args)
            drop_in = DROP_INS.get(qn.name)
            if drop_in is not None:
                self._construction(node, qn.name, drop_in, scope)
                return
            factory = FACTORY_DROP_INS.get(qn.name)
            if factory is not None and _service_name(node) == factory[1]:
                self._construction(node, qn.name, factory[0], scope, factory=True)
                return
            cls = P.client_class(qn.name)
            if cls is not None and cls.kind == "provider" and cls.provider not in INSTRUMENTABLE:
                self.facts.unsupported.append((self._line(node), qn.name, cls.provider))
                return
            if qn.name.startswith("amplitude.ai.") or qn.name == "amplitude.ai.track":
                self.facts.legacy.append((self._line(node), qn.name, node))

    def _is_session(self, expr: cst.BaseExpression) -> bool:
        """``boto3.Session(...)`` (a call of a registry session class), or a name that was
        assigned one in this module."""
        if not isinstance(expr, cst.Call):
            return (dotted(expr) or "") in self._sessions
        scope = self.get_metadata(ScopeProvider, expr, None)
        if scope is None or not isinstance(expr.func, (cst.Name, cst.Attribute)):
            return False
        classes = {c for _, _, sessions in FACTORY_DROP_INS.values() for c in sessions}
        return any(
            qn.source is QualifiedNameSource.IMPORT and qn.name in classes
            for qn in scope.get_qualified_names_for(expr.func)
        )

    def _session_client(self, node: cst.Call, scope: object) -> bool:
        """``session.client("bedrock-runtime", ...)`` on a boto3 session: a construction."""
        func = node.func
        if not isinstance(func, cst.Attribute) or not self._is_session(func.value):
            return False
        for drop_in, service, sessions in FACTORY_DROP_INS.values():
            if sessions and func.attr.value == "client" and _service_name(node) == service:
                qualname = f"{sessions[0]}.client"
                self._construction(node, qualname, drop_in, scope, factory=True, session=True)
                return True
        return False

    def _external_call(self, node: cst.Call, scope: object) -> None:
        func = node.func
        info = self._current[-1]
        if isinstance(func, cst.Name):
            for qn in scope.get_qualified_names_for(func):  # type: ignore[attr-defined]
                if qn.source is QualifiedNameSource.IMPORT:
                    info.external.add(qn.name)
        elif isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            info.external.add(f"{func.value.value}\0{func.attr.value}")  # resolved later

    def _construction(
        self,
        node: cst.Call | cst.Name | cst.Attribute,
        qualname: str,
        drop_in: str,
        scope: object,
        reference: bool = False,
        factory: bool = False,
        session: bool = False,
    ) -> None:
        imports: list[tuple[cst.ImportFrom, cst.ImportAlias]] = []
        func = node if reference else node.func  # type: ignore[union-attr]
        if isinstance(func, cst.Name) and not factory:
            for assignment in scope[func.value]:  # type: ignore[index]
                target = getattr(assignment, "node", None)
                if isinstance(target, cst.ImportFrom) and not isinstance(
                    target.names, cst.ImportStar
                ):
                    for candidate in target.names:
                        local = (
                            candidate.asname.name.value  # type: ignore[union-attr]
                            if candidate.asname
                            else dotted(candidate.name)
                        )
                        module = dotted(target.module) if target.module is not None else None
                        if local == func.value and module != SDK and not target.relative:
                            imports.append((target, candidate))
        has_amplitude = isinstance(node, cst.Call) and any(
            a.keyword is not None and a.keyword.value == "amplitude" for a in node.args
        )
        self.facts.constructions.append(
            Construction(
                call=node,
                qualname=qualname,
                drop_in=drop_in,
                line=self._line(node),
                has_amplitude=has_amplitude,
                imports=imports,
                reference=reference,
                factory=factory,
                session=session,
            )
        )


def _service_name(call: cst.Call) -> str | None:
    """The literal service name of ``boto3.client("bedrock-runtime", ...)``."""
    positional = [a for a in call.args if a.keyword is None and not a.star]
    named = [a for a in call.args if a.keyword is not None and a.keyword.value == "service_name"]
    arg = named[0] if named else (positional[0] if positional else None)
    if arg is not None and isinstance(arg.value, cst.SimpleString):
        value = arg.value.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _is_route(decorator: cst.BaseExpression) -> bool:
    if isinstance(decorator, cst.Call):
        decorator = decorator.func
    return isinstance(decorator, cst.Attribute) and decorator.attr.value in _ROUTE_METHODS


def collect_facts(
    module: cst.Module,
    file: str,
    sites: list[CallSite],
    wrapper: MetadataWrapper | None = None,
    text: str | None = None,
) -> Facts:
    """``wrapper``: the detection's wrapper of ``module``, so its metadata is reused; ``text``:
    the module's source, when ``module`` is a slice of it."""
    facts = Facts(module=module, file=file, sites=sites, text=text)
    if wrapper is None:
        wrapper = FastWrapper(module, unsafe_skip_copy=True)
    collector = _Collector(facts)
    wrapper.visit(collector)
    facts.positions = {}
    positions = wrapper.resolve(PositionProvider)
    for stmt in module.body:
        if stmt in positions:  # a focused wrapper covers only the relevant statements
            facts.positions[id(stmt)] = positions[stmt].start.line
    return facts


def add_dropped(facts: Facts, names: set[str], lines: dict[int, int]) -> None:
    """Complete facts collected on a focused wrapper (:func:`..detect.source.focused_wrapper`):
    the names the dropped statements spell and every top-level statement's line. The dropped
    statements hold no client, call and LLM-reaching function (that is why they were
    dropped), so nothing else the codemods read comes from them."""
    facts.names |= names
    for key, line in lines.items():
        facts.positions.setdefault(key, line)


def reaches_llm(facts: Facts) -> set[str]:
    """Module-level functions that contain an LLM call, call one of another project module
    (``facts.reaches_elsewhere``), or call (transitively, within the file) one that does."""
    direct = {
        (s.enclosing or "").split(".")[0]
        for s in facts.sites
        if s.enclosing and s.enclosing.split(".")[0] in facts.functions
    } | facts.reaches_elsewhere
    reached = set(direct)
    changed = True
    while changed:
        changed = False
        for name, info in facts.functions.items():
            if name not in reached and info.calls & reached:
                reached.add(name)
                changed = True
    return reached
