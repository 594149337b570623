"""The analyzer's state and its name resolution: scopes, qualified names, annotations."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import (
    QualifiedNameSource,
    Scope,
)

from amplitude_ai_mcp.detect import providers as P

from .cst_shapes import _expressions_in, _names_in
from .fast_metadata import FastPositionProvider, FastScopeProvider
from .findings import FileAnalysis
from .values import ClientType, Value, _Item, _sdk_stand_in

_MAX_CHAIN = 8


class AnalyzerBase(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (FastScopeProvider, FastPositionProvider)

    def __init__(self, module: str, is_package: bool) -> None:
        super().__init__()
        self.result = FileAnalysis(module=module)
        self._package = module if is_package else module.rpartition(".")[0]
        # (scope, name) -> bound value expression (or a precomputed value)
        self._bindings: dict[tuple[Scope, str], list[cst.BaseExpression | Value | _Item]] = {}
        self._attr_bindings: dict[tuple[str, str], list[cst.BaseExpression | Value | _Item]] = {}
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
        # Fields a class body declares (``openai: object``), in order: a dataclass's
        # constructor parameters. (scope, first parameter) -> the receiver of a decorator
        # naming the function a tool (``@agent.tool``), for its ``ctx.deps``.
        self._fields: dict[str, list[str]] = {}
        self._derived: set[str] = set()  # classes with base classes (inherited fields)
        self._properties: set[tuple[str, str]] = set()  # (class, name) of @property methods
        # Items assigned into a dict (``CLIENTS["openai"] = OpenAI()``, ``self.clients[k] =
        # ...``): (scope, name) or (class, attribute) -> (key expression, value).
        self._items: dict[tuple[object, str], list[tuple[cst.BaseExpression, cst.BaseExpression]]]
        self._items = {}
        self._unproven: dict[int, str] = {}  # id(ctx.deps.x node) -> why it is not proven
        self._tool_of: dict[tuple[Scope, str], cst.BaseExpression] = {}
        # ``with <our integration>(...):`` blocks open around the node being visited, and
        # id(call) -> the frameworks they instrument.
        self._scoped: list[frozenset[str]] = []
        self._inside: dict[int, frozenset[str]] = {}

    def _enclosing(self) -> str | None:
        return ".".join(name for name, _ in self._stack) or None

    def _class_name(self) -> str | None:
        """The class whose methods we are in (for ``self.x`` bindings)."""
        for name, node in reversed(self._stack):
            if isinstance(node, cst.ClassDef):
                return ".".join(n for n, _ in self._stack[: self._stack.index((name, node)) + 1])
        return None

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
