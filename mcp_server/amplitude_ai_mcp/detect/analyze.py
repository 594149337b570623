"""Per-file analysis with libcst: which expressions are LLM clients, and where they are called.

The analysis works on qualified names and scopes (libcst metadata), so aliases, re-exports and
shadowing are handled the way Python resolves them. It never imports or runs the code.

A file analysis is self-contained; references to other modules of the project (a client
imported from ``app.clients``, a factory in ``app.llm``) stay symbolic as :class:`ExternalRef`
and are resolved by :mod:`.resolve` against the other files' exports.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field, replace
from typing import Union

import libcst as cst
from libcst import BatchableCSTVisitor
from libcst.metadata import (
    ClassScope,
    ExpressionContextProvider,
    GlobalScope,
    MetadataWrapper,
    PositionProvider,
    QualifiedNameSource,
    Scope,
    ScopeProvider,
)

from amplitude_ai_mcp.workspace import mask_secrets

from . import providers as P
from .guard import run_guarded
from .source import analysis_of

# --------------------------------------------------------------------------- value types


@dataclass(frozen=True)
class ClientType:
    """An expression's value is an LLM client (or framework object) of ``family``."""

    family: str
    provider: str
    kind: P.Kind
    is_async: bool
    origin: str  # qualified name of the constructor
    instrumented: str | None = None  # reason when our SDK already instruments it
    module_level_line: int | None = None  # built at module level on this line (patch order)
    resolved_by: str = "constructor"
    built_line: int | None = None  # line of the constructor call in its module


@dataclass(frozen=True)
class ExternalRef:
    """A name defined in another module (``called``: the result of calling it)."""

    qualname: str
    called: bool = False


@dataclass(frozen=True)
class AttrPath:
    """``base`` followed by attribute segments, e.g. ``client`` + ``chat.completions.create``."""

    base: Value
    segments: tuple[str, ...]


@dataclass(frozen=True)
class FunctionRef:
    """A module-level LLM function (``litellm.completion``) or an alias of one."""

    function: P.ModuleFunction


class _Param:
    """An unannotated parameter: its type can only be judged by how it is used."""

    def __repr__(self) -> str:
        return "PARAM"


PARAM = _Param()


class _ParamOf(_Param):
    """An unannotated parameter of a function of this module: callers in the module that pass
    a client tell its type (``callee``: ``name``, ``Class.method`` or ``Class.__init__``)."""

    def __init__(self, callee: str, index: int, name: str) -> None:
        self.callee, self.index, self.name = callee, index, name


@dataclass(frozen=True, eq=False)
class _Item:
    """Element ``index`` of what ``call`` returns (``client, model = make_client()``)."""

    call: cst.Call
    index: int


Value = Union[ClientType, ExternalRef, AttrPath, FunctionRef, _Param, None]  # noqa: UP007 - runtime alias on 3.10


# --------------------------------------------------------------------------- analysis output


@dataclass
class RawSite:
    """A call site whose receiver may still need cross-file resolution."""

    line: int
    column: int
    end_line: int
    end_column: int
    target: Value  # AttrPath or FunctionRef
    call_style: str
    receiver: str | None
    kwargs: frozenset[str]
    stream_kwarg: bool
    enclosing: str | None
    instrumented_by_args: bool  # an amplitude_ai object is passed to the call


@dataclass
class UncertainSite:
    """A call we recognise but cannot confirm (``probable``) or do not track (``tracked``
    False): reported apart from the confirmed sites, with the evidence."""

    line: int
    column: int
    end_line: int
    end_column: int
    provider: str
    api: str
    tracked: bool
    confidence: str  # "confirmed" (the receiver or URL proves the provider) | "probable"
    evidence: str
    receiver: str | None
    enclosing: str | None
    is_async: bool
    stream: bool
    origin: str | None = None  # the client's constructor, when known


@dataclass
class FileAnalysis:
    """Everything scan/validate need from one file, with cross-file references left symbolic."""

    module: str
    file: str | None = None  # set by the caller that knows the path
    sites: list[RawSite] = field(default_factory=list)
    exports: dict[str, Value] = field(default_factory=dict)  # "name" or "name()" -> value
    imports: list[tuple[str, int]] = field(default_factory=list)  # (module, line)
    imported_modules: set[str] = field(default_factory=set)  # top-level imports, for the report
    patches: list[tuple[int, frozenset[str] | None]] = field(default_factory=list)
    patch_in_function: bool = False
    agents: list[tuple[int, str, str]] = field(default_factory=list)  # (line, framework, name)
    handoffs: bool = False
    uncertain: list[UncertainSite] = field(default_factory=list)
    # Clients this module passes to callables of other modules: (callee qualname, positional
    # index or -1, keyword or None, client). Resolves their parameters (see resolve).
    client_args: list[tuple[str, int, str | None, ClientType]] = field(default_factory=list)


_PATCH_TARGETS: dict[str, frozenset[str]] = {
    "patch_openai": frozenset({"openai", "azure-openai"}),
    "patch_azure_openai": frozenset({"azure-openai"}),
    "patch_anthropic": frozenset({"anthropic"}),
    "patch_gemini": frozenset({"gemini"}),
    "patch_mistral": frozenset({"mistral"}),
    "patch_bedrock": frozenset({"bedrock"}),
    "patch_litellm": frozenset({"litellm"}),
}
_AGENT_CONSTRUCTORS = {
    "agents.Agent": "openai-agents",
    "pydantic_ai.Agent": "pydantic-ai",
    "crewai.Agent": "crewai",
    "langgraph.graph.StateGraph": "langgraph",
}
_API_LAST_SEGMENTS = frozenset(
    api.path.rsplit(".", 1)[-1] for family in P.FAMILIES.values() for api in family.apis
)
_MAX_CHAIN = 8


