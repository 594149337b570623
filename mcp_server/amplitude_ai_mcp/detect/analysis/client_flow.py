"""Which expressions hold an LLM client: local bindings, attributes of a class, calls of
constructors and factories, and the inter-procedural flow inside the module (returned
values, parameters traced to their callers). Clients held in containers (deps fields, dicts
of clients, forwarding proxies) are the layer below, :mod:`.held_clients`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import libcst as cst
from libcst.metadata import (
    ClassScope,
    GlobalScope,
    QualifiedNameSource,
)

from amplitude_ai_mcp.detect import providers as P

from .base import _MAX_CHAIN
from .cst_shapes import _BUILTINS, _argument, _expressions_in, _string_arg
from .fast_metadata import FastScopeProvider
from .held_clients import HeldClients, _literal, _looked_up
from .values import (
    _SDK_AGENT,
    _SDK_AI,
    PARAM,
    AttrPath,
    ClientTable,
    ClientType,
    EntryOf,
    ExternalRef,
    FieldOf,
    FunctionRef,
    OneOf,
    Value,
    _called,
    _Item,
    _library_ref,
    _Param,
    _ParamOf,
    _sdk_stand_in,
)


class ClientFlow(HeldClients):
    def _lookup(self, node: cst.Name) -> Value:
        name = node.value
        scope = self.get_metadata(FastScopeProvider, node, None)
        start = scope
        while scope is not None:
            skip_class = isinstance(scope, ClassScope) and scope is not start
            if not skip_class and name in scope.assignments:
                values = self._bindings.get((scope, name))
                if values:
                    return self._with_items(values, (scope, name))
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

    def _first_known(self, values: Sequence[cst.BaseExpression | Value | _Item]) -> Value:
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
        if isinstance(node, cst.Dict):
            return self._client_table(
                [
                    (_literal(e.key), e.value) if isinstance(e, cst.DictElement) else (None, None)
                    for e in node.elements
                ]
            )
        if isinstance(node, cst.Subscript):
            table = self._type_of(node.value)
            if len(node.slice) != 1:
                return None
            index = node.slice[0].slice
            return _looked_up(table, index.value if isinstance(index, cst.Index) else None)
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
                    return self._with_items(values, (current, attr))
                if (current, attr) in self._properties:  # @property def client(self): ...
                    return self._property_value(current, attr)
                pending.extend(self._bases.get(current, ()))
            # Never assigned here (set by a base class elsewhere, or injected): judge by usage.
            return PARAM
        if isinstance(base, cst.Attribute) and base.attr.value == "deps":
            held = self._deps_field(base.value, attr, node)
            if held is not None:
                return held
        # ``litellm.completion`` / ``openai.ChatCompletion.create`` / ``agents.Runner.run``
        for qn, source in self._qualnames(node):
            if source is QualifiedNameSource.IMPORT:
                fn = P.module_function(qn)
                if fn is not None:
                    return FunctionRef(fn)
        base_value = self._type_of(base)
        if isinstance(base_value, ExternalRef) and not base_value.called:
            fn = P.module_function(f"{base_value.qualname}.{attr}")
            if fn is not None:  # a module proxy standing in for ``litellm``
                return FunctionRef(fn)
        if isinstance(base_value, AttrPath):
            if len(base_value.segments) >= _MAX_CHAIN:
                return None
            return AttrPath(base_value.base, (*base_value.segments, attr))
        if isinstance(base_value, (ClientType, OneOf, EntryOf, FieldOf, _Param)):
            return AttrPath(base_value, (attr,))
        if isinstance(base_value, ExternalRef):
            # ``clients.llm.chat...``: which segments name a module attribute and which are
            # methods is only known once the other modules are analysed (see resolve).
            return AttrPath(base_value, (attr,))
        if base_value is None and isinstance(base, cst.Name) and not self._is_bound(base):
            return AttrPath(PARAM, (attr,))  # a free name (injected global): judge by usage
        return None

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
                if qn == "dict" and not any(a.keyword is None for a in node.args):
                    return self._client_table(  # dict(openai=OpenAI(), claude=Anthropic())
                        [(a.keyword.value if a.keyword else None, a.value) for a in node.args]
                    )
                return None
            found = self._constructed(node, qn)
            if found is not None:
                return found
        # boto3.Session().client("bedrock-runtime") and friends (registry factories).
        if isinstance(func, cst.Attribute) and func.attr.value == "client":
            service = P.SERVICE_CLIENTS.get(_string_arg(node, 0, "service_name") or "")
            if service is not None:
                return ClientType(
                    service[0],
                    service[1],
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
        if isinstance(func, cst.Attribute) and func.attr.value == "get" and node.args:
            table = self._type_of(func.value)  # CLIENTS.get("openai")
            if isinstance(table, (ClientTable, ExternalRef, AttrPath)):
                looked_up = _looked_up(table, _argument(node, 0, "key"))
                if looked_up is not None:
                    return looked_up
        func_value = self._type_of(func)
        if (
            isinstance(func, cst.Name)
            and func.value in self._bases
            and func_value == ExternalRef(f"{self.result.module}.{func.value}")
        ):
            proxied = self._proxied(func.value, node)
            if proxied is not None:
                return proxied
        if (
            isinstance(func_value, AttrPath)
            and func_value.base in (_SDK_AI, _SDK_AGENT)
            and func_value.segments in (("agent",), ("child",))
        ):
            return _SDK_AGENT  # ai.agent("id") / agent.child("id")
        if isinstance(func_value, AttrPath) and isinstance(func_value.base, ClientType):
            base = func_value.base
            method = ".".join(func_value.segments)  # ``chats.create`` makes a chat session
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
        if (
            isinstance(func_value, AttrPath)
            and isinstance(func_value.base, ExternalRef)
            and len(func_value.segments) == 1
        ):  # ``Crews().crew()``: what another module's class method returns (its exports)
            return ExternalRef(f"{func_value.base.qualname}.{func_value.segments[0]}", called=True)
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

    def _property_value(self, cls: str, name: str) -> Value:
        """What ``@property`` / ``@cached_property`` method ``name`` of ``cls`` returns."""
        typed = self._first_known(list(self._method_returns.get((cls, name), ())))
        if isinstance(typed, ClientType):
            return replace(typed, module_level_line=None, resolved_by="factory")
        if isinstance(typed, ExternalRef) and not _library_ref(typed):
            return typed  # a factory of another project module: resolved there
        return PARAM  # as for any attribute not known here: judged by usage

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