# Values of our own SDK, tracked only to report the agents an app already defines.
_SDK_AI = ExternalRef("amplitude_ai.AmplitudeAI", called=True)
_SDK_AGENT = ExternalRef("amplitude_ai.BoundAgent", called=True)


def _called(qualname: str) -> Value:
    """The value of calling another module's ``qualname``."""
    if qualname.startswith(f"{P.SDK_MODULE}."):
        # Our SDK's client (for the agents report); other SDK calls make no client.
        return _SDK_AI if qualname.rsplit(".", 1)[-1] in P.SDK_TRACKERS else None
    return ExternalRef(qualname, called=True)


def module_name_for(relpath: str) -> str:
    """``src/app/llm.py`` -> ``src.app.llm``; ``pkg/__init__.py`` -> ``pkg``."""
    parts = relpath.replace("\\", "/").removesuffix(".py").split("/")
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(p for p in parts if p)


_VISITOR_NAMES: dict[type, tuple[str, ...]] = {}


class _CachedVisitorsMixin:
    """libcst finds a provider's visit_/leave_ methods with ``inspect.getmembers`` on every
    resolution (~7 ms per provider per file here); the set is per class, so look it up once."""

    def get_visitors(self) -> dict[str, object]:
        cls = type(self)
        names = _VISITOR_NAMES.get(cls)
        if names is None:
            names = tuple(BatchableCSTVisitor.get_visitors(self))  # type: ignore[arg-type]
            _VISITOR_NAMES[cls] = names
        return {name: getattr(self, name) for name in names}


# ScopeProvider depends on ExpressionContextProvider by class identity, so that one cannot be
# swapped for a subclass; give it the same (behaviour-preserving) cached lookup instead.
ExpressionContextProvider.get_visitors = _CachedVisitorsMixin.get_visitors  # type: ignore[method-assign]


class FastScopeProvider(_CachedVisitorsMixin, ScopeProvider):
    """ScopeProvider with cached visitor lookup."""


class FastPositionProvider(_CachedVisitorsMixin, PositionProvider):
    """PositionProvider with cached visitor lookup."""


def analyze_module(
    source: str | cst.Module,
    module: str,
    is_package: bool = False,
    wrapper: MetadataWrapper | None = None,
) -> FileAnalysis:
    """Analyze one module's source. Raises ``libcst.ParserSyntaxError`` on invalid code and
    :class:`.guard.SourceRejected` on code that cannot be analysed safely (too large, nested
    too deeply, over its time budget).

    Text is parsed and analysed behind the guard and once per content (:mod:`.source`).
    ``wrapper`` (of ``source``) lets a caller reuse the resolved scope/position metadata for
    its own visitors (the codemods do): resolving them is most of the cost."""
    if isinstance(source, str):
        return analysis_of(
            source, module, is_package, lambda model: _analyze(model.wrapper, module, is_package)
        )
    if wrapper is None:
        wrapper = MetadataWrapper(source, unsafe_skip_copy=True)
    ready = wrapper
    return run_guarded(lambda: _analyze(ready, module, is_package))


def _analyze(wrapper: MetadataWrapper, module: str, is_package: bool) -> FileAnalysis:
    analyzer = _Analyzer(module, is_package)
    wrapper.visit(analyzer)
    return analyzer.result


class _Analyzer(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (FastScopeProvider, FastPositionProvider)

    def __init__(self, module: str, is_package: bool) -> None:
        super().__init__()
        self.result = FileAnalysis(module=module)
        self._package = module if is_package else module.rpartition(".")[0]
        # (scope, name) -> bound value expression (or a precomputed value)
        self._bindings: dict[tuple[Scope, str], list[cst.BaseExpression | Value]] = {}
        self._attr_bindings: dict[tuple[str, str], list[cst.BaseExpression | Value]] = {}
        self._returns: dict[tuple[Scope, str], list[cst.BaseExpression]] = {}
        self._calls: list[tuple[cst.Call, str | None]] = []
        self._refs: list[tuple[cst.BaseExpression, cst.Call, str | None]] = []
        self._stack: list[tuple[str, cst.CSTNode]] = []  # (name, ClassDef/FunctionDef)
        self._memo: dict[int, Value] = {}
        # Facts about the position of nodes, recorded while the visitor knows the nesting.
        self._self_class: dict[int, str] = {}  # id(self.x node) -> class
        self._bases: dict[str, list[str]] = {}  # class -> base classes of this module
        self._in_function: set[int] = set()  # id(call) for calls inside a function body
        self._in_progress: set[int] = set()
        self._awaited: set[int] = set()  # id(expression) under ``await``
        # Methods' return expressions by (class, method); calls by callee key (see _ParamOf).
        self._method_returns: dict[tuple[str, str], list[cst.BaseExpression]] = {}
        self._callers: dict[str, list[tuple[cst.Call, int]]] | None = None
        self._tracing: set[int] = set()
        # (scope, parameter) -> its annotation, for ``ctx: RunContext[Deps]`` deps containers.
        self._annotations: dict[tuple[Scope, str], cst.BaseExpression] = {}

    # ------------------------------------------------------------------ collection pass

    def _enclosing(self) -> str | None:
        return ".".join(name for name, _ in self._stack) or None

    def _class_name(self) -> str | None:
        """The class whose methods we are in (for ``self.x`` bindings)."""
        for name, node in reversed(self._stack):
            if isinstance(node, cst.ClassDef):
                return ".".join(n for n, _ in self._stack[: self._stack.index((name, node)) + 1])
        return None

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._stack.append((node.name.value, node))
        # Base classes named in this module, so ``self.client`` set in a base class resolves.
        qualified = ".".join(n for n, _ in self._stack)
        prefix = qualified.rpartition(".")[0]
        self._bases[qualified] = [
            f"{prefix}.{b.value.value}" if prefix else b.value.value
            for b in node.bases
            if b.keyword is None and isinstance(b.value, cst.Name)
        ]

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._stack.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        parent = self._stack[-1][1] if self._stack else None
        callee: str | None = None
        if parent is None:
            callee = node.name.value
        elif isinstance(parent, cst.ClassDef):
            callee = f"{self._enclosing()}.{node.name.value}"
        self._stack.append((node.name.value, node))
        body_scope = self.get_metadata(FastScopeProvider, node.body, None)
        if body_scope is None:
            return
        params = node.params
        for index, param in enumerate(
            (*params.posonly_params, *params.params, *params.kwonly_params)
        ):
            key = (body_scope, param.name.value)
            if param.annotation is not None:
                self._annotations[key] = param.annotation.annotation
                value = self._type_of_annotation(param.annotation.annotation)
                self._bindings.setdefault(key, []).append(value if value else None)
            elif callee is not None:
                self._bindings.setdefault(key, []).append(_ParamOf(callee, index, param.name.value))
            else:
                self._bindings.setdefault(key, []).append(PARAM)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._stack.pop()

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is None:
            return
        func = next((n for _, n in reversed(self._stack) if isinstance(n, cst.FunctionDef)), None)
        if func is None:
            return
        scope = self.get_metadata(FastScopeProvider, func, None)
        if scope is not None:
            self._returns.setdefault((scope, func.name.value), []).append(node.value)
            if isinstance(scope, ClassScope):
                index = next(i for i, (_, n) in enumerate(self._stack) if n is func)
                cls = ".".join(n for n, _ in self._stack[:index])
                self._method_returns.setdefault((cls, func.name.value), []).append(node.value)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind_target(target.target, node.value)
            self._collect_assigned_registration(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind_target(node.target, node.value)
            # ``client: OpenAI = field(default_factory=OpenAI)`` -> the annotation decides.
            annotated = self._type_of_annotation(node.annotation.annotation)
            if annotated is not None:
                self._bind_target(node.target, annotated)
        else:
            annotated = self._type_of_annotation(node.annotation.annotation)
            if annotated is not None:
                self._bind_target(node.target, annotated)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind_target(node.target, node.value)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind_target(node.asname.name, node.item)

    def _bind_target(self, target: cst.BaseExpression, value: cst.BaseExpression | Value) -> None:
        if isinstance(target, cst.Name):
            scope = self.get_metadata(FastScopeProvider, target, None)
            if scope is not None:
                self._bindings.setdefault((scope, target.value), []).append(value)
                if isinstance(scope, ClassScope):
                    cls = self._class_name()
                    if cls:
                        self._attr_bindings.setdefault((cls, target.value), []).append(value)
        elif (
            isinstance(target, cst.Attribute)
            and isinstance(target.value, cst.Name)
            and target.value.value in ("self", "cls")
        ):
            cls = self._class_name()
            if cls:
                self._attr_bindings.setdefault((cls, target.attr.value), []).append(value)
        elif isinstance(target, (cst.Tuple, cst.List)) and isinstance(value, (cst.Tuple, cst.List)):
            for t_el, v_el in zip(target.elements, value.elements, strict=False):
                self._bind_target(t_el.value, v_el.value)
        elif isinstance(target, (cst.Tuple, cst.List)) and isinstance(value, cst.Call):
            for index, element in enumerate(target.elements):  # a factory returning a tuple
                if not isinstance(element, cst.StarredElement):
                    self._bind_target(element.value, _Item(value, index))

    def visit_Import(self, node: cst.Import) -> None:
        line = self._line(node)
        for alias in node.names:
            name = _dotted(alias.name)
            if name:
                self.result.imports.append((name, line))
                self.result.imported_modules.add(name)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        line = self._line(node)
        base = self._absolute(("." * len(node.relative)) + (_dotted(node.module) or ""))
        if not base:
            return
        self.result.imported_modules.add(base)
        self.result.imports.append((base, line))
        if not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                name = _dotted(alias.name)
                if name:  # ``from pkg import mod`` may import a submodule
                    self.result.imports.append((f"{base}.{name}", line))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if isinstance(node.value, cst.Name) and node.value.value in ("self", "cls"):
            cls = self._class_name()
            if cls:
                self._self_class[id(node)] = cls

    def visit_Await(self, node: cst.Await) -> None:
        self._awaited.add(id(node.expression))

    def leave_Module(self, original_node: cst.Module) -> None:
        self.finish()

    def visit_Call(self, node: cst.Call) -> None:
        enclosing = self._enclosing()
        if any(isinstance(n, cst.FunctionDef) for _, n in self._stack):
            self._in_function.add(id(node))
        self._calls.append((node, enclosing))
        for arg in node.args:
            if isinstance(arg.value, (cst.Attribute, cst.Name)):
                self._refs.append((arg.value, node, enclosing))

    # ------------------------------------------------------------------ resolution helpers

    def _line(self, node: cst.CSTNode) -> int:
        return self.get_metadata(FastPositionProvider, node).start.line

    def _absolute(self, name: str) -> str:
        """Resolve a relative module/qualified name against this module's package."""
        if not name.startswith("."):
            return name
        dots = len(name) - len(name.lstrip("."))
        rest = name[dots:]
        parts = self._package.split(".") if self._package else []
        if dots - 1 > len(parts):
            return rest
        base = parts[: len(parts) - (dots - 1)]
        return ".".join([*base, rest] if rest else base)

    def _qualnames(self, node: cst.CSTNode) -> list[tuple[str, QualifiedNameSource]]:
        # Asking the scope directly (only for the nodes we inspect) is what
        # QualifiedNameProvider does for every node of the module; this is ~40% cheaper.
        scope = self.get_metadata(FastScopeProvider, node, None)
        if scope is None:
            return []
        names = scope.get_qualified_names_for(node)
        # Deterministic order (names first; enum members do not compare, so sort by value).
        return sorted(
            ((self._absolute(q.name), q.source) for q in names), key=lambda p: (p[0], p[1].value)
        )

    def _type_of_annotation(self, node: cst.BaseExpression) -> Value:
        """``OpenAI``, ``openai.AsyncOpenAI``, ``Optional[OpenAI]``, ``"OpenAI | None"``."""
        if isinstance(node, cst.SimpleString):
            text = node.evaluated_value
            if not isinstance(text, str):
                return None
            try:
                parsed = cst.parse_expression(text)
            except cst.ParserSyntaxError:
                return None
            scope = self.get_metadata(FastScopeProvider, node, None)
            for name in _names_in(parsed):
                if scope is None:
                    break
                for qn in sorted(q.name for q in scope.get_qualified_names_for(name)):
                    found = self._client_from_qualname(qn, "annotation")
                    if found is not None:
                        return found
            return None
        for sub in _expressions_in(node):
            for qn, _source in self._qualnames(sub):
                found = self._client_from_qualname(qn, "annotation")
                if found is not None:
                    return found
        return None

    def _client_from_qualname(self, qualname: str, resolved_by: str) -> ClientType | None:
        sdk = _sdk_stand_in(qualname)
        if sdk is not None:
            cls = P.client_class(sdk)
            if cls is not None:
                return ClientType(
                    cls.family,
                    cls.provider,
                    cls.kind,
                    cls.is_async,
                    qualname,
                    instrumented=f"{qualname} is the SDK's instrumented client",
                    resolved_by=resolved_by,
                )
        cls = P.client_class(qualname)
        if cls is None or cls.service_arg is not None:
            return None
        return ClientType(
            cls.family, cls.provider, cls.kind, cls.is_async, qualname, resolved_by=resolved_by
        )

    def _lookup(self, node: cst.Name) -> Value:
        name = node.value
        scope = self.get_metadata(FastScopeProvider, node, None)
        start = scope
        while scope is not None:
            skip_class = isinstance(scope, ClassScope) and scope is not start
            if not skip_class and name in scope.assignments:
                values = self._bindings.get((scope, name))
                if values:
                    return self._first_known(values)
                # Bound by import, def, class, loop target...: ask the qualified names.
                for qn, source in self._qualnames(node):
                    if source is QualifiedNameSource.IMPORT:
                        fn = P.module_function(qn)
                        if fn is not None:
                            return FunctionRef(fn)
                        return ExternalRef(qn)
                    if source is QualifiedNameSource.LOCAL and isinstance(scope, GlobalScope):
                        # A module-level def/class: a factory in this module (``name()``).
                        return ExternalRef(f"{self.result.module}.{qn}")
                return None
            if isinstance(scope, GlobalScope):
                break
            scope = scope.parent
        return None

    def _first_known(self, values: list[cst.BaseExpression | Value | _Item]) -> Value:
        fallback: Value = None
        for value in values:
            if isinstance(value, _Item):
                typed = self._type_of_item(value)
            elif isinstance(value, cst.CSTNode):
                typed = self._type_of(value)
            else:
                typed = value
            if isinstance(typed, _ParamOf):
                typed = self._traced_param(typed)
            if isinstance(typed, ClientType):
                return typed
            if typed is not None and fallback is None:
                fallback = typed
        return fallback

    def _type_of(self, node: cst.BaseExpression) -> Value:
        key = id(node)
        if key in self._memo:
            return self._memo[key]
        if key in self._in_progress:  # recursive definitions (x = x.with_options())
            return None
        self._in_progress.add(key)
        try:
            value = self._compute_type(node)
        finally:
            self._in_progress.discard(key)
        self._memo[key] = value
        return value

    def _compute_type(self, node: cst.BaseExpression) -> Value:
        if isinstance(node, cst.Name):
            return self._lookup(node)
        if isinstance(node, cst.Attribute):
            return self._type_of_attribute(node)
        if isinstance(node, cst.Call):
            return self._type_of_call(node)
        if isinstance(node, cst.Await):
            return self._type_of(node.expression)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
            project_ref = None
            for side in (node.left, node.right):
                typed = self._type_of(side)
                if isinstance(typed, ClientType) and typed.family == "langchain":
                    return typed
                if isinstance(typed, ExternalRef) and not _library_ref(typed):
                    project_ref = project_ref or typed  # ``prompt | make_model()``: resolved later
            return project_ref
        if isinstance(node, cst.IfExp):
            return self._first_known([node.body, node.orelse])
        if isinstance(node, cst.BooleanOperation):
            return self._first_known([node.left, node.right])
        return None

    def _type_of_attribute(self, node: cst.Attribute) -> Value:
        attr = node.attr.value
        base = node.value
        if isinstance(base, cst.Name) and base.value in ("self", "cls"):
            cls = self._self_class.get(id(node))
            seen: set[str] = set()
            pending = [cls] if cls else []
            while pending:  # the class, then its bases defined in this module
                current = pending.pop(0)
                if current in seen:
                    continue
                seen.add(current)
                values = self._attr_bindings.get((current, attr))
                if values:
                    return self._first_known(values)
                pending.extend(self._bases.get(current, ()))
            # Never assigned here (set by a base class elsewhere, or injected): judge by usage.
            return PARAM
        if isinstance(base, cst.Attribute) and base.attr.value == "deps":
            held = self._deps_field(base.value, attr)
            if held is not None:
                return held
        # ``litellm.completion`` / ``openai.ChatCompletion.create`` / ``agents.Runner.run``
        for qn, source in self._qualnames(node):
            if source is QualifiedNameSource.IMPORT:
                fn = P.module_function(qn)
                if fn is not None:
                    return FunctionRef(fn)
        base_value = self._type_of(base)
        if isinstance(base_value, AttrPath):
            if len(base_value.segments) >= _MAX_CHAIN:
                return None
            return AttrPath(base_value.base, (*base_value.segments, attr))
        if isinstance(base_value, (ClientType, _Param)):
            return AttrPath(base_value, (attr,))
        if isinstance(base_value, ExternalRef):
            # ``clients.llm.chat...``: which segments name a module attribute and which are
            # methods is only known once the other modules are analysed (see resolve).
            return AttrPath(base_value, (attr,))
        if base_value is None and isinstance(base, cst.Name) and not self._is_bound(base):
            return AttrPath(PARAM, (attr,))  # a free name (injected global): judge by usage
        return None

    def _deps_field(self, holder: cst.BaseExpression, field_name: str) -> Value:
        """``ctx.deps.<field>`` with ``ctx: RunContext[Deps]`` (pydantic-ai) and ``Deps`` a
        class of this module: the field's declared or assigned client."""
        if not isinstance(holder, cst.Name):
            return None
        scope = self.get_metadata(FastScopeProvider, holder, None)
        annotation = None
        while scope is not None and annotation is None:
            annotation = self._annotations.get((scope, holder.value))
            if isinstance(scope, GlobalScope):
                break
            scope = scope.parent
        if not isinstance(annotation, cst.Subscript) or not annotation.slice:
            return None
        element = annotation.slice[0].slice
        if not isinstance(element, cst.Index) or not isinstance(element.value, cst.Name):
            return None
        deps_class = element.value.value
        if deps_class not in self._bases:
            return None
        values = self._attr_bindings.get((deps_class, field_name))
        typed = self._first_known(values) if values else None
        return replace(typed, resolved_by="annotation") if isinstance(typed, ClientType) else None

    def _is_bound(self, node: cst.Name) -> bool:
        scope = self.get_metadata(FastScopeProvider, node, None)
        while scope is not None:
            if node.value in scope.assignments:
                return True
            if isinstance(scope, GlobalScope):
                break
            scope = scope.parent
        return node.value in _BUILTINS

    def _type_of_call(self, node: cst.Call) -> Value:
        func = node.func
        qualnames = self._qualnames(func)
        for qn, source in qualnames:
            if source is QualifiedNameSource.BUILTIN:
                return None
            found = self._constructed(node, qn)
            if found is not None:
                return found
        # boto3.Session().client("bedrock-runtime") and friends.
        if isinstance(func, cst.Attribute) and func.attr.value == "client":
            service = _string_arg(node, 0, "service_name")
            if service == "bedrock-runtime":
                return ClientType(
                    "bedrock",
                    "bedrock",
                    "provider",
                    False,
                    "boto3.client",
                    module_level_line=self._module_level_line(node),
                    built_line=self._line(node),
                )
        if (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and func.value.value in ("self", "cls")
        ):
            made = self._method_factory(func)
            if made is not None:
                return made
        func_value = self._type_of(func)
        if (
            isinstance(func_value, AttrPath)
            and func_value.base in (_SDK_AI, _SDK_AGENT)
            and func_value.segments in (("agent",), ("child",))
        ):
            return _SDK_AGENT  # ai.agent("id") / agent.child("id")
        if isinstance(func_value, AttrPath) and isinstance(func_value.base, ClientType):
            base = func_value.base
            if len(func_value.segments) == 1:
                method = func_value.segments[0]
                derived = P.DERIVED.get((base.family, method))
                if derived is not None:
                    family = P.FAMILIES[derived]
                    return replace(base, family=family.name, origin=f"{base.origin}.{method}")
                if method in P.FAMILIES[base.family].chaining:
                    return base
            return None
        if (
            isinstance(func_value, AttrPath)
            and isinstance(func_value.base, ExternalRef)
            and not func_value.base.called
        ):
            return _called(".".join([func_value.base.qualname, *func_value.segments]))
        if isinstance(func_value, ExternalRef) and not func_value.called:
            return _called(func_value.qualname)
        if isinstance(func, cst.Name) and func_value is None:
            # A function of this module: its return value.
            return self._returned_by(func)
        return None

    def _constructed(self, node: cst.Call, qualname: str) -> Value:
        """The value made by calling ``qualname``: a client, a wrapped client, or None."""
        if qualname.startswith(f"{P.SDK_MODULE}."):
            last = qualname.rsplit(".", 1)[-1]
            if last == P.SDK_WRAP and node.args:
                inner = self._type_of(node.args[0].value)
                if isinstance(inner, ClientType):
                    return replace(inner, instrumented=f"wrapped with {qualname}()")
                return None
        cls = P.client_class(qualname)
        sdk = _sdk_stand_in(qualname)
        if sdk is not None:
            cls = P.client_class(sdk)
        if cls is None:
            return None
        if (
            cls.service_arg is not None
            and sdk is None  # amplitude_ai.Bedrock(...) builds only that service
            and _string_arg(node, 0, "service_name") != cls.service_arg
        ):
            return None
        instrumented = f"{qualname} is the SDK's instrumented client" if sdk else None
        if instrumented is None and cls.kind == "framework" and self._passes_sdk_object(node):
            instrumented = "an amplitude_ai callback/handler is passed to the constructor"
        return ClientType(
            cls.family,
            cls.provider,
            cls.kind,
            cls.is_async,
            qualname,
            instrumented,
            self._module_level_line(node),
            built_line=self._line(node),
        )

    # ------------------------------------------------------------------ inter-procedural flow

    def _returned_exprs(self, func: cst.BaseExpression) -> list[cst.BaseExpression]:
        """Return expressions of the function/method ``func`` names (this module only)."""
        if isinstance(func, cst.Name):
            scope = self.get_metadata(FastScopeProvider, func, None)
            while scope is not None:
                values = self._returns.get((scope, func.value))
                if values:
                    return values
                if isinstance(scope, GlobalScope):
                    break
                scope = scope.parent
            return []
        if (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and func.value.value in ("self", "cls")
        ):
            cls = self._self_class.get(id(func))
            seen: set[str] = set()
            pending = [cls] if cls else []
            while pending:  # the class, then its bases in this module
                current = pending.pop(0)
                if current in seen:
                    continue
                seen.add(current)
                values = self._method_returns.get((current, func.attr.value))
                if values:
                    return values
                pending.extend(self._bases.get(current, ()))
        return []

    def _type_of_item(self, item: _Item) -> Value:
        for returned in self._returned_exprs(item.call.func):
            if isinstance(returned, (cst.Tuple, cst.List)) and item.index < len(returned.elements):
                typed = self._type_of(returned.elements[item.index].value)
                if isinstance(typed, ClientType):
                    return replace(typed, module_level_line=None, resolved_by="factory")
        return None

    def _method_factory(self, func: cst.Attribute) -> Value:
        """``self.get_client(...)``: what the method returns."""
        values = self._returned_exprs(func)
        if not values:
            return None
        typed = self._first_known(list(values))
        if isinstance(typed, ClientType):
            return replace(typed, module_level_line=None, resolved_by="factory")
        return None

    def _index_callers(self) -> dict[str, list[tuple[cst.Call, int]]]:
        """Calls of this module's functions, methods and constructors: callee key ->
        (call, how many leading parameters the call binds implicitly: self)."""
        found: dict[str, list[tuple[cst.Call, int]]] = {}
        for call, _ in self._calls:
            func = call.func
            if isinstance(func, cst.Name):
                if func.value in self._bases:  # a class of this module: its __init__
                    found.setdefault(f"{func.value}.__init__", []).append((call, 1))
                else:
                    found.setdefault(func.value, []).append((call, 0))
            elif isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
                cls = self._self_class.get(id(func))
                if cls is not None:
                    found.setdefault(f"{cls}.{func.attr.value}", []).append((call, 1))
        return found

    def _traced_param(self, param: _ParamOf) -> Value:
        """The client the callers of ``param``'s function pass for it, else ``param``."""
        if self._callers is None:
            self._callers = self._index_callers()
        key = id(param)
        if key in self._tracing:
            return param
        self._tracing.add(key)
        try:
            for call, implicit in self._callers.get(param.callee, ()):
                arg = _argument(call, param.index - implicit, param.name)
                if arg is None:
                    continue
                typed = self._type_of(arg)
                if isinstance(typed, ClientType):
                    return replace(typed, module_level_line=None, resolved_by="argument")
        finally:
            self._tracing.discard(key)
        return param

    def _returned_by(self, func: cst.Name) -> Value:
        scope = self.get_metadata(FastScopeProvider, func, None)
        while scope is not None:
            values = self._returns.get((scope, func.value))
            if values:
                typed = self._first_known(list(values))
                if isinstance(typed, ClientType):
                    return replace(typed, module_level_line=None, resolved_by="factory")
                return typed
            if isinstance(scope, GlobalScope):
                break
            scope = scope.parent
        return None

    def _module_level_line(self, node: cst.CSTNode) -> int | None:
        if id(node) in self._in_function:
            return None
        return self._line(node)

    def _passes_sdk_object(self, node: cst.Call) -> bool:
        for arg in node.args:
            for sub in _expressions_in(arg.value):
                for qn, _ in self._qualnames(sub):
                    if qn.startswith(f"{P.SDK_MODULE}."):
                        return True
        return False

    # ------------------------------------------------------------------ site extraction

    def finish(self) -> None:
        referenced: set[int] = {id(c.func) for c, _ in self._calls}
        for call, enclosing in self._calls:
            self._collect_patch_and_agents(call, enclosing)
            target = self._type_of(call.func)
            site = self._site_for(call, call.func, target, "direct", enclosing)
            if site is not None:
                self.result.sites.append(site)
            self._uncertain_for(call, enclosing, confirmed=site is not None)
        for expr, call, enclosing in self._refs:
            if id(expr) in referenced:
                continue
            target = self._type_of(expr)
            if isinstance(target, (AttrPath, FunctionRef)):
                site = self._site_for(call, expr, target, "reference", enclosing, position=expr)
                if site is not None:
                    self.result.sites.append(site)
        self._collect_exports()
        self._collect_client_args()

    def _collect_client_args(self) -> None:
        for call, _ in self._calls:
            if not call.args:
                continue
            callee = self._type_of(call.func)
            if not isinstance(callee, ExternalRef) or callee.called:
                continue
            index = 0
            for arg in call.args:
                if arg.star:
                    break
                typed = self._type_of(arg.value)
                keyword = arg.keyword.value if arg.keyword is not None else None
                if isinstance(typed, ClientType):
                    self.result.client_args.append(
                        (callee.qualname, -1 if keyword else index, keyword, typed)
                    )
                if keyword is None:
                    index += 1

    def _site_for(
        self,
        call: cst.Call,
        func: cst.BaseExpression,
        target: Value,
        style: str,
        enclosing: str | None,
        position: cst.CSTNode | None = None,
    ) -> RawSite | None:
        if isinstance(target, FunctionRef):
            style = style if style == "reference" else "module_function"
        elif isinstance(target, AttrPath):
            if target.segments[-1] not in _API_LAST_SEGMENTS:
                return None
            if isinstance(target.base, ClientType):
                family = P.FAMILIES[target.base.family]
                if P.match_api(family, list(target.segments)) is None:
                    return None
            elif isinstance(target.base, _Param):
                if style == "reference":
                    return None
                candidates = P.usage_candidates(list(target.segments))
                kwargs = {a.keyword.value for a in call.args if a.keyword is not None}
                if not any(api.usage_kwargs <= kwargs for _, api in candidates):
                    return None
            elif not isinstance(target.base, ExternalRef):
                return None
        else:
            return None
        if style == "direct" and isinstance(func, cst.Name):
            style = "alias" if not isinstance(target, FunctionRef) else "module_function"
        pos = self.get_metadata(FastPositionProvider, position or call)
        receiver = None
        if isinstance(func, cst.Attribute) and isinstance(target, AttrPath):
            receiver_node: cst.BaseExpression = func
            for _ in target.segments:
                if isinstance(receiver_node, cst.Attribute):
                    receiver_node = receiver_node.value
            # Returned to the client: never echo a key written inline (OpenAI(api_key="sk-...")).
            receiver = mask_secrets(cst.Module([]).code_for_node(receiver_node))
        return RawSite(
            line=pos.start.line,
            column=pos.start.column + 1,
            end_line=pos.end.line,
            end_column=pos.end.column + 1,
            target=target,
            call_style=style,
            receiver=receiver,
            kwargs=frozenset(a.keyword.value for a in call.args if a.keyword is not None),
            stream_kwarg=any(
                a.keyword is not None
                and a.keyword.value == "stream"
                and isinstance(a.value, cst.Name)
                and a.value.value == "True"
                for a in call.args
            ),
            enclosing=enclosing,
            instrumented_by_args=style != "reference" and self._passes_sdk_object(call),
        )

    # ------------------------------------------------------------------ uncertain sites

    def _uncertain_for(self, call: cst.Call, enclosing: str | None, confirmed: bool) -> None:
        """A provider-shaped call on a receiver we cannot trace (probable), an API we know
        but do not track, or raw HTTP to a provider endpoint."""
        func = call.func
        if not isinstance(func, cst.Attribute):
            return
        kwargs = {a.keyword.value for a in call.args if a.keyword is not None}
        if func.attr.value in P.HTTP_VERBS:
            host = self._provider_host(call)
            if host is not None:
                verb = func.attr.value.upper()
                self._add_uncertain(
                    call,
                    P.PROVIDER_HOSTS[host],
                    f"HTTP {verb} {host}",
                    False,
                    "confirmed",
                    f"the request URL names {host}; {P.RAW_HTTP_REASON}",
                    None,
                    enclosing,
                )
            return
        if confirmed:
            return
        segments: list[str] = []
        node: cst.BaseExpression = func
        while isinstance(node, cst.Attribute) and len(segments) <= _MAX_CHAIN:
            segments.insert(0, node.attr.value)
            node = node.value
        found = P.shape_for(segments)
        if found is None:
            return
        shape, _cut = found
        receiver: cst.BaseExpression = func
        for _ in shape.path.split("."):
            receiver = receiver.value  # type: ignore[attr-defined]
        typed = self._type_of(receiver)
        if typed in (_SDK_AI, _SDK_AGENT):
            return
        text = mask_secrets(cst.Module([]).code_for_node(receiver))
        if isinstance(typed, ClientType):
            if shape.tracked or _provider_of(typed) != shape.provider:
                return  # a client of another API family (or already a confirmed site)
            self._add_uncertain(
                call,
                shape.provider,
                shape.path,
                False,
                "confirmed",
                f"{shape.reason}",
                text,
                enclosing,
                origin=typed.origin,
            )
            return
        if not shape.kwargs <= kwargs:
            return  # too little evidence: many APIs have a ``create`` method
        passed = ", ".join(sorted(shape.kwargs)) or "no keyword arguments"
        evidence = (
            f"`{text}.{shape.path}(...)` has the shape of the {shape.provider} API "
            f"({passed} passed) but what `{text}` holds could not be traced"
        )
        if not shape.tracked:
            evidence = f"{evidence}; {shape.reason}"
        self._add_uncertain(
            call, shape.provider, shape.path, shape.tracked, "probable", evidence, text, enclosing
        )

    def _add_uncertain(
        self,
        call: cst.Call,
        provider: str,
        api: str,
        tracked: bool,
        confidence: str,
        evidence: str,
        receiver: str | None,
        enclosing: str | None,
        origin: str | None = None,
    ) -> None:
        pos = self.get_metadata(FastPositionProvider, call)
        stream = api.endswith("stream") or any(
            a.keyword is not None
            and a.keyword.value == "stream"
            and isinstance(a.value, cst.Name)
            and a.value.value == "True"
            for a in call.args
        )
        self.result.uncertain.append(
            UncertainSite(
                pos.start.line,
                pos.start.column + 1,
                pos.end.line,
                pos.end.column + 1,
                provider,
                api,
                tracked,
                confidence,
                evidence,
                receiver,
                enclosing,
                id(call) in self._awaited,
                stream,
                origin,
            )
        )

    def _provider_host(self, call: cst.Call) -> str | None:
        """The provider host named by the request's URL (a literal, or a name bound to one)."""
        url: cst.BaseExpression | None = None
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == "url":
                url = arg.value
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        if (
            positional
            and isinstance(positional[0], cst.SimpleString)
            and _is_verb(positional[0])
            and positional[0].evaluated_value.upper() != "POST"  # type: ignore[union-attr]
        ):
            return None  # client.request("GET", url)
        if url is None and positional:
            # requests.post(url) / client.request("POST", url)
            url = (
                positional[1]
                if len(positional) > 1
                and isinstance(positional[0], cst.SimpleString)
                and _is_verb(positional[0])
                else positional[0]
            )
        if url is None:
            return None
        text = self._string_text(url, 0)
        return next((host for host in P.PROVIDER_HOSTS if host in text), None)

    def _string_text(self, node: cst.BaseExpression, depth: int) -> str:
        if depth > 3:
            return ""
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            return cst.Module([]).code_for_node(node)
        if isinstance(node, cst.BinaryOperation):
            return self._string_text(node.left, depth + 1) + self._string_text(
                node.right, depth + 1
            )
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            return self._string_text(node.func.value, depth + 1)  # BASE.format(...)
        if isinstance(node, cst.Name):
            scope = self.get_metadata(FastScopeProvider, node, None)
            while scope is not None:
                values = self._bindings.get((scope, node.value))
                if values:
                    return "".join(
                        self._string_text(v, depth + 1)
                        for v in values
                        if isinstance(v, cst.BaseExpression)
                    )
                if isinstance(scope, GlobalScope):
                    break
                scope = scope.parent
        return ""

    def _collect_patch_and_agents(self, call: cst.Call, enclosing: str | None) -> None:
        for qn, _ in self._qualnames(call.func):
            if qn.startswith(f"{P.SDK_MODULE}."):
                last = qn.rsplit(".", 1)[-1]
                if last == P.SDK_PATCH_PREFIX or last in _PATCH_TARGETS:
                    if enclosing is None:
                        self.result.patches.append((self._line(call), _PATCH_TARGETS.get(last)))
                    else:
                        self.result.patch_in_function = True
            elif (
                qn.endswith(("add_trace_processor", "set_trace_processors"))
                and self._passes_sdk_object(call)
                and enclosing is None
            ):
                self.result.patches.append((self._line(call), frozenset({"openai-agents"})))
            elif (
                qn in P.REGISTRATION_CALLS
                and enclosing is None
                and (self._passes_sdk_object(call) or self._imports_sdk())
            ):  # a framework integration registered (LangChain hook, pydantic-ai's OTEL)
                self.result.patches.append((self._line(call), P.REGISTRATION_CALLS[qn]))
            framework = _AGENT_CONSTRUCTORS.get(qn)
            if framework is not None:
                name = _string_arg(call, 0, "name") or ""
                self.result.agents.append((self._line(call), framework, name))
                if any(a.keyword is not None and a.keyword.value == "handoffs" for a in call.args):
                    self.result.handoffs = True
        if isinstance(call.func, cst.Attribute) and call.func.attr.value in ("agent", "child"):
            receiver = self._type_of(call.func.value)
            if receiver in (_SDK_AI, _SDK_AGENT):
                name = _string_arg(call, 0, "agent_id") or ""
                self.result.agents.append((self._line(call), "amplitude-ai", name))

    def _imports_sdk(self) -> bool:
        return any(m.split(".")[0] == P.SDK_MODULE for m in self.result.imported_modules)

    def _collect_assigned_registration(
        self, target: cst.BaseExpression, value: cst.BaseExpression
    ) -> None:
        """``llama_index.core.global_handler = <amplitude_ai handler>`` at module level."""
        if not isinstance(target, cst.Attribute) or self._enclosing() is not None:
            return
        for qn, _ in self._qualnames(target):
            frameworks = P.REGISTRATION_ASSIGNS.get(qn)
            if frameworks is None:
                continue
            for sub in _expressions_in(value):
                if any(q.startswith(f"{P.SDK_MODULE}.") for q, _ in self._qualnames(sub)):
                    self.result.patches.append((self._line(target), frameworks))
                    return

    def _collect_exports(self) -> None:
        module_scope = None
        for (scope, name), values in self._bindings.items():
            if isinstance(scope, GlobalScope):
                module_scope = scope
                typed = self._first_known(values)
                if typed is not None and not isinstance(typed, (_Param, AttrPath)):
                    self.result.exports[name] = typed
        for (scope, name), values in self._returns.items():
            if isinstance(scope, GlobalScope) or scope is module_scope:
                typed = self._first_known(list(values))
                if typed is not None and not isinstance(typed, (_Param, AttrPath)):
                    self.result.exports[f"{name}()"] = typed
        # Classes: ``Holder.client`` attribute bindings, reachable as ``module.Holder().client``.
        for (cls, attr), values in self._attr_bindings.items():
            typed = self._first_known(values)
            if isinstance(typed, ClientType):
                self.result.exports[f"{cls}.{attr}"] = typed


def _argument(call: cst.Call, index: int, name: str) -> cst.BaseExpression | None:
    """The argument ``call`` passes for parameter ``name`` at position ``index``."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    positional = [a for a in call.args if a.keyword is None]
    if any(a.star for a in positional[: index + 1]) or index < 0 or index >= len(positional):
        return None
    return positional[index].value


def _library_ref(ref: ExternalRef) -> bool:
    """A name from a provider or framework package (never one of the project's factories)."""
    top = ref.qualname.split(".")[0]
    return top in P.FRAMEWORK_MODULES or top in P.PROVIDER_MODULES or top == P.SDK_MODULE


def _provider_of(client: ClientType) -> str:
    """The API family's provider of a client (Azure OpenAI and OpenAI-compatible clients
    share OpenAI's endpoints)."""
    return "openai" if client.family == "openai" else client.provider


def _is_verb(node: cst.SimpleString) -> bool:
    value = node.evaluated_value
    return isinstance(value, str) and value.upper() in ("GET", "POST", "PUT", "PATCH")


def _sdk_stand_in(qualname: str) -> str | None:
    """``amplitude_ai.OpenAI`` / ``amplitude_ai.providers.openai.OpenAI`` -> ``openai.OpenAI``."""
    if not qualname.startswith(f"{P.SDK_MODULE}."):
        return None
    return P.SDK_CLIENTS.get(qualname.rsplit(".", 1)[-1])


def _dotted(node: cst.BaseExpression | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def _string_arg(call: cst.Call, index: int, keyword: str) -> str | None:
    positional = [a for a in call.args if a.keyword is None and not a.star]
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            value = arg.value
            break
    else:
        if len(positional) <= index:
            return None
        value = positional[index].value
    if isinstance(value, cst.SimpleString):
        evaluated = value.evaluated_value
        return evaluated if isinstance(evaluated, str) else None
    return None


def _names_in(node: cst.CSTNode) -> list[str]:
    """Dotted names appearing in an expression (for string annotations)."""
    found: list[str] = []

    class _Collect(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> bool:
            dotted = _dotted(node)
            if dotted:
                found.append(dotted)
                return False
            return True

        def visit_Name(self, node: cst.Name) -> None:
            found.append(node.value)

    node.visit(_Collect())
    return found


def _expressions_in(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    """Name/Attribute nodes inside an expression, outermost first."""
    found: list[cst.BaseExpression] = []

    class _Collect(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> bool:
            found.append(node)
            return False

        def visit_Name(self, node: cst.Name) -> None:
            found.append(node)

    node.visit(_Collect())
    return found


_BUILTINS = frozenset(dir(builtins))
